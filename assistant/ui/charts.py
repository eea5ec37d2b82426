"""Pick a chart for an answer's rows: a bar chart or a trade-off scatter.

- **Bar**: the rows compare models or groups (a text column) on one numeric
  value, e.g. ``model, carbon_g`` or ``dataset, models``.
- **Scatter**: the rows give a quality (higher is better, e.g. accuracy) and a
  cost (lower is better, e.g. carbon) per row. The Pareto-best rows, those no
  other row beats on both, are marked as the best trade-offs.

A carbon or energy of exactly 0 means "not measured" in MRM3 cards, so such a
point is drawn as *not measured*, never as a best trade-off or the lowest bar.

:func:`choose_chart` is pure (rows in, a :class:`ChartSpec` out) so it can be
tested without Streamlit; :func:`altair_chart` draws the spec.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import altair as alt

from assistant.answers.pareto import NOT_A_VALUE, SPREAD, direction, has_word, non_dominated
from assistant.language.measurements import is_measured, is_number

logger = logging.getLogger(__name__)

MAX_BARS = 30
MAX_POINTS = 1000
LABEL = "label"
STATUS = "status"
BEST = "best trade-off"
CHOSEN = "chosen"
OTHER = "other"
MEASURED = "measured"
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw, with the data already shaped for it.

    Attributes:
        kind: ``"bar"`` or ``"scatter"``.
        data: One dict per mark, with a ``label`` column and the value columns.
        x: Column on the x axis (bar: the value; scatter: the first metric).
        y: Column on the y axis (bar: ``label``; scatter: the second metric).
        title: A short title that says what is compared.
        note: Something the reader must know (rows left out, unmeasured zeros).
        connect_front: Draw a line through the best trade-offs (an answer's Pareto front).
        log_x, log_y: A log axis (the values span more than :data:`LOG_SPAN` and are all above 0).
        unmeasured: Rows not drawn, since a value is not measured: listed beside the chart, never drawn at 0.
    """

    kind: Literal["bar", "scatter"]
    data: list[dict[str, Any]]
    x: str
    y: str
    title: str
    note: str | None = None
    connect_front: bool = False
    log_x: bool = False
    log_y: bool = False
    unmeasured: tuple[str, ...] = ()


LOG_SPAN = 100.0
"""Values spanning more than this factor (two decades) get a log axis."""
LABEL_GAP = 0.06
"""Two labels closer than this share of the plot (each axis) would overlap: the later one is left to its tooltip."""
SHOW = "show_label"
RIGHT_EDGE = 0.6
"""Points further right than this share of the x axis get their label on their left, inside the plot."""


def _log_axis(values: Sequence[float]) -> bool:
    return bool(values) and min(values) > 0 and max(values) / min(values) > LOG_SPAN


def _unit_positions(values: Sequence[float], log: bool) -> list[float]:
    """Each value's place along its axis, 0..1 (log-scaled when the axis is)."""
    scaled = [math.log10(v) if log else v for v in values]
    low, high = min(scaled), max(scaled)
    return [(v - low) / (high - low) if high > low else 0.5 for v in scaled]


def _spaced_labels(data: list[dict[str, Any]], x: str, y: str, log_x: bool, log_y: bool) -> None:
    """Mark which points get a label: the chosen one first, then the front's, each far enough from those kept."""
    xs = _unit_positions([float(d[x]) for d in data], log_x)
    ys = _unit_positions([float(d[y]) for d in data], log_y)
    order = sorted(range(len(data)), key=lambda i: (data[i][STATUS] != CHOSEN, xs[i]))
    kept: list[int] = []
    for i in order:
        d = data[i]
        d[SHOW] = ""
        if d[STATUS] not in (BEST, CHOSEN):
            continue
        if all(abs(xs[i] - xs[k]) > LABEL_GAP or abs(ys[i] - ys[k]) > LABEL_GAP for k in kept):
            d[SHOW] = "left" if xs[i] > RIGHT_EDGE else "right"  # a label near the right edge reads leftwards
            kept.append(i)


def _numeric_columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[str]:
    numeric = []
    for column in columns:
        values = [row.get(column) for row in rows if row.get(column) is not None]
        if len(values) >= 2 and all(is_number(v) for v in values):
            numeric.append(column)
    return numeric


def _text_columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[str]:
    return [
        c
        for c in columns
        if any(isinstance(row.get(c), str) for row in rows)
        and all(row.get(c) is None or isinstance(row.get(c), str) for row in rows)
    ]


def _labels(rows: Sequence[Mapping[str, Any]], parts: Sequence[str]) -> list[str]:
    """One readable, unique label per row, joined from ``parts``."""
    labels = [" · ".join(str(row.get(p)) for p in parts if row.get(p) is not None) or "?" for row in rows]
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def _label_parts(rows: Sequence[Mapping[str, Any]], text: Sequence[str], dims: Sequence[str]) -> list[str]:
    """The fewest text columns (then numeric dimensions such as batch size) that tell rows apart."""
    parts: list[str] = []
    for column in [*text, *dims]:
        parts.append(column)
        if len({tuple(row.get(p) for p in parts) for row in rows}) == len(rows):
            break
    return parts


def _dimensions(numeric: Sequence[str], values: Sequence[str]) -> list[str]:
    """Numeric columns that tell rows apart (batch size, cores) rather than measure them."""
    return [c for c in numeric if c not in values and direction(c) is None and not has_word(c, SPREAD)]


def choose_chart(rows: Sequence[Mapping[str, Any]]) -> ChartSpec | None:
    """The chart that suits ``rows``, or ``None`` when a table says it all.

    Args:
        rows: An answer's rows (column -> plain value).

    Returns:
        A scatter when one column is a quality and another a cost,
        a bar chart when a text column compares rows on a numeric column,
        otherwise ``None`` (one row, no numbers, or nothing to compare by).
    """
    if len(rows) < 2:
        return None
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    numeric = _numeric_columns(rows, columns)
    text = _text_columns(rows, columns)
    metrics = [c for c in numeric if direction(c) is not None]
    quality = [c for c in metrics if direction(c) == "higher"]
    cost = [c for c in metrics if direction(c) == "lower"]
    # Only a quality against a cost is a trade-off; carbon against energy (both
    # costs, nearly proportional) reads better as bars of the ranked column.
    if quality and cost:
        spec = _scatter(rows, cost[0], quality[0], text, _dimensions(numeric, metrics))
        if spec is not None:
            return spec
    values = metrics or [c for c in numeric if not has_word(c, NOT_A_VALUE)]
    if values and text:
        return _bar(rows, values[0], text, _dimensions(numeric, [values[0], *metrics]))
    return None


def pareto_chart(rows: Sequence[Mapping[str, Any]], pareto: Mapping[str, Any]) -> ChartSpec | None:
    """The scatter of an answer's Pareto front (``Answer.pareto``): the front highlighted and connected.

    The engine chose the objectives, their directions and the front; the chart
    draws them as they are. A row whose name is on the front is a best trade-off
    (when a name repeats, only its non-dominated rows are); unmeasured values are
    grey, never on the front.
    """
    x, y, name = str(pareto["x"]), str(pareto["y"]), str(pareto["name"])
    front = {str(n) for n in pareto.get("front") or ()}
    kept = [row for row in rows if is_number(row.get(x)) and is_number(row.get(y))][:MAX_POINTS]
    if not kept:
        return None
    labels = _labels(kept, [name])
    measured = [i for i, row in enumerate(kept) if is_measured(x, row[x]) and is_measured(y, row[y])]
    dominant = non_dominated(
        [(float(kept[i][x]), float(kept[i][y])) for i in measured], (pareto["x_better"], pareto["y_better"])
    )
    names = [str(row.get(name)) for row in kept]
    best = {
        i for i, ok in zip(measured, dominant, strict=True) if names[i] in front and (ok or names.count(names[i]) == 1)
    }
    chosen = str(pareto.get("chosen") or "")
    data = [
        {LABEL: labels[i], x: kept[i][x], y: kept[i][y], STATUS: CHOSEN if i in best and names[i] == chosen else BEST
         if i in best else OTHER}
        for i in measured
    ]  # fmt: skip
    unmeasured = tuple(labels[i] for i in range(len(kept)) if i not in measured)
    unmeasured += tuple(str(n) for n in pareto.get("unmeasured") or () if str(n) not in unmeasured)
    log_x, log_y = (_log_axis([float(d[c]) for d in data]) for c in (x, y))
    if data:
        _spaced_labels(data, x, y, log_x, log_y)
    notes = [
        f"best trade-offs (Pareto front, connected): no other measured model is at least as good on both "
        f"{x} ({pareto['x_better']} is better) and {y} ({pareto['y_better']} is better)"
    ]
    if chosen:
        notes.append(f"chosen: {chosen}" + (f" ({pareto['rule']})" if pareto.get("rule") else ""))
    if log_x or log_y:
        notes.append(f"log scale on {' and '.join(c for c, log in ((x, log_x), (y, log_y)) if log)}")
    return ChartSpec(
        kind="scatter", data=data, x=x, y=y, title=f"{y} against {x}: Pareto front", note="; ".join(notes),
        connect_front=True, log_x=log_x, log_y=log_y, unmeasured=unmeasured,
    )  # fmt: skip


def _bar(rows: Sequence[Mapping[str, Any]], value: str, text: Sequence[str], dims: Sequence[str]) -> ChartSpec:
    kept = [row for row in rows if row.get(value) is not None][:MAX_BARS]
    labels = _labels(kept, _label_parts(kept, text, dims))
    data = [
        {
            LABEL: label,
            value: row[value],
            STATUS: MEASURED if is_measured(value, row[value]) else NOT_MEASURED,
        }
        for label, row in zip(labels, kept, strict=True)
    ]
    notes = []
    if len(kept) < len(rows):
        notes.append(f"the chart shows the first {len(kept)} of {len(rows)} rows")
    if any(d[STATUS] == NOT_MEASURED for d in data):
        notes.append(f"a {value} of 0 means not measured, not zero")
    return ChartSpec(
        kind="bar",
        data=data,
        x=value,
        y=LABEL,
        title=f"{value} by {' · '.join(_label_parts(kept, text, dims))}",
        note="; ".join(notes) or None,
    )


def _scatter(
    rows: Sequence[Mapping[str, Any]], cost: str, quality: str, text: Sequence[str], dims: Sequence[str]
) -> ChartSpec | None:
    x, y = cost, quality  # the usual trade-off picture: cost across, quality up
    kept = [row for row in rows if row.get(x) is not None and row.get(y) is not None][:MAX_POINTS]
    if len(kept) < 2:
        return None
    labels = _labels(kept, _label_parts(kept, text, dims)) if text or dims else [str(i + 1) for i in range(len(kept))]

    def measured(row: Mapping[str, Any]) -> bool:
        return all(is_measured(c, row[c]) for c in (x, y))

    measured_rows = [i for i, row in enumerate(kept) if measured(row)]
    best = non_dominated(
        [(float(kept[i][x]), float(kept[i][y])) for i in measured_rows],
        (direction(x) or "lower", direction(y) or "lower"),
    )
    best_rows = {i for i, b in zip(measured_rows, best, strict=True) if b}
    data = [
        {
            LABEL: label,
            x: row[x],
            y: row[y],
            STATUS: BEST if i in best_rows else OTHER if i in measured_rows else NOT_MEASURED,
        }
        for i, (label, row) in enumerate(zip(labels, kept, strict=True))
    ]
    notes = [f"best trade-offs: no other row has both a better {x} and a better {y}"]
    if len(measured_rows) < len(kept):
        notes.append("a carbon or energy of 0 means not measured; those rows are not ranked")
    return ChartSpec(
        kind="scatter",
        data=data,
        x=x,
        y=y,
        title=f"{y} against {x}",
        note="; ".join(notes),
    )


def _names(spec: ChartSpec, data: alt.Data, side: str) -> alt.Chart:
    """The labels on one side of their points (``""``: every best trade-off's, on the right)."""
    shown = (alt.datum.show == side) if side else (alt.datum.status == BEST)
    return (
        alt.Chart(data)
        .transform_filter(shown)
        .mark_text(align="right" if side == "left" else "left", dx=-9 if side == "left" else 8, fontSize=11)
        .encode(x=alt.X("x:Q", scale=_scale(spec.log_x)), y=alt.Y("y:Q", scale=_scale(spec.log_y)), text="label:N")
    )


def _scale(log: bool) -> alt.Scale:
    return alt.Scale(type="log") if log else alt.Scale(zero=False)


def altair_chart(spec: ChartSpec) -> alt.Chart | alt.LayerChart:
    """Draw ``spec`` with Altair (shipped with Streamlit)."""
    # Cypher columns such as "m.name" would read as nested fields in Vega-Lite,
    # so the marks use fixed field names and the columns appear only as titles.
    value = spec.x if spec.kind == "bar" else None
    rows = [
        {
            "label": d[LABEL],
            "status": d[STATUS],
            "x": d[spec.x],
            "y": d[LABEL] if spec.kind == "bar" else d[spec.y],
            "show": d.get(SHOW) or "",
        }
        for d in spec.data
    ]
    data = alt.Data(values=rows)
    if spec.kind == "bar":
        unmeasured = any(d[STATUS] == NOT_MEASURED for d in spec.data)
        return (
            alt.Chart(data, title=spec.title)
            .mark_bar()
            .encode(
                x=alt.X("x:Q", title=value),
                # sort=None keeps the rows' order: the query already ranked them.
                y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
                color=alt.Color(
                    "status:N",
                    scale=alt.Scale(domain=[MEASURED, NOT_MEASURED], range=["#4c78a8", "#bab0ac"]),
                    legend=alt.Legend(title=None, orient="bottom") if unmeasured else None,
                ),
                tooltip=[alt.Tooltip("label:N", title="row"), alt.Tooltip("x:Q", title=value)],
            )
            .properties(height=alt.Step(22))
        )
    tooltip = [
        alt.Tooltip("label:N", title="row"),
        alt.Tooltip("x:Q", title=spec.x),
        alt.Tooltip("y:Q", title=spec.y),
        alt.Tooltip("status:N", title="status"),
    ]
    points = (
        alt.Chart(data, title=spec.title)
        .mark_circle(size=90, opacity=0.85)
        .encode(
            x=alt.X("x:Q", title=spec.x, scale=_scale(spec.log_x)),
            y=alt.Y("y:Q", title=spec.y, scale=_scale(spec.log_y)),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=[CHOSEN, BEST, OTHER, NOT_MEASURED], range=["#f58518", "#e45756", "#4c78a8", "#bab0ac"]
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            size=alt.condition(alt.datum.status == CHOSEN, alt.value(260), alt.value(90)),
            tooltip=tooltip,
        )
    )
    names = _names(spec, data, "right") + _names(spec, data, "left") if spec.connect_front else _names(spec, data, "")
    if not spec.connect_front:
        return points + names
    # The front as a staircase of its points in x order, under the points.
    front = (
        alt.Chart(data)
        .transform_filter((alt.datum.status == BEST) | (alt.datum.status == CHOSEN))
        .mark_line(color="#e45756", strokeDash=[4, 3], point=False)
        .encode(x=alt.X("x:Q", scale=_scale(spec.log_x)), y=alt.Y("y:Q", scale=_scale(spec.log_y)), order="x:Q")
    )
    return front + points + names
