"""``mrm3 ui``: open the chat page (``streamlit run streamlit_app.py``)."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

import click

from assistant.cli.support import settings_of, user_errors
from assistant.errors import ConfigError

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "streamlit_app.py"
DEFAULT_PORT = 8501


def streamlit_command(app: Path, *, port: int, address: str) -> list[str]:
    """The ``streamlit run`` command line for ``app``.

    Streamlit always runs headless: a non-headless first run asks for an email
    address on the terminal, which would block ``make demo``. ``mrm3 ui``
    opens the browser itself once the page answers.

    Args:
        app: The page script.
        port: TCP port of the page.
        address: Interface to listen on (``127.0.0.1``: this machine only).
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def _open_when_up(url: str, port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                webbrowser.open(url)
                return
        time.sleep(0.3)


def find_app() -> Path:
    """``streamlit_app.py`` next to the package (a source checkout or an editable install).

    Raises:
        ConfigError: The file is not there (e.g. a wheel install without the repository).
    """
    if not APP.is_file():
        raise ConfigError(f"The chat page {APP} is missing - run 'mrm3 ui' from a checkout of mrm3-assistant")
    return APP


@click.command()
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535), help="Port of the page."
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser tab.")
@click.option(
    "--address",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; 0.0.0.0 shares the page with your network.",
)
@click.pass_context
@user_errors
def ui(ctx: click.Context, port: int, no_browser: bool, address: str) -> None:
    """Open the chat page: ask questions, see the Cypher, the rows and a chart.

    Starts the embedded graph server first when NEO4J_URI is not set. Stop the
    page with Ctrl-C (the graph server keeps running; 'mrm3 db stop' stops it).

    \b
    Example:
        mrm3 demo && mrm3 ui
        mrm3 ui --port 8600 --no-browser
    """
    settings = settings_of(ctx)
    app = find_app()
    if settings.embedded:
        from assistant.graph.embedded import EmbeddedServer

        status = EmbeddedServer(settings).start()
        click.echo(f"Embedded graph server running at {status.uri} (data in {status.home})", err=True)
    url = f"http://{'localhost' if address in ('127.0.0.1', '0.0.0.0') else address}:{port}"
    click.echo(f"Chat page: {url}  (Ctrl-C to stop)", err=True)
    # The page runs in its own process and reads the same environment (Settings.from_env).
    # Its working directory is the repository so Streamlit finds .streamlit/config.toml.
    process = subprocess.Popen(streamlit_command(app, port=port, address=address), cwd=REPO)
    if not no_browser:
        threading.Thread(target=_open_when_up, args=(url, port), daemon=True).start()
    try:
        code = process.wait()
    except KeyboardInterrupt:
        # Ctrl-C reaches Streamlit too (same process group); let it shut down cleanly.
        code = process.wait()
    if code not in (0, -2, 130):
        raise click.ClickException(f"streamlit exited with code {code}")
