"""What every ``mrm3`` command shares: settings from the context, the graph, one-line errors, JSON output."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from assistant.config import Settings
from assistant.errors import AssistantError

# The driver takes most of a second to import: only commands that reach the graph load it.
if TYPE_CHECKING:
    from assistant.graph.connection import Graph

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn :class:`AssistantError` into one readable line and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AssistantError as e:
            if os.environ.get("MRM3_RAISE_ERRORS"):
                raise
            raise click.ClickException(str(e)) from e

    return wrapper  # type: ignore[return-value]


def settings_of(ctx: click.Context) -> Settings:
    settings: Settings = ctx.ensure_object(dict)["settings"]
    return settings


def connect_graph(ctx: click.Context, *, read_only: bool = False) -> Graph:
    """Connect as the writer, or with the read-only account for commands that only ask."""
    from assistant.graph.connection import connect

    settings = settings_of(ctx)
    if settings.embedded:
        click.echo(f"Using the embedded graph server in {settings.home}", err=True)
    return connect(settings, read_only=read_only)


def echo_problems(kind: str, problems: Iterable[object]) -> None:
    """One ``kind: <problem>`` line on stderr per problem (a file, where in it, and why)."""
    for problem in problems:
        click.echo(f"{kind}: {problem}", err=True)


def echo_json(value: Any) -> None:
    from assistant.graph.connection import to_plain

    click.echo(json.dumps(to_plain(value), indent=2, ensure_ascii=False))
