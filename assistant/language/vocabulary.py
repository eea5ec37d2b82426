"""The word-to-meaning vocabulary both engines share, read from ``prompts/vocabulary.yaml``.

The file is data: synonyms, metric names, units and directions can change
without touching code. :func:`load_vocabulary` reads it once per path.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

DEFAULT_PATH = PROMPTS_DIR / "vocabulary.yaml"
_RESTORE = "restore it from the repository"

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
    tradeoff_cues: tuple[str, ...] = ()
    hyperparameter_words: dict[str, str] = field(default_factory=dict)
    """Everyday words for hyperparameters ("trees": n_estimators), used when the graph has that hyperparameter."""
    """Words that ask for a trade-off between two metrics (the Pareto front)."""
    per_sample_cues: tuple[str, ...] = ()
    """Words that ask for inference energy or carbon per sample rather than per inference."""
    lineage_cues: tuple[str, ...] = ()
    """Words that ask for a model's base model ("fine-tuned from X": ``FINE_TUNED_FROM``)."""
    filter_nouns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    language_names: dict[str, str] = field(default_factory=dict)
    """Language name -> ISO code, as Hugging Face cards write ``language`` ("portuguese": pt)."""
    """Condition kind -> the nouns that name it ("license"); a question saying one must name a value of it."""
    question_starters: frozenset[str] = frozenset()
    cue_patterns: dict[str, str] = field(default_factory=dict)
    """Named regular expressions for the cues the read stage looks for in a question's text ("code carbon")."""
    word_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Named word lists the engine's rules read ("speed_words": fast, quickest ...), in the file's order."""
    place_abbreviations: dict[str, str] = field(default_factory=dict)
    """Abbreviations of places ("US"), as written (case counts: "us" is a word), and the names they stand for."""

    def cue(self, name: str) -> re.Pattern[str]:
        """The cue pattern ``name``, compiled (once).

        Raises:
            KeyError: The vocabulary has no such cue.
        """
        return _compiled(self.cue_patterns[name])

    def words_of(self, name: str) -> tuple[str, ...]:
        """The word list ``name``, in the file's order (empty when the vocabulary has none)."""
        return self.word_lists.get(name, ())

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

    def unit(self, said: str) -> tuple[Unit | None, list[str]]:
        """The unit ``said`` names, case-sensitively first ("mJ" is not "MJ").

        Returns ``(unit, [])`` when it is known; ``(None, candidates)`` when it is
        known in another case only and the candidates disagree ("mj": mJ or MJ),
        so the question must say which; ``(None, [])`` when it is no unit.
        """
        if said in self.units:
            return self.units[said], []
        candidates = [name for name in self.units if name.lower() == said.lower()]
        meanings = {self.units[name] for name in candidates}
        if len(meanings) == 1:
            return self.units[candidates[0]], []
        return None, candidates

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


def parse_vocabulary(data: Any, path: Path = DEFAULT_PATH) -> Vocabulary:
    """Build a :class:`Vocabulary` from the parsed YAML mapping.

    Raises:
        ConfigError: A section is missing or malformed; the message names the section, entry and field.
    """
    # pydantic builds its models in ~0.1 s: paid only when the file is validated, not on a cached load.
    from assistant.data_files import validate
    from assistant.language.vocabulary_file import VocabularyFile

    spec = validate(data, VocabularyFile, path=path, hint=_RESTORE)
    return Vocabulary(
        aliases={phrase_key(k): phrase_key(v) for k, v in spec.aliases.items()},
        stop_words=frozenset(w.lower() for w in spec.stop_words),
        quantities={
            key: Quantity(
                key=key,
                scope=q.scope,
                property=q.property,
                unit=q.unit or "",
                better=q.better,
                label=q.label or key,
                inference_property=q.inference_property,
            )
            for key, q in spec.quantities.items()
        },
        quantity_phrases={phrase_key(phrase): target for phrase, target in spec.quantity_phrases.items()},
        metrics={
            name: MetricInfo(
                name=name, better=m.better, label=m.label or name, words=tuple(phrase_key(w) for w in m.words)
            )
            for name, m in spec.metrics.items()
        },
        higher_fragments=tuple(spec.higher_is_better_fragments),
        lower_fragments=tuple(spec.lower_is_better_fragments),
        quality_preference=tuple(spec.quality_preference),
        direction_words={k: frozenset(v) for k, v in spec.direction_words.items()},
        comparison_words={
            k: tuple(sorted((w.lower() for w in v), key=len, reverse=True)) for k, v in spec.comparison_words.items()
        },
        units={name: Unit(tuple(u.quantity), u.factor) for name, u in spec.units.items()},
        count_units={phrase_key(k): v for k, v in spec.count_units.items()},
        intents=_phrase_map(spec.intents),
        aggregates=_phrase_map(spec.aggregates),
        group_markers=_phrases(spec.group_markers),
        group_nouns=_phrase_map(spec.group_nouns),
        lookup_fields=_phrase_map(spec.lookup_fields),
        inference_cues=_phrases(spec.inference_cues),
        training_cues=_phrases(spec.training_cues),
        write_words=_phrases(spec.write_words),
        follow_up_cues=_phrases(spec.follow_up_cues),
        tradeoff_cues=_phrases(spec.tradeoff_cues),
        hyperparameter_words={phrase_key(k): v for k, v in spec.hyperparameter_words.items()},
        per_sample_cues=_phrases(spec.per_sample_cues),
        lineage_cues=_phrases(spec.lineage_cues),
        filter_nouns=_phrase_map(spec.filter_nouns),
        language_names={k.lower(): str(v) for k, v in spec.language_names.items()},
        question_starters=frozenset(w.lower() for w in spec.question_starters),
        cue_patterns=dict(spec.cue_patterns),
        word_lists={name: tuple(words) for name, words in spec.word_lists.items()},
        place_abbreviations=dict(spec.place_abbreviations),
    )


@functools.lru_cache(maxsize=128)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@functools.lru_cache(maxsize=8)
def load_vocabulary(path: Path = DEFAULT_PATH, cache_dir: Path | None = None) -> Vocabulary:
    """Read and parse the vocabulary file once per path (and process).

    Args:
        path: The vocabulary file.
        cache_dir: Where a validated vocabulary is kept between runs, keyed by the file's content
            and the code that reads it, so a changed file or a new version is validated again.
            Without it the file is validated every time (about 0.1 s, most of it pydantic).

    Raises:
        ConfigError: The file is missing, not YAML, or malformed.
    """
    if cache_dir is None:
        return _read(path)
    try:
        key = hashlib.sha256(_code_key() + path.read_bytes()).hexdigest()[:32]
    except OSError:
        return _read(path)  # says what is wrong with the file, in one line
    cached = cache_dir / f"vocabulary-{key}.pickle"
    try:
        with cached.open("rb") as file:
            vocabulary = pickle.load(file)
        if isinstance(vocabulary, Vocabulary):
            return vocabulary
    except FileNotFoundError:
        pass
    except Exception as e:  # a damaged or foreign cache file: validate again and replace it
        logger.debug("ignoring the vocabulary cache %s: %s", cached, e)
    vocabulary = _read(path)
    try:
        # Only its owner may write there: a cached vocabulary is unpickled, so it must be ours.
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(vocabulary, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, cached)  # atomic: a concurrent reader sees the old file or the whole new one
    except OSError as e:
        logger.debug("cannot keep the vocabulary cache in %s: %s", cache_dir, e)
    return vocabulary


def _read(path: Path) -> Vocabulary:
    from assistant.data_files import read_yaml

    return parse_vocabulary(read_yaml(path, what="the vocabulary", hint=_RESTORE), path)


@functools.cache
def _code_key() -> bytes:
    """What a cached vocabulary depends on besides the file: the code that validates and builds it."""
    here = Path(__file__).resolve().parent
    sources = [here / "vocabulary.py", here / "vocabulary_file.py", here.parent / "data_files.py"]
    return sys.version.encode() + b"".join(hashlib.sha256(p.read_bytes()).digest() for p in sources)
