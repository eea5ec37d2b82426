"""Slots read straight from the question's text: numbers with units, dates, k, metric mentions.

Each reader returns what it found together with the character spans it used,
so later readers (and the check for unknown words) can skip them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from assistant.engines.offline.read.function_words import (
    DATE_BOUNDS,
    DATE_PREPOSITION,
    MONTHS,
    NUMBER_WORDS,
    SUPERLATIVE,
)
from assistant.engines.offline.read.metrics import Metric, MetricCatalog
from assistant.language.vocabulary import Vocabulary, find_phrases, words

_K_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_K_PATTERNS = (
    re.compile(
        rf"\b(?:top|best|first|leading)[\s-]*(?P<k>\d{{1,3}}|{_K_WORDS})\b"
        r"(?!\s*(?:%|(?:k|m)?g|[km]?j|m?s|sec|seconds?|minutes?|hours?|[kmg]b|bytes|gpus?|cores?)\b)"
    ),
    re.compile(rf"\b(?P<k>\d{{1,3}}|{_K_WORDS})\s+(?:of\s+the\s+)?{SUPERLATIVE}\b"),
    re.compile(rf"\b{SUPERLATIVE}\s+(?P<k>\d{{1,3}}|{_K_WORDS})\s+(?:models?|ones|datasets?|architectures?)\b"),
)
Span = tuple[int, int]


@dataclass(frozen=True)
class Word:
    """One lower-case word of the question and where it is."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """A metric named in the question ("greenest", "MAE", "latency")."""

    start: int
    end: int
    kind: str
    """``quantity``, ``quality``, ``generic_quality`` (best / most accurate) or ``missing``."""
    key: str
    want: str
    """``low``, ``high``, ``best``, ``worst`` or ``none``."""
    text: str
    role: str = ""
    """``training`` or ``inference`` when the word right before says so ("training energy"), else ``""``."""


@dataclass(frozen=True)
class Threshold:
    """A numeric condition: ``metric op value`` in the graph's unit."""

    metric: Metric
    op: str
    """``<``, ``<=``, ``>``, ``>=``, ``=``, ``measured`` or ``unmeasured``."""
    value: float
    said: str
    span: Span
    unit: str = ""
    """The unit as the question wrote it ("mJ"); ``value`` is already in the graph's unit."""


@dataclass(frozen=True)
class DateRange:
    """Creation dates from ``start`` (inclusive) to ``end`` (exclusive), ISO strings or None."""

    start: str | None
    end: str | None
    said: str
    span: Span


def question_words(question: str) -> list[Word]:
    """The words of ``question`` with their character spans ("highest-AUC" -> highest, auc)."""
    found = []
    for match in re.finditer(r"[A-Za-z0-9²µ%]+(?:[-_./+'][A-Za-z0-9²µ]+)*", question):
        token = match.group().lower()
        cursor = 0
        for word in words(match.group()):
            at = token.find(word, cursor)
            if at < 0:
                found.append(Word(word, match.start(), match.end()))
                continue
            found.append(Word(word, match.start() + at, match.start() + at + len(word)))
            cursor = at + len(word)
    return found


def overlaps(span: Span, spans: list[Span]) -> bool:
    """Whether ``span`` overlaps any of ``spans``."""
    return any(span[0] < end and start < span[1] for start, end in spans)


def read_k(text: str, used: list[Span]) -> tuple[int | None, Span | None]:
    """ "top 5", "3 greenest", "the two fastest" -> k."""
    lower = text.lower()
    for pattern in _K_PATTERNS:
        for match in pattern.finditer(lower):
            if overlaps(match.span("k"), used):
                continue
            raw = match.group("k")
            k = NUMBER_WORDS.get(raw) or (int(raw) if raw.isdigit() else None)
            if k and 0 < k <= 100:
                return k, match.span("k")
    return None, None


_MONTH_RANGE = re.compile(
    r"\b(?:(?:between|from)\s+(?P<m1>[a-z]{3,9})\.?\s*(?P<y1>(?:19|20)\d\d)?\s*(?:and|to|until|through|thru|till|-|–)"
    r"|(?P<m1b>[a-z]{3,9})\.?\s*(?P<y1b>(?:19|20)\d\d)?\s*(?:to|until|through|thru|till|-|–))\s*"
    r"(?P<m2>[a-z]{3,9})\.?,?\s+(?:of\s+)?(?P<y2>(?:19|20)\d\d)\b"
)
_YEAR_RANGE = re.compile(
    r"\b(?:between|from)\s+(?P<y1>(?:19|20)\d\d)\s*(?:and|to|until|through|till|-|–)\s*(?P<y2>(?:19|20)\d\d)\b"
    r"(?!\s*[a-zµ%])"
)


def _date_ranges(lower: str) -> list[DateRange]:
    """ "between March and June 2024" (both months included), "from 2023 to 2024" (both years included)."""
    found = []
    for match in _MONTH_RANGE.finditer(lower):
        first, last = MONTHS.get(match.group("m1") or match.group("m1b")), MONTHS.get(match.group("m2"))
        if first is None or last is None:
            continue
        y2 = int(match.group("y2"))
        said_y1 = match.group("y1") or match.group("y1b")
        y1 = int(said_y1) if said_y1 else (y2 if first <= last else y2 - 1)
        start = dt.date(y1, first, 1)
        end = dt.date(y2 + last // 12, last % 12 + 1, 1)
        found.append(DateRange(start.isoformat(), end.isoformat(), match.group(), match.span()))
    for match in _YEAR_RANGE.finditer(lower):
        if overlaps(match.span(), [d.span for d in found]):
            continue
        y1, y2 = sorted((int(match.group("y1")), int(match.group("y2"))))
        found.append(DateRange(f"{y1}-01-01", f"{y2 + 1}-01-01", match.group(), match.span()))
    return found


_LATER = re.compile(r"\s*(?:,\s*)?(?:(?:or|and)\s+(?P<dir>later|after|newer|earlier|before|older)|(?P<on>onwards?))\b")


_DAY, _YEAR_AT_END = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?", r",?\s+(?P<y>(?:19|20)\d\d)\b"
_DATE_PATTERNS = (
    (re.compile(DATE_PREPOSITION + r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"), "day"),
    (re.compile(DATE_PREPOSITION + rf"\b{_DAY}\s+(?P<mon>[a-z]{{3,9}})\.?{_YEAR_AT_END}"), "day"),
    (re.compile(DATE_PREPOSITION + rf"\b(?P<mon>[a-z]{{3,9}})\.?\s+{_DAY}{_YEAR_AT_END}"), "day"),
    (re.compile(DATE_PREPOSITION + r"\b(?P<mon>[a-z]{3,9})\.?\s+(?P<y>(?:19|20)\d\d)\b"), "month"),
    (re.compile(DATE_PREPOSITION + r"\b(?P<y>(?:19|20)\d\d)\b(?![-.]\d)"), "year"),
)


def read_dates(text: str) -> list[DateRange]:
    """Creation-date conditions: "in 2024", "after March 2024", "before 2024-11-22"."""
    lower = text.lower()
    found: list[DateRange] = list(_date_ranges(lower))
    used: list[Span] = [d.span for d in found]
    for pattern, kind in _DATE_PATTERNS:
        for match in pattern.finditer(lower):
            if overlaps(match.span(), used):
                continue
            period = _period(match, kind, lower)
            if period is None:
                continue
            first, after = period
            prep_word = match.group("prep") or ""
            later = _LATER.match(lower[match.end() :])
            if later:  # "from June 2024 onwards", "2024-11-22 or later"
                on_or_after = later.group("on") or later.group("dir") in ("later", "after", "newer")
                prep_word = "since" if on_or_after else "until"
                match_end = match.end() + later.end()
            else:
                match_end = match.end()
            ends: dict[str, tuple[dt.date | None, dt.date | None]] = {
                "from_after": (after, None), "from_first": (first, None),
                "until_first": (None, first), "until_after": (None, after),
            }  # fmt: skip
            start, end = ends.get(DATE_BOUNDS.get(prep_word, ""), (first, after))
            span = (match.start(), match_end)
            used.append(span)
            said = lower[span[0] : span[1]].strip()
            found.append(DateRange(_iso(start), _iso(end), said, span))
    return found


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _period(match: re.Match[str], kind: str, lower: str) -> tuple[dt.date, dt.date] | None:
    """The first day of the date's period and the day after it, or None when it names no date."""
    y = int(match.group("y"))
    if kind == "day":
        said_month = match.groupdict().get("mon")
        number = MONTHS.get(said_month) if said_month else int(match.group("m"))
        if number is None:
            return None
        try:
            first = dt.date(y, number, int(match.group("d")))
        except ValueError:
            return None
        return first, first + dt.timedelta(days=1)
    if kind == "month":
        number = MONTHS.get(match.group("mon"))
        if number is None:
            return None
        return dt.date(y, number, 1), dt.date(y + number // 12, number % 12 + 1, 1)
    if not match.group("prep") and not re.search(r"\b(created|made|built|year|dated?)\b", lower):
        return None
    return dt.date(y, 1, 1), dt.date(y + 1, 1, 1)


# The word right before a metric that says whose it is: "training energy", "inference energy".
_ROLES = {"training": "training", "train": "training", "inference": "inference", "inferencing": "inference"}


def metric_mentions(qwords: list[Word], catalog: MetricCatalog, vocab: Vocabulary, skip: list[Span]) -> list[Mention]:
    """Metrics named in the question, longest phrase first, outside ``skip`` spans."""
    quality = catalog.quality_phrases()
    missing = {
        w: name
        for name, info in vocab.metrics.items()
        for w in info.words
        if name not in catalog.quality and name not in catalog.results
    }
    hyper = catalog.hyperparameter_phrases()
    phrases = set(vocab.quantity_phrases) | set(quality) | set(missing) | set(hyper)
    texts = [w.text for w in qwords]
    found = []
    for i, j, phrase in find_phrases(texts, phrases):
        span = (qwords[i].start, qwords[j - 1].end)
        if overlaps(span, skip):
            continue
        role = _ROLES.get(texts[i - 1], "") if i > 0 else ""
        if phrase in hyper and phrase not in quality and phrase not in vocab.quantity_phrases:
            found.append(Mention(*span, "quantity", hyper[phrase], "none", phrase, role))
        elif phrase in quality:
            found.append(Mention(*span, "quality", quality[phrase], "none", phrase, role))
        elif phrase in vocab.quantity_phrases:
            key, want = vocab.quantity_phrases[phrase]
            kind = "generic_quality" if key == "quality" else "quantity"
            if kind == "quantity" and catalog.get(key) is None:
                kind = "missing"
            found.append(Mention(*span, kind, key, want, phrase, role))
        else:
            found.append(Mention(*span, "missing", missing[phrase], "none", phrase, role))
    return found
