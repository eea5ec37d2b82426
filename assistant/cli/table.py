"""Plain-text tables for terminal output (``mrm3 ask`` and ``mrm3 query``), laid out by tabulate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

MAX_CELL = 60


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric(rows: Sequence[dict[str, Any]], column: str) -> bool:
    """Whether ``column`` holds numbers (empty cells allowed): those read best right-aligned."""
    values = [row.get(column) for row in rows]
    return any(_is_number(v) for v in values) and all(v is None or _is_number(v) for v in values)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """Render rows as an aligned text table (columns in first-row order).

    Numeric columns are right-aligned, everything else left-aligned; cells are
    shown as :func:`_cell` writes them (floats to 6 significant digits, lists and
    maps as JSON, long text cut at ``MAX_CELL``), never re-parsed by tabulate.
    """
    if not rows:
        return "(no rows)"
    # Imported here: only a command that prints rows pays for it, `mrm3 --help` does not.
    from tabulate import tabulate

    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    align = ["right" if _numeric(rows, column) else "left" for column in columns]
    # disable_numparse: a name such as "1e5" or "007" stays as written, not turned into a number.
    table = tabulate(cells, headers=columns, tablefmt="simple", colalign=align, disable_numparse=True)
    # tabulate pads the last column; trailing spaces only get in the way of a pipe or a diff.
    return "\n".join(line.rstrip() for line in table.splitlines())
