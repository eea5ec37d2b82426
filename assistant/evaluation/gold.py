"""Gold answers computed from the model cards themselves (never hand-copied).

A question set gives each question a *gold spec*, e.g.::

    {kind: best, metric: carbon, order: min, filter: {dataset: lumos5g}}

and :func:`gold_answer` evaluates it over the card JSON.

Kinds (and the :class:`Gold` mode they produce):

- ``best`` (first; ``top`` with ``k`` > 1): the model(s) with the ``min`` or
  ``max`` (``order``) ``metric``; ties at the top all count.
- ``count`` (all): how many ``of`` (``models`` (default), ``datasets``,
  ``architectures``, ``services``, ``optimizers``, ``devices``,
  ``inference_devices``, ``training_devices``, ``inference_runs``) match.
- ``list`` (exact; ``all`` for devices): those things by name.
- ``value`` (all): ``field`` (one or a list) of the matching models:
  ``optimizer``, ``split``, ``date``, ``author``, ``size``, ``version``,
  ``dataset``, ``architecture``, ``training_device``, ``inference_devices``,
  ``hyperparameters.<name>``, or any metric.
- ``aggregate`` (all): ``agg`` (avg, sum, min, max) of ``metric``.
- ``group_count``, ``group_agg``, ``group_best`` (groups; first with
  ``check: top``): per ``group`` (``dataset``, ``architecture``, ``service``,
  ``problem_type``, ``split``, ``optimizer``, ``author``, ``year``, ``device``
  (training CPU), ``inference_device`` (each run counts for its device)).
- ``decline``: the engine must decline.

Metrics: ``carbon``, ``energy``, ``cpu_energy``, ``gpu_energy``, ``train_time``,
``fit_time``, ``size``, ``dataset_size``, ``date``, ``gpus``, ``cores``,
``training_gpu_model`` (per model); ``latency``, ``flops``, ``inference_carbon``,
``inference_energy`` (per inference: a run's total / ``num_of_runs``; a model counts with its best run on
the filtered device); or any evaluation metric as the card names it (``mae``,
``accuracy``, ``F1-score`` ...). Carbon and energy values of 0 or missing are
"not measured" and never win (``measured_only: false`` overrides).

Filter keys: ``dataset``, ``architecture``, ``service``, ``problem_type``,
``split``, ``optimizer``, ``author``, ``model`` (a value or a list);
``year``, ``date_from``, ``date_to`` (ISO, end exclusive); ``device`` (a
substring of the CPU or GPU model) with ``device_role`` (``inference``, the
default, or ``training``); ``hyperparameters`` ({name: value}); ``where``
(a list of {metric, op (< <= > >= = measured unmeasured), value}); ``not``
(a nested filter the card must not match).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from assistant.language.measurements import is_measured

_INFERENCE_KEYS = {
    "latency": "latency",
    "flops": "flops",
    "inference_carbon": "carbon_footprint",
    "inference_energy": "energy_consumption",
    "batch_size": "batch_size",
}
Card = dict[str, Any]
_PER_RUN = {"inference_carbon", "inference_energy"}
"""Inference energy and carbon are totals over ``num_of_runs``: compared per inference."""


def _run_value(run: dict[str, Any], metric: str) -> Any:
    value = run.get(_INFERENCE_KEYS[metric])
    if metric not in _PER_RUN or value is None:
        return value
    runs = run.get("num_of_runs")
    return float(value) / runs if isinstance(runs, (int, float)) and runs > 0 else None


@dataclass(frozen=True)
class Gold:
    """What a correct answer's rows must hold.

    ``mode``: ``first`` (the first row holds one of ``values``), ``top`` (the
    first ``len(values)`` rows hold all of them), ``all`` (the rows hold all of
    them), ``exact`` (the rows hold all of them and nothing more: as many rows
    as values), ``groups`` (for each ``(group, values)`` pair a row holds the
    group and one of the values), ``decline`` (the engine declines).
    """

    mode: str
    values: tuple[Any, ...] = ()
    groups: tuple[tuple[Any, tuple[Any, ...]], ...] = ()


def _training(card: Card) -> dict[str, Any]:
    return card.get("training") or {}


def _energy(card: Card, part: str | None = None) -> float | None:
    t = _training(card)
    cpu, gpu = t.get("powerConsumptionCPU"), t.get("powerConsumptionGPU")
    if part == "cpu":
        return cpu
    if part == "gpu":
        return gpu
    return None if cpu is None and gpu is None else (cpu or 0) + (gpu or 0)


def _metric_value(card: Card, metric: str) -> float | None:
    """A model-level value (not per inference run)."""
    t = _training(card)
    simple: dict[str, Callable[[], Any]] = {
        "carbon": lambda: t.get("carbonFootprint"),
        "energy": lambda: _energy(card),
        "cpu_energy": lambda: _energy(card, "cpu"),
        "gpu_energy": lambda: _energy(card, "gpu"),
        "train_time": lambda: t.get("totalTrainTime"),
        "fit_time": lambda: t.get("fitTime"),
        "size": lambda: card.get("size"),
        "gpus": lambda: (t.get("device") or {}).get("GPU"),
        "cores": lambda: (t.get("device") or {}).get("numCores"),
        "date": lambda: str(card["dateCreated"]),
        "training_gpu_model": lambda: (t.get("device") or {}).get("GPUModel"),
    }
    if metric in simple:
        return simple[metric]()
    value = (t.get("evaluationMetrics") or {}).get(metric)
    return value.get("mean") if isinstance(value, dict) else value


def _device_matches(device: dict[str, Any] | None, needle: str) -> bool:
    if not device:
        return False
    text = f"{device.get('CPU', '')} {device.get('GPUModel', '')}".lower()
    return needle.lower() in text


def _runs(card: Card, flt: dict[str, Any]) -> list[dict[str, Any]]:
    needle = flt.get("device")
    role = flt.get("device_role", "inference")
    runs = [r for r in card.get("inference") or [] if r.get("latency") is not None or r.get("flops") is not None]
    if needle and role == "inference":
        runs = [r for r in runs if _device_matches(r.get("device"), needle)]
    return runs


def _compare(value: Any, op: str, limit: float) -> bool:
    if value is None:
        return False
    return {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit, "=": value == limit}[op]


def _measured(metric: str, value: Any, measured_only: bool | None = None) -> bool:
    """MRM3's rule (a 0 carbon or energy is not measured), unless the spec's ``measured_only`` overrides it."""
    return is_measured(metric, value, zero_is_unmeasured=measured_only)


def matches(card: Card, flt: dict[str, Any]) -> bool:
    """Whether a card passes a gold filter (dataset, architecture, device, thresholds ...)."""
    t = _training(card)
    params = t.get("parameters") or {}
    simple = {key: value for key, value in _facets(card).items() if key not in ("year", "device")}
    if "not" in flt and matches(card, flt["not"]):
        return False
    for key, actual in simple.items():
        wanted = flt.get(key)
        if wanted is not None and actual not in (wanted if isinstance(wanted, list) else [wanted]):
            return False
    if "year" in flt and not str(card["dateCreated"]).startswith(str(flt["year"])):
        return False
    if "date_from" in flt and str(card["dateCreated"]) < flt["date_from"]:
        return False
    if "date_to" in flt and str(card["dateCreated"]) >= flt["date_to"]:
        return False
    if "hyperparameters" in flt:
        hyper = params.get("hyperparameters") or {}
        if any(hyper.get(k) != v for k, v in flt["hyperparameters"].items()):
            return False
    needle = flt.get("device")
    role = flt.get("device_role", "inference")
    if needle and role == "training" and not _device_matches(t.get("device"), needle):
        return False
    if needle and role == "inference" and not _runs(card, flt):
        return False
    for cond in flt.get("where", []):
        metric = cond["metric"]
        if cond["op"] in ("measured", "unmeasured"):
            measured = _measured(metric, _metric_value(card, metric), True)
            if measured != (cond["op"] == "measured"):
                return False
            continue
        if metric in _INFERENCE_KEYS:
            values = [_run_value(r, metric) for r in _runs(card, flt)]
            ok = any(_measured(metric, v) and _compare(v, cond["op"], cond["value"]) for v in values)
        else:
            value = _metric_value(card, metric)
            ok = _measured(metric, value) and _compare(value, cond["op"], cond["value"])
        if not ok:
            return False
    return True


def model_value(card: Card, metric: str, order: str, flt: dict[str, Any], measured_only: bool | None) -> float | None:
    """The value a model is ranked by: its own, or its best inference run's."""
    if metric in _INFERENCE_KEYS:
        raw = [_run_value(r, metric) for r in _runs(card, flt)]
        values = [float(v) for v in raw if v is not None and _measured(metric, v, measured_only)]
        if not values:
            return None
        return min(values) if order == "min" else max(values)
    value = _metric_value(card, metric)
    return value if _measured(metric, value, measured_only) else None


def _best(pairs: Iterable[tuple[Any, float | None]], order: str) -> list[Any]:
    items = [(key, value) for key, value in pairs if value is not None]
    if not items:
        return []
    target = min(v for _, v in items) if order == "min" else max(v for _, v in items)
    return [key for key, value in items if value == target]


def _facets(card: Card) -> dict[str, Any]:
    """What a card is filtered and grouped by."""
    t = _training(card)
    params = t.get("parameters") or {}
    return {
        "dataset": (card.get("dataset") or {}).get("name"),
        "architecture": card["architecture"]["type"],
        "service": (card.get("service") or {}).get("name"),
        "problem_type": card.get("problemType"),
        "split": params.get("splitType"),
        "optimizer": params.get("optimizer"),
        "author": card.get("author"),
        "model": card["name"],
        "year": int(str(card["dateCreated"])[:4]),
        "device": (t.get("device") or {}).get("CPU"),
    }


def _group_key(card: Card, group: str) -> Any:
    return _facets(card)[group]


def _aggregate(values: list[float], agg: str) -> float:
    if agg == "avg":
        return sum(values) / len(values)
    if agg == "sum":
        return float(sum(values))
    return min(values) if agg == "min" else max(values)


def gold_answer(spec: dict[str, Any], cards: list[Card]) -> Gold:
    """Evaluate a gold spec over the cards.

    Raises:
        ValueError: The spec is malformed or selects nothing to rank.
    """
    kind = spec["kind"]
    if kind == "decline":
        return Gold("decline")
    flt = spec.get("filter") or {}
    chosen = [c for c in cards if matches(c, flt)]
    metric = spec.get("metric", "")
    order = spec.get("order", "min")
    measured_only = spec.get("measured_only")
    if kind == "best":
        k = int(spec.get("k", 1))
        if metric == "dataset_size":
            sizes = {(c.get("dataset") or {}).get("name"): (c.get("dataset") or {}).get("size") for c in chosen}
            return Gold("first", tuple(_best(sizes.items(), order)))
        scored = [(c["name"], model_value(c, metric, order, flt, measured_only)) for c in chosen]
        if k == 1:
            return Gold("first", tuple(_best(scored, order)))
        present = [(name, value) for name, value in scored if value is not None]
        ranked = sorted(present, key=lambda s: s[1], reverse=order == "max")
        return Gold("top", tuple(name for name, _ in ranked[:k]))
    if kind == "count":
        of = spec.get("of", "models")
        return Gold("all", (len(_collection(chosen, of)),))
    if kind == "list":
        of = spec.get("of", "models")
        if of.endswith("devices"):  # one row per device spec; every processor must be there
            return Gold("all", tuple(sorted({spec[0] for spec in _collection(chosen, of)}, key=str)))
        return Gold("exact", tuple(sorted(_collection(chosen, of), key=str)))
    if kind == "value":
        fields = spec["field"] if isinstance(spec["field"], list) else [spec["field"]]
        return Gold("all", tuple(v for f in fields for v in _field_values(chosen, f)))
    if kind == "aggregate":
        values = [v for c in chosen if (v := model_value(c, metric, order, flt, measured_only)) is not None]
        return Gold("all", (_aggregate(values, spec.get("agg", "avg")),))
    if spec.get("group") == "inference_device":
        return _per_device(kind, spec, chosen, metric, order, flt)
    grouped: dict[Any, list[Card]] = defaultdict(list)
    for card in chosen:
        grouped[_group_key(card, spec["group"])].append(card)
    if kind == "group_count":
        counts = {g: len(cs) for g, cs in grouped.items()}
        if spec.get("check") == "top":
            return Gold("first", tuple(_best(counts.items(), order if "order" in spec else "max")))
        return Gold("groups", groups=tuple((g, (n,)) for g, n in sorted(counts.items(), key=str)))
    if kind == "group_agg":
        aggregated = {}
        for g, cs in grouped.items():
            values = [v for c in cs if (v := model_value(c, metric, order, flt, measured_only)) is not None]
            if values:
                aggregated[g] = _aggregate(values, spec.get("agg", "avg"))
        if spec.get("check") == "top":
            return Gold("first", tuple(_best(aggregated.items(), order)))
        return Gold("groups", groups=tuple((g, (v,)) for g, v in sorted(aggregated.items(), key=str)))
    if kind == "group_best":
        winners = {}
        best_values = {}
        for g, cs in grouped.items():
            scored = [(c["name"], model_value(c, metric, order, flt, measured_only)) for c in cs]
            names = _best(scored, order)
            if names:
                winners[g] = tuple(names)
                best_values[g] = next(v for n, v in scored if n == names[0])
        if spec.get("check") == "top":
            return Gold("first", tuple(_best(best_values.items(), order)))
        return Gold("groups", groups=tuple(sorted(winners.items(), key=lambda kv: str(kv[0]))))
    raise ValueError(f"unknown gold kind {kind!r}")


def _per_device(
    kind: str, spec: dict[str, Any], cards: list[Card], metric: str, order: str, flt: dict[str, Any]
) -> Gold:
    """Groups by inference device: each run counts for the device it ran on."""
    values: dict[Any, list[tuple[str, float]]] = defaultdict(list)
    for card in cards:
        for run in _runs(card, flt):
            value = _run_value(run, metric)
            if value is not None and _measured(metric, value, spec.get("measured_only")):
                values[(run.get("device") or {}).get("CPU")].append((card["name"], float(value)))
    if kind == "group_agg":
        per_group = {d: _aggregate([v for _, v in vs], spec.get("agg", "avg")) for d, vs in values.items()}
        if spec.get("check") == "top":
            return Gold("first", tuple(_best(per_group.items(), order)))
        return Gold("groups", groups=tuple((d, (v,)) for d, v in sorted(per_group.items(), key=str)))
    best = {d: min(v for _, v in vs) if order == "min" else max(v for _, v in vs) for d, vs in values.items()}
    if spec.get("check") == "top":
        return Gold("first", tuple(_best(best.items(), order)))
    return Gold("groups", groups=tuple(
        (d, tuple(n for n, v in values[d] if v == best[d])) for d in sorted(best, key=str)
    ))  # fmt: skip


def _collection(cards: list[Card], of: str) -> set[Any]:
    if of == "models":
        return {c["name"] for c in cards}
    if of == "inference_runs":
        return {(c["name"], i) for c in cards for i, _ in enumerate(c.get("inference") or [])}
    if of in ("devices", "inference_devices", "training_devices"):
        found = set()
        for c in cards:
            training = [_training(c).get("device")] if of != "inference_devices" else []
            runs = [r.get("device") for r in c.get("inference") or []] if of != "training_devices" else []
            for device in training + runs:
                if device:
                    found.add(tuple(device.get(k) for k in ("CPU", "GPU", "GPUModel", "RAM", "numCores")))
        return found
    if of == "gpu_models":
        return {m for c in cards if (m := (_training(c).get("device") or {}).get("GPUModel"))}
    keys = {"datasets": "dataset", "architectures": "architecture", "services": "service", "optimizers": "optimizer"}
    return {_group_key(c, keys[of]) for c in cards}


def _field_values(cards: list[Card], field: str) -> list[Any]:
    values: list[Any] = []
    for card in cards:
        t = _training(card)
        params = t.get("parameters") or {}
        if field.startswith("hyperparameters."):
            values.append((params.get("hyperparameters") or {}).get(field.split(".", 1)[1]))
        elif field == "optimizer":
            values.append(params.get("optimizer"))
        elif field == "split":
            values.append(params.get("splitType"))
        elif field == "date":
            values.append(str(card["dateCreated"]))
        elif field in ("author", "size", "version"):
            values.append(card.get(field))
        elif field == "dataset":
            values.append((card.get("dataset") or {}).get("name"))
        elif field == "architecture":
            values.append(card["architecture"]["type"])
        elif field == "training_device":
            values.append((t.get("device") or {}).get("CPU"))
        elif field == "inference_devices":
            values.extend(r["device"].get("CPU") for r in card.get("inference") or [] if r.get("device"))
        else:
            values.append(_metric_value(card, field))
    return [v for v in dict.fromkeys(values) if v is not None]
