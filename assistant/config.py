"""Settings, read once from explicit arguments, the environment and defaults.

Only entry points call ``load_dotenv()``; everything else receives a
:class:`Settings`. Precedence: explicit argument, then the environment, then
the default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from assistant.errors import ConfigError

DEFAULT_BOLT_PORT = 7687
DEFAULT_EMBEDDED_DATABASE = "mrm3"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Settings:
    """Every setting the assistant reads, in one immutable place.

    Attributes:
        neo4j_uri: External Neo4j server (``bolt://``, ``neo4j://``, ``neo4j+s://``).
            ``None`` means the embedded server under ``home``.
        neo4j_user: User for ``neo4j_uri``.
        neo4j_password: Password for ``neo4j_uri``.
        neo4j_read_user: Read-only user the question path connects with on
            ``neo4j_uri``; ``None`` asks with ``neo4j_user``.
        neo4j_read_password: Password of ``neo4j_read_user``.
        neo4j_database: Database name; ``None`` is the server's default
            (the embedded server always uses ``mrm3``).
        home: Directory of the embedded server (data, logs, pidfile, password).
        bolt_port: Port of the embedded server's Bolt listener.
        openai_api_key: Key for the OpenAI-compatible endpoint.
        openai_base_url: Base URL of an OpenAI-compatible endpoint.
        openai_model: Chat model name.
        query_timeout_s: Time limit of one question's Cypher statement.
        row_cap: Most rows a question returns.
        repair_attempts: Corrected attempts the LLM gets after a failed statement.
        llm_timeout_s: Time limit of one request to the LLM.
        llm_max_retries: Retries of a failed LLM request. One by default: the
            chain already repairs a bad statement, and a dead endpoint should
            fail in seconds, not after the client's default back-off.
        heap: Java heap of the embedded server.
        llm_plan: How the LLM fills the typed plan: ``tools`` (a tool call, the default),
            ``json_schema`` (structured output through ``response_format``) or ``off`` (raw Cypher only).
    """

    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = field(default=None, repr=False)
    neo4j_read_user: str | None = None
    neo4j_read_password: str | None = field(default=None, repr=False)
    neo4j_database: str | None = None
    home: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("mrm3-assistant")))
    bolt_port: int = DEFAULT_BOLT_PORT
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    query_timeout_s: float = 10.0
    row_cap: int = 1000
    repair_attempts: int = 1
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 1
    heap: str = "2g"
    llm_plan: str = "tools"

    @property
    def embedded(self) -> bool:
        """True when the embedded server is used instead of an external Neo4j."""
        return self.neo4j_uri is None

    @property
    def llm_configured(self) -> bool:
        """True when an OpenAI-compatible endpoint is configured."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def database(self) -> str | None:
        """The database every session uses."""
        if self.embedded:
            return self.neo4j_database or DEFAULT_EMBEDDED_DATABASE
        return self.neo4j_database

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given fields replaced (``None`` values ignored)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from the environment, with explicit overrides first.

        Args:
            environ: The environment to read; ``os.environ`` when omitted.
            **overrides: Explicit values; they win over the environment.

        Raises:
            ConfigError: A numeric setting is not a number.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if uri := env.get("NEO4J_URI", "").strip():
            values["neo4j_uri"] = uri
        user = env.get("NEO4J_USER") or env.get("NEO4J_USERNAME")
        if user:
            values["neo4j_user"] = user
        if password := env.get("NEO4J_PASSWORD"):
            values["neo4j_password"] = password
        if read_user := env.get("NEO4J_READ_USER", "").strip():
            values["neo4j_read_user"] = read_user
        if read_password := env.get("NEO4J_READ_PASSWORD"):
            values["neo4j_read_password"] = read_password
        if database := env.get("NEO4J_DATABASE", "").strip():
            values["neo4j_database"] = database
        if home := env.get("MRM3_HOME", "").strip():
            values["home"] = Path(home).expanduser()
        if key := env.get("OPENAI_API_KEY", "").strip():
            values["openai_api_key"] = key
        if base_url := env.get("OPENAI_BASE_URL", "").strip():
            values["openai_base_url"] = base_url
        if model := env.get("OPENAI_MODEL", "").strip():
            values["openai_model"] = model
        if heap := env.get("MRM3_HEAP", "").strip():
            values["heap"] = heap
        if plan := env.get("MRM3_LLM_PLAN", "").strip():
            if plan not in LLM_PLAN_METHODS:
                raise ConfigError(
                    f"MRM3_LLM_PLAN={plan!r} is not one of {', '.join(LLM_PLAN_METHODS)} - fix it in the environment "
                    "or .env"
                )
            values["llm_plan"] = plan
        for env_name, attr, kind in _NUMERIC:
            raw = env.get(env_name, "").strip()
            if raw:
                values[attr] = _number(env_name, raw, kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


LLM_PLAN_METHODS = ("tools", "json_schema", "off")

_NUMERIC: tuple[tuple[str, str, type], ...] = (
    ("MRM3_BOLT_PORT", "bolt_port", int),
    ("MRM3_QUERY_TIMEOUT", "query_timeout_s", float),
    ("MRM3_ROW_CAP", "row_cap", int),
    ("MRM3_REPAIR_ATTEMPTS", "repair_attempts", int),
    ("MRM3_LLM_TIMEOUT", "llm_timeout_s", float),
    ("MRM3_LLM_RETRIES", "llm_max_retries", int),
)


def _number(name: str, raw: str, kind: type) -> Any:
    try:
        value = kind(raw)
    except ValueError as e:
        raise ConfigError(f"{name}={raw!r} is not a {kind.__name__} - fix it in the environment or .env") from e
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative - fix it in the environment or .env")
    return value
