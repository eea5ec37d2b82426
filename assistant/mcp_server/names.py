"""Resolve the names a tool is given (dataset, service, architecture, device) to the values the graph holds.

A name matches when it equals a graph value up to case, or, failing that, is
part of exactly one value ("Raspberry Pi 4" for "Raspberry Pi 4 Model B (ARM
Cortex-A72)"), which the result then states. A name matching nothing, or
several values, is an error that names it with the closest values: never a
filter silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from assistant.cypher.execution import run_guarded
from assistant.errors import InvalidArgumentError
from assistant.graph.connection import Graph

# kind -> the statements listing its values (constant text: values never enter it).
VALUES = {
    "dataset": ("MATCH (n:Dataset) RETURN DISTINCT n.name AS value",),
    "service": ("MATCH (n:Service) RETURN DISTINCT n.name AS value",),
    "architecture": ("MATCH (n:ModelArchitecture) RETURN DISTINCT n.type AS value",),
    "device": (
        "MATCH (n:Device) WHERE n.processor IS NOT NULL RETURN DISTINCT n.processor AS value",
        "MATCH (n:Device) WHERE n.gpuModel IS NOT NULL RETURN DISTINCT n.gpuModel AS value",
    ),
}
# kind -> (label, property) of each statement above.
PROPERTIES = {
    "dataset": (("Dataset", "name"),),
    "service": (("Service", "name"),),
    "architecture": (("ModelArchitecture", "type"),),
    "device": (("Device", "processor"), ("Device", "gpuModel")),
}
MAX_VALUES = 100_000


@dataclass(frozen=True)
class Resolved:
    """A name as the graph holds it."""

    kind: str
    label: str
    property: str
    value: str
    note: str = ""
    """Said when the name was read as a longer value."""


def closest(term: str, values: list[str], limit: int = 3) -> list[str]:
    """The values nearest to ``term``."""
    found = process.extract(term, values, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    return [value for value, _, _ in found]


def resolve(graph: Graph, kind: str, name: str, *, timeout_s: float) -> Resolved:
    """The graph value ``name`` stands for.

    Raises:
        InvalidArgumentError: No value matches, or several do; the message names the closest ones.
    """
    said = name.strip()
    if not said:
        raise InvalidArgumentError(f"The {kind} name is empty - give one the graph holds (graph_schema lists them)")
    candidates: list[tuple[str, str, str]] = []  # (label, property, value)
    for statement, (label, prop) in zip(VALUES[kind], PROPERTIES[kind], strict=True):
        rows = run_guarded(graph, statement, row_cap=MAX_VALUES, timeout_s=timeout_s).rows
        candidates.extend((label, prop, str(row["value"])) for row in rows if row["value"] is not None)
    lower = said.casefold()
    exact = [c for c in candidates if c[2].casefold() == lower]
    if exact:
        label, prop, value = exact[0]
        return Resolved(kind, label, prop, value)
    partial = [c for c in candidates if lower in c[2].casefold()]
    values = sorted({c[2] for c in partial})
    if len(values) == 1:
        label, prop, value = partial[0]
        return Resolved(kind, label, prop, value, note=f"{kind} {said!r} read as {value!r}")
    if values:
        raise InvalidArgumentError(
            f"The {kind} {said!r} matches several in the graph: {', '.join(values[:8])} - give one of them"
        )
    every = sorted({c[2] for c in candidates})
    near = closest(said, every)
    if near:
        hint = f"closest: {', '.join(near)}"
    elif every:
        hint = f"it has: {', '.join(every[:10])}" + (
            f" and {len(every) - 10} more (graph_schema)" if len(every) > 10 else ""
        )
    else:
        hint = f"the graph holds no {kind} names"
    raise InvalidArgumentError(f"No {kind} {said!r} in the graph - {hint}")
