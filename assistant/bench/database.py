"""A database of the bench's own, so a benchmark never touches the user's cards.

On the embedded server the bench creates database ``mrm3_bench`` and drops it
afterwards. On Neo4j it needs a database the user made for it (``CREATE
DATABASE`` is an Enterprise/Aura feature), named with ``--database``; it
refuses the database the assistant uses and any database that holds cards
other than the sample catalog's.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.graph.connection import Graph, connect
from assistant.graph.embedded import EmbeddedServer
from ingest.sample import SAMPLE_AUTHOR
from ingest.writer import reset

logger = logging.getLogger(__name__)

EMBEDDED_BENCH_DATABASE = "mrm3_bench"
FOREIGN_MODELS = "MATCH (m:Model) WHERE m.author IS NULL OR m.author <> $author RETURN m.name AS name LIMIT 1"


def bench_settings(settings: Settings, database: str | None) -> Settings:
    """The settings of the bench's database.

    Raises:
        ConfigError: On Neo4j without ``database``, or with the assistant's own database.
    """
    if settings.embedded:
        name = database or EMBEDDED_BENCH_DATABASE
        if name == settings.database:
            raise ConfigError(f"--database {name} is the assistant's own database - pick another name")
        return settings.with_overrides(neo4j_database=name)
    if not database:
        raise ConfigError(
            "On Neo4j the bench needs a database of its own so your cards stay untouched - create one "
            "(CREATE DATABASE mrm3bench) and pass --database mrm3bench"
        )
    if database == (settings.database or "neo4j"):
        raise ConfigError(f"--database {database} is the database the assistant uses - create and name another one")
    return settings.with_overrides(neo4j_database=database)


@contextlib.contextmanager
def bench_graph(settings: Settings, database: str | None = None, *, keep: bool = False) -> Iterator[Graph]:
    """An empty graph for the bench; on the embedded server it is dropped afterwards unless ``keep``.

    Raises:
        ConfigError: The database is the user's, or holds cards that are not sample cards.
        GraphUnavailableError: The server cannot be reached.
    """
    own = bench_settings(settings, database)
    server = EmbeddedServer(settings) if settings.embedded else None
    if server is not None:
        server.start()
        server.create_database(str(own.database))
    graph = connect(own)
    try:
        foreign = graph.read(FOREIGN_MODELS, {"author": SAMPLE_AUTHOR})
    except BaseException:
        graph.close()
        raise
    if foreign:
        graph.close()
        raise ConfigError(
            f"Database {own.database!r} holds model {foreign[0]['name']!r}, which is not a bench card - "
            "the bench only clears databases of its own; pass another --database"
        )
    try:
        reset(graph)
        yield graph
    finally:
        graph.close()
        if server is not None and not keep:
            server.drop_database(str(own.database))
