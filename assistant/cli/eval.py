"""``mrm3 eval``: execution accuracy of an engine on a question set with gold answers.

Registered on the ``mrm3`` group by name in :mod:`assistant.cli`, which imports
this module only when the command runs (or ``mrm3 --help`` lists it).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from assistant.cli.support import user_errors
from assistant.engines.router import ENGINES
from assistant.evaluation.defaults import DEFAULT_SET, SUITES

# The evaluation (pydantic models of the question set, the gold) loads when the command runs.
if TYPE_CHECKING:
    from assistant.evaluation.run import AskFn, Report

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def _overrides(values: Sequence[str]) -> dict[str, Path]:
    found = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{value!r} is not NAME=PATH", param_hint="--catalog")
        found[name] = Path(path).expanduser()
    return found


def format_report(report: Report) -> str:
    """The report as a table: accuracy per category, overall, and the median time."""
    lines = [f"Execution accuracy ({report.engine} engine, {len(report.results)} questions):"]
    lines.append(f"  {'category':<16} {'correct':>7} {'total':>6} {'accuracy':>9}")
    for name, (correct, total) in report.by_category().items():
        lines.append(f"  {name:<16} {correct:>7} {total:>6} {correct / total:>9.1%}")
    correct = sum(r.correct for r in report.results)
    lines.append(f"  {'overall':<16} {correct:>7} {len(report.results):>6} {report.accuracy:>9.1%}")
    lines.append("Outcomes per catalog:")
    lines.append(f"  {'catalog':<16} {'correct':>7} {'declined':>8} {'silently wrong':>14} {'total':>6}")
    for name, counts in report.outcomes_by(lambda r: r.question.catalog).items():
        lines.append(
            f"  {name:<16} {counts['correct']:>7} {counts['declined']:>8} {counts['silently_wrong']:>14} "
            f"{counts['total']:>6}"
        )
    lines.append(f"Median time per question: {report.median_ms:.1f} ms")
    return "\n".join(lines)


@click.command("eval")
@click.option(
    "--engine", type=click.Choice(ENGINES), default="offline", show_default=True, help="The engine to measure."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--set",
    "set_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"Question set (YAML); default: {DEFAULT_SET.name} of the repository's tests/data.",
)
@click.option(
    "--suite",
    type=click.Choice(sorted(SUITES)),
    default=None,
    help="Run a generated suite instead of a set: 'generalisation' (templates x phrasings x slot values, 4 catalogs).",
)
@click.option("--load", is_flag=True, help="Load each catalog of the set into the graph, REPLACING its content.")
@click.option("--catalog", "catalogs", multiple=True, metavar="NAME=PATH", help="Read catalog NAME's cards from PATH.")
@click.pass_context
@user_errors
def eval_command(
    ctx: click.Context,
    engine: str,
    as_json: bool,
    set_path: Path | None,
    suite: str | None,
    load: bool,
    catalogs: Sequence[str],
) -> None:
    """Measure execution accuracy on a question set whose gold answers come from the cards.

    An answer is correct when its rows hold the gold values (the winner in the
    first row for rankings, every value for lists and counts). Every question
    is correct, declined (the answer says it could not answer, or that a name is
    not in the graph) or silently wrong. Prints accuracy per category and
    overall, the outcomes per catalog, and the median time per question;
    --json adds each question's outcome. Without --load the graph must already
    hold exactly each catalog's cards.

    \b
    Example:
        mrm3 eval --load                      # the development set, offline engine
        mrm3 eval --engine auto --json --set my-questions.yaml --load
        mrm3 eval --suite generalisation --load --json
    """
    from assistant.engines.router import Assistant
    from assistant.errors import ConfigError
    from assistant.graph.connection import connect
    from assistant.graph.introspect import SchemaCache

    settings = ctx.ensure_object(dict)["settings"]
    from assistant.evaluation.run import Grader, QuestionSet, evaluate, load_question_set

    question_set: QuestionSet
    grade: Grader | None = None
    if suite:
        if set_path or catalogs:
            raise click.UsageError("--suite brings its own questions and catalogs: leave out --set and --catalog")
        from assistant.evaluation.suite import load_suite, suite_outcome

        question_set, grade = load_suite(suite), suite_outcome
        for name, why in question_set.skipped.items():
            click.echo(f"Catalog {name!r} left out: {why}", err=True)
    else:
        path = set_path or DEFAULT_SET
        if not path.exists():
            raise ConfigError(f"No question set at {path} - pass one with --set")
        question_set = load_question_set(path, _overrides(catalogs))
    with connect(settings) as graph:

        def make_asker() -> AskFn:
            assistant = Assistant(settings, graph, schema_cache=SchemaCache(graph))
            return functools.partial(assistant.ask, engine=engine)

        report = evaluate(
            question_set,
            graph,
            make_asker,
            engine=engine,
            load=load,
            progress=lambda line: click.echo(line, err=True),
            grade=grade,
        )
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(format_report(report))
    for failure in report.as_dict()["failures"]:
        click.echo(f"wrong: [{failure['category']}] {failure['question']}", err=True)
