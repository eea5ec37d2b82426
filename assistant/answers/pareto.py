"""Trade-offs: which way is better for a metric column, and the Pareto front of measured rows.

A row is on the front (a best trade-off) when no other row is at least as good
on both objectives and better on one. Only measured rows take part: a carbon
or energy of 0 means "not measured" in MRM3 cards, never the best trade-off.
Both engines and the page use these, so the chart and the answer mark the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from assistant.language.measurements import is_measured, is_number

Better = Literal["higher", "lower"]

# Words in a column name that tell which way is better. Matched on whole
# tokens of the name split at "_", "-", spaces and camelCase humps.
_HIGHER = ("accuracy", "acc", "f1", "precision", "recall", "auc", "r_squared", "r2", "score", "throughput")
_LOWER = (
    "carbon", "co2", "energy", "joules", "latency", "time", "seconds", "mae", "mse", "rmse",
    "error", "loss", "size", "bytes", "flops", "duration",
)  # fmt: skip
# What a model costs to run or train, as opposed to how good it is (errors are lower-is-better too).
_RESOURCES = ("carbon", "co2", "energy", "joules", "latency", "time", "seconds", "size", "bytes", "flops", "duration")
# Spread and bookkeeping columns are never the value a chart or a front is about.
SPREAD = ("std", "stddev")
NOT_A_VALUE = (*SPREAD, "id", "rank", "batch")


def tokens(column: str) -> list[str]:
    """The lower-case words of a column name (``carbonFootprint`` -> ``carbon``, ``footprint``)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", column)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def has_word(column: str, words: Sequence[str]) -> bool:
    """Whether the column name holds one of ``words`` (multi-word entries such as ``r_squared`` too)."""
    joined = "_" + "_".join(tokens(column)) + "_"
    return any(f"_{word}_" in joined for word in words)


def direction(column: str) -> Better | None:
    """Which way is better for a metric column, from its name; ``None`` when unknown.

    ``r_squared_mean`` and ``accuracy`` are higher-is-better;
    ``carbonFootprint``, ``latency_s`` and ``mean_squared_error`` lower-is-better.
    """
    if has_word(column, NOT_A_VALUE):
        return None
    if has_word(column, _HIGHER):
        return "higher"
    if has_word(column, _LOWER):
        return "lower"
    return None


def non_dominated(points: Sequence[tuple[float, float]], better: tuple[Better, Better]) -> list[bool]:
    """For each point, whether no other point is at least as good on both and better on one."""
    signs = [1.0 if b == "higher" else -1.0 for b in better]
    scored = [(p[0] * signs[0], p[1] * signs[1]) for p in points]
    best = []
    for i, (a, b) in enumerate(scored):
        dominated = any((c >= a and d >= b) and (c > a or d > b) for j, (c, d) in enumerate(scored) if j != i)
        best.append(not dominated)
    return best


def _measured(row: Mapping[str, Any], columns: Sequence[str]) -> bool:
    return all(is_number(row.get(c)) and is_measured(c, row.get(c)) for c in columns)


def pareto_front(
    rows: Sequence[Mapping[str, Any]], x: str, y: str, x_better: Better, y_better: Better, name: str
) -> list[str]:
    """The names of the measured rows on the Pareto front of ``x`` and ``y``, in row order."""
    measured = [row for row in rows if _measured(row, (x, y))]
    best = non_dominated([(float(r[x]), float(r[y])) for r in measured], (x_better, y_better))
    return [str(row.get(name)) for row, b in zip(measured, best, strict=True) if b]


def trade_off(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The Pareto chart of a trade-off result: its two objectives, their directions and the front.

    The objectives are the first two numeric columns whose better direction the
    name tells (a quality and a cost, or two costs); the name column is the first
    text column. ``None`` when the rows do not hold two such columns.

    Returns:
        ``{"x", "y", "x_better", "y_better", "front", "name"}`` as :class:`Answer`'s ``pareto``.
    """
    if not rows:
        return None
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    name = next((c for c in columns if any(isinstance(r.get(c), str) for r in rows)), None)
    metrics = [
        c for c in columns if direction(c) is not None and all(r.get(c) is None or is_number(r.get(c)) for r in rows)
    ]
    if name is None or len(metrics) < 2:
        return None
    # The usual trade-off picture: a resource cost across, a quality (or an error) up.
    resources = [c for c in metrics if has_word(c, _RESOURCES)]
    qualities = [c for c in metrics if c not in resources]
    if resources and qualities:
        x, y = resources[0], qualities[0]
    else:
        x, y = metrics[0], metrics[1]
    x_better, y_better = direction(x), direction(y)
    assert x_better is not None and y_better is not None  # both chosen from metrics
    return {
        "x": x,
        "y": y,
        "x_better": x_better,
        "y_better": y_better,
        "front": pareto_front(rows, x, y, x_better, y_better, name),
        "name": name,
    }


def front_fact(pareto: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    """The front in words, for the answer: which models are the best trade-offs and how many were measured."""
    measured = sum(1 for row in rows if _measured(row, (pareto["x"], pareto["y"])))
    names = ", ".join(pareto["front"]) or "none"
    return (
        f"Best trade-offs (Pareto front of {pareto['y']}, {pareto['y_better']} is better, and {pareto['x']}, "
        f"{pareto['x_better']} is better: no other measured model is at least as good on both and better on one): "
        f"{names}; {len(pareto['front'])} of {measured} measured models."
    )
