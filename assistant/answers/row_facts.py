"""Facts found in result rows without a model: units, unmeasured zeros, plain summaries.

Both engines use them: in MRM3 cards a carbon or energy value of 0 (or none)
means the run was not measured. Every kind of answer says so:

- a **ranking** decided by such a value names the best *measured* row, which
  follows the sort direction (the lowest for ``ASC``, the highest for ``DESC``);
- a **lookup** or **comparison** says "not measured" instead of "0 g CO2";
- an **aggregate** that counts its models and its measured models
  (``models``, ``measured_models``) says how many were left out.

A GPU energy of 0 on a run whose other energy was measured (or whose device
has no GPU) is a real zero, the GPU was not used, and is never called "not
measured".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.graph.connection import to_plain
from assistant.language.measurements import is_measured, is_number, unit_of, with_unit, zero_means_unmeasured

REFUSAL = re.compile(
    r"\b(i (?:do not|don't|dont) know|i'm not sure|i am not sure|no (?:information|data|results?) "
    r"(?:is |are |was )?(?:available|provided|found)|(?:cannot|can't|unable to) (?:answer|determine|find))",
    re.I,
)
MAX_SUMMARY_ROWS = 10
MAX_NAMES = 5
NOT_MEASURED = "not measured (0 or missing in the card)"
_GPU = re.compile(r"gpu|graphics", re.I)
# A count of all models and of the measured ones, as the aggregate examples return them.
_MEASURED_COUNT = re.compile(r"^measured_(\w+)$", re.I)


@dataclass(frozen=True)
class SortOrder:
    """How a statement ordered its rows (its first ``ORDER BY`` key).

    Attributes:
        column: The returned column the rows are sorted by, or ``None`` when the
            key is not one of the returned columns.
        descending: ``True`` for ``DESC``.
        key: The sort key as written (``t.carbonFootprint``), for a key that is no returned column.
    """

    column: str | None
    descending: bool
    key: str = ""


def refuses_to_answer(text: str) -> bool:
    """Whether an answer says it does not know (wrong whenever there are rows)."""
    return bool(REFUSAL.search(text))


def _fmt(value: Any, column: str = "") -> str:
    if zero_means_unmeasured(column) and (value is None or is_number(value)) and not is_measured(column, value):
        return NOT_MEASURED
    if is_number(value):
        return with_unit(value, unit_of(column))
    return str(to_plain(value))


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    return columns


def _name_column(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The column that names what each row is about (model name first)."""
    columns = [c for c in _columns(rows) if any(isinstance(r.get(c), str) for r in rows)]
    for hint in ("model", "name"):
        for column in columns:
            if hint in column.lower():
                return column
    return columns[0] if columns else None


def _real_gpu_zero(row: Mapping[str, Any], column: str) -> bool:
    """A GPU energy of 0 where the run was measured otherwise, or its device has no GPU: the GPU was not used."""
    if not _GPU.search(column) or row.get(column) != 0:
        return False
    for other, value in row.items():
        if other == column:
            continue
        if _GPU.search(other) and not zero_means_unmeasured(other) and value == 0:
            return True  # a GPU count of 0: a CPU-only device
        if not _GPU.search(other) and zero_means_unmeasured(other) and is_measured(other, value):
            return True  # the CPU (or total) energy of the same run was measured
    return False


def _unmeasured(row: Mapping[str, Any], column: str) -> bool:
    if column not in row:
        return False
    return not is_measured(column, row.get(column)) and not _real_gpu_zero(row, column)


def _looks_descending(rows: Sequence[Mapping[str, Any]], column: str) -> bool:
    """Without the statement's ORDER BY: rows led by a 0 sort ascending, measured values that fall sort descending."""
    if rows[0].get(column) == 0:
        return False
    values = [float(r[column]) for r in rows if is_measured(column, r.get(column))]
    return len(set(values)) > 1 and all(a >= b for a, b in zip(values, values[1:], strict=False))


def measurement_caveats(rows: Sequence[Mapping[str, Any]], *, order: SortOrder | None = None) -> list[str]:
    """Say where a carbon or energy value of 0 (or none) means "not measured".

    Args:
        rows: The result rows.
        order: How the statement sorted them (from its ``ORDER BY``), when known.
            Without it a ranking is assumed when the first row leads with an
            unmeasured zero (zeros sort first ascending) or the measured values fall.

    Returns:
        Sentences for the user and the answer model: for a ranking decided by a
        missing measurement, the best measured row in the sort direction; for a
        lookup or a comparison, which values are not measured; for an aggregate,
        how many models were left out.
    """
    if not rows:
        return []
    columns = [c for c in _columns(rows) if zero_means_unmeasured(c)]
    facts: list[str] = []
    ranked = _ranked_column(rows, columns, order)
    if ranked is not None:
        column, descending = ranked
        facts.extend(_ranking_facts(rows, column, descending))
    others = [c for c in columns if ranked is None or c != ranked[0]]
    facts.extend(_unmeasured_facts(rows, others))
    facts.extend(_aggregate_facts(rows))
    return facts


def _ranked_column(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], order: SortOrder | None
) -> tuple[str, bool] | None:
    """The carbon or energy column the rows are ranked by, and whether descending; ``None`` for no such ranking."""
    if not columns or len(rows) < 2:
        return None
    if order is not None:
        if order.column is None:
            # Sorted by an expression the rows do not show: a carbon or energy one ranks the first such column.
            return (columns[0], order.descending) if zero_means_unmeasured(order.key) else None
        if order.column in columns:
            return order.column, order.descending
        return None  # ranked by something else (accuracy, a name): a comparison for these columns
    column = columns[0]
    if _unmeasured(rows[0], column):
        return column, False
    if _looks_descending(rows, column):
        return column, True
    return None


def _label(row: Mapping[str, Any], name: str | None) -> str:
    return str(row.get(name)) if name and row.get(name) is not None else "the first row"


def _names(rows: Sequence[Mapping[str, Any]], name: str | None) -> str:
    shown = ", ".join(_label(r, name) for r in rows[:MAX_NAMES])
    return shown + (" ..." if len(rows) > MAX_NAMES else "")


def _ranking_facts(rows: Sequence[Mapping[str, Any]], column: str, descending: bool) -> list[str]:
    unmeasured = [r for r in rows if _unmeasured(r, column)]
    if not unmeasured:
        return []
    name = _name_column(rows)
    measured = [r for r in rows if r not in unmeasured]
    first = rows[0]
    unit = unit_of(column)
    if first in unmeasured:
        shown = "missing" if first.get(column) is None else f"0 {unit}".rstrip()
        facts = [
            f"{_label(first, name)} comes first with {column} = {shown}; in MRM3 cards that means it was not "
            "measured, not that it is free."
        ]
    else:
        facts = [
            f"{len(unmeasured)} of {len(rows)} rows have no measured {column} (0 or missing: not measured, "
            f"not zero) and are not ranked: {_names(unmeasured, name)}."
        ]
    if not measured:
        facts.append(f"None of these rows has a measured {column}.")
        return facts
    pick = max if descending else min
    best = pick(measured, key=lambda r: float(r[column]))
    if first in unmeasured or best is not first:
        where = " (the highest measured value: the rows are in descending order)" if descending else ""
        facts.append(
            f"The best measured result is {_label(best, name)} with {column} = {_fmt(best[column], column)}{where}."
        )
    return facts


def _unmeasured_facts(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[str]:
    """Lookups and comparisons: which values are not measured, never shown as a plain 0."""
    name = _name_column(rows)
    if len(rows) == 1:
        missing = [c for c in columns if _unmeasured(rows[0], c)]
        if not missing:
            return []
        zeros = " / ".join(dict.fromkeys(f"0 {unit_of(c)}".rstrip() for c in missing))
        return [
            f"{_label(rows[0], name)} has no measured {' or '.join(missing)}: the card gives 0 (or nothing), "
            f"which in MRM3 cards means not measured, not {zeros}."
        ]
    facts = []
    for column in columns:
        unmeasured = [r for r in rows if _unmeasured(r, column)]
        if unmeasured:
            facts.append(
                f"{len(unmeasured)} of {len(rows)} rows have no measured {column} (0 or missing: not measured, "
                f"not zero): {_names(unmeasured, name)}."
            )
    return facts


def _aggregate_facts(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Aggregates that count their models and their measured models: how many were left out."""
    columns = _columns(rows)
    pairs = [(c, m.group(1)) for c in columns if (m := _MEASURED_COUNT.match(c)) and m.group(1) in columns]
    values = [c for c in columns if zero_means_unmeasured(c)]
    facts = []
    name = next((c for c in columns if any(isinstance(r.get(c), str) for r in rows)), None)
    for measured_column, total_column in pairs:
        short = []
        for row in rows:
            measured, total = row.get(measured_column), row.get(total_column)
            if isinstance(measured, int) and isinstance(total, int) and total > measured:  # counts
                short.append(
                    f"{total - measured} of {total} {total_column}" + (f" for {row.get(name)}" if name else "")
                )
        if short:
            what = " and ".join(values) if values else "the aggregate"
            facts.append(
                f"{what} counts measured values only; left out as not measured (0 or missing): "
                f"{', '.join(short[:MAX_NAMES])}{' ...' if len(short) > MAX_NAMES else ''}."
            )
    return facts


def summarize_rows(rows: Sequence[Mapping[str, Any]], facts: Sequence[str] = ()) -> str:
    """A plain answer built from the rows alone, with units; used when the model will not answer.

    A carbon or energy of 0 reads "not measured", never "0 g CO2".
    """
    if not rows:
        return "The graph holds no data matching this question."
    lines = [f"The graph returned {len(rows)} row{'s' if len(rows) != 1 else ''}:"]
    for n, row in enumerate(rows[:MAX_SUMMARY_ROWS], 1):
        cells = [
            f"{c} {_fmt(v, c) if not _real_gpu_zero(row, c) else with_unit(v, unit_of(c))}" for c, v in row.items()
        ]
        lines.append(f"{n}. " + ", ".join(cells))
    if len(rows) > MAX_SUMMARY_ROWS:
        lines.append(f"... and {len(rows) - MAX_SUMMARY_ROWS} more.")
    lines.extend(facts)
    return "\n".join(lines)
