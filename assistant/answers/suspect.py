"""Caveats for carbon values whose unit looks wrong (``ModelTraining.carbonFootprintSuspect``).

Some Hugging Face cards give kilograms in their grams field. The ingest stores
such a value as published and flags it (docs/graph-model.md); an answer that
shows, ranks or sums it must say so, naming the model and the reason, or it is
silently wrong by about 1000x. Both engines use these sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.language.measurements import is_number, with_unit

SUSPECT_PROPERTY = "carbonFootprintSuspect"
MAX_NAMED = 5
# Every flagged training carbon value with its model and reason (small: one row per flagged card).
SUSPECT_VALUES = (
    "MATCH (t:ModelTraining) WHERE t.carbonFootprintSuspect IS NOT NULL\n"
    "RETURN t.model AS model, t.carbonFootprint AS value, t.carbonFootprintSuspect AS reason ORDER BY model"
)


def suspect_caveats(suspects: Sequence[Mapping[str, Any]]) -> list[str]:
    """One sentence per flagged value (``model``, ``value``, ``reason``), the first few by name.

    Args:
        suspects: Rows naming a model, its carbon value as stored (grams) and why its unit looks wrong.

    Returns:
        Sentences saying the value is stored as published and may be 1000x too small.
    """
    facts = []
    for row in suspects[:MAX_NAMED]:
        value = row.get("value")
        shown = with_unit(value, "g CO2") if is_number(value) else "its value"
        facts.append(
            f"{row.get('model')}'s training carbon footprint ({shown}) is flagged: {row.get('reason')}. "
            "It is stored as published; if it is kilograms it is 1000x larger, and any ranking, threshold or "
            "total that uses it is wrong by that much."
        )
    if len(suspects) > MAX_NAMED:
        more = ", ".join(str(r.get("model")) for r in suspects[MAX_NAMED:])
        facts.append(f"Also flagged the same way: {more}.")
    return facts


def suspects_shown(rows: Sequence[Mapping[str, Any]], suspects: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The flagged values whose model a result row names beside a carbon column (for answers from any Cypher).

    A row shows a flagged value when one of its cells is the model's name and one of its
    columns holds carbon (``carbon``/``co2``/``emission`` in its name).
    """
    if not rows or not suspects:
        return []
    carbon = [c for c in {c for r in rows for c in r} if any(w in c.lower() for w in ("carbon", "co2", "emission"))]
    if not carbon:
        return []
    named = {str(v) for r in rows for v in r.values() if isinstance(v, str)}
    return [dict(s) for s in suspects if str(s.get("model")) in named]


def suspects_for(rows: Sequence[Mapping[str, Any]], cypher: str, suspects: Sequence[Mapping[str, Any]]) -> list[str]:
    """Caveats for an answer from any statement (the LLM path): the flagged values its rows show.

    A statement that reads ``carbonFootprint`` and returns no names (an average, a sum)
    may include every flagged value, so all are named.
    """
    if not suspects or "carbonfootprint" not in cypher.lower():
        return []
    shown = suspects_shown(rows, suspects)
    if not shown and rows and not any(isinstance(v, str) for r in rows for v in r.values()):
        shown = [dict(s) for s in suspects]
    return suspect_caveats(shown)
