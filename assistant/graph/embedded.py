"""Start, stop and inspect the embedded graph server under ``MRM3_HOME``.

The server runs as a background process (see :mod:`assistant.graph.server_process`)
with a pidfile, a log file, a state file written once Bolt answers, and a
random password kept in ``MRM3_HOME/password`` (mode 0600).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import ConfigError, GraphUnavailableError
from assistant.graph import reader_account
from assistant.graph.server_process import PASSWORD_FILE, STATE_FILE, create_password_file

logger = logging.getLogger(__name__)

EMBEDDED_USER = "root"
READER_USER = reader_account.READER_USER
# The server process's module; the second is its name before 0.2, so a server an older version started is still ours.
SERVER_MODULES = ("assistant.graph.server_process", "assistant.embedded_server")
PID_FILE = "server.pid"
LOG_FILE = "server.log"
LOCK_FILE = "server.lock"
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
# ArcadeDB re-reads server-groups.json this long after it changes (measured: about 5 s).
GROUPS_RELOAD_S = 6.0


@dataclass(frozen=True)
class ServerStatus:
    """What ``mrm3 db status`` reports."""

    running: bool
    pid: int | None
    uri: str
    home: Path
    database: str
    log: Path
    startup_s: float | None = None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view (no secrets)."""
        return {
            "running": self.running,
            "pid": self.pid,
            "uri": self.uri,
            "home": str(self.home),
            "database": self.database,
            "log": str(self.log),
            "startup_s": self.startup_s,
        }


class EmbeddedServer:
    """The embedded ArcadeDB + Bolt server of one ``MRM3_HOME``."""

    def __init__(self, settings: Settings) -> None:
        self.home = settings.home
        self.port = settings.bolt_port
        self.database = settings.database or "mrm3"
        self.heap = settings.heap

    @property
    def uri(self) -> str:
        """The Bolt URI clients connect to."""
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.home / LOG_FILE

    def password(self) -> str:
        """Return the server's password, generating it (mode 0600) on first use."""
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / PASSWORD_FILE
        with contextlib.suppress(FileExistsError):
            create_password_file(path)
        return path.read_text(encoding="utf-8").strip()

    def status(self) -> ServerStatus:
        """Report whether the server runs, clearing a stale pidfile."""
        pid = self._live_pid()
        state = self._state() if pid else {}
        running = bool(pid) and state.get("pid") == pid and _port_open(self.port)
        return ServerStatus(
            running=running,
            pid=pid,
            uri=self.uri,
            home=self.home,
            database=self.database,
            log=self.log_path,
            startup_s=_float_or_none(state.get("startup_s")) if running else None,
        )

    def start(self, timeout_s: float = START_TIMEOUT_S) -> ServerStatus:
        """Start the server unless it runs; wait until Bolt answers.

        Idempotent, and safe when several processes call it at once.

        Raises:
            GraphUnavailableError: The port is taken, or the server did not come up.
        """
        self.home.mkdir(parents=True, exist_ok=True)
        with self._lock():
            current = self.status()
            if current.running:
                return current
            if current.pid:  # ours, but still starting: wait for it
                return self._wait_ready(current.pid, timeout_s)
            if _port_open(self.port):
                raise GraphUnavailableError(
                    f"Port {self.port} on 127.0.0.1 is in use by another program - set MRM3_BOLT_PORT "
                    "to a free port, or set NEO4J_URI to use the server that listens there"
                )
            self.password()
            # The server reads its groups at start-up: the read-only group must be there first.
            reader_account.add_reader_group(self.home)
            (self.home / STATE_FILE).unlink(missing_ok=True)
            pid = self._spawn()
            status = self._wait_ready(pid, timeout_s)
            if reader_account.reader_password(self.home) is None:
                self._create_reader()
            return status

    def reader_password(self) -> str:
        """The read-only account's password; the account is made on the running server when missing.

        Raises:
            GraphUnavailableError: The server does not run or refused to make the account.
        """
        with self._lock():
            password = reader_account.reader_password(self.home)
            if password is None:
                if reader_account.add_reader_group(self.home):
                    # A server started before the group existed re-reads the file within seconds.
                    self._wait_for_group_reload()
                password = self._create_reader()
            return password

    def recreate_reader(self) -> str:
        """Make the read-only account again with a new password (it was refused), and return the password."""
        with self._lock():
            reader_account.add_reader_group(self.home)
            return self._create_reader()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> bool:
        """Stop the server; return False when it was not running."""
        with self._lock():
            pid = self._live_pid()
            if not pid:
                return False
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _pid_alive(pid):
                logger.warning("embedded server did not stop in %.0f s; killing it", timeout_s)
                os.kill(pid, signal.SIGKILL)
            (self.home / PID_FILE).unlink(missing_ok=True)
            (self.home / STATE_FILE).unlink(missing_ok=True)
            return True

    def create_database(self, name: str) -> None:
        """Create database ``name`` on the running server unless it exists.

        Raises:
            GraphUnavailableError: The server does not run or refused.
        """
        if name not in self._server_command("list databases").get("result", []):
            self._server_command(f"create database {name}")

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` (never the server's main database) when it exists."""
        if name == self.database:
            raise ConfigError(f"Refusing to drop the main database {name!r}")
        if name in self._server_command("list databases").get("result", []):
            self._server_command(f"drop database {name}")

    # -- internals -------------------------------------------------------

    def _create_reader(self) -> str:
        """Create user ``mrm3_reader`` (group ``mrm3_reader``: read records, nothing else) with a new password."""
        with contextlib.suppress(GraphUnavailableError):  # absent on a first start
            self._server_command(reader_account.drop_user_command())
        password = reader_account.new_reader_password(self.home)
        self._server_command(reader_account.create_user_command(password))
        logger.info("created the embedded server's read-only user %s", READER_USER)
        return password

    def _wait_for_group_reload(self) -> None:
        """Give a running server time to re-read its groups file (ArcadeDB polls it every few seconds)."""
        logger.info("waiting for the embedded server to load group %s", reader_account.READER_GROUP)
        time.sleep(GROUPS_RELOAD_S)

    def _server_command(self, command: str) -> dict[str, Any]:
        """Send an ArcadeDB server command over its HTTP API on 127.0.0.1."""
        port = self._state().get("http_port")
        if not isinstance(port, int):
            raise GraphUnavailableError("The embedded graph server does not run - start it with 'mrm3 db start'")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/server",
            data=json.dumps({"command": command}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(f"{EMBEDDED_USER}:{self.password()}".encode()).decode(),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                data = json.loads(response.read() or b"{}")
        except (OSError, ValueError) as e:
            raise GraphUnavailableError(f"The embedded graph server refused {command.split()[0]!r}: {e}") from e
        return data if isinstance(data, dict) else {}

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.home / LOCK_FILE, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _state(self) -> dict[str, object]:
        try:
            data = json.loads((self.home / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _live_pid(self) -> int | None:
        """The pid of our server process, or None (a stale pidfile is removed)."""
        path = self.home / PID_FILE
        try:
            pid = int(path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None
        if _pid_alive(pid) and any(module in _cmdline(pid) for module in SERVER_MODULES):
            return pid
        logger.info("removing stale pidfile %s (pid %d is not the embedded server)", path, pid)
        path.unlink(missing_ok=True)
        (self.home / STATE_FILE).unlink(missing_ok=True)
        return None

    def _spawn(self) -> int:
        command = [
            sys.executable,
            "-m",
            SERVER_MODULES[0],
            "--home",
            str(self.home.resolve()),
            "--bolt-port",
            str(self.port),
            "--http-port",
            str(free_port()),
            "--database",
            self.database,
            "--heap",
            self.heap,
        ]
        with open(self.log_path, "ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives the CLI command that started it
                env=_child_env(),
            )
        (self.home / PID_FILE).write_text(str(process.pid), encoding="utf-8")
        logger.info("started embedded graph server, pid %d, log %s", process.pid, self.log_path)
        return process.pid

    def _wait_ready(self, pid: int, timeout_s: float) -> ServerStatus:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                (self.home / PID_FILE).unlink(missing_ok=True)
                raise GraphUnavailableError(
                    f"The embedded graph server exited during start-up - see {self.log_path}: {self._log_tail()}"
                )
            if self._state().get("pid") == pid and _port_open(self.port):
                return self.status()
            time.sleep(0.2)
        raise GraphUnavailableError(
            f"The embedded graph server did not answer on port {self.port} within {timeout_s:.0f} s - "
            f"see {self.log_path}, or run 'mrm3 db stop' and try again"
        )

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        errors = [line for line in lines if "ERROR" in line or "Exception" in line or "Error" in line]
        return (errors or lines or ["empty log"])[-1][:300]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child imports this package; make sure it finds it even from a source checkout.
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    for secret in ("OPENAI_API_KEY", "NEO4J_PASSWORD"):
        env.pop(secret, None)
    return env


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not alive.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        # No /proc (macOS): trust the pid.
        return SERVER_MODULES[0] if _pid_alive(pid) else ""


def _float_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
