"""The cross-check: the LLM's rows against the offline engine's for the same question.

Rankings compare their first model, lists their sets of models, counts and aggregates their first number, and
lookups, comparisons and groupings each name's value of the same quantity (within 1%, allowing for the unit
conversions the LLM's statement made). Only columns of the same kind are compared (models with models, datasets
with datasets). A disagreement is said, with both results; neither is silently preferred.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from assistant.language.measurements import unit_of

_REL_TOL = 0.01
_SHOWN = 5
_MEASURED_UNITS = ("g CO2", "J")
_PER_NAME = frozenset({"lookup", "compare", "group_best", "group_agg", "group_count"})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _name_column(rows: list[dict[str, Any]]) -> str | None:
    """The column that names each row: ``model`` when there is one, else the first text column."""
    first = rows[0] if rows else {}
    if isinstance(first.get("model"), str):
        return "model"
    return next((c for c, v in first.items() if isinstance(v, str)), None)


def _names(rows: list[dict[str, Any]], column: str) -> list[str]:
    return list(dict.fromkeys(str(r[column]) for r in rows if isinstance(r.get(column), str)))


def _measured(row: dict[str, Any]) -> bool:
    """False when a carbon or energy cell of the row is 0 or empty: not measured, never a first place."""
    return all(_is_number(v) and v > 0 for c, v in row.items() if unit_of(c) in _MEASURED_UNITS)


def _values(row: Mapping[str, Any]) -> dict[str, float]:
    """The row's first number of each unit; a number without a unit (a count, a metric) under its column's name."""
    found: dict[str, float] = {}
    for column, value in row.items():
        if _is_number(value) and "run" not in column.lower():
            found.setdefault(unit_of(column) or f"column {column.lower()}", float(value))
    return found


def _same(mine: float, theirs: float, scales: Iterable[float]) -> bool:
    """Equal within 1%, or after undoing one of the LLM statement's unit conversions (x 1000, / 3,600,000 ...)."""
    candidates = [mine] + [mine * n for n in scales if n] + [mine / n for n in scales if n]
    return any(math.isclose(c, theirs, rel_tol=_REL_TOL, abs_tol=1e-12) for c in candidates)


def _numbers_differ(
    mine: Mapping[str, float], theirs: Mapping[str, float], scales: Iterable[float]
) -> tuple[float, float] | None:
    """The first quantity both give that differs: (the LLM's value, the offline engine's), or None."""
    scales = list(scales)
    for unit in mine.keys() & theirs.keys():
        if not _same(mine[unit], theirs[unit], scales):
            return mine[unit], theirs[unit]
    if len(mine) == 1 == len(theirs) and not mine.keys() & theirs.keys():  # one number each, named apart
        ((key, value),), ((_, their_value),) = mine.items(), theirs.items()
        if key.startswith("column") and not _same(value, their_value, scales):  # "mean" against "avg_carbon_g"
            return value, their_value
    return None


def disagreement(
    intent: str,
    llm_rows: list[dict[str, Any]],
    offline_rows: list[dict[str, Any]],
    scales: Iterable[float] = (),
) -> str | None:
    """How the two results differ, in words, or None when they agree (or cannot be compared).

    Args:
        intent: The offline engine's reading: rank, list, count, aggregate, lookup, compare, group_* ...
        llm_rows: The rows of the LLM's statement.
        offline_rows: The rows of the offline engine's statement.
        scales: The numbers the LLM's statement multiplies or divides by (its unit conversions).
    """
    if not llm_rows or not offline_rows:
        return None
    if intent in ("count", "aggregate"):
        differs = _numbers_differ(_values(llm_rows[0]), _values(offline_rows[0]), scales)
        return f"the LLM's statement gives {differs[0]:g}, the offline engine {differs[1]:g}" if differs else None
    column = _name_column(offline_rows)
    if column is None or _name_column(llm_rows) != column:
        return None  # a model against a dataset: not the same kind of answer
    if intent == "rank":
        measured = [r for r in llm_rows if _measured(r)] or llm_rows
        mine, theirs = _names(measured, column), _names(offline_rows, column)
        if mine and theirs and mine[0].lower() != theirs[0].lower():
            return f"the LLM's statement ranks {mine[0]} first, the offline engine {theirs[0]}"
        return None
    if intent == "list":
        return _sets_differ(_names(llm_rows, column), _names(offline_rows, column))
    if intent in _PER_NAME:
        theirs_by_name = {str(r.get(column)).lower(): _values(r) for r in offline_rows}
        for row in llm_rows:
            offline_values = theirs_by_name.get(str(row.get(column)).lower())
            # A total beside its run count may stand for the value per run the offline engine gives.
            runs = [float(v) for c, v in row.items() if "run" in c.lower() and _is_number(v) and v]
            row_scales = [*scales, *runs]
            differs = _numbers_differ(_values(row), offline_values, row_scales) if offline_values is not None else None
            if differs:
                return (
                    f"for {row.get(column)} the LLM's statement gives {differs[0]:g}, the offline engine {differs[1]:g}"
                )
    return None


def _sets_differ(mine: list[str], theirs: list[str]) -> str | None:
    extra = [n for n in mine if n not in theirs]
    missing = [n for n in theirs if n not in mine]
    if not extra and not missing:
        return None
    parts = []
    if extra:
        parts.append(f"only the LLM's statement lists {', '.join(extra[:_SHOWN])}")
    if missing:
        parts.append(f"only the offline engine lists {', '.join(missing[:_SHOWN])}")
    return "; ".join(parts)
