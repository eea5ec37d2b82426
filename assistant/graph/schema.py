"""What the graph holds: labels, their properties, and relationship patterns.

The data classes come first; they are all the Cypher guard needs, so it can
check statements without a database. Introspection of a live graph into a
``GraphSchema`` belongs below them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PropertyInfo:
    """One property of a label or relationship type, as found in the graph."""

    name: str
    types: tuple[str, ...]
    """Cypher value types seen, e.g. ``("STRING",)`` or ``("FLOAT", "INTEGER")``."""
    values: tuple[str, ...] = ()
    """Distinct values of a low-cardinality string property."""
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class RelationshipPattern:
    """A relationship type together with the labels it connects, start to end."""

    start: str
    type: str
    end: str

    def __str__(self) -> str:
        return f"({self.start})-[:{self.type}]->({self.end})"


@dataclass(frozen=True)
class GraphSchema:
    """Labels, properties and relationship patterns of one graph."""

    node_properties: Mapping[str, Mapping[str, PropertyInfo]]
    """Label -> property name -> info."""
    relationships: tuple[RelationshipPattern, ...]
    node_counts: Mapping[str, int] = field(default_factory=dict)
    relationship_properties: Mapping[str, Mapping[str, PropertyInfo]] = field(default_factory=dict)
    """Relationship type -> property name -> info."""

    @property
    def labels(self) -> frozenset[str]:
        """Every label named anywhere in the schema."""
        ends = {p.start for p in self.relationships} | {p.end for p in self.relationships}
        return frozenset(self.node_properties) | frozenset(self.node_counts) | ends

    @property
    def relationship_types(self) -> frozenset[str]:
        """Every relationship type named anywhere in the schema."""
        return frozenset(p.type for p in self.relationships) | frozenset(self.relationship_properties)

    @property
    def is_empty(self) -> bool:
        """True when the schema knows no labels and no relationships."""
        return not self.labels and not self.relationship_types

    def has_property(self, label: str, name: str) -> bool:
        """Whether nodes labelled ``label`` carry a property ``name``."""
        return name in self.node_properties.get(label, {})

    def properties_of(self, label: str) -> set[str]:
        """The property names of ``label`` (empty for an unknown label)."""
        return set(self.node_properties.get(label, {}))

    def patterns_for(self, rel_type: str) -> tuple[RelationshipPattern, ...]:
        """The patterns of relationship type ``rel_type``, e.g. ``(A)-[:T]->(B)``."""
        return tuple(p for p in self.relationships if p.type == rel_type)


def quote_name(name: str) -> str:
    """A label, relationship type, property or variable name as Cypher writes it: backticked, backticks doubled."""
    return "`" + name.replace("`", "``") + "`"
