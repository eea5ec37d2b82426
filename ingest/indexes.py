"""The indexes of the values the ingest derives (ingest/derived.py), and the types of the numbers they order.

ArcadeDB keys an index made before any value exists as text (the property is not declared yet), and then serves
no range and no ORDER BY ... LIMIT from it. Worse, once the property is declared afterwards, that index is read in
text order (measured: the top 3 of 5.0, 40.0, 300.0, 1000.0, 7.5, 12.0 came back as 7.5, 5.0, 40.0). So each
indexed number is declared FLOAT before its index is made, and an index an older ingest made is dropped before
its property is declared. Neo4j's range indexes are typed already; Neo4j Community has no property type
constraints and refuses the declaration, which is then skipped. Measured: the most energy of 100,000 models,
140 ms by a scan -> 1.4 ms in index order.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from ingest.store import GraphStore, StatementRejected

logger = logging.getLogger(__name__)


class Indexed(NamedTuple):
    label: str
    prop: str
    kind: str  # the Cypher type it is declared with, or "" (a text property needs none)


_INDEXED = {
    "model_training_carbon": Indexed("Model", "trainingCarbon", "FLOAT"),
    "model_training_energy": Indexed("Model", "trainingEnergy", "FLOAT"),
    "model_best_latency": Indexed("Model", "bestLatency", "FLOAT"),
    "inference_processor": Indexed("ModelInference", "deviceProcessor", ""),
}
INDEXES = tuple(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{i.label}) ON (n.{i.prop})" for name, i in _INDEXED.items())
INDEX_NAMES = tuple(_INDEXED)
TYPED = {name: i for name, i in _INDEXED.items() if i.kind}
INDEX_ORDERED = frozenset(i.prop for i in TYPED.values())
"""Model properties whose index serves ORDER BY ... LIMIT and ranges (once declared: :func:`declare_types`)."""

# Whether the server has property type constraints at all, asked once on a property no index orders.
_PROBE = "mrm3_types_supported"
_PROBE_STATEMENT = f"CREATE CONSTRAINT {_PROBE} IF NOT EXISTS FOR (n:DerivedValues) REQUIRE n.version IS :: INTEGER"
TYPE_CONSTRAINTS = (*(f"{name}_type" for name in TYPED), _PROBE)
"""The constraints :func:`declare_types` may create."""


def declare_types(graph: GraphStore) -> None:
    """Declare each indexed number's type, before the index statements (INDEXES) make the indexes.

    For a property not declared yet: its whole numbers (an older ingest stored some) become floats, or the
    declaration is refused; then its index, if an older ingest made one, is dropped; then it is declared. A run
    stopped between two steps leaves no index read in text order: the next run takes the same steps again.
    """
    existing = _constraints(graph)
    missing = [name for name in TYPED if f"{name}_type" not in existing]  # TYPED: read here, so a test can vary it
    if not missing or not _supported(graph, existing):
        return
    for name in missing:
        label, prop, kind = TYPED[name]
        graph.run_write(f"MATCH (n:{label}) WHERE n.{prop} IS NOT NULL SET n.{prop} = toFloat(n.{prop})")
        graph.run_write(f"DROP INDEX {name} IF EXISTS")
        graph.run_write(f"CREATE CONSTRAINT {name}_type IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS :: {kind}")


def _constraints(graph: GraphStore) -> set[str]:
    try:
        return {row["name"] for row in graph.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    except StatementRejected as e:
        logger.info("constraints not listed (%s): index types not declared", e)
        return set(TYPE_CONSTRAINTS)  # as if declared: nothing to do


def _supported(graph: GraphStore, existing: set[str]) -> bool:
    if _PROBE in existing:
        return True
    try:
        graph.run_write(_PROBE_STATEMENT)
    except StatementRejected as e:
        logger.info("no property type constraints on this server (%s): its indexes need none", e)
        return False
    return True
