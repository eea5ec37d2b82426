"""A click group that imports a subcommand's module only when that subcommand is used.

Click's documented ``LazyGroup`` pattern: ``mrm3 ask`` need not import the
modules of ``eval``, ``bench`` or ``ui`` (tens of milliseconds each, paid by
every question asked on the command line). ``mrm3 --help`` still imports them
all, for their one-line help.
"""

from __future__ import annotations

import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    """A group whose ``lazy_subcommands`` map a name to ``"package.module:attribute"``, imported on first use.

    Args:
        lazy_subcommands: Subcommand name -> where its :class:`click.Command` lives.
        *args: Passed to :class:`click.Group`.
        **kwargs: Passed to :class:`click.Group`.
    """

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name, the lazy ones included, sorted as click sorts them."""
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The subcommand ``cmd_name``, importing its module when it is a lazy one."""
        target = self.lazy_subcommands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is a {type(command).__name__}, not a click command")
        return command
