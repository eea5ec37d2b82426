"""What the readers left: a name no condition reads, a condition noun without a value, anything unaccounted for.

Nothing in a question is dropped silently: the plan declines, saying why, rather than answer another question.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.engines.offline.plan.frame import Frame


def settle_other_values(frame: Frame) -> None:
    """Links to a property no filter reads ("other:Label.prop") never become a silent no-op, nor do
    condition nouns without a value ("models with a license": :func:`unnamed_filter_values`).

    A card's model-index name (``Model.hubName``) is looked up as a model; a name that is also
    another property's value ("tucano-2b4" is a model and a hubName) is placed by that one; any
    other declines, naming the word and the property, rather than answering another question.
    """
    if frame.reading is not None and frame.reading.says_co2_source and frame.filter("format"):
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
    unnamed_filter_values(frame)


def unnamed_filter_values(frame: Frame) -> None:
    """ "Models with a license" names no license: decline, never answer for every model ("what license does
    X have" asks for the value: a lookup)."""
    if frame.intent in ("decline", "lookup"):
        return
    kinds = {f.kind for f in frame.filters} | {frame.group}  # "per license" names no license: it groups by it
    said = frame.reading.filter_nouns_said if frame.reading is not None else {}
    unnamed = [(kind, phrase) for kind, phrase in said.items() if kind not in kinds]
    if unnamed:
        frame.intent, frame.decline_reason = "decline", "problems"
        frame.problems = [f"the question says {said!r} but names no {kind} the graph holds" for kind, said in unnamed]


def account_for_everything(frame: Frame, closest: Callable[[list[str]], dict[str, list[str]]]) -> None:
    """Decline rather than drop: a problem, a name the graph lacks, a word nothing gives a meaning to."""
    if frame.problems:
        frame.intent, frame.decline_reason = "decline", "problems"
        if frame.ignored_words:  # "costs the fewest dollars": name the word, not only its effect
            words = " and ".join(repr(w) for w in _joined(frame, frame.ignored_words))
            frame.problems.append(f"I don't know what {words} means here")
        if frame.absent:  # "under the llama2 license": the name the graph lacks, not only that none was named
            frame.problems.append(" and ".join(repr(t) for t in frame.absent) + " is not in the graph")
    elif frame.absent:
        frame.intent, frame.decline_reason = "decline", "absent"
        frame.closest = closest(frame.absent)
    elif _outside_model_names(frame):
        frame.intent, frame.decline_reason = "decline", "entity"
        unknown = frame.unknown_terms + [w for w in frame.ignored_words if w not in frame.unknown_terms]
        frame.unknown_terms = _joined(frame, unknown)
        frame.closest = closest(frame.unknown_terms)
    elif frame.ignored_words and frame.intent != "decline":
        # "which model is best at playing chess": never answer another question by dropping a word
        frame.ignored_words = _joined(frame, frame.ignored_words)
        frame.intent, frame.decline_reason = "decline", "words"


def _outside_model_names(frame: Frame) -> list[str]:
    """The unknown terms that are not words of a model name the question gives ("latency of X on a raspberry pi":
    'raspberry pi' is no part of X, and must not be dropped)."""
    models = frame.filter("model")
    if models is None:
        return frame.unknown_terms
    names = " ".join([models.mention, *map(str, models.values), *frame.model_fragments]).lower()
    return [t for t in frame.unknown_terms if t.lower() not in names]


def _joined(frame: Frame, words: list[str]) -> list[str]:
    """Words standing next to each other in the question, joined ("speech recognition")."""
    return frame.reading.joined(words) if frame.reading is not None else list(words)
