"""``mrm3 ask`` and ``mrm3 chat``: questions in plain language.

Registered on the ``mrm3`` group by name in :mod:`assistant.cli`, which imports
this module only when one of the two commands runs (or ``mrm3 --help`` lists them).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from assistant.answers.answer import Answer
from assistant.cli.support import connect_graph, echo_json, settings_of, user_errors
from assistant.cli.table import format_table
from assistant.engines.conversation import Conversation
from assistant.engines.router import ENGINES, Assistant
from assistant.errors import AssistantError

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_WORDS = frozenset({"exit", "quit", ":q"})
ENGINE_OPTION = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="llm: an LLM writes the Cypher; offline: no LLM; auto: the LLM when one is configured.",
)


def _show(answer: Answer) -> None:
    """What the engine understood, the answer, its caveats, the Cypher that ran and the rows, on stdout."""
    if answer.interpretation:
        # Offline: "understood as: ..."; LLM: "asked the graph: ..." and its Cypher. Both engines, as given.
        click.echo(answer.interpretation.strip())
        click.echo("")
    click.echo(answer.text)
    for caveat in answer.caveats:
        if caveat not in answer.text:  # a summary of the rows may already say it
            click.echo(f"note: {caveat}")
    if answer.standalone_question and answer.standalone_question not in answer.interpretation:
        click.echo(f"(standalone question: {answer.standalone_question})")
    if answer.cypher:
        click.echo(f"\nCypher ({answer.engine}):\n{answer.cypher.strip()}")
    if answer.rows:
        click.echo("")
        click.echo(format_table(answer.rows))
        click.echo(f"{len(answer.rows)} row{'s' if len(answer.rows) != 1 else ''}", err=True)


@click.command()
@click.argument("question")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"question", "engine", "cypher", "rows", "answer", "interpretation", "answered"}.',
)
@ENGINE_OPTION
@click.pass_context
@user_errors
def ask(ctx: click.Context, question: str, as_json: bool, engine: str) -> None:
    """Ask one question about the model cards in plain language.

    The answer explains the rows with units and shows the Cypher that ran.
    Generated Cypher passes the read-only guard before it runs.

    \b
    Example:
        mrm3 ask "Which model has the lowest training carbon footprint on lumos5g?"
        mrm3 ask --json --engine llm "most accurate umu model under 1 g CO2"
    """

    with connect_graph(ctx, read_only=True) as graph:
        answer = Assistant(settings_of(ctx), graph).ask(question, engine=engine)
    if as_json:
        echo_json(answer.as_json())
    else:
        _show(answer)


@click.command()
@ENGINE_OPTION
@click.pass_context
@user_errors
def chat(ctx: click.Context, engine: str) -> None:
    """Ask questions one after another; follow-ups use the conversation so far.

    Type 'exit' or 'quit' (or press Ctrl-D) to leave, 'reset' to forget the history.

    \b
    Example:
        mrm3 chat
        > Which model has the lowest training carbon footprint on lumos5g?
        > and on umu?
    """

    conversation = Conversation()
    with connect_graph(ctx, read_only=True) as graph:
        assistant = Assistant(settings_of(ctx), graph)
        click.echo("Ask about the model cards; 'exit' or Ctrl-D to leave, 'reset' to start over.", err=True)
        while True:
            try:
                line = click.prompt("", prompt_suffix="> ", default="", show_default=False, err=True)
            except (click.Abort, EOFError):
                click.echo("", err=True)
                break
            question = line.strip()
            if question.lower() in EXIT_WORDS:
                break
            if question.lower() == "reset":
                conversation.clear()
                click.echo("History cleared.", err=True)
                continue
            if not question:
                continue
            try:
                _show(assistant.ask(question, engine=engine, conversation=conversation))
            except AssistantError as e:
                if os.environ.get("MRM3_RAISE_ERRORS"):
                    raise
                # One bad question must not end the chat.
                click.echo(f"Error: {e}", err=True)
            click.echo("")
