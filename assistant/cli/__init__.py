"""The ``mrm3`` command line.

Answers go to stdout, progress and status to stderr. Every error a user can
cause is one line; set ``MRM3_RAISE_ERRORS=1`` to see the traceback instead.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from dotenv import load_dotenv

from assistant.cli.lazy import LazyGroup
from assistant.cli.support import connect_graph, echo_json, echo_problems, settings_of, user_errors
from assistant.config import Settings
from assistant.errors import ConfigError

logger = logging.getLogger(__name__)


# Commands with modules of their own load when they run: `mrm3 ask` does not import the benchmark.
LAZY_SUBCOMMANDS = {
    "ask": "assistant.cli.ask:ask",
    "chat": "assistant.cli.ask:chat",
    "eval": "assistant.cli.eval:eval_command",
    "ui": "assistant.cli.ui:ui",
    "bench": "assistant.cli.bench:bench",
    "mcp": "assistant.cli.mcp:mcp_command",
    "harvest": "assistant.cli.harvest:harvest_command",
}


@click.group(cls=LazyGroup, lazy_subcommands=LAZY_SUBCOMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mrm3-assistant")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """mrm3: a knowledge-graph assistant for MRM3 machine-learning model cards.

    \b
    Quick start:
        mrm3 demo                          # sample catalog + MRM3 example cards
        mrm3 ingest my-cards/              # your own cards: files, directories, zips
        mrm3 stats
        mrm3 query "MATCH (m:Model) RETURN m.name LIMIT 5"
    """
    load_dotenv()
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.ensure_object(dict)["settings"] = Settings.from_env()


# -- db ---------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Manage the embedded graph server (used when NEO4J_URI is not set)."""


def _embedded(ctx: click.Context) -> Any:
    from assistant.graph.embedded import EmbeddedServer

    settings = settings_of(ctx)
    if not settings.embedded:
        click.echo(f"NEO4J_URI is set ({settings.neo4j_uri}); the embedded server is not used.", err=True)
    return EmbeddedServer(settings)


@db.command("start")
@click.pass_context
@user_errors
def db_start(ctx: click.Context) -> None:
    """Start the embedded server (does nothing when it already runs)."""
    server = _embedded(ctx)
    status = server.start()
    click.echo(f"Embedded graph server running at {status.uri} (pid {status.pid}, data in {status.home})")


@db.command("stop")
@click.pass_context
@user_errors
def db_stop(ctx: click.Context) -> None:
    """Stop the embedded server."""
    server = _embedded(ctx)
    click.echo("Embedded graph server stopped" if server.stop() else "Embedded graph server was not running")


@db.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_context
@user_errors
def db_status(ctx: click.Context, as_json: bool) -> None:
    """Show whether the embedded server runs, where, and its log file."""
    status = _embedded(ctx).status()
    if as_json:
        echo_json(status.as_dict())
        return
    state = f"running (pid {status.pid})" if status.running else "not running"
    click.echo(f"Embedded graph server: {state}\n  uri: {status.uri}\n  data: {status.home}\n  log: {status.log}")
    if not status.running:
        sys.exit(3)


# -- ingest -------------------------------------------------------------------


def _print_report(report: Any, verb: str) -> None:
    echo_problems("warning", report.warnings)
    echo_problems("rejected", report.rejected)
    echo_problems("incomplete", report.incomplete)
    summary = (
        f"{verb}: {report.files_read} files read, {report.cards_valid} valid cards, "
        f"{report.models_written} models written, {report.models_unchanged} unchanged, "
        f"{len(report.rejected)} rejected, {len(report.incomplete)} read in part, "
        f"{len(report.warnings)} warnings in {report.seconds:.2f} s"
    )
    click.echo(summary + report.skipped_text(), err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Reject cards with incomplete entries instead of warning.")
@click.option("--reset", is_flag=True, help="Delete everything in the graph first.")
@click.option(
    "--batch-size", default=1000, show_default=True, type=click.IntRange(1, 50_000), help="Cards per transaction."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option(
    "--model",
    "model",
    default=None,
    metavar="NAME",
    help="Attach the runs of CodeCarbon logs to model NAME (default: each row's project_name).",
)
@click.pass_context
@user_errors
def ingest(
    ctx: click.Context,
    paths: Sequence[Path],
    strict: bool,
    reset: bool,
    batch_size: int,
    as_json: bool,
    model: str | None,
) -> None:
    """Ingest model cards from files, directories (recursive), .zip archives or the Hub.

    MRM3 JSON cards, Hugging Face model cards (README.md with YAML front
    matter) and CodeCarbon emissions.csv logs, told apart by extension and
    content. hf:ORG/NAME fetches a card and its config.json from the Hugging
    Face Hub. Bad files are reported with the path and the reason; every good
    card is still ingested, and the exit code is 1 when any file was rejected
    or read in part. Re-ingesting the same cards changes nothing; a changed
    card updates its model.

    \b
    Example:
        mrm3 ingest ingest/mrm3_cards      # the MRM3 example cards, in a clone
        mrm3 ingest cards.zip more-cards/ one.json
        mrm3 ingest hf-cards/ my-model/README.md
        mrm3 ingest emissions.csv --model my-model
        mrm3 ingest hf:google-bert/bert-base-uncased   # from the Hub (HF_ENDPOINT, HF_TOKEN)
        mrm3 ingest cards/ --strict
    """
    from tqdm import tqdm

    from ingest.ingester import IngestReport, ingest_cards, read_cards
    from ingest.writer import reset as reset_graph

    report = IngestReport()
    with connect_graph(ctx) as graph:
        if reset:
            deleted = reset_graph(graph)
            click.echo(f"Reset: deleted {deleted} nodes", err=True)
        # Cards stream from the files to the graph a batch at a time: memory stays flat at 100k cards.
        cards = read_cards(paths, report, strict=strict, model=model)
        with tqdm(unit="card", desc="Ingesting", disable=None, file=sys.stderr) as bar:
            ingest_cards(graph, cards, report, batch_size=batch_size, progress=bar.update)
    if as_json:
        echo_json(report.as_dict())
    _print_report(report, "Ingest")
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat incomplete entries as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@user_errors
def validate(paths: Sequence[Path], strict: bool, as_json: bool) -> None:
    """Check model cards against the schema without touching the graph.

    \b
    Example:
        mrm3 validate ingest/mrm3_cards
    """
    from ingest.ingester import validate_paths

    report = validate_paths(paths, strict=strict)
    if as_json:
        echo_json(report.as_dict())
    _print_report(report, "Validate")
    if not report.ok:
        sys.exit(1)


# -- look at the graph -----------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help='Print {"nodes": {...}, "relationships": {...}}.')
@click.pass_context
@user_errors
def stats(ctx: click.Context, as_json: bool) -> None:
    """Count nodes per label and relationships per type."""
    from assistant.graph.stats import graph_stats

    with connect_graph(ctx, read_only=True) as graph:
        counts = graph_stats(graph)
    if as_json:
        echo_json(counts)
        return
    click.echo(f"Graph: {graph.description}")
    for kind in ("nodes", "relationships"):
        click.echo(f"{kind.capitalize()}:")
        for name, count in counts[kind].items():
            click.echo(f"  {name:<20} {count:>9}")
        if not counts[kind]:
            click.echo("  (none)")


@cli.command()
@click.argument("cypher")
@click.option("--json", "as_json", is_flag=True, help='Print {"rows": [{column: value}, ...]}.')
@click.pass_context
@user_errors
def query(ctx: click.Context, cypher: str, as_json: bool) -> None:
    """Run one read-only Cypher statement and print its rows.

    The statement passes the same guard as generated Cypher: writes are
    refused, and a LIMIT is added when there is none.

    \b
    Example:
        mrm3 query "MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset) RETURN d.name, count(m) AS models"
    """
    from assistant.cli.table import format_table
    from assistant.cypher.guard import guard
    from assistant.graph.connection import to_plain

    settings = settings_of(ctx)
    guarded = guard(cypher, row_cap=settings.row_cap)
    with connect_graph(ctx, read_only=True) as graph:
        rows = graph.read(guarded.cypher, timeout_s=settings.query_timeout_s)
    rows = [to_plain(row) for row in rows]
    for note in guarded.notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        echo_json({"rows": rows})
    else:
        click.echo(format_table(rows))
        click.echo(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", err=True)


@cli.command()
@click.option("--reset", is_flag=True, help="Delete everything in the graph first.")
@click.option(
    "--count",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="Number of sample cards (the 22 MRM3 example cards are always loaded).",
)
@click.pass_context
@user_errors
def demo(ctx: click.Context, reset: bool, count: int | None) -> None:
    """Fill the graph with the SAMPLE catalog (synthetic) and the 22 public MRM3 example cards.

    The sample cards are invented, not real measurements: their author is
    "mrm3-assistant sample data". They are written to MRM3_HOME/sample-catalog,
    so you can read them, and ingested like any other cards. The MRM3 example
    cards (by SensorLab, BSD-3-Clause) ship with mrm3-assistant and are
    ingested unchanged from where it is installed. The report says which is which.

    \b
    Example:
        mrm3 demo --reset
        mrm3 ask "greenest model on lumos5g"
    """
    from ingest.ingester import ingest_paths
    from ingest.mrm3_examples import mrm3_cards_dir
    from ingest.sample import SAMPLE_AUTHOR, write_catalog
    from ingest.writer import reset as reset_graph

    settings = settings_of(ctx)
    try:
        mrm3_dir = mrm3_cards_dir()
    except FileNotFoundError as e:
        raise ConfigError(str(e)) from e
    directory = settings.home / "sample-catalog"
    if directory.exists():
        shutil.rmtree(directory)  # a smaller --count must not leave old cards behind
    files = write_catalog(directory, count=count)
    click.echo(f"Wrote {len(files)} sample model cards (synthetic data) to {directory}", err=True)
    with connect_graph(ctx) as graph:
        if reset:
            reset_graph(graph)
        # Two ingests, not one, so each catalog gets its own report; the model names of the
        # two cannot collide (tests/test_mrm3_examples.py), so neither replaces the other's models.
        sample_report = ingest_paths(graph, [directory])
        mrm3_report = ingest_paths(graph, [mrm3_dir])
    _print_report(sample_report, "Demo, SAMPLE catalog (synthetic)")
    _print_report(mrm3_report, "Demo, MRM3 example cards (public)")
    click.echo(
        f"Demo catalog: {sample_report.cards_valid} SAMPLE cards (synthetic, author {SAMPLE_AUTHOR!r}) "
        f"and {mrm3_report.cards_valid} public MRM3 example cards (by SensorLab, from {mrm3_dir})",
        err=True,
    )
    if not (sample_report.ok and mrm3_report.ok):
        sys.exit(1)


def main(argv: list[str] | None = None) -> Any:
    """Entry point for ``python -m assistant``."""
    return cli.main(args=argv, prog_name="mrm3")
