"""Units of the formats the readers meet, converted to the graph's, each value with its provenance.

The graph holds carbon in grams CO2eq, energy in joules and time in seconds
(docs/graph-model.md). A reader never fixes a unit it suspects: it stores the
value as published, with a :func:`provenance` row that says where it came
from, what was written, and why it looks wrong.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

GRAMS_PER_KG = 1000.0
JOULES_PER_KWH = 3_600_000.0

# "1.2g CO2", "0.25 kg", "250 grams": a number and a mass unit, nothing else of substance.
_MASS = re.compile(
    r"^\s*(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*"
    r"(?P<unit>g|grams?|kg|kilograms?|kgs)?\s*(?:co2(?:eq|e|-eq)?)?\s*$",
    re.IGNORECASE,
)
# A number in kilograms in a card's own text: "0.25 KgCO2", "0.1069 Kg", "0.001917 kg CO2eq".
_KG_IN_TEXT = re.compile(r"(?P<number>\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*(?:kg|kilograms?)(?![a-z])", re.IGNORECASE)
_KG_IN_TEXT_CO2 = re.compile(r"(?P<number>\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*kgco2", re.IGNORECASE)


@dataclass(frozen=True)
class Mass:
    """A carbon mass read from a card: grams for the graph, and how it was written."""

    grams: float
    published: str
    unit: str
    factor: float


def number(value: Any) -> float | None:
    """A finite number, or None (bools, NaN, infinities, integers beyond a float and text are not numbers)."""
    value = any_float(value)
    return value if value is not None and math.isfinite(value) else None


def any_float(value: Any) -> float | None:
    """A number as a float, NaN and infinities included (an integer beyond a float's range is an infinity);
    None for bools and text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # a 400-digit integer
        return math.inf if value > 0 else -math.inf


def grams_from_card(value: Any) -> Mass | None:
    """An HF card's emissions value (grams CO2eq by the card spec) in grams, or None when it is no mass.

    A bare number is grams, NaN and infinities too: they are stored as published and flagged as impossible
    (ingest/plausibility.py). A string with a unit is read when the unit is a mass (``"1.2g CO2"``; kilograms
    are converted and say so); ``"TBD"`` is None.
    """
    if (grams := any_float(value)) is not None:
        return Mass(grams, _published(value), "g CO2eq", 1.0)
    if not isinstance(value, str) or not (match := _MASS.match(value)):
        return None
    amount = float(match["number"])
    if not math.isfinite(amount):
        return None
    unit = (match["unit"] or "g").lower()
    if unit.startswith("k"):
        return Mass(amount * GRAMS_PER_KG, value, "kg CO2eq", GRAMS_PER_KG)
    return Mass(amount, value, "g CO2eq", 1.0)


def kilograms_in_text(text: str) -> list[float]:
    """Every number the text gives in kilograms (``0.25 KgCO2``, ``0.1069 Kg``)."""
    found = []
    for pattern in (_KG_IN_TEXT, _KG_IN_TEXT_CO2):
        for match in pattern.finditer(text):
            try:
                found.append(float(match["number"].replace(",", ".")))
            except ValueError:
                continue
    return found


def same_number(a: float, b: float, tolerance: float = 0.01) -> bool:
    """True when ``a`` and ``b`` agree within ``tolerance`` (relative), as rounded text and data do."""
    if a == b:
        return True
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def kg_as_g_reason(grams: float, text: str) -> str | None:
    """Why the grams of a card look like kilograms, or None.

    They do when the card's own text gives the same number in kilograms; when
    it gives a thousandth of it in kilograms, the grams are consistent.
    """
    if grams <= 0:
        return None
    for kilograms in kilograms_in_text(text):
        if same_number(kilograms * GRAMS_PER_KG, grams):
            return None
        if same_number(kilograms, grams):
            return f"the card's text gives {kilograms:g} kg, the number stored here as grams"
    return None


def thousandfold(a: float, b: float) -> bool:
    """True when ``a`` is about 1000 times ``b`` (within a factor of 2 either way)."""
    return a > 0 and b > 0 and 500 <= a / b <= 2000


def _published(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def provenance(
    owner: str,
    prop: str,
    *,
    file: str,
    field: str,
    published: Any,
    published_unit: str,
    unit: str,
    factor: float,
    suspect: str | None = None,
) -> dict[str, Any]:
    """One Provenance row: the graph value ``owner.prop`` and what was published (docs/graph-model.md)."""
    row = {
        "key": hashlib.md5(f"{owner}|{prop}".encode()).hexdigest(),
        "owner": owner,
        "property": prop,
        "file": file,
        "field": field,
        "publishedValue": _published(published),
        "publishedUnit": published_unit,
        "unit": unit,
        "factor": factor,
    }
    if suspect:
        row["suspect"] = suspect
    return row
