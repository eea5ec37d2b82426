"""What the ingester needs of a graph: the graph is passed in, so ``ingest`` never imports ``assistant``.

:class:`assistant.graph.connection.Graph` is the implementation; its
``QueryError`` subclasses :class:`StatementRejected`, which is how the ingester
tells a card the server refused (isolate it, go on) from a server that is gone
(stop).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from neo4j import ManagedTransaction

T = TypeVar("T")

DEFAULT_BATCH_SIZE = 1000
"""Cards per write transaction (500 measured the same, 2,000 and 5,000 slower: README, Performance)."""


class StatementRejected(Exception):
    """The graph server rejected or failed one statement; the server itself is still there."""


class GraphStore(Protocol):
    """A graph the ingester can read card hashes from and write batches to."""

    def read(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_s: float | None = None
    ) -> list[dict[str, Any]]:
        """Run a read statement and return its rows."""
        ...

    def write(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run ``work`` in one write transaction."""
        ...

    def run_write(self, cypher: str, params: Mapping[str, Any] | None = None) -> None:
        """Run one write statement in its own transaction."""
        ...
