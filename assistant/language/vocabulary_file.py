"""The shape of ``prompts/vocabulary.yaml``: the sections, and what each entry must hold.

:func:`assistant.language.vocabulary.parse_vocabulary` validates the file into
:class:`VocabularyFile` before normalising it for matching, so a mistake is
reported as the section, entry and field it is in.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from assistant.data_files import DataModel, NonEmptyText, Text

Direction = Literal["lower", "higher"]


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"is not a regular expression ({e})") from e
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]
"""A regular expression (Python's ``re``), checked to compile."""


class QuantitySpec(DataModel):
    """An entry of ``quantities``: a number the engine can rank by, and where it lives in the graph."""

    scope: Literal["training", "inference", "model", "dataset", "training_device", "quality"]
    property: NonEmptyText
    unit: Text | None = None
    better: Direction = "lower"
    label: Text | None = None
    inference_property: NonEmptyText | None = None


class MetricSpec(DataModel):
    """An entry of ``metrics``: a quality metric whose direction is known."""

    better: Direction
    label: Text | None = None
    words: list[Text] = []


class UnitSpec(DataModel):
    """An entry of ``units``: the quantities a threshold unit fits and the factor to the graph's unit."""

    quantity: list[NonEmptyText] = Field(min_length=1)
    factor: float = Field(gt=0)


class VocabularyFile(DataModel):
    """Every section of ``prompts/vocabulary.yaml``; those with a default may be left out."""

    aliases: dict[Text, Text]
    stop_words: list[Text]
    quantities: dict[Text, QuantitySpec]
    # A phrase names a quantity (or "quality") and the direction it asks for.
    quantity_phrases: dict[Text, tuple[NonEmptyText, Literal["low", "high", "none"]]]
    metrics: dict[Text, MetricSpec]
    higher_is_better_fragments: list[Text] = []
    lower_is_better_fragments: list[Text] = []
    quality_preference: list[Text]
    direction_words: dict[Text, list[Text]]
    comparison_words: dict[Text, list[Text]]
    units: dict[Text, UnitSpec]
    count_units: dict[Text, Text] = {}
    intents: dict[Text, list[Text]]
    aggregates: dict[Text, list[Text]]
    group_markers: list[Text]
    group_nouns: dict[Text, list[Text]]
    lookup_fields: dict[Text, list[Text]]
    inference_cues: list[Text]
    training_cues: list[Text]
    write_words: list[Text]
    follow_up_cues: list[Text] = []
    tradeoff_cues: list[Text] = []
    hyperparameter_words: dict[Text, Text] = {}
    per_sample_cues: list[Text] = []
    lineage_cues: list[Text] = []
    filter_nouns: dict[Text, list[Text]] = {}
    language_names: dict[Text, Text] = {}
    question_starters: list[Text] = []
    cue_patterns: dict[Text, Pattern] = {}
    word_lists: dict[Text, list[Text]] = {}
    place_abbreviations: dict[Text, Text] = {}
