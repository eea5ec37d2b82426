"""Follow-up questions without an LLM: "and on umu?" after "greenest model on lumos5g?".

A follow-up starts with a cue from the vocabulary ("and", "what about", ...).
Its rest is read against the previous standalone question: a name of the same
kind replaces the previous one (``umu`` replaces ``lumos5g``), a metric
replaces the previous metric ("the most accurate one" replaces "greenest"),
and anything else is added ("and with KNN?", "and the top 3?"). The result is
an ordinary standalone question, shown to the user as "understood as".
"""

from __future__ import annotations

import functools
import re

from assistant.engines.offline.read.metrics import MetricCatalog
from assistant.engines.offline.read.slots import metric_mentions, question_words
from assistant.graph.schema import GraphSchema
from assistant.language.entity_linking import link_entities
from assistant.language.vocabulary import Vocabulary

# Words that carry nothing once the names and the metric are taken out of a follow-up.
_TRIM = " ?.!,;:"


@functools.lru_cache(maxsize=8)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for the cues, longest first; built once per vocabulary, not per question."""
    if not cues:
        return None
    ordered = sorted(cues, key=len, reverse=True)
    return re.compile(
        r"^\s*(?:" + "|".join(r"\s+".join(map(re.escape, c.split())) for c in ordered) + r")\b[\s,]*", re.I
    )


def standalone_follow_up(
    question: str, previous: str, schema: GraphSchema, catalog: MetricCatalog, vocab: Vocabulary
) -> str | None:
    """``question`` rewritten to stand on its own after ``previous``; None when it is not a follow-up.

    Args:
        question: What the user asked now.
        previous: The previous question, already standalone.
        schema: The graph's schema (its values are what names link to).
        catalog: The graph's metrics.
        vocab: The vocabulary with the follow-up cues.
    """
    pattern = _cue_pattern(vocab.follow_up_cues)
    cue = pattern.match(question) if pattern else None
    if cue is None:
        return None
    rest = question[cue.end() :].strip(_TRIM)
    first = rest.split(maxsplit=1)[0].lower() if rest else ""
    if not rest or first in vocab.question_starters:
        return None
    previous = previous.strip(_TRIM)
    replacements: list[tuple[int, int, str]] = []
    consumed: list[tuple[int, int]] = []
    previous_links = link_entities(previous, schema, vocabulary=vocab)
    for link in link_entities(rest, schema, vocabulary=vocab):
        same = [p for p in previous_links if (p.label, p.property) == (link.label, link.property)]
        if same:
            replacements.append((same[0].start, same[0].end, link.value))
            consumed.append((link.start, link.end))
    skip = [(link.start, link.end) for link in previous_links]
    previous_metrics = metric_mentions(question_words(previous), catalog, vocab, skip)
    metrics = metric_mentions(question_words(rest), catalog, vocab, consumed)
    if metrics and previous_metrics:
        new, old = metrics[0], previous_metrics[0]
        replacements.append((old.start, old.end, rest[new.start : new.end]))
        consumed.append((new.start, new.end))
    text = previous
    for start, end, value in sorted(replacements, reverse=True):
        text = text[:start] + value + text[end:]
    leftover = rest
    for start, end in sorted(consumed, reverse=True):
        leftover = leftover[:start] + " " + leftover[end:]
    words = leftover.split()
    if any(w.lower().strip(_TRIM) not in vocab.words_of("follow_up_filler") for w in words):
        text = f"{text} {' '.join(words)}"
    return " ".join(text.split())
