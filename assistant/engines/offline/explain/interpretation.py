"""The query plan in words: what the engine understood, shown with every answer.

"understood as: the model with the lowest training carbon footprint (g CO2,
measured values only) among models trained on lumos5g". The sentence is built
from the :class:`~assistant.engines.offline.understanding.Frame` the Cypher is
built from, so it cannot say one thing while the statement does another.
"""

from __future__ import annotations

from assistant.engines.offline.explain.filters import filter_phrase
from assistant.engines.offline.plan.frame import ALL
from assistant.engines.offline.plan.understanding import Frame
from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.metrics import Metric
from assistant.engines.offline.read.slots import Threshold
from assistant.language.measurements import number

_OPS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "=": "equal to"}
_AGGS = {"avg": "average", "sum": "total", "min": "minimum", "max": "maximum"}


def _values(flt: Filter) -> str:
    return " or ".join(str(v) for v in flt.values)


def _full(flt: Filter) -> str:
    return filter_phrase(flt, full=True) or ""


def metric_text(metric: Metric, *, measured_note: bool = True) -> str:
    """ "training carbon footprint (g CO2, measured values only)"."""
    label = metric.label
    if metric.scope == "training" and metric.key in ("carbon", "energy") and "training" not in label:
        label = f"training {label}"
    details = [metric.unit] if metric.unit else []
    if metric.per == "inference":
        details.append("an inference run's total / its num_of_runs")
    elif metric.per == "sample":
        details.append("an inference run's total / (num_of_runs x batch_size)")
    if metric.measured and measured_note:
        details.append("measured values only")
    return f"{label} ({', '.join(details)})" if details else label


def threshold_text(threshold: Threshold) -> str:
    """ "training energy consumption below 0.005 J (said: 5 mJ)"."""
    metric = threshold.metric
    if threshold.op == "measured":
        return f"{metric.label} measured"
    if threshold.op == "unmeasured":
        return f"{metric.label} not measured (0 or missing)"
    value = f"{number(threshold.value)} {metric.unit}".strip()
    converted = threshold.unit and threshold.unit.lower() not in metric.unit.lower().split()
    said = f" (you wrote {threshold.said!r})" if converted else ""
    measured = " (measured values only)" if metric.measured else ""
    return f"{metric_text(metric, measured_note=False)} {_OPS.get(threshold.op, threshold.op)} {value}{said}{measured}"


def _thresholds_text(thresholds: list[Threshold]) -> list[str]:
    """Each condition; the two bounds of one range ("between 1 and 5 g") as one."""
    parts: list[str] = []
    i = 0
    while i < len(thresholds):
        low = thresholds[i]
        high = thresholds[i + 1] if i + 1 < len(thresholds) else None
        if high is not None and (low.op, high.op) == (">=", "<=") and low.span == high.span:
            metric = low.metric
            unit = f" {metric.unit}" if metric.unit else ""
            parts.append(
                f"with {metric_text(metric, measured_note=False)} between {number(low.value)} and "
                f"{number(high.value)}{unit}, both included"
            )
            i += 2
            continue
        parts.append(("with " if low.op not in ("measured", "unmeasured") else "") + threshold_text(low))
        i += 1
    return parts


def conditions_text(frame: Frame) -> str:
    """Every filter, date range and threshold of the frame, joined with "and"."""
    named = frame.intent in ("lookup", "compare")
    parts = [_full(f) for f in frame.filters if not (f.kind == "model" and named)]
    for dates in frame.dates:
        start = f"from {dates.start}" if dates.start else ""
        end = f"before {dates.end}" if dates.end else ""
        parts.append("created " + " and ".join(p for p in (start, end) if p))
    parts += _thresholds_text(frame.thresholds)
    return " and ".join(parts)


def _among(frame: Frame, noun: str = "models") -> str:
    conditions = conditions_text(frame)
    return f" among {noun} {conditions}" if conditions else f" among all {noun}"


def _end(metric: Metric, want: str) -> str:
    if want in ("low", "high"):
        return "lowest" if want == "low" else "highest"
    return "lowest" if metric.order(want) == "ASC" else "highest"


def interpretation(frame: Frame) -> str:
    """The frame in one sentence starting "understood as:"."""
    return "understood as: " + _body(frame)


def _body(frame: Frame) -> str:  # noqa: PLR0911 - one sentence per intent
    intent, metric = frame.intent, frame.metric
    target = frame.count_target.replace("_", " ")
    if intent == "decline":
        return "nothing I can answer from the graph (see why below)"
    if intent == "count":
        return f"the number of distinct {target}" + (f" {conditions_text(frame)}" if conditions_text(frame) else "")
    if intent == "list" and frame.count_target == "devices" and "device_properties" in frame.fields:
        device = frame.filter("device")
        if device is not None:
            return f"the cores, RAM and GPUs of device {_values(device)}"
        role = {"training": " used for training", "inference": " used for inference"}.get(frame.device_role, "")
        scoped = [f for f in frame.filters if f.kind != "device"]
        scope = f" by the models {' and '.join(_full(f) for f in scoped)}" if scoped else ""
        return f"the cores, RAM and GPUs of every device{role}{scope}"
    if intent == "list":
        return f"the {target}" + (f" {conditions_text(frame)}" if conditions_text(frame) else " in the graph")
    if intent == "group_count":
        return f"the number of distinct {target} per {(frame.group or '').replace('_', ' ')}" + _among(frame, target)
    if intent == "lookup":
        return _lookup_body(frame, metric)
    if metric is None:
        return intent
    if intent in ("what_if", "dominance"):
        return _decision_body(frame, metric)
    if intent == "pareto" and frame.metric2 is not None:
        second = frame.metric2
        return (
            f"the Pareto front (models no other model beats on both) of {metric_text(metric)}, "
            f"{metric.better} is better, and {metric_text(second)}, {second.better} is better" + _among(frame)
        )
    if intent == "compare":
        models = frame.filter("model")
        by = " and by ".join(metric_text(m) for m in [metric, *frame.also])
        return f"{_values(models) if models else 'the models'} compared by {by}"
    if intent == "aggregate":
        return f"the {_AGGS.get(frame.agg or 'avg')} {metric_text(metric)}" + _among(frame)
    if intent == "group_agg":
        group = (frame.group or "").replace("_", " ")
        return f"the {_AGGS.get(frame.agg or 'avg')} {metric_text(metric)} per {group}" + _among(frame)
    if intent == "group_best":
        group = (frame.group or "").replace("_", " ")
        return f"per {group}, the model with the {_end(metric, frame.want)} {metric_text(metric)}" + _among(frame)
    subject = "dataset" if metric.scope == "dataset" else "model"
    dataset = frame.filter("dataset")
    if subject == "dataset" and dataset is not None:
        return f"the {metric_text(metric)} of dataset {_values(dataset)}"
    if frame.k >= ALL:
        first = _end(metric, frame.want)
        return f"every {subject} by {metric_text(metric)}, {first} first" + _among(frame, f"{subject}s")
    head = f"the {subject}" if frame.k == 1 else f"the {frame.k} {subject}s"
    return f"{head} with the {_end(metric, frame.want)} {metric_text(metric)}" + _among(frame, f"{subject}s")


def _lookup_body(frame: Frame, metric: Metric | None) -> str:
    """What a lookup shows, of which models, within which run conditions ("at batch size 2")."""
    models = frame.filter("model")
    named = [metric_text(m, measured_note=False) for m in ([metric] if metric else []) + frame.also]
    what = ", ".join([f.replace("_", " ") for f in frame.fields] + named) or "the card"
    if not models:
        return f"{what} of the models" + _among(frame)
    others = " and ".join(_full(f) for f in frame.filters if f.kind != "model")
    conditions = " and ".join(_thresholds_text(frame.thresholds))
    return (
        f"{what} of {_values(models)}" + (f", {others}" if others else "") + (f" ({conditions})" if conditions else "")
    )


def _decision_body(frame: Frame, metric: Metric) -> str:
    """A what-if's grids, or the models that must beat a named one."""
    if frame.intent == "what_if":
        asks = {"least": "where it is lowest", "saving": "the saving of the move"}.get(frame.region_ask, "")
        where = ", ".join(frame.regions)
        return (
            f"the {metric_text(metric)} of training priced on the grids of {where} (CodeCarbon's intensities)"
            + (f", {asks}" if asks else "")
            + _among(frame)
        )
    if frame.intent == "dominance":
        metrics = [metric_text(m) for m in (metric, frame.metric2) if m is not None]
        both = "both " if len(metrics) == 2 else ""
        return f"the models better than {frame.reference} on {both}{' and '.join(metrics)}" + _among(frame)
    return frame.intent
