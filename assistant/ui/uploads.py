"""Ingest model cards uploaded in the browser, with the CLI's validation report.

The uploaded bytes go to a private temporary directory, through the same
reader, validator and batched writer as ``mrm3 ingest``; problems and the
graph's ``source`` property name the uploaded file, never the temporary path.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.graph.connection import Graph
from ingest.cards import Card, Problem, card_hash
from ingest.ingester import IngestReport, ingest_cards, read_cards

logger = logging.getLogger(__name__)
_README = (
    "a Hugging Face card is named after its file, and README.md names no model: save it as MODEL-NAME.md "
    "(e.g. bert-base-uncased.md) and upload that, or run 'mrm3 ingest FOLDER/README.md', which takes the folder's name"
)

UPLOAD_PREFIX = "upload:"
ACCEPTED_TYPES = ("json", "zip", "md", "csv")
"""MRM3 cards, archives of them, Hugging Face model cards and CodeCarbon logs."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the browser gave and its bytes."""

    name: str
    data: bytes


def _safe_name(name: str) -> str:
    # The browser's name is untrusted: keep the last path part, plain characters only.
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip(".")
    return cleaned or "card.json"


def _rename(text: str, directory: Path, names: dict[str, str]) -> str:
    """Replace the temporary path at the start of a source with the uploaded name."""
    for stored, shown in names.items():
        prefix = str(directory / stored)
        if text.startswith(prefix):
            return UPLOAD_PREFIX + shown + text[len(prefix) :]
    return text


def ingest_uploads(graph: Graph, uploads: Sequence[Upload], *, strict: bool = False) -> IngestReport:
    """Validate and ingest uploaded card files (MRM3 ``.json``, Hugging Face ``.md``, CodeCarbon ``.csv``) and
    archives (``.zip``). A Hugging Face card is named after its file, so an upload named ``README.md`` is
    refused with a line saying to save it as ``MODEL-NAME.md``; a log's runs belong to each row's project_name.

    Args:
        graph: Where to write.
        uploads: The files, in the order they were uploaded.
        strict: Reject cards with incomplete entries instead of warning.

    Returns:
        The report ``mrm3 ingest`` prints: rejected files with the JSON path
        and the reason, warnings, and what was written. Sources read
        ``upload:<file name>`` (``upload:cards.zip!dir/card.json`` inside a zip).

    Raises:
        GraphUnavailableError: The graph server cannot be reached.
    """
    report = IngestReport()
    with tempfile.TemporaryDirectory(prefix="mrm3-upload-") as tmp:
        directory = Path(tmp)
        names: dict[str, str] = {}
        paths = []
        for index, upload in enumerate(uploads):
            if _safe_name(upload.name).lower() == "readme.md":  # its model would be named after a temporary folder
                report.rejected.append(Problem(f"upload:{upload.name}", "$", _README))
                continue
            # One folder per upload: two files with the same name stay apart.
            stored = f"{index}/{_safe_name(upload.name)}"
            path = directory / stored
            path.parent.mkdir()
            path.write_bytes(upload.data)
            names[stored] = upload.name
            paths.append(path)
        cards = [_renamed_card(card, directory, names) for card in read_cards(paths, report, strict=strict)]
        report.rejected = [_renamed(p, directory, names) for p in report.rejected]
        report.warnings = [_renamed(p, directory, names) for p in report.warnings]
        ingest_cards(graph, cards, report)
    logger.info(
        "upload: %d files, %d cards valid, %d written, %d rejected",
        len(uploads),
        report.cards_valid,
        report.models_written,
        len(report.rejected),
    )
    return report


def _renamed_card(card: Card, directory: Path, names: dict[str, str]) -> Card:
    """The card with every source inside it (a log's runs, a card's file) naming the upload, hashed anew."""

    def renamed(value: Any) -> Any:
        if isinstance(value, str):
            return _rename(value, directory, names)
        if isinstance(value, dict):
            return {k: renamed(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(renamed(v) for v in value)
        return value

    data = renamed(card.data)
    return replace(card, source=_rename(card.source, directory, names), data=data, digest=card_hash(data))


def _renamed(problem: Problem, directory: Path, names: dict[str, str]) -> Problem:
    return replace(problem, source=_rename(problem.source, directory, names))


def report_summary(report: IngestReport) -> str:
    """The one-line summary ``mrm3 ingest`` prints, for the page."""
    return (
        f"{report.files_read} files read, {report.cards_valid} valid cards, "
        f"{report.models_written} models written, {report.models_unchanged} unchanged, "
        f"{len(report.rejected)} rejected, {len(report.warnings)} warnings in {report.seconds:.2f} s"
        + report.skipped_text()
    )
