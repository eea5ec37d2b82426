"""Every part of a question accounted for: numbers and names that nothing used.

After the readers have taken what they understood (entity links, metrics,
conditions, dates, k), whatever is left and still carries meaning must not be
dropped silently:

- a number nothing used ("with 5 layers") means a condition the engine did not
  understand, so the question cannot be answered as asked;
- a name-like term (digits, hyphens or capitals: "ResNet50", "A100", "Jetson
  Nano") that links to no graph value names something the graph does not hold.
"""

from __future__ import annotations

import re

from assistant.engines.offline.read.slots import Span, overlaps
from assistant.engines.offline.read.thresholds import NUMBER

_NUMBER = re.compile(rf"(?<![\w.,])(?:{NUMBER})(?![\w])")
_TOKEN = re.compile(r"[A-Za-z0-9µ][A-Za-z0-9µ²+]*(?:[-_./][A-Za-z0-9µ²+]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+|\"|')\s*$")


def unplaced_numbers(question: str, used: list[Span]) -> tuple[list[str], list[str]]:
    """Numbers outside every span a reader used: those that end a name ("Raspberry Pi 5", "RTX 4090"), and the
    others with a few words of context."""
    names, found = [], []
    for match in _NUMBER.finditer(question):
        if overlaps(match.span(), used):
            continue
        name = re.search(r"((?:[A-Z][\w/]*[ -])+)$", question[: match.start()])
        if name:  # capitalised words right before: the number is part of a name
            names.append(name.group(1) + match.group())
            continue
        before = question[: match.start()].split()[-2:]
        after = question[match.end() :].split()[:2]
        found.append(" ".join([*before, match.group(), *after]))
    return names, found


def _name_like(token: str, at_sentence_start: bool) -> bool:
    if re.fullmatch(NUMBER, token):
        return False
    if any(c.isdigit() for c in token) or any(c in "-_/" for c in token.strip("-_/")):
        return True
    capitals = sum(c.isupper() for c in token)
    if capitals == 0:
        return False
    return not (at_sentence_start and capitals == 1 and token[0].isupper())


def name_like_terms(
    question: str, used: list[Span], known: frozenset[str], places: tuple[str, ...] = ()
) -> list[tuple[str, Span]]:
    """Name-like terms outside ``used`` that are no vocabulary word; neighbours joined ("Jetson Nano")."""
    terms: list[tuple[str, Span]] = []
    for match in _TOKEN.finditer(question):
        token, span = match.group(), match.span()
        parts = [p for p in re.split(r"[-_/.]", token.lower()) if p]
        shouted = token in places  # "the US" is a place, not "us"
        if overlaps(span, used) or (not shouted and (token.lower() in known or all(p in known for p in parts))):
            continue  # "trade-off", "CO2"
        start = bool(_SENTENCE_START.search(question[: span[0]]))
        if not _name_like(token, start):
            continue
        if terms and question[terms[-1][1][1] : span[0]] == " ":
            text, (first, _) = terms.pop()
            terms.append((f"{text} {token}", (first, span[1])))
            continue
        terms.append((token, span))
    return [_with_capitalised_neighbour(question, term, span) for term, span in terms]


def _with_capitalised_neighbour(question: str, term: str, span: Span) -> tuple[str, Span]:
    """ "Orin" in "on a Jetson Orin" is "Jetson Orin": a capitalised word right before joins the name."""
    before = re.search(r"([A-Z][A-Za-z0-9]*) $", question[: span[0]])
    if before and not _SENTENCE_START.search(question[: before.start()]):
        return f"{before.group(1)} {term}", (before.start(), span[1])
    return term, span


def joined_words(question: str, words: list[str]) -> list[str]:
    """Words that stand next to each other in the question, joined ("speech", "recognition" -> "speech recognition")."""
    lower = question.lower()
    placed = sorted((lower.find(w), w) for w in words if lower.find(w) >= 0)
    joined: list[tuple[int, str]] = []
    for at, word in placed:
        if joined:
            start, text = joined[-1]
            if lower[start + len(text) : at].strip(" -") == "":
                joined[-1] = (start, lower[start : at + len(word)])
                continue
        joined.append((at, word))
    return [text for _, text in joined] + [w for w in words if lower.find(w) < 0]


def fixed_condition_words(question: str, known: frozenset[str], conditions: tuple[str, ...]) -> tuple[str, list[str]]:
    """The question with misspelt condition words put right ("betwen" -> "between"), and what was changed.

    Conditions are read by patterns over the text, so a slip in "between" or
    "since" would leave their numbers and dates unplaced; one edit is fixed. ``conditions`` are the
    condition words (the vocabulary's ``condition_words``), in order: the first of two as close wins.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    notes: list[str] = []

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        inside = question[max(0, match.start() - 1) : match.start()] in "-_/" and match.start() > 0
        inside = inside or question[match.end() : match.end() + 1] in ("-", "_", "/")
        name_like = (word[0].isupper() and match.start() > 0) or not word[1:].islower() or inside
        if len(word) < 4 or word.lower() in known or name_like:
            return word  # names keep their spelling ("Omer" is not "over")
        close = process.extractOne(word.lower(), conditions, scorer=OSA.distance, score_cutoff=1)
        if close is None:
            return word
        if close[0] == word.lower():
            return word
        notes.append(f"read {word!r} as {close[0]!r}")
        return close[0]

    return re.sub(r"[A-Za-z]+", fix, question), notes
