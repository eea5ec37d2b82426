"""Grounding: every number and every graph name in the model's sentence must be found in the rows.

A number may be rounded (to the digits it is written with, or to about three
significant digits), carry thousands separators, and be given in another unit
than the graph's when the sentence names that unit ("20 minutes" is 1,200 s in
the rows; "0.5 kg" is 500 g). A value per inference that the sentence derives
from a row's total and its run count counts as found too. A graph name (model,
dataset, device ...) must be in the rows or the question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.language.vocabulary import Unit

NUMBER = re.compile(
    r"(?<![\w.])(?P<num>(?>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|-?\.\d+))(?![\d.]*\d)(?!(?:st|nd|rd|th)\b)"
    r"(?:\s?(?P<unit>%|[A-Za-zµ]+(?:\s?CO2(?:eq|e)?)?))?"
)
_RUNS = re.compile(r"runs", re.I)
# A token of letters and digits ("A100", "ResNet50", "cifar10"): a name, which the rows or the question must hold.
CODE = re.compile(
    r"(?<![\w.-])(?!\d+(?:\.\d+)?[eE][-+]?\d+(?![\w-]))(?!\d+(?:st|nd|rd|th|x)\b)(?=[A-Za-z-]*\d)(?=[\d-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])"
)
_ROUND_SLACK = 1.0001
MAX_DERIVED = 20
"""Rows whose values a sentence may combine (a difference, a ratio, a percentage)."""
_LIST_MARKER = re.compile(r"(?m)^\s*(?:\d{1,2}[.)]|[-*])\s+")


@dataclass(frozen=True)
class Claim:
    """A number or a name in the sentence that the rows do not hold."""

    kind: str
    """``number`` or ``name``."""
    text: str
    reason: str


def row_numbers(rows: Iterable[Mapping[str, Any]]) -> list[float]:
    """Every number the rows hold (numbers inside text cells too) and each total per run where a row has runs."""
    found: list[float] = []
    for row in rows:
        numbers = {k: float(v) for k, v in row.items() if _is_number(v)}
        found.extend(numbers.values())
        for value in row.values():
            for cell in value if isinstance(value, list) else [value]:
                if isinstance(cell, str):
                    found.extend(_plain(m.group("num")) for m in NUMBER.finditer(cell))
                elif isinstance(value, list) and _is_number(cell):
                    found.append(float(cell))
        runs = [v for k, v in numbers.items() if _RUNS.search(k) and v > 0]
        found.extend(v / r for r in runs for k, v in numbers.items() if not _RUNS.search(k))
    return found


def derived_numbers(rows: Sequence[Mapping[str, Any]]) -> tuple[list[float], list[float]]:
    """What a sentence may compute from two values of one column: differences and ratios; percentages.

    Returns:
        The differences and ratios (``a - b``, ``a / b``), and the percentages (``(a - b) / b`` and ``a / b``,
        x 100) of every pair of a column's first :data:`MAX_DERIVED` numbers.
    """
    columns: dict[str, list[float]] = {}
    for row in rows[:MAX_DERIVED]:
        for key, value in row.items():
            if _is_number(value):
                columns.setdefault(key, []).append(float(value))
    plain: list[float] = []
    percent: list[float] = []
    for values in columns.values():
        for a in values:
            for b in values:
                if a is b or a == b:
                    continue
                plain.append(abs(a - b))
                if b:
                    plain.append(a / b)
                    percent += [abs(a - b) / abs(b) * 100, a / b * 100]
    return plain, percent


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def row_texts(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every text cell of the rows, lower case."""
    texts: list[str] = []
    for row in rows:
        for value in row.values():
            texts.extend(str(c).lower() for c in (value if isinstance(value, list) else [value]) if isinstance(c, str))
    return texts


def _plain(raw: str) -> float:
    return float(raw.replace(",", ""))


def _decimals(raw: str) -> int:
    """The decimal places a number is written to; negative for the trailing zeros of a whole number ("284,100": -2)."""
    mantissa = raw.replace(",", "").lower().split("e")[0].lstrip("-")
    exponent = int(raw.lower().split("e")[1]) if "e" in raw.lower() else 0
    if "." in mantissa:
        return len(mantissa.split(".")[1]) - exponent
    zeros = len(mantissa) - len(mantissa.rstrip("0")) if mantissa.strip("0") else 0
    return -zeros - exponent


def number_found(raw: str, factor: float, values: Iterable[float]) -> bool:
    """Whether ``raw`` (as written, in a unit ``factor`` times the graph's) rounds from one of ``values``."""
    try:
        said = _plain(raw) * factor
        slack = 0.5 * 10.0 ** max(-300, min(300, -_decimals(raw))) * abs(factor) * _ROUND_SLACK
    except (OverflowError, ValueError):
        return False
    for value in values:
        if math.isclose(said, value, rel_tol=1e-9, abs_tol=1e-15) or abs(said - value) <= slack:
            return True
    return False


def _unit_factor(unit: str | None, units: Mapping[str, Unit]) -> float | None:
    if not unit:
        return None
    spec = units.get(unit) or units.get(unit.split()[0]) or units.get(unit.lower())
    return spec.factor if spec is not None else None


def _as_percent(match: re.Match[str]) -> bool:
    unit = (match.group("unit") or "").lower()
    return unit in ("%", "percent", "per")


def _measured_unit(unit: str | None, units: Mapping[str, Unit]) -> bool:
    """Whether ``unit`` is one of carbon or energy, where a 0 means "not measured"."""
    spec = units.get(unit or "") or units.get((unit or "").split(" ")[0])
    return spec is not None and bool({"carbon", "energy"} & set(spec.quantities))


def mask_names(text: str, names: Iterable[str]) -> tuple[str, list[str]]:
    """``text`` with every graph name in it blanked out (longest first), and the names found, as stored."""
    found: list[str] = []
    for name in sorted(set(names), key=len, reverse=True):
        if len(name) < 3:
            continue
        pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
        if pattern.search(text):
            found.append(name)
            text = pattern.sub(" " * len(name), text)
    return text, found


def ungrounded(
    sentence: str,
    rows: Sequence[Mapping[str, Any]],
    question: str,
    graph_values: Mapping[str, str],
    units: Mapping[str, Unit],
    *,
    zero_is_unmeasured: bool = False,
    plain_codes: Iterable[str] = (),
    allowed_names: Iterable[str] = (),
    converted: Iterable[float] = (),
) -> list[Claim]:
    """The numbers and names of ``sentence`` that neither the rows nor the question hold.

    Args:
        sentence: The model's answer text.
        rows: The rows the statement returned.
        question: The question (its own numbers and names may be repeated).
        graph_values: Every entity value of the graph, lower case -> as stored.
        units: The vocabulary's units (symbol or word -> factor to the graph's unit).
        zero_is_unmeasured: The sentence says a 0 means "not measured": its zeros are that, not claims.
        plain_codes: Letter-digit tokens that are no names ("CO2").
        allowed_names: Graph values the question names in other words ("the winter data": logatec-winter).
        converted: The numbers the statement multiplies or divides by: a column it converted to the unit the
            sentence names (``latency * 1000 AS latency_ms``, "0.21 ms") holds the number as written.
    """
    masked, names = mask_names(_LIST_MARKER.sub(" ", sentence), graph_values.values())
    texts = row_texts(rows)
    known = question.lower() + " " + " ".join(n.lower() for n in allowed_names)
    plain = {c.lower() for c in plain_codes} | {u.lower() for u in units}
    codes = [c for c in dict.fromkeys(m.group(0) for m in CODE.finditer(masked)) if c.lower() not in plain]
    claims = [
        Claim("name", name, f"names {name}, which the rows do not hold")
        for name in names
        if name.lower() not in known and not any(name.lower() in t for t in texts)
    ] + [
        Claim("name", code, f"names {code}, which neither the rows nor the question hold")
        for code in codes
        if code.lower() not in known and not any(code.lower() in t for t in texts)
    ]
    masked = CODE.sub(lambda m: " " * len(m.group(0)), masked)
    asked = [_plain(m.group("num")) for m in NUMBER.finditer(mask_names(question, graph_values.values())[0])]
    found = row_numbers(rows)
    scales = [n for n in converted if n]
    values = (
        found + [float(len(rows))] + [v * n for v in found for n in scales] + [v / n for v in found for n in scales]
    )
    derived = derived_numbers(rows)
    for match in NUMBER.finditer(masked):
        claim = _number_claim(match, values, asked, units, derived, zero_is_unmeasured=zero_is_unmeasured)
        if claim is not None:
            claims.append(claim)
    return claims


def _number_claim(
    match: re.Match[str],
    values: list[float],
    asked: list[float],
    units: Mapping[str, Unit],
    derived: tuple[list[float], list[float]],
    *,
    zero_is_unmeasured: bool,
) -> Claim | None:
    """The claim a number of the sentence makes that neither the rows nor the question back, or None."""
    raw = match.group("num")
    factor = _unit_factor(match.group("unit"), units)
    if any(math.isclose(_plain(raw), q) for q in asked):
        return None
    if _plain(raw) == 0 and _measured_unit(match.group("unit"), units):
        shown = match.group(0).strip()
        return None if zero_is_unmeasured else Claim("number", shown, f"states {shown}, but a 0 carbon or energy "
                                                     "means not measured")  # fmt: skip
    if _plain(raw) == 0 and zero_is_unmeasured:
        return None
    if number_found(raw, factor or 1.0, values) or (factor is None and number_found(raw, 1.0, asked)):
        return None
    if _as_percent(match) and number_found(raw, 1.0, derived[1]):
        return None  # "about 25% lower"
    if (factor is None or factor == 1) and number_found(raw, 1.0, derived[0]):
        return None  # "0.7 lower", "1.9 times"
    shown = f"{raw} {match.group('unit')}" if factor is not None else raw  # "23 models" is 23
    return Claim("number", shown, f"states {shown}, which the rows do not hold")


def first_named(sentence: str, rows: Sequence[Mapping[str, Any]], graph_values: Mapping[str, str]) -> str | None:
    """The first row name the sentence names, by position in the sentence (None when it names none)."""
    texts = {t for t in row_texts(rows)}
    best: tuple[int, str] | None = None
    for name in sorted(set(graph_values.values()), key=len, reverse=True):
        if name.lower() not in texts:
            continue
        match = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sentence, re.IGNORECASE)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None
