"""The one code path to the graph: the neo4j driver over Bolt.

With ``NEO4J_URI`` set it talks to that Neo4j server (``neo4j://`` routing URIs
included); without it, to the embedded server, which is started when needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node, Path, Relationship

from assistant.config import Settings
from assistant.errors import ConfigError, GraphUnavailableError, QueryError, QueryTimeoutError
from assistant.graph.embedded import EMBEDDED_USER, READER_USER, EmbeddedServer

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What to check when Neo4j refuses the writer's credentials.
_WRITER_HINT = "check NEO4J_USER and NEO4J_PASSWORD"
# How long after its time limit the client cuts a statement the server did not stop.
DEADLINE_GRACE_S = 1.0


class Graph:
    """A driver bound to one database, with read and write helpers.

    Attributes:
        driver: The neo4j driver.
        database: Database name every session uses (``None``: server default).
        description: Where the graph lives, safe to show (never a password).
        embedded: True for the embedded server.
        credentials_hint: What to check when the server refuses the credentials.
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None,
        description: str,
        embedded: bool,
        *,
        credentials_hint: str = _WRITER_HINT,
    ) -> None:
        self.driver = driver
        self.database = database
        self.description = description
        self.embedded = embedded
        self.credentials_hint = credentials_hint

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the driver."""
        self.driver.close()

    def read(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_s: float | None = None
    ) -> list[dict[str, Any]]:
        """Run a read statement in a READ transaction and return its rows.

        Raises:
            GraphUnavailableError: The server cannot be reached.
            QueryError: The server rejected or failed the statement.
        """

        if timeout_s is None:

            def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
                return [record.data() for record in tx.run(cypher, dict(params or {}))]

            return self._session(work, neo4j.READ_ACCESS)
        return self._read_with_deadline(cypher, dict(params or {}), timeout_s)

    def _read_with_deadline(self, cypher: str, params: dict[str, Any], timeout_s: float) -> list[dict[str, Any]]:
        """One read in an explicit transaction, stopped by the client when it outlives ``timeout_s``.

        The timeout travels with the transaction and Neo4j enforces it; the
        embedded server ignores it, so a watchdog also cuts the connection
        after ``timeout_s`` plus a grace period. No retry: a statement that
        timed out would time out again.

        Raises:
            QueryTimeoutError: The statement ran out of time.
        """
        fired = threading.Event()
        with (
            self.errors_translated(timeout_s=timeout_s, fired=fired),
            self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session,
        ):

            def cut() -> None:
                fired.set()
                _kill_connection(session)

            watchdog = threading.Timer(timeout_s + DEADLINE_GRACE_S, cut)
            watchdog.daemon = True
            watchdog.start()
            try:
                with session.begin_transaction(timeout=timeout_s) as tx:
                    rows = [record.data() for record in tx.run(cypher, params)]
                    tx.commit()
                return rows
            finally:
                watchdog.cancel()

    @contextlib.contextmanager
    def errors_translated(
        self, *, timeout_s: float | None = None, fired: threading.Event | None = None
    ) -> Iterator[None]:
        """Turn the driver's errors inside the block into the assistant's one-line errors.

        Args:
            timeout_s: The block's time limit, when it has one.
            fired: Set when a watchdog cut the connection: the error is then a timeout.

        Raises:
            ConfigError: The server refused the credentials.
            QueryTimeoutError: The block ran out of time.
            GraphUnavailableError: The server cannot be reached.
            QueryError: The server rejected or failed a statement.
        """

        def was_cut() -> bool:
            return fired is not None and fired.is_set()

        try:
            yield
        except neo4j_errors.AuthError as e:
            raise ConfigError(
                f"The graph server at {self.description} refused the credentials - {self.credentials_hint}"
            ) from e
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as e:
            if was_cut():
                raise QueryTimeoutError(_timeout_message(timeout_s or 0)) from e
            raise GraphUnavailableError(
                f"Cannot reach the graph server at {self.description} - run 'mrm3 db start' or set NEO4J_URI"
            ) from e
        except neo4j_errors.Neo4jError as e:
            if timeout_s is not None and (was_cut() or _is_timeout(e)):
                raise QueryTimeoutError(_timeout_message(timeout_s)) from e
            raise QueryError(_server_message(e)) from e
        except neo4j_errors.DriverError as e:
            if was_cut():
                raise QueryTimeoutError(_timeout_message(timeout_s or 0)) from e
            raise QueryError(f"The graph driver failed: {e}") from e

    def write(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run ``work`` in one WRITE transaction (retried on transient errors)."""
        return self._session(work, neo4j.WRITE_ACCESS)

    def run_write(self, cypher: str, params: Mapping[str, Any] | None = None) -> None:
        """Run one write statement in its own transaction."""
        self.write(lambda tx: tx.run(cypher, dict(params or {})).consume())

    def _session(self, work: Callable[[ManagedTransaction], T], mode: str) -> T:
        with (
            self.errors_translated(),
            self.driver.session(database=self.database, default_access_mode=mode) as session,
        ):
            if mode == neo4j.READ_ACCESS:
                return session.execute_read(work)
            return session.execute_write(work)


def _timeout_message(timeout_s: float) -> str:
    return (
        f"The query ran longer than {timeout_s:g} s and was stopped - ask something narrower "
        "(a dataset, a device, a top 5), or raise MRM3_QUERY_TIMEOUT"
    )


def _is_timeout(error: neo4j_errors.Neo4jError) -> bool:
    """Whether Neo4j stopped the statement at its transaction timeout."""
    return "timed out" in (error.message or "").lower() or "Timeout" in (error.code or "")


def _kill_connection(session: neo4j.Session) -> None:
    """Cut the socket under ``session`` so a read blocked on it returns now (private driver parts, best effort)."""
    connection = getattr(session, "_connection", None)
    raw = getattr(getattr(connection, "socket", None), "_socket", None)
    try:
        if raw is not None:
            raw.shutdown(socket.SHUT_RDWR)
        if connection is not None:
            connection.kill()
    except (AttributeError, OSError) as e:
        logger.debug("could not cut the connection: %s", e)


def _server_message(error: neo4j_errors.Neo4jError) -> str:
    message = (error.message or str(error)).strip().splitlines()[0] if (error.message or str(error)) else ""
    return f"The graph server rejected the statement: {message}"


def connect(settings: Settings, *, start: bool = True, read_only: bool = False) -> Graph:
    """Connect to the configured graph server.

    Args:
        settings: Where the graph lives.
        start: Start the embedded server when it is not running.
        read_only: Connect with the read-only account: the embedded server's
            own, or ``NEO4J_READ_USER`` on Neo4j when set (else the writer).

    Raises:
        GraphUnavailableError: The server cannot be reached (or started).
        ConfigError: Credentials are missing or wrong.
    """
    if settings.embedded:
        server = EmbeddedServer(settings)
        if start:
            server.start()
        description = f"{server.uri} (embedded, {settings.home})"
        if not read_only:
            return _open(server.uri, (EMBEDDED_USER, server.password()), settings, description, _EMBEDDED_HINT)
        try:
            return _open(server.uri, (READER_USER, server.reader_password()), settings, description, _EMBEDDED_HINT)
        except ConfigError:
            # The account was lost (server data replaced): make it again, once.
            logger.warning("the embedded server refused its read-only user; creating it again")
            return _open(server.uri, (READER_USER, server.recreate_reader()), settings, description, _EMBEDDED_HINT)
    assert settings.neo4j_uri is not None
    if read_only and settings.neo4j_read_user:
        if not settings.neo4j_read_password:
            raise ConfigError(
                "NEO4J_READ_USER is set but NEO4J_READ_PASSWORD is not - add it to .env, "
                "or unset NEO4J_READ_USER to ask with NEO4J_USER"
            )
        auth = (settings.neo4j_read_user, settings.neo4j_read_password)
        hint = "check NEO4J_READ_USER and NEO4J_READ_PASSWORD"
    else:
        if not settings.neo4j_password:
            raise ConfigError(f"NEO4J_URI is {settings.neo4j_uri} but NEO4J_PASSWORD is not set - add it to .env")
        auth = (settings.neo4j_user, settings.neo4j_password)
        hint = _WRITER_HINT
    return _open(settings.neo4j_uri, auth, settings, settings.neo4j_uri, hint)


_EMBEDDED_HINT = "run 'mrm3 db stop' and 'mrm3 db start', or check that MRM3_HOME is the server's directory"


def _open(uri: str, auth: tuple[str, str], settings: Settings, description: str, credentials_hint: str) -> Graph:
    try:
        driver = GraphDatabase.driver(uri, auth=auth, connection_timeout=10.0, notifications_min_severity="OFF")
        driver.verify_connectivity()
    except neo4j_errors.AuthError as e:
        raise ConfigError(f"The graph server at {description} refused the credentials - {credentials_hint}") from e
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.DriverError, OSError, ValueError) as e:
        hint = "run 'mrm3 db start'" if settings.embedded else "check that the server runs and NEO4J_URI is right"
        raise GraphUnavailableError(f"Cannot reach the graph server at {description} - {hint}") from e
    return Graph(driver, settings.database, description, settings.embedded, credentials_hint=credentials_hint)


def to_plain(value: Any) -> Any:
    """Turn driver values into JSON-ready ones (dates as ISO strings, nodes as maps)."""
    if isinstance(value, Node):
        return {key: to_plain(v) for key, v in value.items()}
    if isinstance(value, Relationship):
        return {"type": value.type, **{key: to_plain(v) for key, v in value.items()}}
    if isinstance(value, Path):
        return [to_plain(node) for node in value.nodes]
    if isinstance(value, Mapping):
        return {str(key): to_plain(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "inf", "-inf", "nan": a value that was published, not a missing one (JSON has none)
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value
