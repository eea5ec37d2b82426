"""`mrm3 ui`: the Streamlit command it runs, without starting it."""

from __future__ import annotations

from click.testing import CliRunner

from assistant.cli import cli
from assistant.cli.ui import find_app, streamlit_command
from tests.conftest import REPO


def test_mrm3_ui_runs_streamlit_headless_on_localhost_from_the_repository() -> None:
    app = find_app()
    command = streamlit_command(app, port=8600, address="127.0.0.1")

    assert app == REPO / "streamlit_app.py"
    assert command[1:5] == ["-m", "streamlit", "run", str(app)]
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    # Headless always: a first non-headless run would stop `make demo` to ask for an email address.
    assert command[command.index("--server.headless") + 1] == "true"
    result = CliRunner().invoke(cli, ["ui", "--help"])
    assert result.exit_code == 0 and "--no-browser" in result.output and "--port" in result.output
