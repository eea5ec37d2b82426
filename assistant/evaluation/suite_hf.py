"""The Hugging Face catalog of the generalisation suite: its cards, gold answers and slot values, from the files.

Independent of the engines and of the readers on purpose, like
:mod:`assistant.evaluation.suite_gold`: this module imports nothing from
``assistant``, ``ingest`` or ``prompts``. It reads the model cards (``README.md``
with YAML front matter) with PyYAML and the CodeCarbon ``emissions.csv`` logs
with the csv module, into plain dicts, and answers from those. Its rules, from
the Hugging Face card spec, CodeCarbon's documentation and issue 15:

- A model is a card file (its name without ``.md``), or a CodeCarbon log given
  a model name that no card has. A card whose YAML does not parse is a model
  with nothing else.
- Training emissions are grams of CO2eq: ``co2_eq_emissions`` when it is a
  number, else ``co2_eq_emissions.emissions`` (a list of one-key maps is read
  as one mapping). A text with a mass unit ("1.2g CO2") is that mass; anything
  else (``TBD``, empty, NaN, a 0) is "not measured" and never counts as a
  value. A value is taken **as published**, also where it looks like
  kilograms typed into the grams field: the gold never corrects a card.
- A model that only CodeCarbon describes emitted the sum of its runs'
  ``emissions`` (kg CO2eq, so x 1000 g); a card's own value wins over the
  logs attached to it.
- Where a model was trained: ``geographical_location`` of the co2 mapping (also
  spelled ``geographic_location``), else the ``country_name`` of its CodeCarbon
  runs; on what: ``hardware_used`` (also ``hardware`` and ``hardware used``),
  else the runs' ``gpu_model`` or ``cpu_model``. A country matches a location
  naming it ("Fredericia, Denmark" is in Denmark); a hardware name matches when
  every word of it is in the hardware text ("A100 80GB" ~ "NVIDIA
  A100-SXM4-80GB").
- The task is ``pipeline_tag``. A base model (``base_model``) is named by its
  Hub id or by the id without its organisation ("roberta-base" is
  "FacebookAI/roberta-base"), never by a prefix ("gpt2" is not "gpt2-xl").
- ``model-index`` metrics are per dataset (its ``type``, else its ``name``);
  only numbers count (``.nan``, ``"0,912"`` or ``"189.10 +/- 122.50"`` do not);
  accuracy is a metric of type ``accuracy`` or ``acc``; a model's accuracy on a
  dataset is its best number there.

A gold spec is a dict whose ``kind`` starts with ``hf_`` (see :func:`gold_of`);
it returns the fields of a ``SuiteGold`` as a dict. The slot values of the
catalog's templates come from :mod:`assistant.evaluation.suite_hf_slots`.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HFCard = dict[str, Any]

ACCURACY_TYPES = ("accuracy", "acc")
_MASS = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(kg|g)\b", re.IGNORECASE)
_LOCATION_KEYS = ("geographical_location", "geographic_location")
_HARDWARE_KEYS = ("hardware_used", "hardware", "hardware used")
# What people call a country that cards spell out in full.
COUNTRY_ALIASES = {
    "usa": "united states",
    "us": "united states",
    "the us": "united states",
    "u.s.": "united states",
    "united states": "united states",
    "united states of america": "united states",
    "america": "united states",
}


def squash(text: str) -> str:
    """Lower case letters and digits only ("A100-SXM4" ~ "a100 sxm4")."""
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


# --- reading the files -------------------------------------------------------------------------------------------


def front_matter(text: str) -> tuple[bool, dict[str, Any]]:
    """``(parsed, metadata)`` of a card's text; a card without front matter parses to nothing."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return True, {}
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), len(lines))
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return False, {}
    return True, data if isinstance(data, dict) else {}


def grams(value: Any) -> float | None:
    """A published emissions value in grams, ``None`` when it is no measurement (text, NaN, 0 or less)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and (match := _MASS.match(value)):
        number = float(match.group(1)) * (1000.0 if match.group(2).lower() == "kg" else 1.0)
    else:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(float(value)) else None


def _co2_mapping(value: Any) -> tuple[Any, dict[str, Any]]:
    """The published emissions and the other keys of ``co2_eq_emissions``, whatever its form."""
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        value = {k: v for item in value for k, v in item.items()}
    if isinstance(value, dict):
        keys = {str(k).strip().lower(): v for k, v in value.items()}
        return keys.get("emissions"), keys
    return value, {}


def _texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _results(meta: dict[str, Any]) -> list[dict[str, Any]]:
    index = meta.get("model-index")
    entries = index if isinstance(index, list) else [index] if isinstance(index, dict) else []
    found = []
    for entry in entries:
        results = entry.get("results") if isinstance(entry, dict) else None
        for result in results if isinstance(results, list) else []:
            if not isinstance(result, dict):
                continue
            dataset: dict[str, Any] = result["dataset"] if isinstance(result.get("dataset"), dict) else {}
            task: dict[str, Any] = result["task"] if isinstance(result.get("task"), dict) else {}
            for metric in result.get("metrics") or []:
                if isinstance(metric, dict) and metric.get("type"):
                    found.append(
                        {
                            "dataset": str(dataset.get("type") or dataset.get("name") or ""),
                            "task": task.get("type"),
                            "metric": str(metric["type"]).lower(),
                            "split": dataset.get("split"),
                            "value": _number(metric.get("value")),
                        }
                    )
    return found


def read_card(path: Path) -> HFCard:
    """One card file as a plain dict (the fields the gold uses)."""
    parsed, meta = front_matter(path.read_text(encoding="utf-8", errors="replace"))
    published, co2 = _co2_mapping(meta.get("co2_eq_emissions"))
    location = next((co2[k] for k in _LOCATION_KEYS if co2.get(k)), None)
    hardware = next((co2[k] for k in _HARDWARE_KEYS if co2.get(k)), None)
    return {
        "name": path.stem,
        "source": "card",
        "parsed": parsed,
        "carbon": grams(published),
        "published_carbon": published,
        "has_co2": "co2_eq_emissions" in meta,
        "location": str(location) if location else None,
        "hardware": str(hardware) if hardware else None,
        "task": meta.get("pipeline_tag"),
        "licenses": _texts(meta.get("license")),
        "library": meta.get("library_name"),
        "tags": _texts(meta.get("tags")),
        "bases": _texts(meta.get("base_model")),
        "datasets": _texts(meta.get("datasets")),
        "results": _results(meta),
        "runs": [],
    }


def read_runs(path: Path) -> list[dict[str, Any]]:
    """The rows of a CodeCarbon ``emissions.csv``: emissions in g, energy in J, duration in s, where and on what."""

    def number(row: dict[str, str], column: str) -> float | None:
        try:
            value = float(row.get(column) or "")
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    runs = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            kg, kwh = number(row, "emissions"), number(row, "energy_consumed")
            runs.append(
                {
                    "carbon": None if kg is None else kg * 1000.0,
                    "energy": None if kwh is None else kwh * 3.6e6,
                    "duration": number(row, "duration"),
                    "country": row.get("country_name") or None,
                    "hardware": row.get("gpu_model") or row.get("cpu_model") or None,
                }
            )
    return runs


def read_catalog(cards_dir: Path, logs: dict[str, Path]) -> list[HFCard]:
    """Every card of ``cards_dir``, with the CodeCarbon logs of ``logs`` (model name -> file) attached.

    A log whose model has no card becomes a model of its own, measured by its runs.
    """
    cards = {c["name"]: c for c in (read_card(p) for p in sorted(cards_dir.glob("*.md")))}
    for name, path in logs.items():
        runs = read_runs(path)
        if name not in cards:
            carbons = [r["carbon"] for r in runs if r["carbon"] is not None]
            countries = {r["country"] for r in runs if r["country"]}
            hardware = {r["hardware"] for r in runs if r["hardware"]}
            cards[name] = {
                "name": name, "source": "codecarbon", "parsed": True, "has_co2": bool(carbons),
                "carbon": sum(carbons) if carbons and sum(carbons) > 0 else None, "published_carbon": None,
                "location": countries.pop() if len(countries) == 1 else None,
                "hardware": hardware.pop() if len(hardware) == 1 else None,
                "task": None, "licenses": [], "library": None, "tags": [], "bases": [], "datasets": [], "results": [],
                "runs": [],
            }  # fmt: skip
        cards[name]["runs"] = cards[name]["runs"] + runs
    return sorted(cards.values(), key=lambda c: c["name"])


# --- matching names ----------------------------------------------------------------------------------------------


def country_matches(location: str | None, country: str) -> bool:
    """Whether a card's location is in ``country`` ("Ghent, Belgium" is in Belgium; "USA" is the United States)."""
    if not location:
        return False
    wanted = COUNTRY_ALIASES.get(country.strip().lower(), country.strip().lower())
    place = COUNTRY_ALIASES.get(location.strip().lower(), location.strip().lower())
    parts = [p.strip() for p in re.split(r",", place)]
    return wanted == place or wanted in parts or squash(wanted) in squash(place)


def hardware_matches(hardware: str | None, name: str) -> bool:
    """Whether every word of ``name`` is in the hardware text ("A100 80GB" ~ "NVIDIA A100-SXM4-80GB")."""
    if not hardware:
        return False
    text = squash(hardware)
    return all(squash(word) in text for word in name.split())


def base_matches(base: str, name: str) -> bool:
    """Whether a ``base_model`` id is the base a user names: the whole id, or the id without its organisation."""
    held, wanted = base.lower(), name.strip().lower()
    if held == wanted:
        return True
    if "/" in held and "/" in wanted:  # two organisations: another model
        return False
    return held.rsplit("/", 1)[-1] == wanted.rsplit("/", 1)[-1]


def dataset_matches(dataset: str, name: str) -> bool:
    """A ``model-index`` dataset named by its Hub id, or by the id without its organisation."""
    return dataset.lower() == name.lower() or dataset.lower().rsplit("/", 1)[-1] == name.lower().rsplit("/", 1)[-1]


# --- gold --------------------------------------------------------------------------------------------------------


def accuracy_on(card: HFCard, dataset: str, metrics: tuple[str, ...] = ACCURACY_TYPES) -> float | None:
    """A model's best number of one of ``metrics`` on ``dataset``; ``None`` when it has none."""
    values = [
        r["value"]
        for r in card["results"]
        if r["value"] is not None and r["metric"] in metrics and dataset_matches(r["dataset"], dataset)
    ]
    return max(values) if values else None


def _where(card: HFCard, where: dict[str, Any]) -> bool:
    checks: dict[str, Callable[[Any], bool]] = {
        "task": lambda v: str(card["task"] or "").lower() == str(v).lower(),
        "base": lambda v: any(base_matches(b, v) for b in card["bases"]),
        "license": lambda v: any(lic.lower() == str(v).lower() for lic in card["licenses"]),
        "library": lambda v: str(card["library"] or "").lower() == str(v).lower(),
        "country": lambda v: country_matches(card["location"], v),
        "hardware": lambda v: hardware_matches(card["hardware"], v),
        "measured": lambda v: (card["carbon"] is not None) == bool(v),
    }
    return all(checks[key](value) for key, value in where.items() if key != "carbon")


def _carbon_passes(card: HFCard, condition: dict[str, Any] | None) -> bool:
    if not condition:
        return True
    value, limit = card["carbon"], float(condition["value"])
    if value is None:
        return False
    return {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit}[condition["op"]]


def passing(cards: list[HFCard], where: dict[str, Any]) -> list[HFCard]:
    """The models passing ``where`` (its facets and its ``carbon`` bound)."""
    return [c for c in cards if _where(c, where) and _carbon_passes(c, where.get("carbon"))]


def _best(scored: list[tuple[str, float]], order: str) -> tuple[str, ...]:
    if not scored:
        raise ValueError("nothing to rank: no model has a value")
    target = min(v for _, v in scored) if order == "min" else max(v for _, v in scored)
    return tuple(sorted(name for name, v in scored if v == target))


def gold_of(spec: dict[str, Any], cards: list[HFCard]) -> dict[str, Any]:
    """The gold of one ``hf_*`` spec over the catalog: the fields of a ``SuiteGold``.

    Kinds: ``hf_best_carbon`` (the lowest measured carbon among the models passing
    ``where``), ``hf_names`` (the models passing ``where``), ``hf_count``,
    ``hf_carbon_total`` / ``hf_carbon_average`` (of the measured models passing
    ``where``), ``hf_carbon_of`` (``model``'s carbon, or "not measured"),
    ``hf_most_accurate`` (the best accuracy on ``dataset``).
    ``scale``, where given, is the size of the unit the question asks in (1000 for kg):
    an answer may show the number in that unit too. ``max_rows`` bounds the rows of an
    answer to a count (1), a sum or average (one per model it covers) or a lookup (one, and
    one per CodeCarbon run): a list of every model holds any one model's value by chance.

    Raises:
        ValueError: The spec selects nothing (a template bug: the question would be meaningless).
    """
    kind = spec["kind"]
    where = dict(spec.get("where") or {})
    chosen = passing(cards, where)
    scales = (float(spec["scale"]),) if spec.get("scale") else ()
    if kind == "hf_best_carbon":
        return {"mode": "first", "values": _best([(c["name"], c["carbon"]) for c in chosen if c["carbon"]], "min")}
    if kind == "hf_names":
        if not chosen:
            raise ValueError(f"no model passes {where}")
        return {"mode": "names", "values": tuple(sorted(c["name"] for c in chosen)),
                "universe": tuple(sorted(c["name"] for c in cards))}  # fmt: skip
    if kind == "hf_count":
        return {"mode": "count", "values": (len(chosen),), "max_rows": 1}
    if kind in ("hf_carbon_total", "hf_carbon_average"):
        values = [c["carbon"] for c in chosen if c["carbon"] is not None]
        if not values:
            raise ValueError(f"no measured carbon passes {where}")
        total = sum(values)
        value = total if kind == "hf_carbon_total" else total / len(values)
        return {"mode": "value", "values": (value,), "scales": scales, "max_rows": len(values)}
    if kind == "hf_carbon_of":
        card = next(c for c in cards if c["name"] == spec["model"])
        if card["carbon"] is None:
            return {"mode": "unmeasured"}
        return {"mode": "value", "values": (card["carbon"],), "scales": scales, "max_rows": 1 + len(card["runs"])}
    if kind == "hf_most_accurate":
        metrics = tuple(spec.get("metrics") or ACCURACY_TYPES)
        scored = [(c["name"], v) for c in cards if (v := accuracy_on(c, spec["dataset"], metrics)) is not None]
        return {"mode": "first", "values": _best(scored, spec.get("order", "max"))}
    raise ValueError(f"unknown gold kind {kind!r}")
