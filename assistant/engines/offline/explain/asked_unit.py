""" "How many kWh ...": the first value of an answer again in the unit the question asked for (the graph keeps J)."""

from __future__ import annotations

from typing import Any

from assistant.engines.offline.plan.frame import Frame
from assistant.language.measurements import number
from assistant.language.vocabulary import Vocabulary

_ONE_VALUE = frozenset({"rank", "aggregate", "lookup", "group_agg"})
_MAX_ROWS = 5


def in_asked_unit(frame: Frame, rows: list[dict[str, Any]], vocabulary: Vocabulary) -> str:
    """`` In kWh: model-a 1.2 kWh; model-b 3 kWh.`` after an answer in another unit than the graph's; else ""."""
    said = frame.reading.asked_unit if frame.reading is not None else None
    metric = frame.metric
    if said is None or metric is None or not rows or frame.intent not in _ONE_VALUE:
        return ""
    unit, _ = vocabulary.unit(said)
    if unit is None or metric.key not in unit.quantities or unit.factor == 1:
        return ""
    aggregated = frame.intent in ("aggregate", "group_agg")
    column = f"{frame.agg or 'avg'}_{metric.column}" if aggregated else metric.column
    name = frame.group if frame.intent == "group_agg" and frame.group else "model"
    shown = []
    for row in rows[: 1 if frame.intent == "aggregate" else _MAX_ROWS]:
        value = row.get(column)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            whose = f"{row[name]} " if row.get(name) is not None else ""  # several models or groups: each named
            shown.append(f"{whose}{number(value / unit.factor)} {said}")
    return f" In {said}: {'; '.join(shown)}." if shown else ""
