"""Shared fixtures: the real embedded graph server, never a mock.

One server per test session on a free port with a temporary MRM3_HOME.
Function fixtures give a test an empty graph or one holding the 22 public MRM3
example cards that ship with the package (ingest/mrm3_cards, see
:func:`ingest.mrm3_examples.mrm3_cards_dir`), so no test needs a folder outside
the repository.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import Settings
from assistant.graph.connection import Graph, connect
from assistant.graph.embedded import EmbeddedServer, free_port
from ingest.ingester import ingest_paths
from ingest.mrm3_examples import mrm3_cards_dir
from ingest.writer import reset

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-known-failures``: tests/test_generalisation.py rewrites its known-failures file instead of failing."""
    parser.addoption(
        "--update-known-failures",
        action="store_true",
        help="rewrite tests/data/generalisation_known_failures.yaml from today's outcomes of the offline engine",
    )


MRM3_CARDS = mrm3_cards_dir()
MRM3_CARD_COUNT = 22


def run_mrm3(args: list[str], env: dict[str, str], timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``mrm3 ARGS`` in a process of its own, as a user's script would, with only ``env`` and a PATH."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def mrm3_card_files() -> list[Path]:
    """The 22 public MRM3 example cards that ship with the package; never a skip."""
    files = sorted(MRM3_CARDS.rglob("*.json"))
    # A missing or partial copy is a broken checkout, which must fail the tests rather than skip them.
    assert len(files) == MRM3_CARD_COUNT, f"{MRM3_CARDS} holds {len(files)} cards, not {MRM3_CARD_COUNT}"
    return files


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a real embedded server started for this test session."""
    home = tmp_path_factory.mktemp("mrm3-home")
    test_settings = Settings(home=home, bolt_port=free_port(), heap="1g")
    server = EmbeddedServer(test_settings)
    server.start()
    yield test_settings
    server.stop()


def cli_env_of(settings: Settings) -> dict[str, str]:
    """Environment that points the CLI at the embedded server of ``settings`` (and no LLM)."""
    return {
        "MRM3_HOME": str(settings.home),
        "MRM3_BOLT_PORT": str(settings.bolt_port),
        "MRM3_HEAP": settings.heap,
        "NEO4J_URI": "",
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
    }


def invoke_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run ``mrm3 ARGS`` in this process; return the exit code, stdout and stderr."""
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment that points the CLI at the session's embedded server (and no LLM)."""
    return cli_env_of(settings)


@pytest.fixture(scope="session")
def session_graph(settings: Settings) -> Iterator[Graph]:
    """One driver for the whole session."""
    graph = connect(settings)
    yield graph
    graph.close()


@pytest.fixture
def empty_graph(session_graph: Graph) -> Graph:
    """The session's graph, emptied."""
    reset(session_graph)
    return session_graph


@pytest.fixture
def mrm3_graph(session_graph: Graph) -> Graph:
    """The session's graph holding exactly the 22 public MRM3 cards."""
    files = mrm3_card_files()
    reset(session_graph)
    report = ingest_paths(session_graph, [MRM3_CARDS])
    assert report.ok and report.models_written == len(files)
    return session_graph
