"""What ``mrm3 bench`` measured of the questions, per kind of question, and how it grew with the catalog."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

from ingest.ingester import IngestReport


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Asked:
    """What asking the question set measured."""

    times: dict[str, list[float]]
    """Question -> its timed answers in ms."""
    unanswered: list[str]
    statements: list[str]
    """The Cypher the warm-up answers ran."""

    @property
    def all_times(self) -> list[float]:
        return [t for times in self.times.values() for t in times]

    def per_kind(self, kinds: dict[str, str]) -> dict[str, dict[str, float]]:
        """p50 and p95 of each kind's questions (``kinds``: question -> kind)."""
        grouped: dict[str, list[float]] = {}
        for question, times in self.times.items():
            grouped.setdefault(kinds.get(question, "other"), []).extend(times)
        return {
            kind: {"p50_ms": round(statistics.median(ts), 2), "p95_ms": round(percentile(ts, 95), 2)}
            for kind, ts in sorted(grouped.items())
        }


def growth_figures(
    cards: int, first: IngestReport, asked: Asked, grown: IngestReport, again: Asked, kinds: dict[str, str]
) -> dict[str, Any]:
    """The figures after growing, beside the first ones: ingest rate and question p95 (overall and per kind)."""
    rate = grown.cards_valid / grown.seconds if grown.seconds else 0.0
    first_rate = first.cards_valid / first.seconds if first.seconds else 0.0
    p95, first_p95 = percentile(again.all_times, 95), percentile(asked.all_times, 95)
    per_kind, first_kind = again.per_kind(kinds), asked.per_kind(kinds)
    return {
        "cards": cards + grown.cards_valid,
        "ingest_cards_per_s": round(rate, 1),
        "ingest_rate_ratio": round(rate / first_rate, 2) if first_rate else None,
        "ask_p50_ms": round(statistics.median(again.all_times), 2),
        "ask_p95_ms": round(p95, 2),
        "ask_p95_ratio": round(p95 / first_p95, 2) if first_p95 else None,
        "kinds": {
            kind: {**figures, "p95_ratio": round(figures["p95_ms"] / first_kind[kind]["p95_ms"], 2)}
            for kind, figures in per_kind.items()
            if first_kind.get(kind, {}).get("p95_ms")
        },
    }
