"""Units by property name, and the one rule for values no real measurement can have.

The ingest flags such values (:mod:`ingest.flags`) and the answers name them; both ask :func:`implausible`
(re-exported by :mod:`assistant.language.measurements`, where the rest of the measurement rules live).
"""

from __future__ import annotations

import math
import re
from typing import Any

# Column-name patterns and the unit of their values, first match wins.
_UNITS = (
    (re.compile(r"carbon|co2", re.I), "g CO2"),
    (re.compile(r"energy|power|joule", re.I), "J"),
    (re.compile(r"latency|time(?!stamp)|duration", re.I), "s"),
    (re.compile(r"flops", re.I), "FLOPs"),
    (re.compile(r"(?<!batch)(?<!batch_)size|bytes", re.I), "bytes"),
)


# Beyond these no real measurement goes: over 1 Mt CO2 (more than a year of a small country's grid), 1 TWh,
# a century, a petabyte, 10^27 FLOPs (a thousand times the largest trainings).
_BEYOND = {"g CO2": 1e12, "J": 3.6e15, "s": 3.2e9, "bytes": 1e15, "FLOPs": 1e27}
_WHAT = {"g CO2": "carbon", "J": "energy", "s": "time", "bytes": "size", "FLOPs": "FLOP count"}


# Scores that lie between 0 and 1, or 0 and 100 as a percentage (and their standard deviations): a name with one
# of these words, and none saying it is something else (a threshold, a change, a loss, a setting).
_SCORE_WORDS = frozenset({"accuracy", "acc", "f1", "precision", "recall", "auc"})
_NOT_SCORE_WORDS = frozenset(
    {"threshold", "delta", "drop", "gain", "change", "improvement", "loss", "bits", "mixed", "diff", "difference"}
)


def implausible(name: str, value: Any) -> str | None:
    """Why ``value`` of the quantity ``name`` cannot be a real measurement, or None when it can.

    Negative, NaN and infinite carbon, energy, time, size and FLOPs are impossible, and so is a value beyond any
    physical sense (``_BEYOND``); so is a score (accuracy, F1, precision, recall, AUC) below 0, above 100, NaN or
    infinite. Such a value is stored as published and flagged; every answer that shows, ranks or sums it names it
    (both engines and the MCP tools ask this one rule).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    unit = unit_of(name)
    if not unit:
        return _impossible_score(name, value)
    what = _WHAT[unit]
    if math.isnan(value):
        return f"{what} is NaN (not a number)"
    if math.isinf(value):
        return f"{what} is infinite"
    if value < 0:
        return f"{what} is negative ({_shown(value)} {unit}); it cannot be below 0"
    if value > _BEYOND[unit]:
        return f"{what} of {_shown(value)} {unit} is beyond any real measurement (over {_shown(_BEYOND[unit])} {unit})"
    return None


def is_score(name: str) -> bool:
    """Whether ``name`` is a score that lies between 0 and 100 (0 and 1, or a percentage): :func:`implausible`
    flags one outside, and the statements keep only those inside (``SCORE_RANGE``)."""
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    return bool(words & _SCORE_WORDS) and not words & _NOT_SCORE_WORDS


SCORE_RANGE = (0, 100)


def _impossible_score(name: str, value: float) -> str | None:
    if not is_score(name) or SCORE_RANGE[0] <= value <= SCORE_RANGE[1]:  # NaN fails both comparisons
        return None
    return f"a score ({name}) of {_shown(value)} is impossible: scores lie between 0 and 1, or 0 and 100 as a %"


def ceiling(unit: str) -> float | None:
    """The largest value a real measurement in ``unit`` can have (``implausible`` flags any above it)."""
    return _BEYOND.get(unit)


def cypher_ceiling(unit: str) -> str:
    """:func:`ceiling` as a Cypher float literal; just below infinity for a unit without one."""
    top = ceiling(unit)
    if top is None:
        return "1.0e308"
    mantissa, exponent = f"{top:.1e}".split("e")
    text = f"{mantissa}e{int(exponent)}"  # "3.2e9": no sign, no leading zero
    return text if float(text) == top else repr(top)  # never a ceiling other than implausible()'s


def unit_of(name: str) -> str:
    """The unit of a result column or property, from its name (``""`` when unknown)."""
    return next((unit for pattern, unit in _UNITS if pattern.search(name)), "")


def _shown(value: float) -> str:
    """A number for a flag's reason: 4 significant digits."""
    return f"{value:.4g}"
