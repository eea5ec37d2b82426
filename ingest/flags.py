"""Values no real measurement can have, flagged at ingest: stored as published, never changed, named.

Third-party cards are written by strangers: a negative emission, an infinite energy, a NaN latency or a carbon
figure beyond a year of a country's grid is stored exactly as published (the graph keeps the evidence), gets one
warning line at ingest, and its node gets a ``flagged`` list (``"<property>: <reason>"``) that every answer which
shows, ranks or sums the value reads. What counts as impossible is decided in one place,
:func:`assistant.language.measurements.implausible`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ingest.cards import Problem
from ingest.derived import DERIVED_PROPERTIES
from ingest.mapping import CardRows
from ingest.plausibility import implausible

FLAG_PROPERTY = "flagged"
# One node per label that has held a flagged value, written in the transaction that writes the value: whether an
# answer must look for flags is then known exactly, not from a sample of the graph's nodes.
FLAG_MARKER_LABEL = "FlaggedValues"
MARK_FLAGGED = f"UNWIND $rows AS row MERGE (:{FLAG_MARKER_LABEL} {{label: row.label, property: row.property}})"
FLAGGED_LABELS = (
    f"MATCH (f:{FLAG_MARKER_LABEL}) "
    f"RETURN DISTINCT f.label AS label, coalesce(f.property, '{FLAG_PROPERTY}') AS property"
)
UNMEASURED_SCORES = "unmeasuredScores"
"""A training's quality metrics whose mean and std are both 0 in an MRM3 card (not measured), marked like flags:
a ranking by such a metric counts them only when some training has one."""
# The flag itself and the copies the ingest derives (ingest/derived.py): their source value is the one flagged.
_NOT_PUBLISHED = frozenset({FLAG_PROPERTY, *DERIVED_PROPERTIES})


def flag_implausible(rows: CardRows) -> list[Problem]:
    """Flag every impossible value of ``rows`` in place; one warning per value."""
    source = str(rows.model.get("source") or rows.model.get("file") or rows.name)
    problems = []
    for where, props, provenance in _measured_nodes(rows):
        published = {p["property"]: f"{p['publishedValue']} {p['publishedUnit']}".strip() for p in provenance}
        flags = []
        for key, value in sorted(props.items()):
            if key not in _NOT_PUBLISHED and (reason := implausible(key, value)):
                flags.append(f"{key}: {reason}")
                said = published.get(key)
                shown = f"{said} (stored as {value!r})" if said and said != repr(value) else repr(value)
                problems.append(_flagged(source, f"{where}.{key}", shown, reason))
        if flags:
            props[FLAG_PROPERTY] = flags
        else:
            props.pop(FLAG_PROPERTY, None)
    for result in rows.evaluations:  # a model-index score: its metric names what the value is
        props = result["props"]
        if reason := implausible(str(props.get("metric") or ""), props.get("value")):
            props[FLAG_PROPERTY] = [f"value: {reason}"]
            shown = props.get("publishedValue", props.get("value"))
            problems.append(_flagged(source, str(props.get("field") or "model-index"), shown, reason))
    return problems


def mark_unmeasured_scores(rows: CardRows) -> None:
    """List, on the training, each quality metric whose mean and std are both 0 (UNMEASURED_SCORES)."""
    training = rows.training or {}
    names = [k[: -len("_mean")] for k, v in sorted(training.items()) if k.endswith("_mean") and v == 0]
    zero = [name for name in names if training.get(f"{name}_std") == 0]
    if zero:
        training[UNMEASURED_SCORES] = zero


def flagged_labels(batch: Sequence[CardRows]) -> list[dict[str, str]]:
    """MARK_FLAGGED's rows: each label (and property) of the nodes of ``batch`` that hold a flagged value (a
    CodeCarbon run's flag may flag its model's sum, on the training node), or an unmeasured score."""
    scores = any(UNMEASURED_SCORES in (rows.training or {}) for rows in batch)
    marks = [{"label": "ModelTraining", "property": UNMEASURED_SCORES}] if scores else []
    labels = set()
    for rows in batch:
        if FLAG_PROPERTY in rows.model:
            labels.add("Model")
        if rows.training and FLAG_PROPERTY in rows.training:
            labels.add("ModelTraining")
        if any(FLAG_PROPERTY in run["props"] for run in rows.inference):
            labels.add("ModelInference")
        if any(FLAG_PROPERTY in run["props"] for run in rows.runs):
            labels.update(("TrainingRun", "ModelTraining"))
        if any(FLAG_PROPERTY in result["props"] for result in rows.evaluations):
            labels.add("EvaluationResult")
    return [{"label": label, "property": FLAG_PROPERTY} for label in sorted(labels)] + marks


def _flagged(source: str, where: str, shown: object, reason: str) -> Problem:
    """The one warning line of a flagged value."""
    return Problem(source, where, f"{shown}: {reason}; stored as published, flagged")


def _measured_nodes(rows: CardRows) -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Each node's properties that hold measurements, with what was published for them: the model, its training,
    inference runs and CodeCarbon runs."""
    yield "model", rows.model, []
    if rows.training:
        yield "training", rows.training, rows.provenance
    for index, run in enumerate(rows.inference):
        yield f"inference[{index}]", run["props"], []
    for run in rows.runs:
        yield f"row {run['props'].get('row', '?')}", run["props"], run.get("provenance", [])
