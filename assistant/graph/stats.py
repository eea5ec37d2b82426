"""Node and relationship counts of the graph (``mrm3 stats``)."""

from __future__ import annotations

from typing import Any

from assistant.graph.connection import Graph
from assistant.graph.schema import quote_name

LABELS = "CALL db.labels() YIELD label RETURN label"
RELATIONSHIP_TYPES = "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType"


def node_counts(graph: Graph) -> dict[str, int]:
    """Nodes per label (two round trips; label counts are cheap on both servers), without zero counts."""
    labels = sorted(row["label"] for row in graph.read(LABELS))
    nodes = _counts(
        graph, [f"MATCH (n:{quote_name(label)}) RETURN {i} AS i, count(n) AS c" for i, label in enumerate(labels)]
    )
    return {label: nodes[i] for i, label in enumerate(labels) if nodes.get(i)}


def relationship_types(graph: Graph) -> list[str]:
    """The relationship types the database knows (some may have no relationships left)."""
    return sorted(row["relationshipType"] for row in graph.read(RELATIONSHIP_TYPES))


def graph_stats(graph: Graph) -> dict[str, dict[str, int]]:
    """Count nodes per label and relationships per type.

    Three round trips whatever the size of the schema: the names, then one
    ``UNION ALL`` statement per kind that counts each by its label or type.

    Returns:
        ``{"nodes": {"Model": 22, ...}, "relationships": {"TRAINED_ON": 22, ...}}``,
        sorted by name, without zero counts.
    """
    types = relationship_types(graph)
    rels = _counts(
        graph, [f"MATCH ()-[r:{quote_name(rel)}]->() RETURN {i} AS i, count(r) AS c" for i, rel in enumerate(types)]
    )
    return {
        "nodes": node_counts(graph),
        "relationships": {rel: rels[i] for i, rel in enumerate(types) if rels.get(i)},
    }


def _counts(graph: Graph, parts: list[str]) -> dict[int, Any]:
    if not parts:
        return {}
    return {int(row["i"]): int(row["c"]) for row in graph.read("\nUNION ALL\n".join(parts))}
