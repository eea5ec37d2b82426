"""Caveats for values no real measurement can have (a node's ``flagged`` list, written at ingest).

A negative emission, an infinite energy, a NaN latency or a carbon figure beyond a year of a country's grid is
stored as published and flagged (:mod:`ingest.flags`, by the one rule
:func:`assistant.language.measurements.implausible`). An answer that shows, ranks or sums such a value names it,
with the reason, the way kilograms-as-grams values are named (:mod:`assistant.answers.suspect`). Both engines
use these sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ingest.derived import copies_of
from ingest.metadata_writer import SUM_FLAG, UNSUMMED_FLAG

FLAGGABLE_LABELS = ("Model", "ModelTraining", "ModelInference", "TrainingRun", "EvaluationResult")
MAX_NAMED = 5
# Every flagged node with the model it belongs to (small: one row per flagged node).
FLAGGED_VALUES = (
    "MATCH (n) WHERE n.flagged IS NOT NULL\n"
    "OPTIONAL MATCH (n)--(m:Model)\n"
    "RETURN DISTINCT coalesce(m.name, n.name) AS model, n.flagged AS flags ORDER BY model LIMIT 5000"
)


def flagged_in(rows: Iterable[Mapping[str, Any]], cypher: str) -> list[tuple[str, str, str]]:
    """``(model, property, reason)`` for each flag of ``rows`` whose property the statement ``cypher`` reads.

    Args:
        rows: Rows with ``model`` and ``flags`` (a list of ``"<property>: <reason>"``, or a list of such lists).
        cypher: The statement whose answer is being explained.
    """
    read = cypher.lower()
    found = []
    for row in rows:
        for flag in _flat(row.get("flags")):
            prop, _, reason = str(flag).partition(": ")
            # a statement reading a copy the ingest keeps of the value (ingest/derived.py) reads the value
            names = [name.lower() for name in (prop, *copies_of(prop))]
            if any(re.search(rf"\.`?{re.escape(name)}\b", read) for name in names):
                found.append((str(row.get("model")), prop, reason))
    unique = list(dict.fromkeys(found))
    # a sum of CodeCarbon runs flagged for its run's flag: the run's own note already names that value
    runs: dict[tuple[str, str], list[str]] = {}
    for model, prop, reason in unique:
        if reason not in (SUM_FLAG, UNSUMMED_FLAG):
            runs.setdefault((model, prop), []).append(reason)
    kept = [f for f in unique if not (f[2] == SUM_FLAG and f[:2] in runs)]
    # one left absent: one note says both why there is no total and why the runs' values are impossible
    unsummed = {f[:2] for f in kept if f[2] == UNSUMMED_FLAG}
    return [
        (model, prop, _UNSUMMED_WHY.join([UNSUMMED_FLAG, "; ".join(runs.get((model, prop), []))])
         if reason == UNSUMMED_FLAG else reason)
        for model, prop, reason in kept
        if not ((model, prop) in unsummed and reason != UNSUMMED_FLAG)
    ]  # fmt: skip


_UNSUMMED_WHY = " | because: "
"""Joins an absent sum's flag and its runs' reasons in one reason (split again by :func:`_caveat`)."""


def flag_caveats(flagged: Sequence[tuple[str, str, str]]) -> list[str]:
    """One sentence per flagged value, the first few by name."""
    facts = [_caveat(model, prop, reason) for model, prop, reason in flagged[:MAX_NAMED]]
    if len(flagged) > MAX_NAMED:
        more = ", ".join(dict.fromkeys(f"{model} ({prop})" for model, prop, _ in flagged[MAX_NAMED:]))
        facts.append(f"Also flagged as impossible: {more}.")
    return facts


def _caveat(model: str, prop: str, reason: str) -> str:
    if reason.startswith(UNSUMMED_FLAG):  # the sum is not stored: no statement can show it, its absence is explained
        runs = reason.partition(_UNSUMMED_WHY)[2]
        return (
            f"{model}'s {prop} has no total: one of its CodeCarbon runs has a value flagged as impossible"
            + (f" ({runs})" if runs else "")
            + ", stored as published; the runs are not summed, so the model counts as not measured for it."
        )
    return (
        f"{model}'s {prop} is flagged: {reason}. It is stored as published and cannot be a real measurement: "
        "a ranking, condition or total that includes it is unreliable (the offline engine leaves such values out)."
    )


def flags_for(rows: Sequence[Mapping[str, Any]], cypher: str, flagged: Sequence[Mapping[str, Any]]) -> list[str]:
    """Caveats for an answer from any statement (the LLM path): the flagged values its rows may show.

    A row names a model it shows; a statement that returns no names (an average, a sum) may include every
    flagged value it reads, so all of those are named.
    """
    if not flagged:
        return []
    named = {str(v) for r in rows for v in r.values() if isinstance(v, str)}
    aggregate = bool(rows) and not named
    shown = [f for f in flagged if aggregate or str(f.get("model")) in named]
    return flag_caveats(flagged_in(shown, cypher))


def _flat(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for part in value for item in _flat(part)]
    return [] if value is None else [value]
