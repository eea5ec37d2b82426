"""Facts found in result rows without a model: units, unmeasured zeros, plain summaries.

Both engines use them: in MRM3 cards a carbon or energy value of 0 (or none)
means the run was not measured, and a ranking decided by such a value must
say so and name the best measured row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.graph.connection import to_plain
from assistant.language.measurements import is_measured, is_number, unit_of, with_unit, zero_means_unmeasured

REFUSAL = re.compile(
    r"\b(i (?:do not|don't|dont) know|i'm not sure|i am not sure|no (?:information|data|results?) "
    r"(?:is |are |was )?(?:available|provided|found)|(?:cannot|can't|unable to) (?:answer|determine|find))",
    re.I,
)
MAX_SUMMARY_ROWS = 10


def refuses_to_answer(text: str) -> bool:
    """Whether an answer says it does not know (wrong whenever there are rows)."""
    return bool(REFUSAL.search(text))


def _fmt(value: Any, column: str = "") -> str:
    if is_number(value):
        return with_unit(value, unit_of(column))
    return str(to_plain(value))


def _name_column(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The column that names what each row is about (model name first)."""
    columns = [c for c in rows[0] if isinstance(rows[0][c], str)]
    for hint in ("model", "name"):
        for column in columns:
            if hint in column.lower():
                return column
    return columns[0] if columns else None


def measurement_caveats(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Say where a carbon or energy value of 0 (or none) means "not measured".

    When such a row leads the result, also name the row with the lowest
    measured value, so a ranking decided by a missing measurement is not
    mistaken for the greenest model.
    """
    if not rows:
        return []
    column = next((c for c in rows[0] if zero_means_unmeasured(c)), None)
    if column is None:
        return []
    name = _name_column(rows)

    def label(row: Mapping[str, Any]) -> str:
        return str(row.get(name)) if name else "the first row"

    unmeasured = [r for r in rows if not is_measured(column, r.get(column))]
    if not unmeasured:
        return []
    unit = unit_of(column)
    measured = [r for r in rows if r not in unmeasured]
    first = rows[0]
    if first in unmeasured:
        shown = "missing" if first.get(column) is None else f"0 {unit}".rstrip()
        facts = [
            f"{label(first)} comes first with {column} = {shown}; in MRM3 cards that means it was not "
            "measured, not that it is free."
        ]
        if measured:
            best = min(measured, key=lambda r: float(r[column]))
            facts.append(f"The best measured result is {label(best)} with {column} = {_fmt(best[column], column)}.")
        else:
            facts.append(f"None of these rows has a measured {column}.")
        return facts
    names = ", ".join(label(r) for r in unmeasured[:5]) + (" ..." if len(unmeasured) > 5 else "")
    return [f"{len(unmeasured)} of {len(rows)} rows have no measured {column} (0 or missing): {names}."]


def summarize_rows(rows: Sequence[Mapping[str, Any]], facts: Sequence[str] = ()) -> str:
    """A plain answer built from the rows alone, with units; used when the model will not answer."""
    if not rows:
        return "The graph holds no data matching this question."
    lines = [f"The graph returned {len(rows)} row{'s' if len(rows) != 1 else ''}:"]
    for n, row in enumerate(rows[:MAX_SUMMARY_ROWS], 1):
        lines.append(f"{n}. " + ", ".join(f"{column} {_fmt(value, column)}" for column, value in row.items()))
    if len(rows) > MAX_SUMMARY_ROWS:
        lines.append(f"... and {len(rows) - MAX_SUMMARY_ROWS} more.")
    lines.extend(facts)
    return "\n".join(lines)
