"""Find card files: plain files, directories (recursive) and ``.zip`` archives."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ingest.cards import MAX_CARD_BYTES, Problem
from ingest.formats import worth_reading

# Read in a directory walk or a zip: MRM3 JSON, Hugging Face cards (.md), CodeCarbon logs (.csv).
CARD_SUFFIXES = (".json", ".md", ".csv")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardFile:
    """The bytes of one card file and where they came from."""

    source: str
    raw: bytes


def _too_big(source: str, size: int) -> Problem:
    return Problem(
        source, "$", f"file is {size / 1e6:.1f} MB; a model card is at most {MAX_CARD_BYTES // (1024 * 1024)} MiB"
    )


def _read_file(path: Path) -> CardFile | Problem:
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            return _too_big(source, size)
        return CardFile(source, path.read_bytes())
    except OSError as e:
        return Problem(source, "$", f"cannot be read: {e.strerror or e}")


def _read_zip(path: Path, passed_over: list[str]) -> Iterator[CardFile | Problem]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(archive.infolist(), key=lambda m: m.filename)
            for member in members:
                inner = PurePosixPath(member.filename)
                source = f"{path}!{member.filename}"
                if member.is_dir() or _hidden(inner.parts):
                    continue
                if inner.suffix.lower() not in CARD_SUFFIXES:
                    passed_over.append(source)
                    continue
                # file_size is what the archive claims; reading one byte more catches a lie.
                if member.file_size > MAX_CARD_BYTES:
                    yield _too_big(source, member.file_size)
                    continue
                with archive.open(member) as handle:
                    raw = handle.read(MAX_CARD_BYTES + 1)
                if len(raw) > MAX_CARD_BYTES:
                    yield _too_big(source, len(raw))
                elif worth_reading(source, raw):
                    yield CardFile(source, raw)
                else:
                    passed_over.append(source)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as e:
        yield Problem(str(path), "$", f"is not a readable zip archive: {e}")


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def iter_card_files(paths: Iterable[Path], passed_over: list[str] | None = None) -> Iterator[CardFile | Problem]:
    """Yield every card file under ``paths``, or a :class:`Problem` for what cannot be read.

    Directories are walked recursively for ``*.json``, ``*.md``, ``*.csv`` and
    ``*.zip`` (hidden entries skipped, sorted for a stable order; a ``.md`` or
    ``.csv`` that is no card or log, such as a README, is passed over); a path
    given explicitly is read whatever its extension. The files a walk passes over (other extensions, READMEs)
    are added to ``passed_over``, so the report can count them.
    """
    skipped = passed_over if passed_over is not None else []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path).parts))
            found = [p for p in files if p.suffix.lower() in (*CARD_SUFFIXES, ".zip")]
            skipped.extend(str(p) for p in files if p.suffix.lower() not in (*CARD_SUFFIXES, ".zip"))
            if not found:
                yield Problem(str(path), "$", "directory holds no .json, .md, .csv or .zip files")
            for child in found:
                if child.suffix.lower() == ".zip":
                    yield from _read_zip(child, skipped)
                    continue
                item = _read_file(child)
                if isinstance(item, Problem) or worth_reading(item.source, item.raw):
                    yield item
                else:
                    skipped.append(item.source)
        elif path.is_file() and path.suffix.lower() == ".zip":
            yield from _read_zip(path, skipped)
        elif path.is_file():
            yield _read_file(path)
        else:
            yield Problem(str(path), "$", "no such file or directory")
