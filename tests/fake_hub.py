"""A small Hugging Face Hub on 127.0.0.1 for the ``mrm3 ingest hf:ORG/NAME`` tests.

It answers the two kinds of request ``huggingface_hub`` makes: ``/api/models/REPO[/revision/REV]`` (the model's
info: commit and safetensors parameter count) and ``/REPO/resolve/REV/FILE`` (HEAD and GET, with the headers
``hf_hub_download`` reads). Unknown repositories, files and gated repositories answer with the Hub's
``X-Error-Code`` values, so the real client raises its real errors. Every request's Authorization header is kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class HubRepo:
    """One model repository: its files and what the API says of it."""

    files: dict[str, bytes]
    sha: str = "0123456789abcdef0123456789abcdef01234567"
    parameters: int | None = None
    gated: bool = False


@dataclass
class FakeHub:
    """What the server holds and what it was asked."""

    repos: dict[str, HubRepo]
    token: str | None = None
    """When set, gated repositories open to this bearer token only."""
    authorizations: list[str | None] = field(default_factory=list)
    url: str = ""


_RESOLVE = re.compile(r"^/(?P<repo>.+?)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_API = re.compile(r"^/api/models/(?P<repo>[^/]+(?:/[^/]+)?)(?:/revision/(?P<rev>.+))?$")


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:  # noqa: N802 - the http.server API
            self._answer(body=False)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(body=True)

        def _answer(self, *, body: bool) -> None:
            hub.authorizations.append(self.headers.get("Authorization"))
            path = self.path.split("?")[0]
            if match := _API.match(path):
                repo = self._repo(match["repo"])
                if repo is not None:
                    info: dict[str, Any] = {"id": match["repo"], "modelId": match["repo"], "sha": repo.sha}
                    if repo.parameters:
                        info["safetensors"] = {"parameters": {"F32": repo.parameters}, "total": repo.parameters}
                    self._send(200, json.dumps(info).encode(), body=body, content_type="application/json")
                return
            if match := _RESOLVE.match(path):
                repo = self._repo(match["repo"])
                if repo is None:
                    return
                data = repo.files.get(match["file"])
                if data is None:
                    self._send(404, b"Entry not found", body=body, error="EntryNotFound")
                    return
                headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{hashlib.sha1(data).hexdigest()}"'}
                self._send(200, data, body=body, headers=headers)
                return
            self._send(404, b"not found", body=body, error="RepoNotFound")

        def _repo(self, name: str) -> HubRepo | None:
            repo = hub.repos.get(name)
            if repo is None:
                self._send(404, b"Repository not found", body=True, error="RepoNotFound")
                return None
            if repo.gated and self.headers.get("Authorization") != f"Bearer {hub.token}":
                self._send(403, b"Access to this model is restricted", body=True, error="GatedRepo")
                return None
            return repo

        def _send(
            self,
            status: int,
            data: bytes,
            *,
            body: bool,
            content_type: str = "application/octet-stream",
            headers: dict[str, str] | None = None,
            error: str | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if error:
                self.send_header("X-Error-Code", error)
                self.send_header("X-Error-Message", data.decode())
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(data)

    return Handler


@contextmanager
def serving(hub: FakeHub) -> Iterator[FakeHub]:
    """Serve ``hub`` on a free port of 127.0.0.1; ``hub.url`` is its endpoint."""
    with served(_handler(hub)) as url:
        hub.url = url
        yield hub


@contextmanager
def served(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free port of 127.0.0.1 in a thread; yields the base URL, shuts down after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
