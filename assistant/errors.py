"""One exception tree for every error a user can cause or meet.

Entry points (the CLI, the Streamlit page) turn these into one readable line;
library code raises them with ``raise X(...) from e`` so the cause is kept.
"""

from __future__ import annotations

from ingest.store import StatementRejected


class AssistantError(Exception):
    """Base of every error the assistant reports to a user."""


class ConfigError(AssistantError):
    """A setting is missing or invalid."""


class GraphUnavailableError(AssistantError):
    """The graph server cannot be reached or started."""


class UnsafeCypherError(AssistantError):
    """The Cypher guard refused a statement."""


class CypherSchemaError(AssistantError):
    """A statement names labels, relationships or properties the graph does not have."""


class LLMUnavailableError(AssistantError):
    """The configured LLM endpoint cannot be reached or failed."""


class QueryError(AssistantError, StatementRejected):
    """The database rejected or failed a statement."""


class QueryTimeoutError(QueryError):
    """A statement ran longer than its time limit and was stopped."""


class InvalidArgumentError(AssistantError):
    """A tool was given a value it cannot use: an unknown metric, a name the graph lacks, a bad combination."""


class InvalidPlanError(InvalidArgumentError):
    """A typed plan names what the graph does not offer, or lacks a part its answer needs (the message lists both)."""
