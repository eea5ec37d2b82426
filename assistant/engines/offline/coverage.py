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
from collections.abc import Callable

from assistant.engines.offline.plan import Frame
from assistant.engines.offline.slots import Span, overlaps
from assistant.engines.offline.thresholds import NUMBER

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


_CAPITALISED_NAMES = frozenset({"US", "UK", "EU", "USA"})


def name_like_terms(question: str, used: list[Span], known: frozenset[str]) -> list[tuple[str, Span]]:
    """Name-like terms outside ``used`` that are no vocabulary word; neighbours joined ("Jetson Nano")."""
    terms: list[tuple[str, Span]] = []
    for match in _TOKEN.finditer(question):
        token, span = match.group(), match.span()
        parts = [p for p in re.split(r"[-_/.]", token.lower()) if p]
        shouted = token in _CAPITALISED_NAMES  # "the US" is a place, not "us"
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


_CONDITION_WORDS = (
    "between", "since", "before", "after", "under", "above", "below", "over", "than", "from", "until", "least",
    "most", "more", "less", "fewer", "onwards", "later", "earlier", "older", "newer", "exceeding", "within",
)  # fmt: skip


def fixed_condition_words(question: str, known: frozenset[str]) -> tuple[str, list[str]]:
    """The question with misspelt condition words put right ("betwen" -> "between"), and what was changed.

    Conditions are read by patterns over the text, so a slip in "between" or
    "since" would leave their numbers and dates unplaced; one edit is fixed.
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
        close = process.extractOne(word.lower(), _CONDITION_WORDS, scorer=OSA.distance, score_cutoff=1)
        if close is None:
            return word
        if close[0] == word.lower():
            return word
        notes.append(f"read {word!r} as {close[0]!r}")
        return close[0]

    return re.sub(r"[A-Za-z]+", fix, question), notes


def settle_other_values(frame: Frame, filter_nouns: dict[str, tuple[str, ...]]) -> None:
    """Links to a property no filter reads ("other:Label.prop") never become a silent no-op, nor do
    condition nouns without a value ("models with a license": :func:`unnamed_filter_values`).

    A card's model-index name (``Model.hubName``) is looked up as a model; a name that is also
    another property's value ("tucano-2b4" is a model and a hubName) is placed by that one; any
    other declines, naming the word and the property, rather than answering another question.
    """
    if re.search(r"\b(?:emissions?|co2|carbon)\s+source\b", frame.question, re.I) and frame.filter("format"):
        frame.intent, frame.decline_reason = "decline", "problems"  # a card's co2 "source" text, not its format
        frame.problems = [
            "the emissions source a card names (co2_eq_emissions.source) is kept as text, not as a "
            "condition: ask for the models read from CodeCarbon logs (format codecarbon) instead"
        ]
        return
    if "source" in frame.fields and frame.intent == "lookup":  # "did X come from a card or a log": the answer
        frame.filters = [f for f in frame.filters if f.kind != "format"]
    hub_names = [f for f in frame.filters if f.kind == "other:Model.hubName"]
    said = [part for f in hub_names for part in f.mention.split(", ")]  # one filter may merge two mentions
    frame.model_fragments += [part for part in dict.fromkeys(said) if part not in frame.model_fragments]
    frame.filters = [f for f in frame.filters if f not in hub_names]
    placed = {f.mention.lower() for f in frame.filters if not f.kind.startswith("other:")}
    unusable = [f for f in frame.filters if f.kind.startswith("other:") and f.mention.lower() not in placed]
    frame.filters = [f for f in frame.filters if not f.kind.startswith("other:") or f in unusable]
    if unusable and frame.intent != "decline":
        frame.intent, frame.decline_reason = "decline", "problems"
        frame.problems = [
            f"{f.mention!r} is a base model that cards are fine-tuned from, not a model card in the graph (ask for "
            f"the models fine-tuned from {f.mention})"
            if f.label == "BaseModel"
            else f"{f.mention!r} is a value of {f.label}.{f.property}, which I can't use as a condition"
            for f in unusable
        ]
    unnamed_filter_values(frame, filter_nouns)


def unnamed_filter_values(frame: Frame, filter_nouns: dict[str, tuple[str, ...]]) -> None:
    """ "Models with a license" names no license: decline, never answer for every model ("what license does
    X have" asks for the value: a lookup)."""
    if frame.intent in ("decline", "lookup"):
        return
    lower = frame.question.lower()
    kinds = {f.kind for f in frame.filters} | {frame.group}  # "per license" names no license: it groups by it
    said: dict[str, str] = {}
    for phrase, kind in sorted(((p, k) for k, ps in filter_nouns.items() for p in ps), key=lambda pk: -len(pk[0])):
        found = re.search(rf"\b{re.escape(phrase)}\b", lower)
        if found:  # the longest phrase first: "pipeline tag" names a service, not a tag
            said.setdefault(kind, phrase)
            lower = lower[: found.start()] + " " * len(phrase) + lower[found.end() :]
    unnamed = [(kind, phrase) for kind, phrase in said.items() if kind not in kinds]
    if unnamed:
        frame.intent, frame.decline_reason = "decline", "problems"
        frame.problems = [f"the question says {said!r} but names no {kind} the graph holds" for kind, said in unnamed]


def account_for_everything(frame: Frame, question: str, closest: Callable[[list[str]], dict[str, list[str]]]) -> None:
    """Decline rather than drop: a problem, a name the graph lacks, a word nothing gives a meaning to."""
    if frame.problems:
        frame.intent, frame.decline_reason = "decline", "problems"
        if frame.ignored_words:  # "costs the fewest dollars": name the word, not only its effect
            words = " and ".join(repr(w) for w in joined_words(question, frame.ignored_words))
            frame.problems.append(f"I don't know what {words} means here")
    elif frame.absent:
        frame.intent, frame.decline_reason = "decline", "absent"
        frame.closest = closest(frame.absent)
    elif frame.unknown_terms and not frame.filter("model"):
        frame.intent, frame.decline_reason = "decline", "entity"
        unknown = frame.unknown_terms + [w for w in frame.ignored_words if w not in frame.unknown_terms]
        frame.unknown_terms = joined_words(question, unknown)
        frame.closest = closest(frame.unknown_terms)
    elif frame.ignored_words and frame.intent != "decline":
        # "which model is best at playing chess": never answer another question by dropping a word
        frame.ignored_words = joined_words(question, frame.ignored_words)
        frame.intent, frame.decline_reason = "decline", "words"
