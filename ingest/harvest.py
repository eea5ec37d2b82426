"""``mrm3 harvest``: the models the Hugging Face Hub lists as reporting emissions, ingested page by page.

The listing is the Hub's ``GET /api/models`` with ``filter=co2_eq_emissions`` and ``cardData=True`` - the
request ``HfApi.list_models`` makes, with its parameters, its ``Link`` pagination and its retries
(``http_backoff``: 429 and 5xx with backoff, ``Retry-After`` honoured). The pages are walked here rather than
through ``list_models`` because ``list_models`` builds each ``ModelInfo`` inside its generator: one malformed
entry would end the whole listing. Here each entry is parsed by the same ``ModelInfo`` and filtered by the
library's own emissions-threshold rule, and a malformed one becomes one refused line.

Each entry's ``cardData`` is the card's front matter, mapped exactly as a card file is
(:func:`ingest.hf_cards.read_hf_metadata`); ``--full`` fetches the README and config.json of each model as
``mrm3 ingest hf:ORG/NAME`` does. A listing that fails midway stops cleanly: what was read is written, the fault
is reported, and the next run completes (unchanged cards are recognised by their hash, which holds the sha).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.cards import Card, Problem, card_hash
from ingest.hf_cards import read_hf_metadata
from ingest.hub import PREFIX, hub_endpoint, hub_token, is_connection_error, read_hub_card, short_error
from ingest.store import DEFAULT_BATCH_SIZE, GraphStore

EMISSIONS_TAG = "co2_eq_emissions"
_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class HarvestQuery:
    """What to ask the Hub for; every field but the emissions range and ``full`` is a query parameter."""

    pipeline_tag: str | None = None
    author: str | None = None
    search: str | None = None
    limit: int | None = None
    tagged_only: bool = True
    min_emissions: float | None = None
    max_emissions: float | None = None
    full: bool = False

    def params(self) -> dict[str, Any]:
        """The query parameters of the first page (the next pages' links carry them)."""
        asked = {"filter": EMISSIONS_TAG if self.tagged_only else None, "author": self.author,
                 "search": self.search, "pipeline_tag": self.pipeline_tag, "limit": self.limit}  # fmt: skip
        return {key: value for key, value in asked.items() if value is not None} | {"cardData": True}

    @property
    def bounded(self) -> bool:
        """Whether an emissions range was asked for."""
        return self.min_emissions is not None or self.max_emissions is not None


@dataclass
class HarvestReport:
    """What one harvest listed and did."""

    listed: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pages: int = 0
    outside_range: int = 0
    seconds: float = 0.0
    fault: str | None = None
    """Why the listing stopped early (the Hub stopped answering); None when it ran to its end."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON that ``mrm3 harvest --json`` prints."""
        return {
            "listed": self.listed,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "refused": len(self.refused),
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "outside_range": self.outside_range,
            "complete": self.fault is None,
            "fault": self.fault,
            "refusals": [p.as_dict() for p in self.refused],
        }

    def summary(self) -> str:
        """The one line a harvest ends with."""
        return (
            f"harvested {self.listed} models: {self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
            f"{len(self.refused)} refused (pages {self.pages}, {self.seconds:.1f} s)"
        )


class HubUnreachable(Exception):
    """The Hub's first page did not come: nothing was listed and nothing is written."""


def listed_cards(
    query: HarvestQuery, report: HarvestReport, *, on_page: Callable[[HarvestReport], None] | None = None
) -> Iterator[Card]:
    """The card of every model the Hub lists for ``query``, page by page.

    Raises :class:`HubUnreachable` when the first page does not come; a later failure ends the listing with
    ``report.fault`` set, so the cards already read are still written.
    """
    seen: set[str] = set()
    for page in _pages(query, report):
        for position, item in enumerate(page, 1):
            repo = item.get("id") if isinstance(item, dict) else None
            if isinstance(repo, str):
                if repo in seen:  # listed again on a later page: counted once
                    continue
                seen.add(repo)
            where = f"{PREFIX}{repo}" if isinstance(repo, str) else f"listing page {report.pages}, entry {position}"
            card = _card_of(item, query, report, where)
            if card is not None:
                report.warnings.extend(card.warnings)
                yield card
            if query.limit is not None and report.listed + report.outside_range >= query.limit:
                return
        if on_page:
            on_page(report)


def _pages(query: HarvestQuery, report: HarvestReport) -> Iterator[list[Any]]:
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_backoff

    headers: dict[str, str] = {}
    url: str | None = f"{hub_endpoint()}/api/models"
    params: dict[str, Any] | None = query.params()
    while url is not None:
        try:
            headers = headers or build_hf_headers(token=hub_token())
            retries: dict[str, Any] = {"retry_on_exceptions": ()} if report.pages == 0 else {}
            response = http_backoff("GET", url, params=params, headers=headers, timeout=_TIMEOUT_S, **retries)
            hf_raise_for_status(response)
            page = response.json()
        except Exception as e:  # noqa: BLE001 - every failure of the Hub is one line
            if report.pages == 0:
                raise HubUnreachable(_unreachable_reason(e)) from e
            report.fault = f"the Hub stopped answering after page {report.pages} ({short_error(e)})"
            return
        report.pages += 1
        url, params = response.links.get("next", {}).get("url"), None
        if not isinstance(page, list):
            report.fault = f"page {report.pages} of the listing is not a list of models; the listing stops there"
            return
        yield page


def _unreachable_reason(error: Exception) -> str:
    where = hub_endpoint()
    if is_connection_error(error):
        return (f"the Hugging Face Hub cannot be reached at {where} ({short_error(error)}) - check the network, "
                "or set HF_ENDPOINT to a reachable mirror")  # fmt: skip
    return f"the Hub at {where} refused the listing: {short_error(error)} - check HF_ENDPOINT and HF_TOKEN"


def _card_of(item: Any, query: HarvestQuery, report: HarvestReport, where: str) -> Card | None:
    """One listing entry as a card, ``where`` naming it in any problem line; None (with a refusal counted) when
    the entry is malformed."""
    from huggingface_hub.hf_api import ModelInfo

    try:
        info = ModelInfo(**item)
        inside = _within(info, query)
        repo = info.id if isinstance(info.id, str) and info.id.strip() else None
    except Exception as e:  # noqa: BLE001 - the library's own parsing decides what is malformed
        inside, repo, why = True, None, f"the Hub's entry cannot be read ({type(e).__name__}: {short_error(e)})"
    else:
        why = "the Hub's entry has no model id"
    if not inside:
        report.outside_range += 1
        return None
    report.listed += 1
    if repo is None:
        report.refused.append(Problem(where, "$", why))
        return None
    if query.full:
        return _fetched(repo, info.sha, report)
    try:
        return _from_listing(repo, info, item)
    except Exception as e:  # noqa: BLE001 - card data the card reader cannot take ({"self": 1}) is one refused line
        report.refused.append(Problem(where, "cardData", f"cannot be read ({type(e).__name__}: {short_error(e)})"))
        return None


def _within(info: Any, query: HarvestQuery) -> bool:
    """Whether the model's emissions are in the range asked, by the library's own rule; a model whose card
    gives no readable emissions is not (the rule fails on a co2_eq_emissions mapping without "emissions")."""
    from huggingface_hub.utils.endpoint_helpers import _is_emission_within_threshold

    if not query.bounded:
        return True
    try:
        return bool(_is_emission_within_threshold(info, query.min_emissions, query.max_emissions))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return False


def _from_listing(repo: str, info: Any, item: dict[str, Any]) -> Card:
    card_data = item.get("cardData")
    metadata: dict[str, Any] = card_data if isinstance(card_data, dict) else {}
    source = f"{PREFIX}{repo}@{info.sha}" if info.sha else f"{PREFIX}{repo}"
    card = read_hf_metadata(source, metadata, name=repo)
    warnings = card.warnings
    if card_data is not None and not isinstance(card_data, dict):
        why = f"is a {type(card_data).__name__}, not the card's metadata; only the listing's own fields are read"
        warnings = (*warnings, Problem(source, "cardData", why))
    data = dict(card.data)
    # The Hub computes the pipeline tag, library and tags when the card does not name them.
    data.setdefault("pipelineTag", info.pipeline_tag)
    data.setdefault("libraryName", info.library_name)
    if not data.get("tags") and info.tags:
        data["tags"] = [str(tag) for tag in info.tags]
    data = {key: value for key, value in data.items() if value is not None} | {"hubId": repo}
    if info.sha:
        data["hubRevision"] = info.sha
    return Card(card.source, data, warnings, card_hash(data), kind=card.kind, incomplete=card.incomplete)


def _fetched(repo: str, sha: str | None, report: HarvestReport) -> Card | None:
    """``--full``: the model's README and config.json, fetched at the listed sha."""
    found: Card | None = None
    for item in read_hub_card(f"{PREFIX}{repo}@{sha}" if sha else f"{PREFIX}{repo}"):
        if isinstance(item, Problem):
            report.refused.append(item)
        else:
            found = item
    return found


# Models read from their own README and config.json (--full, or mrm3 ingest hf:ORG/NAME), with their revision.
_FETCHED = """
UNWIND $names AS name
MATCH (m:Model {name: name}) WHERE m.hubFiles = true
RETURN name, m.hubRevision AS sha
"""


def _not_fetched(graph: GraphStore, cards: Iterator[Card], report: HarvestReport, size: int) -> Iterator[Card]:
    """The listed cards, less those whose model was read from its own files at the listed sha: the listing holds
    less than those files, so the stored model stays, unchanged."""
    from ingest.ingester import batched

    for chunk in batched(cards, size):
        fetched = {row["name"]: row["sha"] for row in graph.read(_FETCHED, {"names": [c.name for c in chunk]})}
        for card in chunk:
            sha = card.data.get("hubRevision")
            if sha and fetched.get(card.name) == sha:
                report.unchanged += 1
            else:
                yield card


def timed(report: HarvestReport, started: float) -> HarvestReport:
    """``report`` with its wall time since ``started`` (a ``time.perf_counter()`` reading)."""
    report.seconds = time.perf_counter() - started
    return report


def harvest(
    graph: GraphStore,
    query: HarvestQuery,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_page: Callable[[HarvestReport], None] | None = None,
) -> HarvestReport:
    """List the Hub's models for ``query`` and write each as a card, a batch at a time.

    Raises :class:`HubUnreachable` (before anything is written) when the first page does not come.
    """
    from ingest.ingester import IngestReport, ingest_cards

    started = time.perf_counter()
    report = HarvestReport()
    cards = listed_cards(query, report, on_page=on_page)
    if not query.full:
        cards = _not_fetched(graph, cards, report, batch_size)
    first = next(cards, None)  # the first page, or HubUnreachable, before anything is written
    written = IngestReport()
    if first is not None:
        ingest_cards(graph, itertools.chain([first], cards), written, batch_size=batch_size)
    report.refused.extend(written.rejected)
    report.warnings.extend(written.warnings)  # impossible values flagged at the write
    report.new = written.models_written - written.models_replaced
    report.changed = written.models_replaced
    report.unchanged += written.models_unchanged
    return timed(report, started)
