"""The embedded graph server process: ArcadeDB with its Neo4j Bolt plugin.

Started in the background by :mod:`assistant.graph.embedded` as
``python -m assistant.graph.server_process --home DIR --bolt-port N --http-port N``.
It listens on 127.0.0.1 only, creates the database on first start, writes a
state file once Bolt answers, and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
STATE_FILE = "server.json"
PASSWORD_FILE = "password"


def create_password_file(path: Path) -> str:
    """Write a new random password to ``path`` with mode 0600 and return it.

    Raises:
        FileExistsError: ``path`` exists (a password is never overwritten in place).
    """
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password)
    return password


def _wait_for_port(port: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def serve(home: Path, bolt_port: int, http_port: int, database: str, heap: str) -> int:
    """Run the server until SIGTERM or SIGINT.

    Args:
        home: The embedded server's directory (``MRM3_HOME``).
        bolt_port: Bolt listener port on 127.0.0.1.
        http_port: ArcadeDB HTTP port on 127.0.0.1 (used by nothing else).
        database: Database to create on first start.
        heap: Java heap size, e.g. ``"2g"``.

    Returns:
        The process exit code.
    """
    # ArcadeDB writes its logs to ./log relative to the working directory.
    os.chdir(home)
    os.environ.setdefault("ARCADEDB_JVM_ERROR_FILE", str(home / "log" / "hs_err_pid%p.log"))
    password = (home / PASSWORD_FILE).read_text(encoding="utf-8").strip()

    from arcadedb_embedded.jvm import start_jvm
    from arcadedb_embedded.server import create_server

    start_jvm(heap_size=heap)
    started = time.monotonic()
    server = create_server(
        str(home / "server"),
        root_password=password,
        config={
            "host": "127.0.0.1",
            "http_port": http_port,
            "server_plugins": BOLT_PLUGIN,
            "bolt_port": bolt_port,
        },
    )
    server.start()
    server.create_database(database)  # creates it only when missing
    if not _wait_for_port(bolt_port, 30):
        logger.error("Bolt listener did not open on port %d", bolt_port)
        server.stop()
        return 1
    state = {
        "pid": os.getpid(),
        "bolt_port": bolt_port,
        "http_port": http_port,
        "database": database,
        "startup_s": round(time.monotonic() - started, 3),
    }
    tmp = home / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(home / STATE_FILE)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    logger.info("stopping the embedded graph server")
    try:
        server.stop()
    finally:
        (home / STATE_FILE).unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m assistant.graph.server_process")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--bolt-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--heap", default="2g")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return serve(args.home.resolve(), args.bolt_port, args.http_port, args.database, args.heap)


if __name__ == "__main__":
    sys.exit(main())
