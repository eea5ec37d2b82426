"""Answers that set models side by side: a comparison (with the difference and the ratio), the models that
beat a named one on every metric (dominance), and the Pareto front of a trade-off."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from assistant.engines.offline.explain.explain import MAX_NAMES, names, scope_text, shown_value
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.metrics import Metric
from assistant.language.measurements import number, with_unit


def compare_text(
    frame: Frame, metric: Metric, rows: list[dict[str, Any]], entities: list[str], *, flagged: Collection[str] = ()
) -> str:
    """Named models compared by one metric, best first; ``flagged``: models whose value is impossible (not shown)."""
    if not rows:
        return f"None of {names(entities)} has a {metric.label} value in the graph."
    better = "lower" if metric.order("best") == "ASC" else "higher"
    # Best first by the metric's own direction, whatever way the question put it ("how much MORE energy did A use").
    rows = sorted(rows, key=lambda r: _sort_key(r, metric), reverse=better == "higher")
    ordered = ", then ".join(f"{r['model']} ({shown_value(r, metric)})" for r in rows)
    text = f"By {metric.label} ({better} is better{'' if metric.known_direction else ', assumed'}): {ordered}."
    if len(rows) > 1:
        on = f" on {metric.label}" if frame.also else ""  # several metrics compared: each verdict says which
        text = f"{rows[0]['model']} is better{on}. " + text + _difference(rows[0], rows[1], metric)
        _add_gaps(rows, metric)
    missing = [e for e in entities if e not in {r["model"] for r in rows} and e not in flagged]
    if flagged:
        text += (
            f" {names(sorted(flagged))}: the {metric.label} published is flagged as impossible, so it is not compared."
        )
    if missing:
        how = "measured " if metric.measured else ""
        text += f" No {how}{metric.label} value for {names(missing)}" + (
            " (0 or none in the card means NOT MEASURED)." if metric.measured else "."
        )
    return text


def merge_columns(rows: list[dict[str, Any]], extra: list[dict[str, Any]]) -> None:
    """Each model's columns from ``extra`` (another metric's comparison) added to its row in ``rows``, in place,
    and a row for a model only ``extra`` has: the rows then back every sentence of the answer."""
    by_model = {r.get("model"): r for r in rows}
    for other in extra:
        row = by_model.get(other.get("model"))
        if row is None:
            rows.append(dict(other))
            continue
        for key, value in other.items():
            row.setdefault(key, value)


def split_verdict(verdicts: list[tuple[Metric, list[dict[str, Any]]]]) -> str:
    """When no model is among the best on every metric compared (ties count as best): said once, with each
    metric's best."""
    best: list[tuple[Metric, list[str]]] = []
    for metric, rows in verdicts:
        measured = [r for r in rows if isinstance(r.get(metric.column), int | float)]
        if len(measured) < 2:  # a metric with one value or none decides nothing
            continue
        sign = 1 if metric.order("best") == "ASC" else -1
        top = min(_sort_key(r, metric) * sign for r in measured)
        best.append((metric, [str(r["model"]) for r in measured if _sort_key(r, metric) * sign == top]))
    if len(best) < 2 or set.intersection(*(set(models) for _, models in best)):
        return ""
    picks = ", ".join(f"{' and '.join(models)} on {metric.label}" for metric, models in best)
    return f"\nNo model is better on every metric compared: {picks}."


def _add_gaps(rows: list[dict[str, Any]], metric: Metric) -> None:
    """Each row after the best gets, as evidence, its difference from the best and the ratio of the two (measured
    values only): columns ``<column>_difference`` and ``<column>_ratio``."""
    for row in rows[1:]:
        pair = _measured_pair(rows[0].get(metric.column), row.get(metric.column), metric)
        if pair is None:
            continue
        high, low = max(pair), min(pair)
        row[f"{metric.column}_difference"] = high - low
        if low > 0:
            row[f"{metric.column}_ratio"] = high / low


def _measured_pair(a: Any, b: Any, metric: Metric) -> tuple[float, float] | None:
    """Both values as numbers, or ``None`` when one is missing or (for carbon and energy) not measured."""
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
        return None
    return None if metric.measured and (a <= 0 or b <= 0) else (float(a), float(b))


def _sort_key(row: dict[str, Any], metric: Metric) -> float:
    value = row.get(metric.column)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else float("nan")


def dominance_text(frame: Frame, metrics: list[Metric], rows: list[dict[str, Any]], reference: str) -> str:
    """The models better than ``reference`` on every metric, each with its values and the reference's beside.

    ``rows`` is cut down, in place, to the evidence: the reference's row, then those of the models that beat it.
    """
    ref = next((r for r in rows if r.get("model") == reference), None)
    labels = " and ".join(m.label for m in metrics)
    if ref is None:
        return f"{reference} has no measured {labels}{scope_text(frame)}, so no model can be compared with it."

    def better(row: dict[str, Any], metric: Metric) -> bool:
        value, theirs = row.get(metric.column), ref.get(metric.column)
        if not isinstance(value, int | float) or not isinstance(theirs, int | float):
            return False
        return value < theirs if metric.better == "lower" else value > theirs

    def values(row: dict[str, Any]) -> str:
        return "; ".join(f"{m.label} {shown_value(row, m)}" for m in metrics)

    winners = [r for r in rows if r.get("model") != reference and all(better(r, m) for m in metrics)]
    rows[:] = [ref, *winners]  # the evidence: the reference, then the models that beat it
    head = f"{reference}{scope_text(frame)}: {values(ref)}."
    if not winners:
        return f"{head} No model is better than it on {'both ' if len(metrics) == 2 else ''}{labels}."
    listed = "; ".join(f"{r['model']} ({values(r)})" for r in winners[:MAX_NAMES])
    both = "both " if len(metrics) == 2 else ""
    return f"{head} {len(winners)} model{'s are' if len(winners) != 1 else ' is'} better on {both}{labels}: {listed}."


def _difference(first: dict[str, Any], second: dict[str, Any], metric: Metric) -> str:
    """ " The difference: 1.39 g CO2 (2.43 g CO2 - 1.039 g CO2); 2.34 times." for two measured values, else ""."""
    pair = _measured_pair(first.get(metric.column), second.get(metric.column), metric)
    if pair is None:
        return ""  # an unmeasured side gives no number (the note below says which)
    a, b = pair
    high, low = (a, b) if a >= b else (b, a)

    def said(value: float) -> str:
        return with_unit(value, metric.unit) if metric.unit else number(value)

    ratio = f"; {number(high / low)} times as much" if low > 0 else ""
    return f" The difference: {said(high - low)} ({said(high)} - {said(low)}){ratio}."


def pareto_text(
    frame: Frame,
    first: Metric,
    second: Metric,
    rows: list[dict[str, Any]],
    picked: tuple[dict[str, Any], float] | None = None,
) -> str:
    """The non-dominated models of a trade-off, with both values, and the point ``picked`` for a choice (see
    :func:`chosen_point`, over the whole front)."""
    if not rows:
        return f"No model{scope_text(frame)} has measured values of both {first.label} and {second.label}."
    whole = [r for r in rows if r.get("on_pareto_front")]
    front = whole[:MAX_NAMES]  # named; the count is the whole front's
    parts = [
        f"{r['model']} ({first.label} {shown_value(r, first)}; {second.label} {shown_value(r, second)})" for r in front
    ]
    return (
        f"The trade-off between {first.label} ({first.better} is better) and {second.label} ({second.better} is "
        f"better){scope_text(frame)}: {len(whole)} of {len(rows)} models with both values measured are on the "
        f"Pareto front (no other model is at least as good on both and better on one): {'; '.join(parts)}. "
        "The rows list every measured model, the front first."
    ) + (_chosen_text(picked, first, second) if picked else "")


CLOSE_TO_BEST = 0.01
"""A choice on a front: the lowest cost among the models within this share of the best quality."""


def chosen_point(front: list[dict[str, Any]], quality: Metric, cost: Metric) -> tuple[dict[str, Any], float] | None:
    """The row a choice picks on the front (the best cost among the models within :data:`CLOSE_TO_BEST` of the
    best quality) and that best quality; ``None`` when no front model has both values."""
    valued = [r for r in front if isinstance(r.get(quality.column), int | float) and isinstance(r.get(cost.column),
              int | float)]  # fmt: skip
    if not valued:
        return None
    higher = quality.better == "higher"
    best = (max if higher else min)(r[quality.column] for r in valued)
    margin = abs(best) * CLOSE_TO_BEST
    close = [
        r for r in valued if (r[quality.column] >= best - margin if higher else r[quality.column] <= best + margin)
    ]
    return (min if cost.better == "lower" else max)(close, key=lambda r: r[cost.column]), float(best)


def choice_rule(quality: Metric, cost: Metric, best: float) -> str:
    """The rule a choice on a front follows, in words."""
    return (
        f"the best {cost.label} among the front's models whose {quality.label} is within {CLOSE_TO_BEST:.0%} of the "
        f"best ({number(best)})"
    )


def _chosen_text(picked: tuple[dict[str, Any], float], quality: Metric, cost: Metric) -> str:
    """The point a choice picked on the front, and the rule it was picked by."""
    cheap, best = picked
    return (
        f" Chosen: {cheap['model']} ({quality.label} {shown_value(cheap, quality)}; {cost.label} "
        f"{shown_value(cheap, cost)}), by the rule: {choice_rule(quality, cost, best)}."
    )
