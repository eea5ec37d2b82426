"""Run a generated statement safely: guard, read transaction, timeout, row cap."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.cypher.guard import guard
from assistant.graph.connection import Graph
from assistant.graph.schema import GraphSchema

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Execution:
    """A statement that passed the guard and ran."""

    cypher: str
    rows: list[dict[str, Any]]
    truncated: bool
    notes: tuple[str, ...]


def run_guarded(
    graph: Graph,
    cypher: str,
    params: Mapping[str, Any] | None = None,
    *,
    schema: GraphSchema | None = None,
    row_cap: int = 1000,
    timeout_s: float | None = 10.0,
) -> Execution:
    """Guard ``cypher``, then run it in a READ transaction with a timeout.

    The guard caps the rows at ``row_cap`` (adding or lowering the LIMIT); a
    result that fills the cap it set is reported as possibly cut.

    Raises:
        UnsafeCypherError: The guard refused the statement; nothing ran.
        CypherSchemaError: The statement names what the graph does not have.
        QueryError: The server rejected or failed the statement.
    """
    guarded = guard(cypher, schema=schema, row_cap=row_cap)
    logger.debug("cypher: %s params: %s", guarded.cypher, dict(params or {}))
    rows = graph.read(guarded.cypher, params, timeout_s=timeout_s)
    capped_by_guard = guarded.limit_added or any("lowered to the row cap" in note for note in guarded.notes)
    truncated = capped_by_guard and len(rows) >= row_cap
    notes = guarded.notes
    if truncated:
        notes += (f"showing the first {row_cap} rows; there may be more",)
    return Execution(cypher=guarded.cypher, rows=rows, truncated=truncated, notes=notes)
