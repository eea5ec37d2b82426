"""Ingest card files into the graph: read, validate, skip unchanged, write in batches.

Bad files are reported and skipped; every good card is still written. A batch
the server rejects is retried card by card so one bad card cannot sink its
neighbours.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from queue import Empty, Queue
from typing import Any

from ingest import metadata_writer
from ingest.cards import Card, Problem
from ingest.codecarbon import codecarbon_rows
from ingest.derived import derive_inference, derived_complete, mark_complete
from ingest.flags import flag_implausible, mark_unmeasured_scores
from ingest.formats import read_any
from ingest.hf_mapping import hf_rows
from ingest.hub import is_hub_ref, read_hub_card
from ingest.loader import iter_card_files
from ingest.mapping import CardRows, card_rows
from ingest.store import DEFAULT_BATCH_SIZE, GraphStore, StatementRejected
from ingest.writer import create_constraints, delete_orphans, existing_hashes, write_batch

logger = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest (or a validation) did."""

    files_read: int = 0
    cards_valid: int = 0
    models_written: int = 0
    models_unchanged: int = 0
    models_replaced: int = 0
    """Of the models written, those that were in the graph before with other content."""
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    incomplete: list[Problem] = field(default_factory=list)
    """Files ingested in part (a Hugging Face card whose YAML does not parse: its model has the name only)."""
    seconds: float = 0.0
    copies_skipped: int = 0
    """Cards identical to one already read (a card both in a folder and in a zip beside it)."""
    passed_over: list[str] = field(default_factory=list)
    """Files a directory walk did not read: no card format (LICENSE), or a .md/.csv that is no card or log."""

    @property
    def ok(self) -> bool:
        """True when no file was rejected or read in part only."""
        return not self.rejected and not self.incomplete

    @property
    def cards_per_s(self) -> float:
        """Cards handled per second of wall time."""
        return self.cards_valid / self.seconds if self.seconds else 0.0

    def skipped_text(self) -> str:
        """What was not read, for the end of the summary line ("" when nothing was)."""
        parts = []
        if self.copies_skipped:
            parts.append(f"{self.copies_skipped} identical cop{'y' if self.copies_skipped == 1 else 'ies'} skipped")
        if over := len(self.passed_over):
            parts.append(f"{over} file{'' if over == 1 else 's'} passed over (no card or log)")
        return f"; {', '.join(parts)}" if parts else ""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return {
            "files_read": self.files_read,
            "cards_valid": self.cards_valid,
            "models_written": self.models_written,
            "models_unchanged": self.models_unchanged,
            "rejected": [p.as_dict() for p in self.rejected],
            "warnings": [p.as_dict() for p in self.warnings],
            "incomplete": [p.as_dict() for p in self.incomplete],
            "seconds": round(self.seconds, 3),
            "copies_skipped": self.copies_skipped,
            "passed_over": list(self.passed_over),
        }


def _cards_in(paths: Iterable[Path], report: IngestReport, strict: bool, model: str | None) -> Iterator[Card]:
    for path in paths:
        if is_hub_ref(path):  # hf:ORG/NAME, fetched from the Hub
            found_items: Iterable[Card | Problem] = read_hub_card(str(path))
        else:
            found_items = _read_files(path, report, strict, model)
        for found in found_items:
            if isinstance(found, Problem):
                report.rejected.append(found)
            else:
                yield found


def _read_files(path: Path, report: IngestReport, strict: bool, model: str | None) -> Iterator[Card | Problem]:
    for item in iter_card_files([path], report.passed_over):
        if isinstance(item, Problem):
            yield item
            continue
        report.files_read += 1
        yield from read_any(item.source, item.raw, strict=strict, model=model)


def read_cards(
    paths: Iterable[Path], report: IngestReport, *, strict: bool = False, model: str | None = None
) -> Iterator[Card]:
    """Yield each valid card under ``paths``; record rejections and warnings in ``report``.

    MRM3 JSON cards, Hugging Face cards and CodeCarbon logs are all read
    (:mod:`ingest.formats`); ``model`` names the model a log's runs belong to.
    A second card with a model name already seen is rejected when its content
    differs (and skipped, counted, when identical), so no card replaces
    another by accident. CodeCarbon runs of one model may come from several
    logs: they add up rather than clash.
    """
    seen: dict[str, tuple[str, str]] = {}
    for card in _cards_in(paths, report, strict, model):
        digest = card.digest
        if card.kind == "codecarbon":
            report.warnings.extend(card.warnings)
            report.cards_valid += 1
            yield card
            continue
        if card.name in seen:
            first_source, first_digest = seen[card.name]
            if first_digest != digest:
                report.rejected.append(
                    Problem(
                        card.source,
                        "$.name",
                        f"model name {card.name!r} is already used by {first_source} with different content - "
                        "give one of them another name",
                    )
                )
            else:
                report.copies_skipped += 1
            continue
        seen[card.name] = (card.source, digest)
        report.warnings.extend(card.warnings)
        report.incomplete.extend(card.incomplete)
        report.cards_valid += 1
        yield card


def rows_of(card: Card) -> CardRows:
    """The graph rows of a card of any format, impossible values flagged."""
    if card.kind == "hf-card":
        rows = hf_rows(card)
    elif card.kind == "codecarbon":
        rows = codecarbon_rows(card, [])  # its cell warnings were reported when the log was read
    else:
        rows = card_rows(card)
    derive_inference(rows)
    rows.flags = flag_implausible(rows)
    mark_unmeasured_scores(rows)
    return rows


def batched(items: Iterable[Card], size: int) -> Iterator[list[Card]]:
    """Successive lists of ``size`` items (``itertools.batched`` is Python 3.12+)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def prepared_batches(cards: Iterable[Card], size: int, ahead: int = 2) -> Iterator[list[CardRows]]:
    """Batches of graph rows, read, validated and mapped in a thread while the caller writes.

    The graph server works in another process, so reading the next batch
    while the current one is written overlaps the two (the driver releases the
    GIL while it waits for the server). At most ``ahead`` batches wait.
    """
    done = object()
    queue: Queue[Any] = Queue(maxsize=ahead)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batched(cards, size):
                if stop.is_set():
                    return
                queue.put([rows_of(card) for card in batch])
            queue.put(done)
        except BaseException as e:  # handed to the consumer, raised there
            queue.put(e)

    worker = threading.Thread(target=produce, name="card-reader", daemon=True)
    worker.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                queue.get_nowait()
            except Empty:
                worker.join(0.05)


def ingest_cards(
    graph: GraphStore,
    cards: Iterable[Card],
    report: IngestReport,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Write ``cards`` to the graph in batches.

    Args:
        graph: Where to write.
        cards: Valid cards with unique names.
        report: Filled with what was written.
        batch_size: Cards per transaction.
        progress: Called with the number of cards handled after each batch.
    """
    started = time.perf_counter()
    create_constraints(graph)
    complete = derived_complete(graph)  # before writing: were all the models there written with derived values?
    replaced_any = marked = False
    for batch in prepared_batches(cards, batch_size):
        report.warnings.extend(problem for rows in batch for problem in rows.flags)
        runs = [r for r in batch if r.kind == "codecarbon"]
        rows = [r for r in batch if r.kind != "codecarbon"]
        if runs:
            _write_runs(graph, runs, report)
        stored = existing_hashes(graph, [r.name for r in rows])
        changed = [r for r in rows if stored.get(r.name, "") != r.card_hash]
        report.models_unchanged += len(rows) - len(changed)
        replace = [r.name for r in changed if r.name in stored]
        report.models_replaced += len(replace)
        replaced_any = replaced_any or bool(replace)
        _write_or_isolate(graph, changed, replace, report)
        if hf_names := [r.name for r in changed if r.kind == "hf-card"]:
            metadata_writer.flag_thousandfold(graph, hf_names)
        if complete and report.models_written and not marked:  # an ingest that wrote nothing leaves it empty
            # after the first batch, so a run stopped midway leaves a graph the next run can still mark
            mark_complete(graph)
            marked = True
        if progress:
            progress(len(batch))
    if replaced_any:
        delete_orphans(graph)
    report.seconds += time.perf_counter() - started
    return report


def _write_runs(graph: GraphStore, runs: Sequence[CardRows], report: IngestReport) -> None:
    changed = [r for r in runs if not metadata_writer.unchanged_runs(graph, r)]
    report.models_unchanged += len(runs) - len(changed)
    if not changed:
        return
    try:
        metadata_writer.write_runs(graph, changed)
        report.models_written += len(changed)
    except StatementRejected as e:
        if not _refused(changed, e, "log", report):
            for rows in changed:
                _write_runs(graph, [rows], report)


def _write_or_isolate(
    graph: GraphStore, rows: Sequence[CardRows], replace: Sequence[str], report: IngestReport
) -> None:
    if not rows:
        return
    try:
        write_batch(graph, rows, replace)
        report.models_written += len(rows)
        return
    except StatementRejected as e:
        if _refused(rows, e, "card", report):
            return
    replacing = set(replace)
    for row in rows:
        _write_or_isolate(graph, [row], [row.name] if row.name in replacing else [], report)


def _refused(rows: Sequence[CardRows], error: Exception, what: str, report: IngestReport) -> bool:
    """True when ``rows`` is one card (or log), now reported refused; False when the caller retries one by one."""
    if len(rows) == 1:
        source = rows[0].model.get("source", rows[0].name)
        report.rejected.append(Problem(str(source), "$", f"the graph server refused the {what}: {error}"))
        return True
    logger.warning("batch of %d %ss failed (%s); retrying one by one", len(rows), what, error)
    return False


def ingest_paths(
    graph: GraphStore,
    paths: Sequence[Path],
    *,
    strict: bool = False,
    model: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Read, validate and write every card under ``paths``, streaming a batch at a time."""
    report = IngestReport()
    cards = read_cards(paths, report, strict=strict, model=model)
    return ingest_cards(graph, cards, report, batch_size=batch_size, progress=progress)


def validate_paths(paths: Sequence[Path], *, strict: bool = False) -> IngestReport:
    """Validate every card under ``paths`` without touching the graph."""
    report = IngestReport()
    started = time.perf_counter()
    for card in read_cards(paths, report, strict=strict):
        report.warnings.extend(rows_of(card).flags)
    report.seconds = time.perf_counter() - started
    return report
