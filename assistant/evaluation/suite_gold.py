"""Gold answers of the generalisation suite, computed straight from card dicts.

Independent of the engine on purpose: this module imports nothing from
``assistant`` (not the vocabulary, not the parser, not
``language.measurements``), so an engine and its gold cannot share a mistake.
Its own rules, from the product spec:

- Carbon (g CO2) and energy (J) are measured only when they are numbers above
  0; a 0 or a missing value is "not measured" and never wins a ranking nor
  passes a threshold.
- An inference entry's ``energy_consumption`` and ``carbon_footprint`` are
  totals over ``num_of_runs`` runs: per inference = total / ``num_of_runs``,
  per sample = total / (``num_of_runs`` x ``batch_size``). ``latency`` is per
  request already (seconds).
- A model's per-inference value (on a device, when one is named) is its best,
  lowest, run.
- Bounds: ``<`` and ``>`` exclusive, ``<=`` and ``>=`` inclusive,
  ``between`` inclusive at both ends.
- Decisions: a model beats another when it is strictly better on every metric
  named (both measured); a difference is ``|a - b|`` and a ratio the larger over
  the smaller; a training moved to a country emits its energy in kWh
  (J / 3.6e6) x the country's ``carbon_intensity`` in CodeCarbon's
  ``global_energy_mix.json`` (read here with ``json``, found with ``find_spec``).

A gold spec is a dict (see :func:`gold_of`); ``where`` filters the cards.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

Card = dict[str, Any]

MEASURED_ONLY = frozenset(
    {"train_carbon", "train_energy", "energy_per_inference", "carbon_per_inference", "energy_per_sample",
     "carbon_per_sample"}
)  # fmt: skip
"""Quantities whose 0 or missing value means "not measured"."""

RUN_QUANTITIES = frozenset(
    {"latency", "energy_per_inference", "carbon_per_inference", "energy_per_sample", "carbon_per_sample"}
)
"""Quantities of an inference run; a model takes its lowest run's value."""


@dataclass(frozen=True)
class SuiteGold:
    """What a correct answer must show.

    ``mode``:

    - ``first``: the first row holds one of ``values`` (model names; ties all count);
    - ``names``: the names of ``universe`` found in the rows are exactly ``values``;
    - ``value``: the rows hold every number or text of ``values`` (or, for a question asking in another
      unit, the number in that unit: ``values[i] / s`` for a size ``s`` of ``scales``, e.g. 1000 for kg);
    - ``count``: a row holds the number ``values[0]``;
    - ``unmeasured``: the answer says that the value was not measured;
    - ``decline``: the engine declines and names one of ``terms``.
    """

    mode: str
    values: tuple[Any, ...] = ()
    universe: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    scales: tuple[float, ...] = ()
    max_rows: int = 0
    """For ``value`` and ``count``: an answer with more rows than this (when above 0) does not hold the gold."""


def is_measured(value: Any) -> bool:
    """Whether a carbon or energy value is a measurement: a number above 0."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def squash(text: str) -> str:
    """Lower case letters and digits only: how names are compared ("Jetson-Nano" ~ "jetson nano")."""
    return re.sub(r"[^0-9a-zµ]+", "", text.lower())


def _training(card: Card) -> dict[str, Any]:
    return card.get("training") or {}


def train_energy(card: Card) -> float | None:
    """CPU plus GPU training energy in joules; ``None`` when neither is given."""
    t = _training(card)
    cpu, gpu = _number(t.get("powerConsumptionCPU")), _number(t.get("powerConsumptionGPU"))
    if cpu is None and gpu is None:
        return None
    return (cpu or 0.0) + (gpu or 0.0)


def model_quantity(card: Card, quantity: str) -> float | None:
    """A model-level value in graph units, ``None`` when absent or not measured."""
    t = _training(card)
    if quantity.startswith("metric:"):
        raw = (t.get("evaluationMetrics") or {}).get(quantity.split(":", 1)[1])
        return _number(raw.get("mean") if isinstance(raw, dict) else raw)
    if quantity.startswith("hyper:"):
        hyper = (t.get("parameters") or {}).get("hyperparameters") or {}
        return _number(hyper.get(quantity.split(":", 1)[1]))
    getters = {
        "train_carbon": lambda: t.get("carbonFootprint"),
        "train_energy": lambda: train_energy(card),
        "train_time": lambda: t.get("totalTrainTime"),
        "fit_time": lambda: t.get("fitTime"),
        "size": lambda: card.get("size"),
        "dataset_size": lambda: (card.get("dataset") or {}).get("size"),
    }
    value = _number(getters[quantity]())
    if quantity in MEASURED_ONLY and not is_measured(value):
        return None
    return value


def run_quantity(run: dict[str, Any], quantity: str) -> float | None:
    """One inference run's value: latency per request, energy and carbon per inference or per sample."""
    if quantity == "latency":
        return _number(run.get("latency"))
    total = run.get("energy_consumption" if quantity.startswith("energy") else "carbon_footprint")
    runs = _number(run.get("num_of_runs"))
    if not isinstance(total, int | float) or not is_measured(total) or not runs:
        return None
    divisor = runs * (_number(run.get("batch_size")) or 0.0) if quantity.endswith("_sample") else runs
    return float(total) / divisor if divisor else None


def device_matches(device: dict[str, Any] | None, alias: str) -> bool:
    """Whether a device block is the one a user calls ``alias`` (its CPU or GPU model contains it)."""
    if not device:
        return False
    return squash(alias) in squash(f"{device.get('CPU', '')} {device.get('GPUModel', '')}")


def runs_of(card: Card, device: str | None = None) -> list[dict[str, Any]]:
    """The card's inference entries, on ``device`` when given."""
    runs = [r for r in card.get("inference") or [] if isinstance(r, dict)]
    return [r for r in runs if device is None or device_matches(r.get("device"), device)]


def value_of(card: Card, quantity: str, device: str | None = None) -> float | None:
    """A model's value: its own, or its lowest run's (on ``device``) for run quantities."""
    if quantity not in RUN_QUANTITIES:
        return model_quantity(card, quantity)
    values = [v for r in runs_of(card, device) if (v := run_quantity(r, quantity)) is not None]
    return min(values) if values else None


def compare(value: float | None, op: str, limit: Any) -> bool:
    """``value op limit``; ``between`` takes ``[low, high]``, inclusive at both ends. ``None`` never passes."""
    if value is None:
        return False
    if op == "between":
        low, high = limit
        return float(low) <= value <= float(high)
    checks = {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit, "=": value == limit}
    return checks[op]


def _facets(card: Card) -> dict[str, Any]:
    return {
        "dataset": (card.get("dataset") or {}).get("name"),
        "architecture": (card.get("architecture") or {}).get("type"),
        "service": (card.get("service") or {}).get("name"),
        "problem_type": card.get("problemType"),
        "author": card.get("author"),
        "model": card.get("name"),
    }


def matches(card: Card, where: dict[str, Any]) -> bool:
    """Whether a card passes ``where``: facets, an inference ``device``, dates, hyperparameters, conditions."""
    for key, actual in _facets(card).items():
        if key in where and str(actual).lower() != str(where[key]).lower():
            return False
    device = where.get("device")
    if device and not runs_of(card, device):
        return False
    created = str(card.get("dateCreated", ""))
    if "date_from" in where and created < where["date_from"]:
        return False
    if "date_to" in where and created > where["date_to"]:  # inclusive: the last day counts
        return False
    return all(
        compare(value_of(card, cond["quantity"], device), cond["op"], cond["value"])
        for cond in where.get("conditions", [])
    )


def pareto_front(points: Iterable[tuple[str, float, float]], x_order: str, y_order: str) -> set[str]:
    """Names of the non-dominated points; ``min`` or ``max`` is better on each axis."""
    sign_x, sign_y = (1 if x_order == "min" else -1), (1 if y_order == "min" else -1)
    scored = [(name, sign_x * x, sign_y * y) for name, x, y in points]
    return {
        name for name, x, y in scored if not any(ox <= x and oy <= y and (ox < x or oy < y) for _, ox, oy in scored)
    }


J_PER_KWH = 3.6e6


@cache
def grid_intensity() -> dict[str, float]:
    """Country name (lower case) -> g CO2 per kWh, from CodeCarbon's data file, read in place."""
    spec = importlib.util.find_spec("codecarbon")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("codecarbon is not installed: no grid data for what-if questions")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "private_infra" / "global_energy_mix.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {str(r["country_name"]).lower(): float(r["carbon_intensity"]) for r in rows.values() if "country_name" in r}


def emitted_in(card: Card, country: str) -> float:
    """Grams of CO2 the card's training energy would emit on ``country``'s grid."""
    energy = model_quantity(card, "train_energy")
    if energy is None or energy <= 0:
        raise ValueError(f"{card['name']} has no measured training energy")
    return energy / J_PER_KWH * grid_intensity()[country.lower()]


def beats(card: Card, other: Card, on: list[tuple[str, str]]) -> bool:
    """Whether ``card`` is strictly better than ``other`` on every ``(quantity, min|max)`` (all measured)."""
    for quantity, order in on:
        mine, theirs = value_of(card, quantity), value_of(other, quantity)
        if mine is None or theirs is None or not (mine < theirs if order == "min" else mine > theirs):
            return False
    return True


def group_averages(cards: list[Card], by: str, quantity: str) -> dict[str, float]:
    """Per value of the facet ``by``: the average of its models' measured ``quantity`` (groups with none left out)."""
    groups: dict[str, list[float]] = {}
    for card in cards:
        if (value := value_of(card, quantity)) is not None:
            groups.setdefault(str(_facets(card)[by]), []).append(value)
    return {group: sum(values) / len(values) for group, values in groups.items()}


def _decision(spec: dict[str, Any], cards: list[Card]) -> SuiteGold:
    """The gold of a decision: ``dominators``, ``difference``, ``ratio``, ``group_average``, ``what_if``,
    ``what_if_least``, ``what_if_saving``."""
    kind = spec["kind"]
    by_name = {c["name"]: c for c in cards}
    if kind == "dominators":
        ref = by_name[spec["model"]]
        on = [(q, o) for q, o in spec["metrics"]]
        same = [c for c in cards if _facets(c)["dataset"] == _facets(ref)["dataset"] and c is not ref]
        winners = [c["name"] for c in same if beats(c, ref, on)]  # shown beside the reference's own values
        return SuiteGold("names", tuple(sorted([ref["name"], *winners])), universe=tuple(sorted(by_name)))
    if kind in ("difference", "ratio"):
        a, b = (value_of(by_name[spec[k]], spec["quantity"]) for k in ("a", "b"))
        if a is None or b is None:
            raise ValueError(f"{spec} compares an unmeasured value")
        high, low = max(a, b), min(a, b)
        return SuiteGold("value", (high - low if kind == "difference" else high / low,))
    if kind == "group_average":
        averages = group_averages(cards, spec["by"], spec["quantity"])
        return SuiteGold("value", tuple(averages.values()), max_rows=len(averages))
    card = by_name[spec["model"]]
    if kind == "what_if":
        return SuiteGold("value", (emitted_in(card, spec["country"]),))
    if kind == "what_if_least":
        return SuiteGold("first", (min(spec["countries"], key=lambda c: emitted_in(card, c)),))
    if kind == "what_if_saving":
        # signed: what the move saves (negative when the destination's grid is dirtier)
        return SuiteGold("value", (emitted_in(card, spec["start"]) - emitted_in(card, spec["end"]),))
    raise ValueError(f"unknown gold kind {kind!r}")


DECISIONS = frozenset(
    {"dominators", "difference", "ratio", "group_average", "what_if", "what_if_least", "what_if_saving"}
)


def _best(scored: list[tuple[str, float]], order: str) -> tuple[str, ...]:
    if not scored:
        raise ValueError("nothing to rank: no model has a value")
    target = min(v for _, v in scored) if order == "min" else max(v for _, v in scored)
    return tuple(sorted(name for name, v in scored if v == target))


def _devices(cards: list[Card]) -> set[tuple[Any, ...]]:
    blocks = [_training(c).get("device") for c in cards] + [r.get("device") for c in cards for r in runs_of(c)]
    keys = ("CPU", "GPU", "GPUModel", "RAM", "numCores")
    return {tuple(str(b.get(k)) for k in keys) for b in blocks if b}


def _count(cards: list[Card], of: str, device: str | None) -> int:
    if of == "models":
        return len(cards)
    if of == "inference_runs":
        return sum(len(runs_of(c, device)) for c in cards)
    if of == "devices":
        return len(_devices(cards))
    facet = {"datasets": "dataset", "architectures": "architecture", "services": "service"}[of]
    return len({_facets(c)[facet] for c in cards})


def gold_of(spec: dict[str, Any], cards: list[Card]) -> SuiteGold:
    """The gold of one spec over a catalog's cards.

    Kinds: ``best`` (quantity, order), ``names`` (the models passing ``where``),
    ``datasets`` (datasets whose size passes ``op``/``value``), ``count``
    (``of`` models, datasets, devices, architectures, services, inference_runs),
    ``value`` (``quantity`` of ``model``; "not measured" when it has none),
    ``field`` (``author``, ``problem_type``, ``dataset_size`` of the models passing
    ``where``), ``average`` (of the measured values), ``pareto`` (``x``/``x_order``,
    ``y``/``y_order``), ``decline`` (``terms``).

    Raises:
        ValueError: The spec selects nothing (a generator bug: the question would be meaningless).
    """
    kind = spec["kind"]
    if kind == "decline":
        return SuiteGold("decline", terms=tuple(spec["terms"]))
    if kind in DECISIONS:
        return _decision(spec, cards)
    where = spec.get("where") or {}
    device = where.get("device")
    chosen = [c for c in cards if matches(c, where)]
    names = tuple(sorted(c["name"] for c in cards))
    if kind == "best":
        scored = [(c["name"], v) for c in chosen if (v := value_of(c, spec["quantity"], device)) is not None]
        return SuiteGold("first", _best(scored, spec["order"]))
    if kind == "names":
        if not chosen:
            raise ValueError(f"no model passes {where}")
        return SuiteGold("names", tuple(sorted(c["name"] for c in chosen)), universe=names)
    if kind == "datasets":
        sizes = {str(_facets(c)["dataset"]): model_quantity(c, "dataset_size") for c in cards}
        passing = tuple(sorted(n for n, s in sizes.items() if compare(s, spec["op"], spec["value"])))
        if not passing:
            raise ValueError(f"no dataset passes {spec}")
        return SuiteGold("names", passing, universe=tuple(sorted(sizes)))
    if kind == "count":
        return SuiteGold("count", (_count(chosen, spec.get("of", "models"), device),))
    if kind == "value":
        card = next(c for c in cards if c["name"] == spec["model"])
        value = value_of(card, spec["quantity"], device)
        return SuiteGold("unmeasured") if value is None else SuiteGold("value", (value,))
    if kind == "field":
        field = spec["field"]
        found = {model_quantity(c, field) if field == "dataset_size" else _facets(c)[field] for c in chosen}
        return SuiteGold("value", tuple(sorted((v for v in found if v is not None), key=str)))
    if kind == "average":
        values = [v for c in chosen if (v := value_of(c, spec["quantity"], device)) is not None]
        if not values:
            raise ValueError(f"no measured {spec['quantity']} passes {where}")
        return SuiteGold("value", (sum(values) / len(values),))
    if kind == "pareto":
        points = [
            (c["name"], x, y)
            for c in chosen
            if (x := value_of(c, spec["x"], device)) is not None and (y := value_of(c, spec["y"], device)) is not None
        ]
        if not points:
            raise ValueError(f"no model has both {spec['x']} and {spec['y']}")
        front = pareto_front(points, spec["x_order"], spec["y_order"])
        return SuiteGold("names", tuple(sorted(front)), universe=names)
    raise ValueError(f"unknown gold kind {kind!r}")
