"""``mrm3 mcp``: the MCP server for agents (Claude Desktop, IDE assistants, agent frameworks).

Registered on the ``mrm3`` group by name in :mod:`assistant.cli`; the MCP SDK
is imported only when the command runs, so ``mrm3 --help`` stays fast.
"""

from __future__ import annotations

import logging

import click

from assistant.cli.support import settings_of, user_errors

logger = logging.getLogger(__name__)

TRANSPORTS = ("stdio", "streamable-http")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("mcp")
@click.option(
    "--transport", type=click.Choice(TRANSPORTS), default="stdio", show_default=True, help="How clients connect."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address of streamable-http (loopback unless you say)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port of streamable-http.")
@click.pass_context
@user_errors
def mcp_command(ctx: click.Context, transport: str, host: str, port: int) -> None:
    """Serve the catalog to agents over the Model Context Protocol (read-only tools).

    Tools: ask, find_models, recommend_model, pareto_front, get_model,
    graph_schema, read_cypher. Every statement passes the Cypher guard and runs
    with the read-only account, the row cap and the time limit of 'mrm3 query'.
    The embedded graph server starts when needed. With stdio (the default) the
    client starts this command itself; stdout carries the protocol, messages go
    to stderr.

    \b
    Example:
        mrm3 mcp                                        # for a client's config
        mrm3 mcp --transport streamable-http --port 8765 # http://127.0.0.1:8765/mcp
    """
    from assistant.mcp_server.catalog import Catalog
    from assistant.mcp_server.server import build_server

    settings = settings_of(ctx)
    catalog = Catalog(settings)
    graph = catalog.open()  # connect now: a wrong setting is one line here, not a failed first tool call
    click.echo(f"mrm3 MCP server ({transport}) on the graph at {graph.description}", err=True)
    server = build_server(settings, catalog=catalog, host=host, port=port)
    if transport == "streamable-http":
        click.echo(f"Listening on http://{host}:{port}{server.settings.streamable_http_path}", err=True)
        if host not in LOOPBACK:
            click.echo(f"Warning: {host} is not loopback and the server has no authentication", err=True)
    try:
        server.run(transport=transport)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        pass
    finally:
        catalog.close()
