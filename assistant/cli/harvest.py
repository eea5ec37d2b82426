"""``mrm3 harvest``: the Hub's emission-reporting models, listed and ingested in one command."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

from assistant.cli.support import connect_graph, echo_json, echo_problems, user_errors

if TYPE_CHECKING:
    from ingest.harvest import HarvestReport


class _Progress:
    """Pages, models and rate on stderr: a bar on a terminal, one plain line per page otherwise."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.terminal = sys.stderr.isatty()
        self.bar = tqdm(unit="model", desc="Harvesting", file=sys.stderr) if self.terminal else None
        self.shown = 0

    def page(self, report: HarvestReport) -> None:
        """Called after each page of the listing."""
        if self.bar is not None:
            self.bar.update(report.listed - self.shown)
            self.bar.set_postfix(pages=report.pages, refused=len(report.refused))
        else:
            click.echo(f"page {report.pages}: {report.listed} models listed", err=True)
        self.shown = report.listed

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.command("harvest")
@click.option(
    "--pipeline-tag", "pipeline_tag", metavar="TAG", help="Only models with this pipeline tag (asked of the Hub)."
)
@click.option("--author", metavar="ORG", help="Only this author's or organisation's models (asked of the Hub).")
@click.option("--search", metavar="TEXT", help="Only models whose id contains TEXT (asked of the Hub).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N models (asked of the Hub).")
@click.option("--all", "all_models", is_flag=True, help="Models without the co2_eq_emissions tag too.")
@click.option("--min-emissions", type=float, metavar="G", help="Only models that report at least G g CO2.")
@click.option("--max-emissions", type=float, metavar="G", help="Only models that report at most G g CO2.")
@click.option("--full", is_flag=True, help="Also fetch each model's README.md and config.json (one request each).")
@click.option(
    "--batch-size", default=1000, show_default=True, type=click.IntRange(1, 50_000), help="Cards per transaction."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.pass_context
@user_errors
def harvest_command(
    ctx: click.Context,
    pipeline_tag: str | None,
    author: str | None,
    search: str | None,
    limit: int | None,
    all_models: bool,
    min_emissions: float | None,
    max_emissions: float | None,
    full: bool,
    batch_size: int,
    as_json: bool,
) -> None:
    """Ingest the models the Hugging Face Hub lists as reporting CO2 emissions.

    The Hub is asked for models tagged co2_eq_emissions with their card data
    (a page of up to 1,000 a request); each becomes a model in the graph, as
    `mrm3 ingest` of its card would. A second run changes nothing; a run
    stopped midway keeps what it wrote, and the next one completes it.
    HF_ENDPOINT (a mirror) and HF_TOKEN are honoured.

    \b
    Example:
        mrm3 harvest
        mrm3 harvest --pipeline-tag text-classification --limit 500
        mrm3 harvest --author autotrain --max-emissions 100 --json
    """
    from ingest.harvest import HarvestQuery, HubUnreachable, harvest

    logging.getLogger("huggingface_hub").propagate = False  # its own handler prints each retry, once

    query = HarvestQuery(pipeline_tag=pipeline_tag, author=author, search=search, limit=limit,
                         tagged_only=not all_models, min_emissions=min_emissions, max_emissions=max_emissions,
                         full=full)  # fmt: skip
    progress = _Progress()
    try:
        with connect_graph(ctx) as graph:
            report = harvest(graph, query, batch_size=batch_size, on_page=progress.page)
    except HubUnreachable as e:
        progress.close()
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    progress.close()
    _report(report, as_json)
    if report.fault:
        sys.exit(1)


def _report(report: HarvestReport, as_json: bool) -> None:
    echo_problems("warning", report.warnings)
    echo_problems("refused", report.refused)
    if report.outside_range:
        click.echo(f"{report.outside_range} listed models reported emissions outside the range asked", err=True)
    if report.fault:
        click.echo(
            f"error: {report.fault}; what was read is written - run the same command again to complete", err=True
        )
    if as_json:
        echo_json(report.as_dict())
    else:
        click.echo(report.summary())
