"""Model cards: parse bytes, validate against the project's JSON Schema, lint.

Every problem is reported as a :class:`Problem` naming the file, the JSON path
and the reason, so a user can fix the card without reading a traceback.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    import jsonschema

logger = logging.getLogger(__name__)

MAX_CARD_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 32
MAX_SCHEMA_ERRORS = 5


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one card: where, and why."""

    source: str
    path: str
    reason: str

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path and self.path != "$" else ""
        return f"{self.source}{where}: {self.reason}"

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready view."""
        return {"file": self.source, "path": self.path, "reason": self.reason}


class CardRejected(ValueError):
    """A card failed to parse or validate; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Card:
    """A parsed, valid card and the warnings found while reading it."""

    source: str
    data: dict[str, Any]
    warnings: tuple[Problem, ...] = ()
    digest: str = ""
    """:func:`card_hash` of ``data``, computed once when the card was read."""
    kind: str = "mrm3"
    """The format it was read from: ``mrm3`` (JSON), ``hf-card`` (Hugging Face) or ``codecarbon`` (emissions.csv)."""
    incomplete: tuple[Problem, ...] = ()
    """Problems that left part of the file unread although the model is written (the exit code says so)."""

    @property
    def name(self) -> str:
        """The model's name, its key in the graph."""
        return str(self.data["name"])


MAPPING_VERSION = 2
"""Raised when the same card is written to the graph differently (2: model-index results keep the dataset's
name beside its type), so a re-ingest after an upgrade rewrites every card rather than calling it unchanged."""


def card_hash(data: dict[str, Any]) -> str:
    """A stable hash of a card's content and of the mapping that writes it, to skip unchanged cards on re-ingest."""
    text = f"{MAPPING_VERSION}|{json.dumps(data, sort_keys=True, default=str)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@cache
def card_schema() -> dict[str, Any]:
    """The project's JSON Schema for model cards."""
    text = resources.files("ingest").joinpath("model_card.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    # Imported here: the reference validator runs only to explain a rejection, and costs ~0.1 s to import.
    import jsonschema

    schema = card_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


@cache
def _fast_validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(card_schema(), validate_formats=True)


def parse_card(source: str, raw: bytes, *, strict: bool = False) -> Card:
    """Parse and validate one card.

    Args:
        source: Where the bytes came from, for messages (a path, or ``zip!member``).
        raw: The file's bytes.
        strict: Turn warnings about incomplete entries into rejections.

    Returns:
        The valid card with its warnings.

    Raises:
        CardRejected: The card cannot be ingested; its problems say why.
    """
    data, has_non_finite = _decode(source, raw)
    warnings: list[Problem] = []
    if has_non_finite:
        _drop_non_finite(source, data, "$", warnings)
    # jsonschema-rs accepts a valid card ~150x faster; the reference validator
    # runs only to explain a rejection, so messages keep its JSON paths.
    valid = _fast_validator().is_valid(data)
    errors = (
        []
        if valid
        else sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    )
    if errors:
        raise CardRejected([Problem(source, e.json_path, _schema_reason(e)) for e in errors[:MAX_SCHEMA_ERRORS]])
    warnings.extend(_lint(source, data))
    if strict and warnings:
        raise CardRejected([Problem(w.source, w.path, f"{w.reason} (rejected by --strict)") for w in warnings])
    return Card(source, data, tuple(warnings), card_hash(data))


def _decode(source: str, raw: bytes) -> tuple[dict[str, Any], bool]:
    """The card's JSON object, and whether it holds NaN or infinite numbers."""

    def reject(reason: str, path: str = "$") -> CardRejected:
        return CardRejected([Problem(source, path, reason)])

    if len(raw) > MAX_CARD_BYTES:
        raise reject(f"file is {len(raw) / 1e6:.1f} MB; a model card is at most {MAX_CARD_BYTES // (1024 * 1024)} MiB")
    if not raw.strip():
        raise reject("file is empty - expected one JSON object (a model card)")
    if (nul := raw.find(b"\0")) >= 0:
        raise reject(f"contains a NUL byte at byte {nul} - the file is binary or corrupted")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise reject(f"is not valid UTF-8 (byte {e.start}) - save the card as UTF-8") from e
    non_finite: list[float] = []

    def parse_float(token: str) -> float:
        value = float(token)  # "1e999" overflows to inf
        if not math.isfinite(value):
            non_finite.append(value)
        return value

    def parse_constant(token: str) -> float:
        non_finite.append(float(token))  # NaN, Infinity, -Infinity
        return non_finite[-1]

    try:
        data = json.loads(text, parse_float=parse_float, parse_constant=parse_constant)
    except RecursionError as e:
        raise reject(f"nesting is deeper than {MAX_DEPTH} levels - not a model card") from e
    except json.JSONDecodeError as e:
        hint = " (the file looks truncated)" if e.pos >= len(text.rstrip()) else ""
        raise reject(f"is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}{hint}") from e
    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
        got = kind.get(type(data), "null")
        raise reject(f"expected one JSON object (a model card), got {got}")
    # Nesting cannot be deeper than the number of brackets: most cards skip the walk.
    if text.count("{") + text.count("[") > MAX_DEPTH and _depth(data) > MAX_DEPTH:
        raise reject(f"nesting is deeper than {MAX_DEPTH} levels - not a model card")
    return data, bool(non_finite)


def _depth(value: Any) -> int:
    """Nesting depth, computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _drop_non_finite(source: str, value: Any, path: str, warnings: list[Problem]) -> None:
    """Remove NaN/Infinity (JSON extensions some tools write): they are missing values."""
    if isinstance(value, dict):
        for key in list(value):
            child = value[key]
            child_path = f"{path}.{key}"
            if isinstance(child, float) and not math.isfinite(child):
                del value[key]
                warnings.append(Problem(source, child_path, f"{child} is not a number; treated as not measured"))
            else:
                _drop_non_finite(source, child, child_path, warnings)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, float) and not math.isfinite(child):
                value[index] = None
                warnings.append(Problem(source, f"{path}[{index}]", f"{child} is not a number; treated as missing"))
            else:
                _drop_non_finite(source, child, f"{path}[{index}]", warnings)


def _schema_reason(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return f"{error.message} - add it to the card"
    if error.validator == "oneOf" and "evaluationMetrics" in error.json_path:
        return "an evaluation metric must be a number or an object {'mean': number, 'std': number}"
    message = error.message
    return message if len(message) <= 200 else message[:197] + "..."


def _lint(source: str, data: dict[str, Any]) -> list[Problem]:
    """Warnings: the card is valid but some of it cannot be used fully."""
    warnings = []
    for index, run in enumerate(data.get("inference") or []):
        missing = [field for field in ("batch_size", "latency") if field not in run]
        if missing:
            warnings.append(
                Problem(
                    source,
                    f"$.inference[{index}]",
                    f"inference entry has no {' or '.join(missing)}; stored with the device only",
                )
            )
    if "training" not in data:
        warnings.append(
            Problem(source, "$.training", "card has no training section; the model has no metrics, energy or carbon")
        )
    return warnings
