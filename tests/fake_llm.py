"""A scripted OpenAI-compatible server on 127.0.0.1 for tests: no network, real client.

``POST /v1/chat/completions`` answers with the next queued reply as a proper
(non-streaming) ChatCompletion and records each request body, so a test can
assert on exactly what the model was sent. A reply is text (``enqueue``), a
tool call (``enqueue_tool_call``, for tools bound to the model or
``with_structured_output(method="function_calling")``) or JSON text
(``enqueue_json``, for ``response_format`` structured output).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAKE_MODEL = "fake-model"


class FakeLLM:
    """Replies from a queue; ``requests`` holds every request body, oldest first."""

    def __init__(self) -> None:
        self.replies: deque[tuple[int, str | dict[str, Any]]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.delay_s = 0.0  # how long each reply waits: a slow endpoint
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give as ``OPENAI_BASE_URL``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.replies.clear()
            self.requests.clear()
            self.delay_s = 0.0

    def enqueue(self, *replies: str) -> None:
        """Queue the contents of the next completions, in order."""
        with self._lock:
            self.replies.extend((200, reply) for reply in replies)

    def enqueue_tool_call(self, name: str, arguments: dict[str, Any] | str) -> None:
        """Queue a reply that calls tool ``name`` with ``arguments`` (a dict, or raw text: a malformed call)."""
        args = arguments if isinstance(arguments, str) else json.dumps(arguments)
        call = {"id": f"call_{next(self._ids)}", "type": "function", "function": {"name": name, "arguments": args}}
        with self._lock:
            self.replies.append((200, {"content": None, "tool_calls": [call]}))

    def enqueue_json(self, value: Any) -> None:
        """Queue a reply whose content is ``value`` as JSON: structured output through ``response_format``."""
        self.enqueue(json.dumps(value))

    def enqueue_error(self, status: int, message: str = "scripted failure") -> None:
        """Queue an HTTP error response (e.g. 401 for a refused key)."""
        with self._lock:
            self.replies.append((status, message))

    def prompts(self) -> list[str]:
        """The text of the last message of each request, oldest first."""
        return [str(body["messages"][-1]["content"]) for body in self.requests]

    def _next(self, body: dict[str, Any]) -> tuple[int, str | dict[str, Any]]:
        with self._lock:
            self.requests.append(body)
            if not self.replies:
                return 500, "the test queued no reply for this request"
            return self.replies.popleft()

    def _completion(self, body: dict[str, Any], content: str | dict[str, Any]) -> dict[str, Any]:
        message = (
            {"role": "assistant", **content} if isinstance(content, dict) else {"role": "assistant", "content": content}
        )
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                status, content = fake._next(body)
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                if status != 200:
                    self._send(status, {"error": {"message": str(content), "type": "scripted", "code": status}})
                    return
                self._send(200, fake._completion(body, content))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                pass

        return Handler
