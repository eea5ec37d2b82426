"""``mrm3 bench``: the benchmark on the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from assistant.bench.defaults import DEFAULT_BASELINE_CARDS, DEFAULT_REPEATS, DEFAULT_SEED, GUARD_REPEATS
from assistant.cli.support import echo_json, settings_of, user_errors
from ingest.store import DEFAULT_BATCH_SIZE

# The benchmark loads the driver and the offline engine: only `mrm3 bench` itself imports it.
if TYPE_CHECKING:
    from assistant.bench.run import BenchReport


def format_report(report: BenchReport) -> str:
    """The figures as aligned lines."""
    memory = f"{report.peak_rss_mb:,.0f} MB (bench process)"
    if report.server_peak_rss_mb is not None:
        memory += f", {report.server_peak_rss_mb:,.0f} MB (embedded server)"
    lines = [
        f"Server:            {report.server}",
        f"Cards:             {report.cards:,} ({report.inference_runs:,} inference runs; "
        f"{report.nodes:,} nodes, {report.relationships:,} relationships)",
        f"Ingest:            {report.ingest_cards_per_s:,.0f} cards/s ({report.ingest_s:.1f} s, "
        f"batches of {report.batch_size}; after {report.warmup_cards:,} warm-up cards)",
        f"Reference loop:    {report.baseline_cards_per_s:,.1f} cards/s ({report.baseline_cards} cards, "
        f"{report.baseline_statements:,} statements, one round trip each, the reference's indexes)",
        f"Speed-up:          {report.speedup:,.1f}x",
        f"  same loop with this project's indexes: {report.baseline_indexed_cards_per_s:,.1f} cards/s "
        f"({report.speedup_vs_indexed:,.1f}x)",
        f"Questions:         p50 {report.ask_p50_ms:.1f} ms, p95 {report.ask_p95_ms:.1f} ms, "
        f"max {report.ask_max_ms:.1f} ms ({report.questions_answered}/{report.questions} answered)",
        f"Cypher guard:      p50 {report.guard_p50_ms:.2f} ms, max {report.guard_max_ms:.2f} ms per statement "
        f"({report.guard_statements} statements x {GUARD_REPEATS})",
        f"Schema read:       {report.schema_s:.2f} s (once, then cached)",
        f"Peak memory:       {memory}",
    ]
    lines.extend(
        f"  {kind + ':':<16} p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms"
        for kind, figures in report.kinds.items()
    )
    if report.growth:
        lines.extend(_growth_lines(report))
    if report.server_startup_s is not None:
        lines.append(f"Server start-up:   {report.server_startup_s:.1f} s")
    lines.extend(f"Not answered:      {q}" for q in report.unanswered)
    return "\n".join(lines)


def _growth_lines(report: BenchReport) -> list[str]:
    growth = report.growth or {}
    lines = [
        f"Grown to:          {growth['cards']:,} cards",
        f"  ingest:          {growth['ingest_cards_per_s']:,.0f} cards/s ({growth['ingest_rate_ratio']}x the first)",
        f"  questions:       p50 {growth['ask_p50_ms']:.1f} ms, p95 {growth['ask_p95_ms']:.1f} ms "
        f"({growth['ask_p95_ratio']}x the p95 at {report.cards:,} cards)",
    ]
    lines.extend(
        f"  {kind + ':':<16} p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms ({figures['p95_ratio']}x)"
        for kind, figures in growth["kinds"].items()
    )
    return lines


@click.command()
@click.option("--cards", type=click.IntRange(1, 10_000_000), default=20_000, show_default=True, help="Cards to ingest.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON on stdout.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 50_000),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Cards per transaction.",
)
@click.option(
    "--baseline-cards",
    type=click.IntRange(1, 100_000),
    default=DEFAULT_BASELINE_CARDS,
    show_default=True,
    help="Cards the one-statement-per-node reference writes.",
)
@click.option(
    "--repeats",
    type=click.IntRange(1, 100),
    default=DEFAULT_REPEATS,
    show_default=True,
    help="Timed passes over the question set.",
)
@click.option(
    "--warmup-cards",
    type=click.IntRange(0, 1_000_000),
    help="Cards ingested into a scratch database before anything is timed, so the server's JIT is warm "
    "(0: measure a cold server).  [default: --cards, at most 20000]",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the sample generator.")
@click.option(
    "--database", help="The bench's own database (required on Neo4j; default mrm3_bench on the embedded server)."
)
@click.option("--keep", is_flag=True, help="Keep the embedded bench database afterwards.")
@click.option(
    "--growth-to",
    type=click.IntRange(2, 10_000_000),
    help="Then grow the catalog to this many cards and ask again: the growth of latency and ingest rate.",
)
@click.pass_context
@user_errors
def bench(
    ctx: click.Context,
    cards: int,
    as_json: bool,
    batch_size: int,
    baseline_cards: int,
    repeats: int,
    seed: int,
    warmup_cards: int | None,
    database: str | None,
    keep: bool,
    growth_to: int | None,
) -> None:
    """Measure ingest and question speed on N generated cards, in a database of the bench's own.

    Your cards are never touched: the embedded server gets a separate
    database (dropped afterwards); on Neo4j pass one you created for it.

    \b
    Example:
        mrm3 bench --cards 20000
        mrm3 bench --cards 200 --json
        mrm3 bench --cards 20000 --growth-to 100000
    """
    from assistant.bench.run import run_bench

    report = run_bench(
        settings_of(ctx),
        cards,
        batch_size=batch_size,
        baseline_cards=baseline_cards,
        repeats=repeats,
        seed=seed,
        warmup_cards=warmup_cards,
        database=database,
        keep=keep,
        growth_to=growth_to,
        say=lambda line: click.echo(line, err=True),
    )
    if as_json:
        echo_json(report.as_dict())
    else:
        click.echo(format_report(report))
