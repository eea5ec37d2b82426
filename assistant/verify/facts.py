"""What the question says, as the offline engine reads it: the facts an LLM's answer is checked against."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NamedValue:
    """A graph value the question names (linked as the offline engine links it)."""

    kind: str
    """dataset, architecture, device, model ..."""
    values: tuple[str, ...]
    mention: str
    negated: bool = False


@dataclass(frozen=True)
class Bound:
    """A numeric condition the question sets: as said ("under 50 ms") and in the graph's unit (0.05)."""

    said: str
    value: float
    """In the graph's unit."""
    number: float
    """The number as the question writes it."""


@dataclass
class QuestionFacts:
    """The question's names and asks, for checking a statement and a sentence written by a model.

    Attributes:
        question: The standalone question.
        named: Graph values the question names.
        absent: Names the question gives that the graph lacks -> the closest values.
        aggregate: ``avg``, ``sum``, ``min`` or ``max`` when the question asks one.
        graph_values: Every entity value of the graph (lower case -> as stored), to find names in a statement
            or a sentence.
        bounds: The numeric conditions the question sets, which a statement must keep.
    """

    question: str
    named: list[NamedValue] = field(default_factory=list)
    absent: dict[str, list[str]] = field(default_factory=dict)
    aggregate: str | None = None
    graph_values: dict[str, str] = field(default_factory=dict)
    bounds: list[Bound] = field(default_factory=list)
