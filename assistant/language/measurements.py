"""Units and measurements: the one place that knows what a number in the graph means.

The graph keeps MRM3's units: carbon in g CO2, energy in J, time in s, sizes in
bytes. In MRM3 cards a carbon or energy value of 0 (or none) means the run was
**not measured**, not that it was free; every engine, the evaluation gold, the
answers and the page ask :func:`is_measured` rather than compare with 0
themselves.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ingest.plausibility import SCORE_RANGE, cypher_ceiling, implausible, is_score, unit_of

__all__ = [
    "SCORE_RANGE",
    "cypher_ceiling",
    "implausible",
    "is_score",
    "is_measured",
    "is_number",
    "number",
    "unit_of",
    "with_unit",
    "zero_means_unmeasured",
]

# Column or property names whose 0 means "not measured": carbonFootprint, energy_consumption,
# training_carbon_g, energyConsumptionGPU ... (aliases follow the prompts' convention).
_MEASURED_QUANTITY = re.compile(r"carbon|co2|energy|joule|power", re.I)


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_NON_FINITE = frozenset({"inf", "-inf", "nan", "infinity", "-infinity"})


def is_non_finite(value: Any) -> bool:
    """A value published as NaN or an infinity: the float, or the text answer rows carry for it ("inf", "nan")."""
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, str) and value.strip().lower() in _NON_FINITE


def zero_means_unmeasured(name: str) -> bool:
    """Whether a 0 in the column or property ``name`` means "not measured" (carbon and energy)."""
    return bool(_MEASURED_QUANTITY.search(name))


def is_measured(name: str, value: Any, *, zero_is_unmeasured: bool | None = None) -> bool:
    """Whether ``value`` of the quantity ``name`` is a real measurement.

    Carbon and energy count only when they are a number above 0; any other
    quantity (a latency, an accuracy, a date) counts whenever it is there.
    ``zero_is_unmeasured`` overrides what the name says (an evaluation spec's ``measured_only``).
    """
    strict = zero_means_unmeasured(name) if zero_is_unmeasured is None else zero_is_unmeasured
    if strict:
        return is_number(value) and value > 0
    return value is not None and not is_non_finite(value)


def number(value: Any) -> str:
    """A number for people: 4 significant digits, thousands separated."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if value == 0 or not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e6 or abs(value) < 1e-3:
        return f"{value:.3e}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def with_unit(value: Any, unit: str) -> str:
    """``value`` in ``unit`` for people, e.g. ``0.234 g CO2``, ``1.2 ms``, ``8,700,000 bytes (8.7 MB)``."""
    if value is None:
        return "not recorded"
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if unit == "s" and abs(value) < 1:
        return f"{number(value * 1000)} ms"
    if unit == "bytes":
        if abs(value) >= 1e9:
            return f"{number(value)} bytes ({value / 1e9:.2f} GB)"
        if abs(value) >= 1e6:
            return f"{number(value)} bytes ({value / 1e6:.1f} MB)"
        return f"{number(value)} bytes"
    if unit == "J" and abs(value) >= 1000:
        return f"{number(value)} J ({value / 1000:,.1f} kJ)"
    return f"{number(value)} {unit}".strip()
