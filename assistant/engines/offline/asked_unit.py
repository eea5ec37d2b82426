""" "How many kWh ...": the first value of an answer again in the unit the question asked for (the graph keeps J)."""

from __future__ import annotations

import re
from typing import Any

from assistant.engines.offline.plan import Frame
from assistant.language.measurements import number
from assistant.language.vocabulary import Vocabulary

_ONE_VALUE = frozenset({"rank", "aggregate", "lookup"})
_ASKED = re.compile(r"\b(?:in|as|into|how many|how much)\s+(?P<unit>[A-Za-zµ]+)\b(?!\s*\d)", re.I)


def in_asked_unit(frame: Frame, rows: list[dict[str, Any]], vocabulary: Vocabulary) -> str:
    """`` In kWh: 1.2 kWh.`` after an answer whose question asked for another unit than the graph's; else ""."""
    match = _ASKED.search(frame.question)
    metric = frame.metric
    if match is None or metric is None or not rows or frame.intent not in _ONE_VALUE:
        return ""
    said = match.group("unit")
    unit, _ = vocabulary.unit(said)
    if unit is None or metric.key not in unit.quantities or unit.factor == 1:
        return ""
    row = rows[0]
    value = row.get(metric.column if frame.intent != "aggregate" else f"{frame.agg or 'avg'}_{metric.column}")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    return f" In {said}: {number(value / unit.factor)} {said}."
