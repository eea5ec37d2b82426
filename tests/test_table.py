"""The plain-text result table of ``mrm3 ask`` and ``mrm3 query`` (laid out by tabulate)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from assistant.cli.table import MAX_CELL, format_table
from assistant.graph.connection import Graph
from tests.conftest import invoke_cli as run


def _columns(text: str) -> list[list[str]]:
    """Each column of a rendered table as its cells (header first), cut where the rule's dashes are."""
    lines = text.splitlines()
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[1])]
    return [[line[start:end].ljust(end - start) for line in [lines[0], *lines[2:]]] for start, end in spans]


def test_a_table_has_a_header_a_rule_and_aligned_columns() -> None:
    rows = [
        {"model": "KNeighborsRegressor", "carbon_g": 0.00123456789, "runs": 3},
        {"model": "XGB", "carbon_g": 12.5, "runs": 12345},
    ]
    assert format_table(rows).splitlines() == [
        "model                  carbon_g    runs",
        "-------------------  ----------  ------",
        "KNeighborsRegressor  0.00123457       3",
        "XGB                        12.5   12345",
    ]


@pytest.mark.parametrize(
    ("rows", "column", "expected"),
    [
        ([{"a": None, "b": 1}, {"a": "x", "b": 2}], "a", ["", "x"]),
        ([{"v": 1 / 3}], "v", ["0.333333"]),
        ([{"v": [1, "two"]}, {"v": {"k": None}}], "v", ['[1, "two"]', '{"k": null}']),
        ([{"v": True}], "v", ["true"]),
        ([{"v": "line one\nline two"}], "v", ["line one line two"]),
        ([{"v": "x" * 100}], "v", ["x" * (MAX_CELL - 1) + "…"]),
        ([{"v": "1e5"}, {"v": "007"}], "v", ["1e5", "007"]),
    ],
    ids=[
        "a missing value is an empty cell",
        "floats show six significant digits",
        "lists and maps are JSON",
        "booleans are JSON",
        "newlines become spaces so a row stays one line",
        "long text is cut with an ellipsis",
        "text that looks like a number is shown as written",
    ],
)
def test_cells_are_written_as_text(rows: list[dict[str, Any]], column: str, expected: list[str]) -> None:
    header, *cells = _columns(format_table(rows))[list(rows[0]).index(column)]
    assert header.strip() == column
    assert [cell.strip() for cell in cells] == expected


@pytest.mark.parametrize(
    ("rows", "right_aligned"),
    [
        ([{"name": "a", "n": 1}, {"name": "bbbbbbbb", "n": 100}], {"n"}),
        ([{"name": "a", "n": 1}, {"name": "b", "n": None}], {"n"}),
        ([{"name": "a", "n": 1}, {"name": "b", "n": "many"}], set()),
        ([{"name": "a", "flag": True}, {"name": "b", "flag": False}], set()),
    ],
    ids=[
        "numbers align right, text left",
        "an empty cell keeps a column numeric",
        "a column mixing numbers and text aligns left",
        "booleans are not numbers",
    ],
)
def test_numeric_columns_align_right(rows: list[dict[str, Any]], right_aligned: set[str]) -> None:
    for column, cells in zip(rows[0], _columns(format_table(rows)), strict=True):
        padded = [cell for cell in cells if cell.strip() and len(cell.strip()) < len(cell)]
        assert padded, f"column {column} has no cell narrower than the column: the case proves nothing"
        if column in right_aligned:
            assert all(cell.startswith(" ") and not cell.endswith(" ") for cell in padded), cells
        else:
            assert all(cell.endswith(" ") and not cell.startswith(" ") for cell in padded), cells


def test_columns_come_in_first_seen_order_and_no_line_ends_in_spaces() -> None:
    text = format_table([{"b": "1", "a": "2"}, {"c": "3", "a": "4"}, {"d": None, "b": "5"}])
    header, rule, *body = text.splitlines()
    assert header.split() == ["b", "a", "c", "d"]
    assert set(rule) == {"-", " "} and len(body) == 3
    assert all(line == line.rstrip() for line in text.splitlines())


def test_no_rows() -> None:
    assert format_table([]) == "(no rows)"


def test_query_prints_the_table_and_json_stays_rows_only(session_graph: Graph, cli_env: dict[str, str]) -> None:
    statement = "UNWIND [1, 22] AS n RETURN 'row ' + toString(n) AS label, n * 10 AS tens ORDER BY n"
    code, out, err = run(cli_env, "query", statement)
    assert code == 0, err
    assert out.splitlines() == ["label      tens", "-------  ------", "row 1        10", "row 22      220"]
    assert "2 rows" in err
    code, out, err = run(cli_env, "query", "--json", statement)
    assert code == 0, err
    assert json.loads(out) == {"rows": [{"label": "row 1", "tens": 10}, {"label": "row 22", "tens": 220}]}
