"""The Cypher guard's row cap: a LIMIT is added or lowered on the final RETURN, and said so."""

from __future__ import annotations

import pytest

from assistant.cypher.guard import guard

# (id, statement, row cap, statement to run, limit_added)
LIMITS = [
    (
        "a LIMIT is added at the end",
        "MATCH (m:Model) RETURN m.name",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000",
        True,
    ),
    (
        "a LIMIT is added after ORDER BY",
        "MATCH (m:Model) RETURN m.name ORDER BY m.name DESC",
        1000,
        "MATCH (m:Model) RETURN m.name ORDER BY m.name DESC LIMIT 1000",
        True,
    ),
    (
        "a LIMIT is added after SKIP",
        "MATCH (m:Model) RETURN m.name ORDER BY m.name SKIP 20",
        1000,
        "MATCH (m:Model) RETURN m.name ORDER BY m.name SKIP 20 LIMIT 1000",
        True,
    ),
    ("a smaller LIMIT is kept", "MATCH (m:Model) RETURN m.name LIMIT 10", 1000, None, False),
    ("a LIMIT equal to the cap is kept", "MATCH (m:Model) RETURN m.name LIMIT 1000", 1000, None, False),
    (
        "a larger LIMIT is lowered",
        "MATCH (m:Model) RETURN m.name LIMIT 5000",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000",
        False,
    ),
    (
        "a larger lower-case limit after skip is lowered",
        "MATCH (m:Model) RETURN m.name skip 5 limit 99999",
        100,
        "MATCH (m:Model) RETURN m.name skip 5 limit 100",
        False,
    ),
    ("a parameter LIMIT is kept", "MATCH (m:Model) RETURN m.name LIMIT $n", 1000, None, False),
    (
        "a LIMIT inside a subquery does not count",
        "CALL { MATCH (m:Model) RETURN m LIMIT 5 } RETURN m.name",
        1000,
        "CALL { MATCH (m:Model) RETURN m LIMIT 5 } RETURN m.name LIMIT 1000",
        True,
    ),
    (
        "a LIMIT on an earlier WITH does not count",
        "MATCH (m:Model) WITH m LIMIT 5 RETURN m.name",
        1000,
        "MATCH (m:Model) WITH m LIMIT 5 RETURN m.name LIMIT 1000",
        True,
    ),
    (
        "a property called limit is not a LIMIT",
        "MATCH (m:Model) RETURN m.limit",
        1000,
        "MATCH (m:Model) RETURN m.limit LIMIT 1000",
        True,
    ),
    (
        "the LIMIT goes before a trailing comment",
        "MATCH (m:Model) RETURN m.name // names",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000 // names",
        True,
    ),
    (
        "a trailing semicolon is dropped",
        "MATCH (m:Model) RETURN m.name;",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000",
        True,
    ),
    ("the row cap is configurable", "RETURN 1", 50, "RETURN 1 LIMIT 50", True),
    (
        "a UNION gets no LIMIT",
        "MATCH (m:Model) RETURN m.name AS n UNION MATCH (d:Dataset) RETURN d.name AS n",
        1000,
        None,
        False,
    ),
    ("a standalone CALL gets no LIMIT", "CALL db.labels()", 1000, None, False),
]


@pytest.mark.parametrize(
    ("cypher", "row_cap", "expected", "limit_added"), [r[1:] for r in LIMITS], ids=[r[0] for r in LIMITS]
)
def test_row_cap(cypher: str, row_cap: int, expected: str | None, limit_added: bool) -> None:
    guarded = guard(cypher, row_cap=row_cap)
    assert guarded.cypher == (expected or cypher)
    assert guarded.limit_added is limit_added
    assert guarded.row_cap == row_cap


def test_lowering_and_skipping_the_limit_is_noted() -> None:
    assert guard("MATCH (m) RETURN m LIMIT 5000").notes == ("LIMIT 5000 lowered to the row cap 1000",)
    union = guard("RETURN 1 AS x UNION RETURN 2 AS x")
    assert any("UNION" in note for note in union.notes)


def test_a_row_cap_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        guard("RETURN 1", row_cap=0)
