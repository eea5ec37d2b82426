"""A synchronous MCP client for tests: the SDK's own ClientSession over stdio, run in a blocking portal.

The server is ``python -m assistant mcp``, a process of its own started the
way an MCP client's config starts it, with only the environment it is given.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult, TextContent
from pydantic import AnyUrl

from tests.conftest import REPO

# The tool names are a contract (issue 16).
TOOLS = frozenset({"ask", "find_models", "recommend_model", "pareto_front", "get_model", "graph_schema", "read_cypher",
                   "answer_plan", "compare_models", "what_if_region"})  # fmt: skip


class ToolFailed(AssertionError):
    """A tool call the test expected to work returned a tool error."""


class McpClient:
    """Calls the tools of one running server; every text it received is kept in ``seen`` (for the secrets test)."""

    def __init__(self, portal: BlockingPortal, session: ClientSession) -> None:
        self.portal = portal
        self.session = session
        self.seen: list[str] = []

    def tool_names(self) -> list[str]:
        return [tool.name for tool in self.tools()]

    def tools(self) -> list[Any]:
        return list(self.portal.call(self.session.list_tools).tools)

    def call_raw(self, name: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
        result: CallToolResult = self.portal.call(self.session.call_tool, name, arguments or {})
        self.seen.extend(block.text for block in result.content if isinstance(block, TextContent))
        if result.structuredContent is not None:
            self.seen.append(json.dumps(result.structuredContent))
        return result

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """The structured result of a call that must succeed."""
        result = self.call_raw(name, arguments)
        if result.isError:
            raise ToolFailed(f"{name} failed: {error_text(result)}")
        assert result.structuredContent is not None, f"{name} gave no structured content"
        return result.structuredContent

    def error(self, name: str, arguments: dict[str, Any] | None = None) -> str:
        """The error text of a call that must fail."""
        result = self.call_raw(name, arguments)
        assert result.isError, f"{name} did not fail: {result.structuredContent}"
        return error_text(result)

    def resources(self) -> list[str]:
        return [str(r.uri) for r in self.portal.call(self.session.list_resources).resources]

    def read_resource(self, uri: str) -> str:
        result = self.portal.call(self.session.read_resource, AnyUrl(uri))
        return "".join(getattr(c, "text", "") for c in result.contents)


def error_text(result: CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


@contextlib.contextmanager
def mcp_session(env: dict[str, str], errlog: IO[str] | None = None, args: tuple[str, ...] = ()) -> Iterator[McpClient]:
    """A client session with ``python -m assistant mcp ARGS`` started with ``env`` (and a PATH)."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant", "mcp", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=str(REPO),
    )
    with start_blocking_portal() as portal:
        log = errlog if errlog is not None else sys.stderr
        streams = portal.wrap_async_context_manager(stdio_client(params, errlog=log))
        with streams as (read, write):
            with portal.wrap_async_context_manager(ClientSession(read, write)) as session:
                portal.call(session.initialize)
                yield McpClient(portal, session)


@contextlib.contextmanager
def mcp_http_session(url: str) -> Iterator[McpClient]:
    """A client session with a server already listening on streamable HTTP at ``url``."""
    from mcp.client.streamable_http import streamable_http_client

    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(streamable_http_client(url)) as (read, write, _):
            with portal.wrap_async_context_manager(ClientSession(read, write)) as session:
                portal.call(session.initialize)
                yield McpClient(portal, session)
