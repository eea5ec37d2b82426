"""The embedded server's life cycle: start, status, stop, stale pidfiles, secrets."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import GraphUnavailableError
from assistant.graph.embedded import PID_FILE, EmbeddedServer
from tests.conftest import free_port


def test_start_is_idempotent_and_status_reports_it(settings: Settings) -> None:
    server = EmbeddedServer(settings)
    first = server.status()
    again = server.start()
    assert first.running and again.running
    assert again.pid == first.pid


def test_the_password_is_random_and_private(settings: Settings) -> None:
    path = settings.home / "password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) >= 24
    other = EmbeddedServer(Settings(home=settings.home.parent / "another-home"))
    assert other.password() != path.read_text().strip()


def test_bolt_listens_on_loopback_only(settings: Settings) -> None:
    addresses = {
        info[4][0]
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        if info[4][0] != "127.0.0.1"
    }
    for address in addresses:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            assert sock.connect_ex((address, settings.bolt_port)) != 0, f"reachable on {address}"


def test_a_taken_port_gives_a_clear_message(settings: Settings, tmp_path: Path) -> None:
    other = EmbeddedServer(Settings(home=tmp_path, bolt_port=settings.bolt_port))
    with pytest.raises(GraphUnavailableError, match="in use by another program - set MRM3_BOLT_PORT"):
        other.start()


def test_stop_then_start_again_with_a_stale_pidfile(tmp_path: Path) -> None:
    server = EmbeddedServer(Settings(home=tmp_path, bolt_port=free_port(), heap="512m"))
    (tmp_path / PID_FILE).write_text(str(os.getpid()))  # alive, but not the server: stale
    assert not server.status().running
    status = server.start()
    assert status.running and status.pid != os.getpid()
    assert status.startup_s is not None
    assert server.stop()
    assert not server.status().running
    assert not server.stop(), "stopping a stopped server says so"
