"""The answer in words: models and values with units, assumptions and caveats.

Units follow the graph: carbon in g CO2, energy in J, time in s (ms below one
second), sizes in bytes (shown in MB or GB as well).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.engines.offline.explain.filters import filter_phrase
from assistant.engines.offline.plan.frame import ALL
from assistant.engines.offline.plan.understanding import Frame
from assistant.engines.offline.read.metrics import Metric
from assistant.graph.schema import GraphSchema
from assistant.language.measurements import number, with_unit, zero_means_unmeasured

MAX_NAMES = 20
_WANT_WORDS = {"low": "lowest", "high": "highest"}


def metric_phrase(metric: Metric, want: str) -> str:
    """``"lowest carbon footprint (g CO2)"``: which end of which metric was asked for."""
    if want in ("best", "worst"):
        end = "lowest" if metric.order(want) == "ASC" else "highest"
    else:
        end = _WANT_WORDS.get(want, "best")
    direction = "" if metric.known_direction else f"; I assumed {metric.better} is better"
    return f"{end} {metric.label}{direction}"


def names(values: Sequence[Any], limit: int = MAX_NAMES) -> str:
    """``a, b and c`` (at most ``limit``, then "and N more")."""
    items = [str(v) for v in values]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def scope_text(frame: Frame) -> str:
    """The filters of a frame in words: ``" on lumos5g, architecture KNeighborsRegressor"``."""
    parts = [text for flt in frame.filters if (text := filter_phrase(flt, full=False)) is not None]
    for dates in frame.dates:
        parts.append(f"created {dates.said}")
    for threshold in frame.thresholds:
        if threshold.op in ("measured", "unmeasured"):
            parts.append(f"{threshold.metric.label} {'not ' if threshold.op == 'unmeasured' else ''}measured")
        else:
            value = f"{number(threshold.value)} {threshold.metric.unit}".strip()
            parts.append(f"{threshold.metric.label} {threshold.op} {value}")
    return (" (" + "; ".join(parts) + ")") if parts else ""


def decline_text(frame: Frame, examples: list[str]) -> str:
    """An honest "I can't answer that" with what the graph can answer instead."""
    if frame.decline_reason == "write":
        head = "I can't do that: I only read the model catalog; I never change the graph."
    elif frame.decline_reason == "metric":
        head = f"I can't answer that from the graph: it has no {frame.missing_metric!r} values."
    elif frame.decline_reason == "entity":
        terms = names([repr(t) for t in frame.unknown_terms])
        near = [value for term in frame.unknown_terms for value in _others(term, frame.closest.get(term, []))]
        closest = f" (closest: {', '.join(dict.fromkeys(near))})" if near else ""
        head = f"I can't answer that from the graph: I found nothing called {terms} in it{closest}."
    elif frame.decline_reason == "absent":
        parts = []
        for term in frame.absent:
            nearest = frame.closest.get(term, [])
            itself = [v for v in nearest if _named(v).lower() == term.lower()]
            if itself:  # never "X is not in the graph (closest: X)": it is there, and this question cannot use it
                kind = itself[0].rsplit(" (", 1)[-1].rstrip(")")
                parts.append(f"{term!r} is a {kind} in the graph, but I could not tell how this question uses it")
                continue
            parts.append(f"{term!r} is not in the graph" + (f" (closest: {', '.join(nearest)})" if nearest else ""))
        head = "I can't answer that from the graph: " + "; ".join(parts) + "."
    elif frame.decline_reason == "problems":
        head = "I can't answer that as asked: " + "; ".join(dict.fromkeys(frame.problems)) + "."
    elif frame.decline_reason == "words":
        words = names([repr(w) for w in frame.ignored_words])
        head = (
            f"I can't answer that as asked: I don't know what {words} means here, and I won't answer a different "
            "question by ignoring it."
        )
    elif frame.decline_reason == "empty":
        head = "I can't answer that from the graph: it holds no model cards yet (load some with 'mrm3 ingest')."
    elif frame.decline_reason == "models":
        near = [value for term in frame.model_fragments for value in _others(term, frame.closest.get(term, []))]
        closest = f" (closest: {', '.join(dict.fromkeys(near))})" if near else ""
        head = f"I can't answer that from the graph: no model name contains {names(frame.model_fragments)}{closest}."
    else:
        head = "I can't answer that from the graph: I could not map the question to the model catalog."
        if unplaced := frame.absent + frame.unknown_terms + frame.ignored_words:  # the words it could not place
            head = head[:-1] + f" (nothing in it is called {names([repr(t) for t in dict.fromkeys(unplaced)])})."
    if not examples:
        return head
    return head + " Questions I can answer include:\n" + "\n".join(f"- {e}" for e in examples)


def _named(value: str) -> str:
    """ "tucano-1b1 (model)" -> "tucano-1b1"."""
    return value.rsplit(" (", 1)[0]


def _others(term: str, values: list[str]) -> list[str]:
    """The closest values but the term itself."""
    return [v for v in values if _named(v).lower() != term.lower()]


def example_questions(schema: GraphSchema, metric_labels: list[str]) -> list[str]:
    """Three or four questions this graph can answer, built from its own values."""

    def first(label: str, prop: str) -> str | None:
        """The first value that reads like a name ("404E/autotrain-data-formality" sorts first, and reads last)."""
        values = schema.node_properties.get(label, {}).get(prop)
        if not values or not values.values:
            return None
        return min(values.values, key=lambda v: (not v[:1].isalpha(), "/" in v, len(v) > 30, v))

    dataset = first("Dataset", "name")
    arch = first("ModelArchitecture", "type")
    model = first("Model", "name")
    device = first("Device", "processor")
    # cards that name no training dataset (model-index results only): their datasets are evaluation datasets
    on = "trained on" if "TRAINED_ON" in schema.relationship_types else "evaluated on"
    examples = []
    if dataset and "carbon footprint" in metric_labels:
        examples.append(f"Which model has the lowest carbon footprint on {dataset}?")
    elif dataset:
        examples.append(f"Which models were {on} {dataset}?")
    if arch:
        examples.append(f"What is the most accurate {arch} model?")
    if dataset:
        examples.append(f"How many models were {on} {dataset}?")
    if model:
        examples.append(f"What are the hyperparameters of {model}?")
    if device and "inference latency" in metric_labels:
        examples.append(f"Which model is fastest on {device}?")
    return examples[:4]


def _value_of(row: dict[str, Any], metric: Metric) -> Any:
    return row.get(metric.column)


def shown_value(row: dict[str, Any], metric: Metric) -> str:
    return with_unit(_value_of(row, metric), metric.unit)


def _run_detail(row: dict[str, Any]) -> str:
    if row.get("device") is None:
        return ""
    batch = f", batch size {row['batch_size']}" if row.get("batch_size") is not None else ""
    return f" on {row['device']}{batch}"


def rank_text(frame: Frame, metric: Metric, rows: list[dict[str, Any]], k: int) -> str:
    """A ranking: the winner (or the top k) with values and units."""
    subject = "dataset" if metric.scope == "dataset" else "model"
    key = "dataset" if subject == "dataset" else "model"
    phrase = metric_phrase(metric, frame.want)
    if not rows:
        measured = "a measured" if metric.measured else "a"
        return f"No {subject}{scope_text(frame)} has {measured} {metric.label} value in the graph."
    single = frame.filter("dataset")
    if subject == "dataset" and single is not None and len(rows) == 1:  # "how big is the umu dataset"
        return f"{rows[0]['dataset']}: {metric.label} {shown_value(rows[0], metric)}."
    if k == 1:
        top = rows[0]
        value = f"{shown_value(top, metric)}{_run_detail(top)}"
        text = f"The {subject} with the {phrase}{scope_text(frame)} is {top[key]}: {value}."
        ties = [r[key] for r in rows[1:] if _value_of(r, metric) == _value_of(top, metric)]
        if ties:
            text += f" Tied with {names(ties)}."
        others = [r for r in rows[1:] if r[key] not in ties]
        if others:
            text += " Next: " + "; ".join(f"{r[key]} ({shown_value(r, metric)})" for r in others) + "."
        return text
    shown = rows[:k]
    listing = "; ".join(f"{i}. {r[key]} ({shown_value(r, metric)}{_run_detail(r)})" for i, r in enumerate(shown, 1))
    if k >= ALL:
        return f"The {subject}s by {phrase}{scope_text(frame)}: {listing}."
    more = "" if len(shown) == k else f" (only {len(shown)} have a value)"
    return f"The top {k} {subject}s by {phrase}{scope_text(frame)}{more}: {listing}."


def unmeasured_text(metric: Metric, row: dict[str, Any] | None) -> str | None:
    """The caveat about models whose carbon or energy was not measured, or None."""
    if not row or not row.get("not_measured"):
        return None
    n = int(row["not_measured"])
    examples = names(row.get("examples") or [])
    if metric.zero_unmeasured:
        return (
            f"{n} matching model{'s report' if n != 1 else ' reports'} a {metric.label} of 0 with a std of 0 "
            f"(e.g. {examples}): in MRM3 cards that means NOT MEASURED, so they are left out."
        )
    zero = f"0 {metric.unit}".strip()
    return (
        f"{n} matching model{'s report' if n != 1 else ' reports'} {zero} or no {metric.label} (e.g. {examples}): "
        "in MRM3 cards that means NOT MEASURED, not zero, so they are left out: the answer covers measured "
        "values only."
    )


def group_best_text(frame: Frame, metric: Metric, rows: list[dict[str, Any]], which: bool) -> str:
    """The best model of each group, or the group that has the best one."""
    group = frame.group or "group"
    phrase = metric_phrase(metric, frame.want)
    if not rows:
        return f"No model{scope_text(frame)} has a {metric.label} value in the graph."
    parts = [f"{r[group]}: {r['model']} ({shown_value(r, metric)})" for r in rows[:MAX_NAMES]]
    if which:
        top = rows[0]
        return (
            f"The {group.replace('_', ' ')} with the {phrase}{scope_text(frame)} is {top[group]}, "
            f"through {top['model']} ({shown_value(top, metric)}). Per {group}: {'; '.join(parts)}."
        )
    return f"The model with the {phrase} per {group.replace('_', ' ')}{scope_text(frame)}: {'; '.join(parts)}."


def group_aggregate_text(frame: Frame, metric: Metric, rows: list[dict[str, Any]]) -> str:
    """An aggregate per group, best first."""
    group = frame.group or "group"
    agg = frame.agg or "avg"
    col = f"{agg}_{metric.column}"
    word = {"avg": "Average", "sum": "Total", "min": "Minimum", "max": "Maximum"}[agg]
    if not rows:
        return f"No model{scope_text(frame)} has a {metric.label} value in the graph."
    parts = [f"{r[group]}: {with_unit(r[col], metric.unit)} ({_count(r['models'], 'model')})" for r in rows[:MAX_NAMES]]
    return f"{word} {metric.label} per {group.replace('_', ' ')}{scope_text(frame)}: {'; '.join(parts)}."


def aggregate_text(frame: Frame, metric: Metric, rows: list[dict[str, Any]]) -> str:
    """One aggregate over the matching models."""
    agg = frame.agg or "avg"
    word = {"avg": "average", "sum": "total", "min": "minimum", "max": "maximum"}[agg]
    row = rows[0] if rows else {}
    value = row.get(f"{agg}_{metric.column}")
    if value is None:
        return f"No model{scope_text(frame)} has a {metric.label} value in the graph."
    return (
        f"The {word} {metric.label}{scope_text(frame)} is {with_unit(value, metric.unit)}, "
        f"over {row.get('measured_values')} values of {row.get('models')} models."
    )


def count_text(frame: Frame, rows: list[dict[str, Any]]) -> str:
    """How many things match."""
    target = frame.count_target.replace("_", " ")
    n = next(iter(rows[0].values())) if rows else 0
    if frame.count_target == "runs_of_models" and rows:
        row = rows[0]
        return (
            f"{number(row.get('training_runs') or 0)} training runs (CodeCarbon log rows){scope_text(frame)}, and "
            f"{number(row.get('inference_entries') or 0)} inference entries recording "
            f"{number(row.get('runs_recorded') or 0)} inference runs."
        )
    if frame.count_target == "inference_runs" and rows:
        row = rows[0]
        entries = f"{n} inference entr{'y' if n == 1 else 'ies'}"
        text = (
            f"There {'is' if n == 1 else 'are'} {entries}{scope_text(frame)} (one per model, device and batch size), "
            f"recording {number(row.get('runs_recorded') or 0)} runs in total (their num_of_runs)."
        )
        missing = row.get("entries_without_run_count") or 0
        if missing:
            text += f" {missing} of the entries record no run count."
        return text
    if n == 1:
        return f"There is 1 {_singular(target)}{scope_text(frame)}."
    return f"There are {n} {target}{scope_text(frame)}."


def _count(n: Any, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _singular(noun: str) -> str:
    return noun[:-1] if noun.endswith("s") else noun


def group_count_text(frame: Frame, rows: list[dict[str, Any]]) -> str:
    """Counts per group, the largest (or smallest) first."""
    group = frame.group or "group"
    target = frame.count_target
    if not rows:
        return f"No {target}{scope_text(frame)} in the graph."
    parts = [f"{r[group]} ({r[target]})" for r in rows[:MAX_NAMES]]
    most = "fewest" if frame.want == "low" else "most"
    return (
        f"{rows[0][group]} has the {most} {target.replace('_', ' ')}{scope_text(frame)} ({rows[0][target]}). "
        f"Per {group.replace('_', ' ')}: {', '.join(parts)}."
    )


def list_text(frame: Frame, rows: list[dict[str, Any]]) -> str:
    """The matching things by name."""
    target = frame.count_target
    if not rows:
        return f"No {target}{scope_text(frame)} in the graph."
    if target == "devices" and rows and len(rows[0]) > 2:  # the devices with their properties
        lines = [f"{r['device']}: " + "; ".join(_cell(c, v) for c, v in r.items() if c != "device" and v is not None)
                 for r in rows[:MAX_NAMES]]  # fmt: skip
        return f"{len(rows)} device{'s' if len(rows) != 1 else ''}{scope_text(frame)}:\n" + "\n".join(lines)
    first = [next(iter(r.values())) for r in rows]
    noun = target.replace("_", " ") if len(rows) != 1 else _singular(target.replace("_", " "))
    return f"{len(rows)} {noun} match{'es' if len(rows) == 1 else ''}{scope_text(frame)}: {names(first)}."


def _cell(column: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{k}={v}" for k, v in sorted(value.items()) if k != "id")
        return f"{column.replace('_', ' ')}: {inner or 'none'}"
    if isinstance(value, list):  # a card's languages and tags
        return f"{column.replace('_', ' ')}: {', '.join(str(v) for v in value) or 'none'}"
    label = column.replace("_", " ")
    units = {"_g": " g CO2", "_j": " J", "_s": " s", "_bytes": " bytes"}
    suffix = next((u for end, u in units.items() if column.endswith(end)), "")
    if suffix:
        label = label.rsplit(" ", 1)[0]
    return f"{label}: {number(value)}{suffix}"


def lookup_text(rows: list[dict[str, Any]], frame: Frame | None = None) -> str:
    """The asked properties of each model, one sentence per row."""
    if not rows:
        scope = scope_text(frame) if frame is not None else ""
        return f"No matching model{scope} in the graph." if scope else "No matching model in the graph."
    lines = []
    unmeasured = False
    asked = frame.metric if frame is not None else None
    for row in rows[:MAX_NAMES]:
        cells = []
        for col, value in row.items():
            if value is None and asked is not None and asked.zero_unmeasured and col == asked.column:
                cells.append(f"{asked.label}: NOT MEASURED (none recorded, or 0 with a std of 0 in the card)")
                continue
            if col == "model" or (value is None and not zero_means_unmeasured(col)):
                continue
            inference = "per_inference" in col or "per_sample" in col or col.startswith("inference_")
            if inference and value is None and row.get("device") is None:  # a CodeCarbon "run" is no inference
                cells.append(f"{col.replace('_', ' ').rsplit(' ', 1)[0]}: no inference runs in the graph")
                continue
            if zero_means_unmeasured(col) and not value:
                if "gpu" in col and row.get("gpus") == 0 and value == 0:
                    cells.append(f"{_cell(col, value)} (no GPU used)")
                    continue
                said = "none recorded" if value is None else f"{number(value)} in the card"
                cells.append(f"{col.replace('_', ' ').rsplit(' ', 1)[0]}: NOT MEASURED ({said})")
                unmeasured = True
                continue
            cells.append(_cell(col, value))
        lines.append(f"{row.get('model')}: {'; '.join(cells) or 'no recorded values'}.")
    more = f"\n(and {len(rows) - MAX_NAMES} more rows)" if len(rows) > MAX_NAMES else ""
    note = (
        "\nIn MRM3 cards a carbon or energy value of 0 (or none) means it was not measured, not that it was free."
        if unmeasured
        else ""
    )
    return "\n".join(lines) + more + note
