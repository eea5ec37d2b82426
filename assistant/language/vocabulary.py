"""The word-to-meaning vocabulary of the offline engine, read from ``prompts/vocabulary.yaml``.

The file is data: synonyms, metric names, units and directions can change
without touching code. :func:`load_vocabulary` reads it once per path.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError
from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

DEFAULT_PATH = PROMPTS_DIR / "vocabulary.yaml"

_CAMEL = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9²]+|[A-Z0-9]+|%|µ[a-z]*")


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, splitting camel case and separators.

    ``"KNeighborsRegressor"`` -> ``["k", "neighbors", "regressor"]``,
    ``"lumos5g"`` -> ``["lumos5g"]``, ``"F1-score"`` -> ``["f1", "score"]``.
    """
    return [w.lower() for w in _CAMEL.findall(text)]


_SUFFIXES = ("ications", "ication", "ations", "ation", "ions", "ion", "iers", "ier", "ers", "er", "ors", "or", "ing",
             "ies", "es", "s")  # fmt: skip


def stem(word: str) -> str:
    """A crude stem so "classifier" meets "classification" and "detector" meets "detection"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def phrase_key(text: str) -> str:
    """The normalized form of a phrase: its words joined by single spaces."""
    return " ".join(words(text))


@dataclass(frozen=True)
class Quantity:
    """A number the engine can rank by, and where it lives in the graph."""

    key: str
    scope: str
    """``training``, ``inference``, ``model``, ``dataset``, ``training_device`` or ``quality``."""
    property: str
    unit: str
    better: str
    """``lower`` or ``higher``."""
    label: str
    measured: bool = False
    """A 0 or missing value means "not measured" (carbon, energy)."""
    inference_property: str | None = None
    """The same quantity on ModelInference, when the question is about inference."""


@dataclass(frozen=True)
class MetricInfo:
    """What the vocabulary knows about a quality metric name."""

    name: str
    better: str
    label: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    """A unit of a threshold: the quantities it fits and the factor to the graph's unit."""

    quantities: tuple[str, ...]
    factor: float


@dataclass(frozen=True)
class Vocabulary:
    """Everything ``prompts/vocabulary.yaml`` says, normalized for matching."""

    aliases: dict[str, str]
    stop_words: frozenset[str]
    quantities: dict[str, Quantity]
    quantity_phrases: dict[str, tuple[str, str]]
    metrics: dict[str, MetricInfo]
    higher_fragments: tuple[str, ...]
    lower_fragments: tuple[str, ...]
    quality_preference: tuple[str, ...]
    direction_words: dict[str, frozenset[str]]
    comparison_words: dict[str, tuple[str, ...]]
    units: dict[str, Unit]
    count_units: dict[str, str]
    intents: dict[str, tuple[str, ...]]
    aggregates: dict[str, tuple[str, ...]]
    group_markers: tuple[str, ...]
    group_nouns: dict[str, tuple[str, ...]]
    lookup_fields: dict[str, tuple[str, ...]]
    inference_cues: tuple[str, ...]
    training_cues: tuple[str, ...]
    write_words: tuple[str, ...]
    follow_up_cues: tuple[str, ...] = ()
    question_starters: frozenset[str] = frozenset()

    @property
    def metric_words(self) -> frozenset[str]:
        """Every word of a quantity phrase or metric synonym (never an entity on its own)."""
        found: set[str] = set()
        for phrase in self.quantity_phrases:
            found.update(phrase.split())
        for info in self.metrics.values():
            found.update(info.name.split("_"))
            for synonym in info.words:
                found.update(synonym.split())
        return frozenset(w for w in found if not w.isdigit())

    def metric_info(self, name: str) -> MetricInfo | None:
        """What the vocabulary knows about a metric named ``name`` in a catalog (``F1_score`` -> f1)."""
        lower = name.lower()
        if lower in self.metrics:
            return self.metrics[lower]
        compact = re.sub(r"[^a-z0-9²]", "", lower)
        for candidate in (compact, re.sub(r"score$|^score", "", compact), re.sub(r"^mean|mean$", "", compact)):
            for key, info in self.metrics.items():
                if candidate and (
                    candidate == key.replace("_", "") or candidate in {w.replace(" ", "") for w in info.words}
                ):
                    return info
        return None

    def metric_direction(self, name: str) -> tuple[str, bool]:
        """The better direction of metric ``name`` and whether it is known (False: guessed)."""
        info = self.metric_info(name)
        if info:
            return info.better, True
        lower = name.lower()
        if any(fragment in lower for fragment in self.lower_fragments):
            return "lower", False
        return "higher", False


def _phrases(items: list[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(key for key in (phrase_key(str(item)) for item in items) if key))


def _phrase_map(data: dict[str, list[Any]]) -> dict[str, tuple[str, ...]]:
    return {str(name): _phrases(items) for name, items in data.items()}


def find_phrases(text_words: list[str], phrases: Iterable[str]) -> list[tuple[int, int, str]]:
    """Where ``phrases`` occur in ``text_words``, longest first, never overlapping.

    Returns:
        ``(first word, after last word, phrase)`` triples in text order.
    """
    by_length = sorted({p for p in phrases if p}, key=lambda p: (-len(p.split()), p))
    taken = [False] * len(text_words)
    found = []
    for phrase in by_length:
        parts = phrase.split()
        n = len(parts)
        for i in range(len(text_words) - n + 1):
            if text_words[i : i + n] == parts and not any(taken[i : i + n]):
                found.append((i, i + n, phrase))
                for k in range(i, i + n):
                    taken[k] = True
    return sorted(found)


def _require(data: dict[str, Any], key: str, path: Path) -> Any:
    if key not in data:
        raise ConfigError(f"{path} has no '{key}' section - restore it from the repository")
    return data[key]


def parse_vocabulary(data: dict[str, Any], path: Path = DEFAULT_PATH) -> Vocabulary:
    """Build a :class:`Vocabulary` from the parsed YAML mapping.

    Raises:
        ConfigError: A section is missing or malformed.
    """
    try:
        quantities = {
            key: Quantity(
                key=key,
                scope=str(spec["scope"]),
                property=str(spec["property"]),
                unit=str(spec.get("unit") or ""),
                better=str(spec.get("better", "lower")),
                label=str(spec.get("label", key)),
                measured=bool(spec.get("measured", False)),
                inference_property=spec.get("inference_property"),
            )
            for key, spec in _require(data, "quantities", path).items()
        }
        phrases = {
            phrase_key(str(phrase)): (str(target[0]), str(target[1]))
            for phrase, target in _require(data, "quantity_phrases", path).items()
        }
        metrics = {
            name: MetricInfo(
                name=name,
                better=str(spec["better"]),
                label=str(spec.get("label", name)),
                words=tuple(phrase_key(str(w)) for w in spec.get("words", [])),
            )
            for name, spec in _require(data, "metrics", path).items()
        }
        units = {
            str(name).lower(): Unit(tuple(spec["quantity"]), float(spec["factor"]))
            for name, spec in _require(data, "units", path).items()
        }
        return Vocabulary(
            aliases={phrase_key(str(k)): phrase_key(str(v)) for k, v in _require(data, "aliases", path).items()},
            stop_words=frozenset(str(w).lower() for w in _require(data, "stop_words", path)),
            quantities=quantities,
            quantity_phrases=phrases,
            metrics=metrics,
            higher_fragments=tuple(data.get("higher_is_better_fragments", ())),
            lower_fragments=tuple(data.get("lower_is_better_fragments", ())),
            quality_preference=tuple(_require(data, "quality_preference", path)),
            direction_words={k: frozenset(v) for k, v in _require(data, "direction_words", path).items()},
            comparison_words={
                k: tuple(sorted((str(w).lower() for w in v), key=len, reverse=True))
                for k, v in _require(data, "comparison_words", path).items()
            },
            units=units,
            count_units={phrase_key(str(k)): str(v) for k, v in data.get("count_units", {}).items()},
            intents=_phrase_map(_require(data, "intents", path)),
            aggregates=_phrase_map(_require(data, "aggregates", path)),
            group_markers=_phrases(_require(data, "group_markers", path)),
            group_nouns=_phrase_map(_require(data, "group_nouns", path)),
            lookup_fields=_phrase_map(_require(data, "lookup_fields", path)),
            inference_cues=_phrases(_require(data, "inference_cues", path)),
            training_cues=_phrases(_require(data, "training_cues", path)),
            write_words=_phrases(_require(data, "write_words", path)),
            follow_up_cues=_phrases(data.get("follow_up_cues", ())),
            question_starters=frozenset(str(w).lower() for w in data.get("question_starters", ())),
        )
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as e:
        raise ConfigError(f"{path} is malformed ({e!r}) - compare it with the repository's version") from e


@functools.lru_cache(maxsize=8)
def load_vocabulary(path: Path = DEFAULT_PATH) -> Vocabulary:
    """Read and parse the vocabulary file once per path.

    Raises:
        ConfigError: The file is missing, not YAML, or malformed.
    """
    try:
        # libyaml's safe loader when PyYAML has it: 7 ms instead of 60 ms, paid by every `mrm3 ask`.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"Cannot read the vocabulary {path} ({e}) - restore it from the repository") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must be a YAML mapping - restore it from the repository")
    logger.debug("loaded vocabulary from %s", path)
    return parse_vocabulary(data, path)
