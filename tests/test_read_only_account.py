"""Least privilege: questions connect with a read-only account, ingest with the writer.

The embedded server makes its own read-only user (``mrm3_reader``); on Neo4j
it is ``NEO4J_READ_USER``. Here the embedded server also stands in for Neo4j,
reached through ``NEO4J_URI`` with both accounts, since it speaks Bolt the same way.
"""

from __future__ import annotations

import json
import stat

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError, QueryError
from assistant.graph.connection import Graph, connect
from assistant.graph.embedded import EMBEDDED_USER, READER_USER, EmbeddedServer
from assistant.graph.reader_account import GROUPS_FILE, READER_GROUP, READER_PASSWORD_FILE
from tests.conftest import MRM3_CARDS, invoke_cli
from tests.llm_fixtures import Fingerprint

# cards_graph, graph_fingerprint
pytest_plugins = ("tests.llm_fixtures",)

# Statements that never pass the guard: here they go to the server directly, as if every other layer had failed.
WRITES = {
    "CREATE": "CREATE (:Evil {x: 1})",
    "MERGE": "MERGE (:Model {name: 'evil'})",
    "SET": "MATCH (m:Model) SET m.size = 0",
    "REMOVE": "MATCH (m:Model) REMOVE m.accuracy",
    "DETACH DELETE": "MATCH (n) DETACH DELETE n",
    "DELETE relationships": "MATCH ()-[r]->() DELETE r",
    "CREATE INDEX": "CREATE INDEX evil IF NOT EXISTS FOR (n:Model) ON (n.size)",
    "DROP CONSTRAINT": "DROP CONSTRAINT model_name IF EXISTS",
}


@pytest.mark.parametrize("statement", list(WRITES.values()), ids=list(WRITES))
def test_the_embedded_read_only_account_cannot_write(
    cards_graph: Graph, settings: Settings, graph_fingerprint: Fingerprint, statement: str
) -> None:
    before = graph_fingerprint(cards_graph)
    with connect(settings, read_only=True) as reader:
        with pytest.raises(QueryError, match="rejected the statement") as refused:
            reader.run_write(statement)
        assert "\n" not in str(refused.value)
        assert reader.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"] == 22
    assert graph_fingerprint(cards_graph) == before


def test_the_read_only_password_is_random_private_and_not_the_writers(settings: Settings) -> None:
    path = settings.home / READER_PASSWORD_FILE
    server = EmbeddedServer(settings)
    assert server.reader_password() == path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) >= 24
    assert path.read_text().strip() != server.password()
    # The server keeps a hash, never the password itself.
    assert path.read_text().strip() not in (settings.home / "server" / "config" / "server-users.jsonl").read_text()


def test_a_refused_read_only_password_is_replaced(cards_graph: Graph, settings: Settings) -> None:
    path = settings.home / READER_PASSWORD_FILE
    path.write_text("not-the-password")
    with connect(settings, read_only=True) as reader:
        assert reader.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"] == 22
    assert path.read_text().strip() != "not-the-password"


def test_a_server_started_without_the_read_only_account_gets_it(cards_graph: Graph, settings: Settings) -> None:
    """What a server started by an earlier version has: no group, no user, no password file."""
    server = EmbeddedServer(settings)
    server._server_command(f"drop user {READER_USER}")
    groups_path = settings.home / GROUPS_FILE
    groups = json.loads(groups_path.read_text())
    del groups["databases"]["*"]["groups"][READER_GROUP]
    groups_path.write_text(json.dumps(groups))
    (settings.home / READER_PASSWORD_FILE).unlink()

    with connect(settings, read_only=True) as reader:
        assert reader.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"] == 22
        with pytest.raises(QueryError):
            reader.run_write("CREATE (:Evil)")
    assert READER_GROUP in json.loads(groups_path.read_text())["databases"]["*"]["groups"]


def test_question_commands_need_only_the_read_only_account(
    cards_graph: Graph, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the writer's password wrong, asking still works and ingesting does not."""
    monkeypatch.setattr(EmbeddedServer, "password", lambda self: "not-the-writers-password")
    code, out, err = invoke_cli(cli_env, "ask", "--json", "greenest model on lumos5g")
    assert code == 0, err
    assert json.loads(out)["rows"]
    code, out, _ = invoke_cli(cli_env, "query", "--json", "MATCH (m:Model) RETURN count(m) AS n")
    assert json.loads(out) == {"rows": [{"n": 22}]}
    code, out, _ = invoke_cli(cli_env, "stats", "--json")
    assert json.loads(out)["nodes"]["Model"] == 22
    code, _, err = invoke_cli(cli_env, "chat", "--engine", "offline", stdin="greenest model on lumos5g\nexit\n")
    assert code == 0, err

    code, out, err = invoke_cli(cli_env, "ingest", "--json", str(MRM3_CARDS))
    assert code == 1
    assert "refused the credentials" in err
    assert "not-the-writers-password" not in out + err


def _as_neo4j(settings: Settings, **accounts: str) -> Settings:
    """Settings that reach the embedded server through NEO4J_URI, like an external Neo4j."""
    server = EmbeddedServer(settings)
    return Settings(
        neo4j_uri=server.uri,
        neo4j_user=EMBEDDED_USER,
        neo4j_password=server.password(),
        neo4j_database=settings.database,
        home=settings.home,
        **accounts,  # type: ignore[arg-type]
    )


def test_neo4j_read_user_is_used_for_questions_only(cards_graph: Graph, settings: Settings) -> None:
    server = EmbeddedServer(settings)
    external = _as_neo4j(settings, neo4j_read_user=READER_USER, neo4j_read_password=server.reader_password())
    with connect(external, read_only=True) as reader:
        with pytest.raises(QueryError):
            reader.run_write("CREATE (:Evil)")
    with connect(external) as writer:
        writer.run_write("CREATE (:Scratch)")
        writer.run_write("MATCH (n:Scratch) DELETE n")


def test_without_neo4j_read_user_questions_use_the_writer(cards_graph: Graph, settings: Settings) -> None:
    with connect(_as_neo4j(settings), read_only=True) as graph:
        assert graph.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"] == 22


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        ({"neo4j_read_user": READER_USER}, "NEO4J_READ_USER is set but NEO4J_READ_PASSWORD is not"),
        (
            {"neo4j_read_user": READER_USER, "neo4j_read_password": "wrong-read-secret"},
            "refused the credentials - check NEO4J_READ_USER and NEO4J_READ_PASSWORD",
        ),
    ],
)
def test_read_account_mistakes_are_one_readable_line(
    settings: Settings, accounts: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        connect(_as_neo4j(settings, **accounts), read_only=True)
    assert "wrong-read-secret" not in str(refused.value)
    assert "\n" not in str(refused.value)


def test_read_account_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"NEO4J_READ_USER": " reader ", "NEO4J_READ_PASSWORD": "s3cret-value"})
    assert (settings.neo4j_read_user, settings.neo4j_read_password) == ("reader", "s3cret-value")
    assert "s3cret-value" not in repr(settings)


def test_the_ui_asks_with_the_read_only_account_and_uploads_with_the_writer(
    cards_graph: Graph, settings: Settings
) -> None:
    from assistant.ui import session

    assistant = session.assistant_for(settings)
    assert assistant.graph is session.reader_for(settings)
    assert assistant.schema_cache is session.schema_cache_for(settings)
    with pytest.raises(QueryError, match="not allowed"):
        assistant.graph.run_write("CREATE (:Evil)")
    writer = session.graph_for(settings)
    writer.run_write("CREATE (:Scratch)")
    writer.run_write("MATCH (n:Scratch) DELETE n")
    assert assistant.ask("greenest model on lumos5g", engine="offline").answered
