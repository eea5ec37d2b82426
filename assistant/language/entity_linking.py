"""Link the words of a question to values in the graph ("lumos" -> ``lumos5g``).

The values come from schema introspection (the low-cardinality string
properties of each label), so a new catalog needs no code change. Matching is
case-insensitive and works on words: camel case and separators are split, so
"random forest" finds ``RandomForestRegressor`` and "k-fold" finds ``KFold``.
Per span of up to six question words, in falling score:

1. the same words as a value (``XGBRegressor`` = "xgb regressor");
2. a prefix of a value ("lumos" -> ``lumos5g``);
3. consecutive words inside a value ("raspberry pi" -> ``Raspberry Pi 4 Model B ...``);
4. a close spelling of one of the above ("lumoss", "raspbery pi"), by edit ratio.

Aliases from ``prompts/vocabulary.yaml`` are applied first ("knn" -> "k neighbors").
Stop words and metric words ("model", "carbon", "best") never link on their
own. Overlapping spans are resolved best score first, longer span first;
when several values of one property tie for a span ("cifar" -> ``cifar10`` and
``cifar100``), all of them are returned with the same span.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from assistant.graph.schema import GraphSchema
from assistant.language.vocabulary import Vocabulary, load_vocabulary, stem, words

logger = logging.getLogger(__name__)

# Keys, bookkeeping, copies of the model name on run nodes, and values that
# read like numbers or units: never what a question names.
IGNORED_PROPERTIES = frozenset({
    "id", "key", "cardHash", "source", "path", "model", "version", "memoryCapacity",
    # Copies kept for speed (an inference run's device processor), linked where they belong.
    "deviceProcessor",
    # Free text of Hugging Face cards and CodeCarbon logs: reasons, raw values, file fields.
    "carbonFootprintSuspect", "flagged", "metadataError", "unreadEmissions", "publishedValue", "publishedUnit", "field",
    "file", "suspect", "trainingType", "emissionsSource", "hubRevision", "hubFiles", "runId", "experimentId",
    "runHash", "taskName", "metricName",
})  # fmt: skip
# When two labels match a span equally well, the first one listed wins.
LABEL_PRIORITY = (
    "Dataset",
    "ModelArchitecture",
    "Service",
    "ProblemType",
    "Device",
    "Parameters",
    "Model",
    "Hyperparameters",
)
# Labels whose values are free-form settings: only exact words link to them.
EXACT_ONLY_LABELS = frozenset({"Hyperparameters"})
# A model-index dataset's free-text name ("ENEM Challenge (No Images)") links only when said in full: its words
# would otherwise take "enem challenge" from eduagarcia/enem_challenge, the dataset's type.
EXACT_ONLY_PROPERTIES = frozenset({("EvaluationResult", "datasetName")})
MAX_SPAN_TOKENS = 6
MIN_SCORE = 0.6
FUZZY_CUTOFF = 84.0
MIN_FUZZY_CHARS = 5
TIE = 0.015
PART_QUALITY = 0.9  # a prefix or whole words inside a value
STEM_QUALITY = 0.88  # the same words but for their endings ("text classifier")
FUZZY_QUALITY = 0.92
# Spans matching at least this well are taken longest first ("random forest"
# before "random"); weaker ones only fill the gaps.
STRONG = 0.8
MIN_MODEL_COVERAGE = 0.8

_TOKEN = re.compile(r"[A-Za-z0-9²µ]+(?:[-_./+][A-Za-z0-9²µ]+)*")


@dataclass(frozen=True)
class EntityLink:
    """One question span linked to one graph value."""

    label: str
    """Node label, e.g. ``"Dataset"``."""
    property: str
    """Property holding the value, e.g. ``"name"``."""
    value: str
    """The value as stored in the graph, e.g. ``"lumos5g"``."""
    mention: str
    """The words of the question, e.g. ``"lumos"``."""
    score: float
    """Confidence, 0..1 (1: the same words)."""
    start: int
    """Character span of ``mention`` in the question."""
    end: int


@dataclass(frozen=True)
class _Entry:
    label: str
    property: str
    value: str
    words: tuple[str, ...]
    compact: str


@dataclass
class _Index:
    entries: list[_Entry]
    by_compact: dict[str, list[_Entry]]
    by_window: dict[str, list[tuple[_Entry, int]]]
    """Compact form of each run of consecutive words of a value -> (entry, words in the run)."""
    by_stem: dict[str, list[_Entry]]
    """Stemmed compact form of each run of words ("textclassif") -> entries."""
    choices: list[str]
    """Every compact form and window, for fuzzy matching."""


def _linkable(schema: GraphSchema) -> Iterable[tuple[str, str, str]]:
    for label, props in schema.node_properties.items():
        for prop, info in props.items():
            if prop in IGNORED_PROPERTIES or not info.values:
                continue
            for value in info.values:
                yield label, prop, value


def _build_index(schema: GraphSchema) -> _Index:
    entries: list[_Entry] = []
    by_compact: dict[str, list[_Entry]] = defaultdict(list)
    by_window: dict[str, list[tuple[_Entry, int]]] = defaultdict(list)
    by_stem: dict[str, list[_Entry]] = defaultdict(list)
    for label, prop, value in _linkable(schema):
        value_words = tuple(words(value))
        compact = "".join(value_words)
        if len(compact) < 2 or compact.isdigit():
            continue
        entry = _Entry(label, prop, value, value_words, compact)
        entries.append(entry)
        by_compact[compact].append(entry)
        n = len(value_words)
        for i in range(n):
            for j in range(i + 1, min(n, i + MAX_SPAN_TOKENS) + 1):
                if (i, j) != (0, n):
                    by_window["".join(value_words[i:j])].append((entry, j - i))
                by_stem["".join(stem(w) for w in value_words[i:j])].append(entry)
    return _Index(entries, dict(by_compact), dict(by_window), dict(by_stem), [*by_compact, *by_window])


class _IndexCache:
    """One index per schema object; schemas are immutable and cached upstream."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._items: list[tuple[GraphSchema, _Index]] = []
        self._lock = threading.Lock()

    def get(self, schema: GraphSchema) -> _Index:
        with self._lock:
            for known, index in self._items:
                if known is schema:
                    return index
        index = _build_index(schema)
        with self._lock:
            self._items = [(schema, index), *self._items][: self._size]
        return index


_CACHE = _IndexCache()


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    words: tuple[str, ...]


def _tokens(question: str) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(question):
        token_words = tuple(words(match.group()))
        if token_words:
            found.append(_Token(match.group(), match.start(), match.end(), token_words))
    return found


# A card's tags and languages are loose labels: a word that is also its library ("transformers") or
# another property's value means that one.
_LOOSE_PROPERTIES = frozenset({("Model", "tags"), ("Model", "language"), ("Model", "hubName")})


def _priority(label: str, prop: str = "") -> float:
    rank = LABEL_PRIORITY.index(label) if label in LABEL_PRIORITY else len(LABEL_PRIORITY)
    return rank + (0.5 if (label, prop) in _LOOSE_PROPERTIES else 0.0)


def _coverage(compact: str, entry: _Entry) -> float:
    return min(1.0, len(compact) / max(1, len(entry.compact)))


def _allowed(entry: _Entry, quality: float, coverage: float) -> bool:
    if (entry.label in EXACT_ONLY_LABELS or (entry.label, entry.property) in EXACT_ONLY_PROPERTIES) and quality < 1.0:
        return False
    # Part of a model name ("cifar10 holdout") is better read as filters on its
    # dataset, architecture or split than as one arbitrary model.
    return entry.label != "Model" or quality >= 1.0 or coverage >= MIN_MODEL_COVERAGE


def _score_forms(forms: Sequence[str], index: _Index) -> dict[_Entry, tuple[float, float]]:
    """Best (quality, coverage) per entry over the candidate compact forms of one span."""
    scores: dict[_Entry, tuple[float, float]] = {}

    def keep(entry: _Entry, quality: float, compact: str) -> None:
        coverage = _coverage(compact, entry)
        if _allowed(entry, quality, coverage) and (quality, coverage) > scores.get(entry, (0.0, 0.0)):
            scores[entry] = (quality, coverage)

    for compact in forms:
        for entry in index.by_compact.get(compact, ()):
            keep(entry, 1.0, compact)
        if len(compact) >= 3 and not compact.isdigit():
            for entry in index.entries:
                if entry.compact != compact and entry.compact.startswith(compact) and _word_edge(entry, compact):
                    keep(entry, PART_QUALITY, compact)
            for entry, _ in index.by_window.get(compact, ()):
                keep(entry, PART_QUALITY, compact)
    return scores


def _word_edge(entry: _Entry, prefix: str) -> bool:
    """Whether ``prefix`` ends at a word end or before a number: "lumos" in lumos5g, not "image" in imagenet."""
    if re.match(r"\d|[a-z]\d", entry.compact[len(prefix) :]):
        return True  # a number or a version follows: "yolo" in YOLOv5s, "resnet" in ResNet18
    length = 0
    for word in entry.words:
        length += len(word)
        if length >= len(prefix):
            return length == len(prefix)
    return False


def _fuzzy(forms: Sequence[str], index: _Index) -> dict[_Entry, tuple[float, float]]:
    scores: dict[_Entry, tuple[float, float]] = {}

    def keep(entry: _Entry, ratio: float, compact: str) -> None:
        quality = FUZZY_QUALITY * ratio / 100.0
        coverage = _coverage(compact, entry)
        if _allowed(entry, quality, coverage) and (quality, coverage) > scores.get(entry, (0.0, 0.0)):
            scores[entry] = (quality, coverage)

    for compact in forms:
        if len(compact) < MIN_FUZZY_CHARS or compact.isdigit():
            continue
        for key, ratio, _ in process.extract(
            compact, index.choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=8
        ):
            for entry in index.by_compact.get(key, ()):
                keep(entry, ratio, compact)
            for entry, _ in index.by_window.get(key, ()):
                keep(entry, ratio, compact)
        # A misspelt prefix ("lumoss" for lumos5g) is close to the start of the value.
        for entry in index.entries:
            for size in (len(compact) - 1, len(compact), len(compact) + 1):
                head = entry.compact[:size]
                if len(entry.compact) > size and head != compact:
                    ratio = fuzz.ratio(compact, head)
                    if ratio >= FUZZY_CUTOFF:
                        keep(entry, ratio * PART_QUALITY, compact)
    return scores


def _span_forms(span: Sequence[_Token], vocabulary: Vocabulary) -> tuple[list[str], bool]:
    """Compact forms to match for a span, and whether an alias produced one."""
    span_words = [w for token in span for w in token.words]
    phrase = " ".join(span_words)
    forms = ["".join(span_words)]
    alias = vocabulary.aliases.get(phrase)
    if alias is None and len(span) == 1 and len(phrase) >= MIN_FUZZY_CHARS:
        # A misspelt alias ("xgbost") still counts when it is close.
        close = process.extractOne(phrase, list(vocabulary.aliases), scorer=fuzz.ratio, score_cutoff=88.0)
        alias = vocabulary.aliases[close[0]] if close else None
    if alias is not None:
        forms.insert(0, alias.replace(" ", ""))
    return forms, alias is not None


def _link_score(quality: float, coverage: float) -> float:
    return round(quality * (0.9 + 0.1 * coverage), 3)


_Candidate = tuple[float, int, int, int, list[tuple[_Entry, float]]]
"""(quality, tokens counted for longest-first, start, end, entries with their scores, best first)."""


def _candidates(tokens: Sequence[_Token], index: _Index, vocab: Vocabulary) -> list[_Candidate]:
    blocked = vocab.stop_words | {w for w in vocab.metric_words if not w.isdigit()}
    found: list[_Candidate] = []
    fuzzy_spans: list[tuple[int, int]] = []
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + MAX_SPAN_TOKENS) + 1):
            span = tokens[i:j]
            forms, aliased = _span_forms(span, vocab)
            edges = {" ".join(span[0].words), " ".join(span[-1].words)}
            stemmed = "".join(stem(w) for t in span for w in t.words)
            stem_hits = index.by_stem.get(stemmed, []) if len(stemmed) >= 4 else []
            if edges & blocked and not aliased:
                # A span starting or ending in "the" or "model" only links when it is a whole value
                # (or one but for word endings: "text classifier" for "text classification").
                scores = {e: (1.0, 1.0) for f in forms for e in index.by_compact.get(f, ())}
                if len(span) > 1 and not all(" ".join(t.words) in blocked for t in span):
                    # Consecutive words of a value that include a common word: "core i9", "model b".
                    for entry, _ in index.by_window.get(forms[-1], ()):
                        if entry not in scores and _allowed(entry, PART_QUALITY, _coverage(forms[-1], entry)):
                            scores[entry] = (PART_QUALITY, _coverage(forms[-1], entry))
                whole = [e for e in stem_hits if "".join(stem(w) for w in e.words) == stemmed and len(span) > 1]
                scores.update(
                    {e: (STEM_QUALITY, 1.0) for e in whole if e not in scores and _allowed(e, STEM_QUALITY, 1.0)}
                )
            else:
                scores = _score_forms(forms, index)
                for entry in stem_hits:
                    if _allowed(entry, STEM_QUALITY, 1.0) and entry not in scores:
                        scores[entry] = (STEM_QUALITY, _coverage(stemmed, entry))
                # Close spellings only for spans of content words: "distilbert on yelp" is two things.
                if not scores and not any(" ".join(t.words) in blocked for t in span):
                    scores = _fuzzy(forms, index)
                    if scores and j - i > 1:
                        fuzzy_spans.append((span[0].start, span[-1].end))
            ranked = sorted(
                ((e, _link_score(*qc), qc[0]) for e, qc in scores.items()),
                key=lambda item: (-item[1], _priority(item[0].label, item[0].property), item[0].value),
            )
            ranked = [item for item in ranked if item[1] >= MIN_SCORE]
            if ranked:
                quality = max(item[2] for item in ranked)
                length = j - i if quality >= STRONG else 0
                found.append((quality, length, span[0].start, span[-1].end, [(e, s) for e, s, _ in ranked]))
    # A close spelling over several words must not swallow a word that is a value itself:
    # "umu random forest" is umu and random forest, not one misspelt model name.
    exact = [(c[2], c[3]) for c in found if c[0] >= 1.0]
    return [
        (q, 0, start, end, options)
        if (start, end) in fuzzy_spans and any(start <= a and b <= end and (a, b) != (start, end) for a, b in exact)
        else (q, length, start, end, options)
        for q, length, start, end, options in found
    ]


def _resolve(question: str, candidates: list[_Candidate]) -> list[EntityLink]:
    """Longest strong spans first, then the best; values of one property tied for a span all stay."""
    candidates = sorted(
        candidates, key=lambda c: (-c[1], -c[0], _priority(c[4][0][0].label, c[4][0][0].property), c[2])
    )
    taken: list[tuple[int, int]] = []
    links: list[EntityLink] = []
    for _, _, start, end, options in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        top, best = options[0]
        for entry, score in options:
            if (entry.label, entry.property) == (top.label, top.property) and score >= best - TIE:
                links.append(
                    EntityLink(entry.label, entry.property, entry.value, question[start:end], score, start, end)
                )
    return links


def link_entities(question: str, schema: GraphSchema, *, vocabulary: Vocabulary | None = None) -> list[EntityLink]:
    """Find the graph values a question names.

    Args:
        question: The question as the user typed it.
        schema: The live graph's schema; its low-cardinality string values
            (``PropertyInfo.values``) are what can be linked.
        vocabulary: Aliases and stop words; the project's vocabulary when omitted.

    Returns:
        Links ordered by their position in the question. Spans never overlap,
        except that values tied for one span share it.
    """
    vocab = vocabulary or load_vocabulary()
    index = _CACHE.get(schema)
    if not index.entries:
        return []
    links = _resolve(question, _candidates(_tokens(question), index, vocab))
    links.sort(key=lambda link: (link.start, _priority(link.label), link.value))
    logger.debug("entity links for %r: %s", question, links)
    return links
