"""Read a :class:`GraphSchema` from the live graph, without APOC.

Portable Cypher only (``db.labels()``, label counts, sampled ``MATCH``), so it
runs on Neo4j and on the embedded server alike. Sampling bounds the cost on
large graphs: properties and outgoing relationship patterns are read from at
most ``sample`` nodes per label (0.35 s at 20,000 cards on the embedded server).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from assistant.graph.connection import Graph
from assistant.graph.schema import GraphSchema, PropertyInfo, RelationshipPattern, quote_name
from assistant.graph.stats import node_counts
from ingest.flags import FLAG_MARKER_LABEL, FLAGGED_LABELS

logger = logging.getLogger(__name__)

DEFAULT_SAMPLE = 2000
MAX_VALUES = 200  # a string property with more distinct values is not "low cardinality"
# Names a question links to: kept up to this many distinct values (Hugging Face cards name hundreds of datasets).
NAME_PROPERTIES = frozenset({
    ("Dataset", "name"), ("BaseModel", "name"), ("EvaluationResult", "dataset"), ("EvaluationResult", "datasetName"),
    ("Service", "name"),
    ("ModelArchitecture", "type"), ("ProblemType", "name"), ("Device", "processor"), ("Device", "gpuModel"),
    ("Device", "hardware"), ("ModelTraining", "location"), ("Model", "license"), ("Model", "libraryName"),
})  # fmt: skip
MAX_NAME_VALUES = 5000
MAX_VALUE_LENGTH = 200
MAX_SHOWN_VALUES = 30
# Keys and bookkeeping written by the ingester: no use in a question.
INTERNAL_PROPERTIES = frozenset({"id", "key", "cardHash", "source"})

NODE_SAMPLE = "MATCH (n:{label}) WITH n LIMIT $sample RETURN properties(n) AS p"
# Anchored on each label's first nodes: a scan for a rare relationship type
# (4 SOLUTION_FOR among a million relationships) would read them all.
PATTERN_SAMPLE = (
    "MATCH (a:{label}) WITH a LIMIT $sample MATCH (a)-[r]->(b) "
    "RETURN DISTINCT {index} AS i, type(r) AS type, labels(b) AS end"
)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "FLOAT"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list):
        return "LIST"
    name = type(value).__name__.upper()
    return "DATE" if name == "DATE" else "DATETIME" if name == "DATETIME" else name


def _property_infos(samples: list[Mapping[str, Any]], label: str = "") -> dict[str, PropertyInfo]:
    types: dict[str, set[str]] = defaultdict(set)
    strings: dict[str, set[str]] = defaultdict(set)
    numbers: dict[str, list[float]] = defaultdict(list)
    for props in samples:
        for key, value in props.items():
            kind = _type_name(value)
            types[key].add(kind)
            limit = MAX_NAME_VALUES if (label, key) in NAME_PROPERTIES else MAX_VALUES
            if kind == "STRING" and len(strings[key]) <= limit and len(value) <= MAX_VALUE_LENGTH:
                strings[key].add(value)
            elif kind == "LIST" and len(strings[key]) <= MAX_VALUES:  # a card's languages and tags: each one a value
                strings[key].update(v for v in value if isinstance(v, str) and len(v) <= MAX_VALUE_LENGTH)
            elif kind in ("INTEGER", "FLOAT"):
                numbers[key].append(value)
    infos = {}
    for key in sorted(types):
        values = strings.get(key, set())
        low_cardinality = 0 < len(values) <= (MAX_NAME_VALUES if (label, key) in NAME_PROPERTIES else MAX_VALUES)
        nums = numbers.get(key)
        infos[key] = PropertyInfo(
            name=key,
            types=tuple(sorted(types[key])),
            values=tuple(sorted(values)) if low_cardinality else (),
            minimum=min(nums) if nums else None,
            maximum=max(nums) if nums else None,
        )
    return infos


def introspect(graph: Graph, sample: int = DEFAULT_SAMPLE) -> GraphSchema:
    """Read labels, relationship patterns (with directions), properties and values.

    Args:
        graph: The live graph.
        sample: Most nodes per label / relationships per type that are read.
    """
    started = time.perf_counter()
    # Relationship counts would scan every relationship on the embedded server
    # (~0.1 s per type at 20k cards); the schema needs only the types.
    counts = node_counts(graph)
    labels = list(counts)
    node_properties: dict[str, dict[str, PropertyInfo]] = {}
    for label in labels:
        if label == FLAG_MARKER_LABEL:  # the ingest's bookkeeping: its values ("ModelTraining") name nothing asked
            node_properties[label] = {}
            continue
        rows = graph.read(NODE_SAMPLE.format(label=quote_name(label)), {"sample": sample})
        node_properties[label] = _property_infos([row["p"] for row in rows], label)
    _add_marked_flags(graph, counts, node_properties)
    patterns: set[RelationshipPattern] = set()
    if labels:
        union = "\nUNION ALL\n".join(
            PATTERN_SAMPLE.format(label=quote_name(label), index=i) for i, label in enumerate(labels)
        )
        for row in graph.read(union, {"sample": sample}):
            for end in row["end"]:
                patterns.add(RelationshipPattern(labels[int(row["i"])], row["type"], end))
    schema = GraphSchema(
        node_properties=node_properties,
        relationships=tuple(sorted(patterns, key=lambda p: (p.start, p.type, p.end))),
        node_counts=counts,
    )
    logger.debug("introspected schema in %.3f s", time.perf_counter() - started)
    return schema


def _add_marked_flags(graph: Graph, counts: Mapping[str, int], properties: dict[str, dict[str, PropertyInfo]]) -> None:
    """The ``flagged`` property (or another the ingest marks) of each label the ingest marked as holding one,
    wherever those nodes are (a sample of 2,000 nodes per label sees few of 100,000)."""
    if not counts.get(FLAG_MARKER_LABEL):
        return
    for row in graph.read(FLAGGED_LABELS):
        label, prop = str(row["label"]), str(row["property"])
        if label in properties:
            properties[label].setdefault(prop, PropertyInfo(name=prop, types=("LIST",)))


class SchemaCache:
    """The schema of one graph, read once and kept until invalidated or stale.

    Thread-safe: the Streamlit app shares one cache between sessions.
    """

    def __init__(self, graph: Graph, max_age_s: float = 300.0, sample: int = DEFAULT_SAMPLE) -> None:
        self._graph = graph
        self._max_age_s = max_age_s
        self._sample = sample
        self._lock = threading.Lock()
        self._schema: GraphSchema | None = None
        self._read_at = 0.0

    def get(self) -> GraphSchema:
        """The cached schema, read from the graph when missing or older than ``max_age_s``."""
        with self._lock:
            if self._schema is None or time.monotonic() - self._read_at > self._max_age_s:
                self._schema = introspect(self._graph, self._sample)
                self._read_at = time.monotonic()
            return self._schema

    def invalidate(self) -> None:
        """Forget the schema (call after an ingest)."""
        with self._lock:
            self._schema = None


def schema_text(schema: GraphSchema, *, with_values: bool = True) -> str:
    """The schema as compact text for prompts and for curious users.

    Lists each label with its properties (type, values or range) and each
    relationship pattern with its direction.
    """
    lines = ["Node labels and properties:"]
    for label in sorted(schema.node_properties):
        count = schema.node_counts.get(label)
        header = f"- {label}" + (f" ({count} nodes)" if count is not None else "")
        lines.append(header)
        for info in schema.node_properties[label].values():
            if info.name in INTERNAL_PROPERTIES:
                continue
            detail = "/".join(info.types)
            if with_values and 0 < len(info.values) <= MAX_SHOWN_VALUES:
                detail += "; values: " + ", ".join(repr(v) for v in info.values)
            elif info.minimum is not None and info.maximum is not None:
                detail += f"; range {info.minimum:.6g} .. {info.maximum:.6g}"
            lines.append(f"    {info.name}: {detail}")
    lines.append("Relationships (direction matters):")
    lines.extend(f"- {pattern}" for pattern in schema.relationships)
    return "\n".join(lines)
