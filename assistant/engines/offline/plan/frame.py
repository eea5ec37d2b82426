"""The query plan: what a question asks, in typed parts (see :class:`Frame`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.metrics import Metric
from assistant.engines.offline.read.reading import Reading
from assistant.engines.offline.read.slots import DateRange, Threshold

ALL = 100
"""A ``k`` this large means "all of them" ("rank the models by energy", "list the datasets and their sizes")."""


@dataclass
class Frame:
    """The typed query plan of one question: what the Cypher builder builds from, and what the answer shows.

    It holds the entities to filter on (``filters``, each linked to a graph
    value), numeric conditions (``thresholds``: metric, bound, inclusivity, unit
    as said) and dates, the ranking objective (``metric`` and ``want``; two,
    ``metric`` and ``metric2``, for a trade-off), aggregation and grouping
    (``agg``, ``group``) and what is returned (``intent``, ``fields``,
    ``count_target``, ``k``). What could not be placed is kept too (``absent``,
    ``unknown_terms``, ``ignored_words``, ``problems``), so that nothing is
    dropped silently.
    """

    question: str
    intent: str
    """rank, count, list, aggregate, lookup, compare, group_best, group_agg, group_count, pareto, dominance,
    what_if, decline."""
    metric: Metric | None = None
    metric2: Metric | None = None
    also: list[Metric] = field(default_factory=list)
    """Other metrics a lookup names ("the carbon and energy of X"): shown beside ``metric``."""
    """The second objective of a trade-off (``pareto``)."""
    generic_metric: bool = False
    """The metric stands for "best" / "most accurate": the engine picks the quality metric the models have."""
    want: str = "best"
    """best, worst, low or high."""
    k: int = 1
    explicit_k: bool = False
    filters: list[Filter] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    group: str | None = None
    which_group: bool = False
    """The question asks *which* group ("which dataset has ...")."""
    agg: str | None = None
    fields: list[str] = field(default_factory=list)
    count_target: str = "models"
    model_fragments: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    """``what_if``: the grids (ISO codes) a training's energy is priced on, in the question's order."""
    region_ask: str = "amount"
    """``what_if``: ``amount`` (the carbon on each grid), ``least`` (where it is lowest) or ``saving`` (A to B)."""
    choice: bool = False
    """The question asks for a choice ("which should I deploy"): the best that fits, then how many fit."""
    reference: str | None = None
    """``dominance``: the model the others must beat on every metric ("faster and more accurate than X")."""
    inference: bool = False
    device_role: str = ""
    """``training`` or ``inference`` when the question says which devices it means, else empty."""
    notes: list[str] = field(default_factory=list)
    decline_reason: str | None = None
    missing_metric: str | None = None
    unknown_terms: list[str] = field(default_factory=list)
    """Words where a name belongs that name nothing in the graph ("on imagenet")."""
    ignored_words: list[str] = field(default_factory=list)
    """Other words nothing gives a meaning to ("chess")."""
    absent: list[str] = field(default_factory=list)
    """Name-like terms ("ResNet50", "Jetson Nano") that match no value of the graph."""
    closest: dict[str, list[str]] = field(default_factory=dict)
    """For each absent term, the graph values nearest to it."""
    problems: list[str] = field(default_factory=list)
    """What stops the question from being answered as asked (an ambiguous unit, a number with no meaning)."""
    reading: Reading | None = None
    """The question as read, when the plan came from a question (a caller's plan may have none)."""

    def filter(self, kind: str) -> Filter | None:
        """The (not negated) filter of ``kind``, if any."""
        return next((f for f in self.filters if f.kind == kind and not f.negated), None)
