"""Lineage questions: "models fine-tuned from X" (Hugging Face ``base_model``: ``FINE_TUNED_FROM`` -> BaseModel).

A base model that is also a card in the graph links as a Model; after a lineage
cue it means the base, never the model itself. Without a named base the cue
keeps the models that have one. A base the graph lacks is a name-like term in
the "from X" slot, so the engine declines it as absent.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.function_words import CUE_PREPOSITIONS
from assistant.language.vocabulary import Vocabulary, find_phrases


def lineage_filters(question: str, filters: list[Filter], texts: list[str], vocab: Vocabulary) -> list[Filter]:
    """``filters`` read for a lineage question: the model named after the cue is the base model.

    Args:
        question: The question.
        filters: Its filters from the entity links.
        texts: Its words (lower case).
        vocab: The vocabulary (``lineage_cues``).

    Returns:
        The filters, with a ``base_model`` filter for the named base, or a ``fine_tuned``
        filter (any base; its mention a name still to look up) when none is linked; unchanged
        without a lineage cue.
    """
    cued = find_phrases(texts, vocab.lineage_cues) or vocab.cue("lineage_base_is").search(question)
    if not cued or not vocab.cue("lineage_cue_word").search(question):
        # "layoutlmv3-finetuned-funsd": a cue inside a name asks nothing; a base model named without a cue
        # ("the emissions of gpt2") is no model card, and no condition either (the engine declines, saying so).
        return [replace(f, kind="other:BaseModel.name") if f.kind == "base_model" else f for f in filters]
    if (vocab.cue("lineage_which_base").search(question) or vocab.cue("lineage_asks_base").search(question)) and any(
        f.kind in ("model", "other:Model.hubName") for f in filters
    ):
        return filters  # "what base model is X fine-tuned from": X's base, a lookup
    out, said = [], ""
    for flt in filters:
        after = not flt.negated and bool(flt.mention) and _after_cue(question, flt.mention, vocab)
        if after and (flt.kind == "model" or flt.kind.startswith("other:")):
            # "Tucano-2b4" is a card (and its hubName) too: the engine looks the base up by that name
            said = flt.mention
            continue
        out.append(flt)
    if not any(f.kind == "base_model" for f in out):
        # The mention, when there is one, is a base model's name the engine resolves (or declines as absent).
        out.append(Filter("fine_tuned", "BaseModel", "name", [], said))
    return out


def _after_cue(question: str, mention: str, vocab: Vocabulary) -> bool:
    return re.search(vocab.cue_patterns["lineage_before_name"] + re.escape(mention), question) is not None


def without_lineage_cues(texts: list[str], vocab: Vocabulary) -> list[str]:
    """``texts`` with the lineage cues blanked: "fine-tuned" asks for a base model, not the optimizer ("tuned")."""
    out = list(texts)
    for start, end, _ in find_phrases(texts, vocab.lineage_cues):
        last = not any(t.strip("?") for t in texts[end + 1 :]) and end < len(texts) and texts[end] in CUE_PREPOSITIONS
        # "what is X fine-tuned from?": the question ends on the cue and asks for X's base model
        out[start:end] = (
            ["base", "model", *[""] * (end - start - 2)] if last and end - start >= 2 else [""] * (end - start)
        )
    return out
