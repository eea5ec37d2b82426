"""The light command paths stay light: what a fresh process imports, never how long it takes.

``mrm3 --help`` must not load the driver, and ``mrm3 ask --engine offline``
must not load the LLM stack or the chat page's libraries; either regression
costs seconds on every command (``make startup`` measures the time). Each check
runs the real entry point in a process of its own and reads ``sys.modules``
when that process exits. (``-X importtime`` would not do: it misses modules
loaded through ``importlib.import_module``, which is how ``mrm3`` loads its
subcommands and langchain its parts.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.graph.connection import Graph
from ingest.ingester import ingest_paths
from ingest.sample import write_catalog
from ingest.writer import reset
from tests.conftest import REPO, cli_env_of

# The LLM path's and the chat page's libraries: seconds to import, useless to the other commands.
LLM_AND_PAGE = frozenset(
    {"langchain", "langchain_core", "langchain_openai", "langchain_neo4j", "langsmith", "openai", "streamlit", "altair"}
)
DATA_FRAMES = frozenset({"pandas", "numpy", "pyarrow"})
# Loaded only where they work: the progress bar of an ingest, the explanation of a rejected card.
ON_DEMAND = frozenset({"tqdm", "jsonschema"})
# The MCP SDK and its web stack: only `mrm3 mcp` needs them.
MCP_SDK = frozenset({"mcp", "starlette", "uvicorn", "sse_starlette", "httpx"})

# Runs `mrm3 ARGS` (as `python -m assistant` does) or a statement, then writes sys.modules at exit.
PROBE = """
import atexit, json, sys
out, target, *args = sys.argv[1:]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
if target == "mrm3":
    import runpy
    sys.argv = ["mrm3", *args]
    runpy.run_module("assistant", run_name="__main__", alter_sys=True)
else:
    exec(target)
"""


def imported(
    target: str, *args: str, out: Path, env: dict[str, str] | None = None
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a fresh process held when ``mrm3 ARGS`` (``target="mrm3"``) or a statement finished."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), target, *args],
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.exists(), f"the process wrote no module list: {done.stderr[-2000:]}"
    return set(json.loads(out.read_text())), done


def packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_the_check_sees_the_llm_stack_where_it_is_used(tmp_path: Path) -> None:
    """Control: importing the LLM chain shows up, so an empty finding below means something."""
    modules, done = imported("import assistant.engines.llm.chain", out=tmp_path / "modules.json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"langchain_core", "langchain_openai", "openai"} <= packages(modules)


@pytest.mark.parametrize(
    "args",
    [["import assistant.cli"], ["mrm3", "--help"], ["mrm3", "ask", "--help"]],
    ids=["importing the cli", "mrm3 --help", "mrm3 ask --help"],
)
def test_the_cli_and_its_help_load_no_driver_llm_or_page_library(args: list[str], tmp_path: Path) -> None:
    modules, done = imported(*args, out=tmp_path / "modules.json")

    assert done.returncode == 0, done.stderr[-2000:]
    assert "assistant.cli" in modules
    loaded = packages(modules) & (LLM_AND_PAGE | DATA_FRAMES | ON_DEMAND | MCP_SDK | {"neo4j"})
    assert not loaded, f"{' '.join(args)} imported {sorted(loaded)}"


def test_mrm3_help_still_lists_every_command(tmp_path: Path) -> None:
    """The help imports each command's module for its one-line help; all of them stay listed."""
    modules, done = imported("mrm3", "--help", out=tmp_path / "modules.json")

    assert done.returncode == 0, done.stderr[-2000:]
    assert {
        "assistant.cli.ask",
        "assistant.cli.eval",
        "assistant.cli.ui",
        "assistant.cli.bench",
        "assistant.cli.mcp",
        "assistant.cli.harvest",
    } <= modules
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {
        "ask",
        "bench",
        "chat",
        "db",
        "demo",
        "eval",
        "harvest",
        "ingest",
        "mcp",
        "query",
        "stats",
        "ui",
        "validate",
    } == listed


@pytest.fixture
def sample_graph(session_graph: Graph, tmp_path: Path) -> Graph:
    """The session's graph holding a small sample catalog, so the question links and counts real cards."""
    reset(session_graph)
    write_catalog(tmp_path / "sample", count=12)
    assert ingest_paths(session_graph, [tmp_path / "sample"]).ok
    return session_graph


def test_ask_offline_loads_no_llm_or_page_library(sample_graph: Graph, settings: Settings, tmp_path: Path) -> None:
    modules, done = imported(
        "mrm3", "ask", "--engine", "offline", "how many models", out=tmp_path / "ask.json", env=cli_env_of(settings)
    )
    driver_alone, _ = imported("import neo4j", out=tmp_path / "neo4j.json")

    assert done.returncode == 0, done.stderr[-2000:]
    # The offline engine answered: the check below ran on the whole path, not on an early failure.
    assert "Cypher (offline)" in done.stdout
    assert {"neo4j", "assistant.engines.offline.engine"} <= modules
    loaded = packages(modules) & (LLM_AND_PAGE | ON_DEMAND | {"mcp"})
    assert not loaded, f"mrm3 ask --engine offline imported {sorted(loaded)}"
    # The driver imports pandas, numpy and pyarrow itself when they are installed; nothing else may.
    assert packages(modules) & DATA_FRAMES <= packages(driver_alone)
