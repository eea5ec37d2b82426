"""Which reader a file needs, by its extension and its content: MRM3 JSON, a Hugging Face card or a CodeCarbon log.

All three come in through the same ``mrm3 ingest PATH...``. A directory walk
takes ``.json`` and ``.zip`` files, ``.md`` files that start with YAML front
matter and ``.csv`` files with a CodeCarbon header; a file named explicitly is
read whatever its name, its content choosing the reader.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import PurePosixPath

from ingest.cards import Card, CardRejected, Problem, parse_card
from ingest.codecarbon import header_of, read_codecarbon
from ingest.hf_cards import looks_like_hf_card, read_hf_card

logger = logging.getLogger(__name__)


def format_of(source: str, raw: bytes) -> str:
    """``codecarbon``, ``hf-card`` or ``mrm3`` for the bytes of one file."""
    suffix = PurePosixPath(source.split("!")[-1]).suffix.lower()
    if suffix == ".csv" or (suffix != ".json" and header_of(raw) is not None):
        return "codecarbon"
    if suffix == ".md" or (suffix != ".json" and looks_like_hf_card(raw)):
        return "hf-card"
    return "mrm3"


def worth_reading(source: str, raw: bytes) -> bool:
    """For a directory walk: is this ``.md`` or ``.csv`` file a card or a log (not a README or a data table)?"""
    suffix = PurePosixPath(source.split("!")[-1]).suffix.lower()
    if suffix == ".md":
        return looks_like_hf_card(raw)
    if suffix == ".csv":
        return header_of(raw) is not None
    return True


def read_any(source: str, raw: bytes, *, strict: bool = False, model: str | None = None) -> Iterator[Card | Problem]:
    """Every card in one file (a CodeCarbon log may describe several models), or the problems that stop it.

    Args:
        source: Where the bytes came from.
        raw: The file's bytes.
        strict: Reject MRM3 cards with incomplete entries.
        model: The model a CodeCarbon log's runs belong to (``--model NAME``).
    """
    kind = format_of(source, raw)
    if kind == "codecarbon":
        yield from read_codecarbon(source, raw, model=model)
    elif kind == "hf-card":
        yield read_hf_card(source, raw)
    else:
        try:
            yield parse_card(source, raw, strict=strict)
        except CardRejected as e:
            yield from e.problems
