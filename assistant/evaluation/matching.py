"""Matching an answer's rows against gold values: the cells of rows, one cell against one value, dev-set scoring.

See :mod:`assistant.evaluation.run` for what each gold mode of the development set means.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from assistant.answers.answer import Answer
from assistant.evaluation.gold import Gold

REL_TOL = 1e-6
"""Numbers match gold within this relative tolerance unless a caller asks for another."""


def cells(value: Any) -> Iterable[Any]:
    """Every scalar in a row (lists and maps, such as a hyperparameter map, flattened)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from cells(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from cells(item)
    else:
        yield value


def same(cell: Any, gold: Any, rel_tol: float = REL_TOL) -> bool:
    """Whether one cell holds one gold value (case-insensitive text, numbers within ``rel_tol`` relative)."""
    if isinstance(gold, bool) or isinstance(cell, bool):
        return cell == gold
    if isinstance(gold, int | float) and isinstance(cell, int | float):
        return math.isclose(float(cell), float(gold), rel_tol=rel_tol, abs_tol=1e-12)
    if isinstance(gold, int | float) and isinstance(cell, str):
        return False
    return str(cell).strip().lower() == str(gold).strip().lower()


def holds(rows: Iterable[Mapping[str, Any]], gold: Any, rel_tol: float = REL_TOL) -> bool:
    """Whether any cell of ``rows`` holds ``gold``."""
    return any(same(cell, gold, rel_tol) for row in rows for cell in cells(row))


def score(answer: Answer, gold: Gold) -> bool:
    """Whether ``answer`` is correct for a development-set ``gold`` (see :mod:`assistant.evaluation.run`)."""
    if gold.mode == "decline":
        return not answer.answered
    if not answer.answered:
        return False
    rows = answer.rows
    if gold.mode == "first":
        return bool(rows) and bool(gold.values) and any(holds(rows[:1], v) for v in gold.values)
    if gold.mode == "top":
        return all(holds(rows[: len(gold.values)], v) for v in gold.values)
    if gold.mode == "all":
        return bool(gold.values) and all(holds(rows, v) for v in gold.values)
    if gold.mode == "exact":
        return len(rows) == len(gold.values) and all(holds(rows, v) for v in gold.values)
    if gold.mode == "groups":
        return bool(gold.groups) and all(
            any(holds([row], group) and any(holds([row], v) for v in values) for row in rows)
            for group, values in gold.groups
        )
    raise ValueError(f"unknown gold mode {gold.mode!r}")
