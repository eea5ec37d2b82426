"""`mrm3 mcp` as a command: the streamable-http transport on loopback, and a graph it cannot reach."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from assistant.config import Settings
from assistant.graph.embedded import free_port
from tests.conftest import REPO, cli_env_of, run_mrm3
from tests.mcp_client import TOOLS, mcp_http_session


def _wait_for_port(port: int, process: subprocess.Popen[str], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "mrm3 mcp exited before it listened"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {timeout_s} s")


def test_streamable_http_serves_the_tools_on_loopback(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "stderr"
    with open(log, "w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "mcp", "--transport", "streamable-http", "--port", str(port)],
            env={"PATH": "/usr/bin:/bin", **cli_env_of(settings)},
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
    try:
        _wait_for_port(port, process)
        with mcp_http_session(f"http://127.0.0.1:{port}/mcp") as client:
            assert set(client.tool_names()) == TOOLS
            assert client.call("read_cypher", {"query": "RETURN 1 AS one"})["rows"] == [{"one": 1}]
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert f"Listening on http://127.0.0.1:{port}/mcp" in log.read_text(encoding="utf-8")


def test_a_graph_it_cannot_reach_is_one_line_and_no_password(settings: Settings) -> None:
    port = free_port()
    env = {**cli_env_of(settings), "NEO4J_URI": f"bolt://127.0.0.1:{port}", "NEO4J_PASSWORD": "s3cret-pa55word"}

    done = run_mrm3(["mcp"], env, timeout_s=120)

    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [f"Error: Cannot reach the graph server at bolt://127.0.0.1:{port} - {lines[0].split(' - ', 1)[1]}"]
    assert "s3cret" not in done.stderr + done.stdout
    assert done.stdout == ""  # stdout is the protocol's: nothing else may go there
