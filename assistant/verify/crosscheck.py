"""The cross-check: the LLM's rows against the offline engine's for the same question.

Rankings compare their first model, lists their sets of models, counts and
aggregates their first number (within 1%). A disagreement is said, with both
results; neither is silently preferred.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from assistant.language.measurements import unit_of

_NAME_COLUMNS = ("model", "name")
_REL_TOL = 0.01
_SHOWN = 5
_MEASURED_UNITS = ("g CO2", "J")


def _names(rows: list[dict[str, Any]], graph_values: Mapping[str, str]) -> list[str]:
    names: list[str] = []
    for row in rows:
        column = next((c for c in _NAME_COLUMNS if isinstance(row.get(c), str)), None)
        if column is None:
            column = next((c for c, v in row.items() if isinstance(v, str) and v.lower() in graph_values), None)
        if column is not None and row[column] not in names:
            names.append(str(row[column]))
    return names


def _measured(row: dict[str, Any]) -> bool:
    """False when a carbon or energy cell of the row is 0 or empty: not measured, never a first place."""
    return all(isinstance(v, (int, float)) and v > 0 for c, v in row.items() if unit_of(c) in _MEASURED_UNITS)


def _first_number(rows: list[dict[str, Any]]) -> tuple[float, str] | None:
    """The first number of the first row, with the unit its column name gives ("" for a count)."""
    for column, value in rows[0].items() if rows else ():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value), unit_of(column)
    return None


def disagreement(
    intent: str, llm_rows: list[dict[str, Any]], offline_rows: list[dict[str, Any]], graph_values: Mapping[str, str]
) -> str | None:
    """How the two results differ, in words, or None when they agree (or cannot be compared).

    Args:
        intent: The offline engine's reading: rank, list, count, aggregate ...
        llm_rows: The rows of the LLM's statement.
        offline_rows: The rows of the offline engine's statement.
        graph_values: Every entity value of the graph, lower case -> as stored.
    """
    if intent in ("count", "aggregate"):
        mine, theirs = _first_number(llm_rows), _first_number(offline_rows)
        if mine is None or theirs is None or mine[1] != theirs[1]:  # not the same quantity: not comparable
            return None
        if math.isclose(mine[0], theirs[0], rel_tol=_REL_TOL):
            return None
        return f"the LLM's statement gives {mine[0]:g}, the offline engine's {theirs[0]:g}"
    mine_names, their_names = _names(llm_rows, graph_values), _names(offline_rows, graph_values)
    if not mine_names or not their_names:
        return None
    if intent == "rank":
        mine_names = _names([r for r in llm_rows if _measured(r)], graph_values) or mine_names
        if mine_names[0].lower() == their_names[0].lower():
            return None
        return f"the LLM's statement ranks {mine_names[0]} first, the offline engine {their_names[0]}"
    if intent == "list":
        extra = [n for n in mine_names if n not in their_names]
        missing = [n for n in their_names if n not in mine_names]
        if not extra and not missing:
            return None
        parts = []
        if extra:
            parts.append(f"only the LLM's statement lists {', '.join(extra[:_SHOWN])}")
        if missing:
            parts.append(f"only the offline engine lists {', '.join(missing[:_SHOWN])}")
        return "; ".join(parts)
    return None
