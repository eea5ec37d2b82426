"""The graph values nearest to a term the graph lacks, for "X is not in the graph (closest: ...)"."""

from __future__ import annotations

import re

from assistant.graph.schema import GraphSchema

_NAMED = (
    ("Dataset", "name", "dataset"), ("ModelArchitecture", "type", "architecture"), ("Device", "processor", "device"),
    ("Device", "gpuModel", "GPU"), ("Model", "name", "model"), ("Service", "name", "service"),
    ("ProblemType", "name", "problem type"), ("Model", "author", "author"), ("BaseModel", "name", "base model"),
    ("ModelTraining", "location", "training location"), ("Device", "hardware", "hardware"),
    ("Model", "license", "license"), ("Model", "libraryName", "library"), ("EvaluationResult", "dataset", "dataset"),
    ("EvaluationResult", "datasetName", "dataset"),
)  # fmt: skip


def closest_values(schema: GraphSchema, term: str, limit: int = 3) -> list[str]:
    """The graph values nearest to ``term``, each with its kind ("umu (dataset)")."""
    from rapidfuzz import fuzz, process

    choices: dict[str, str] = {}
    for label, prop, kind in _NAMED:
        info = schema.node_properties.get(label, {}).get(prop)
        for value in info.values if info else ():
            choices.setdefault(str(value), kind)
    # "US" is "United States": an abbreviation matches the initials of a value's words first.
    initials = [v for v in choices if term.isupper() and _initials(v) == term.upper()]
    found = process.extract(term, list(choices), scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    near = list(dict.fromkeys([*initials, *(value for value, _, _ in found)]))[:limit]
    return [f"{value} ({choices[value]})" for value in near]


def _initials(value: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", value) if w.lower() not in ("of", "the", "and")).upper()


def exact_value(schema: GraphSchema, label: str, prop: str, term: str) -> str | None:
    """The graph's own spelling of ``term`` as a value of ``label.prop`` (case aside), or None."""
    info = schema.node_properties.get(label, {}).get(prop)
    return next((str(v) for v in (info.values if info else ()) if str(v).lower() == term.lower()), None)
