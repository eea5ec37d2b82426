"""Where a shown value came from: its file, field and the value and unit as published.

Hugging Face cards and CodeCarbon logs keep a ``Provenance`` node per converted
value (docs/graph-model.md). An answer that shows a model's training carbon,
energy or time says where it came from, so that a converted value reads
"5,670 g CO2 (5.67 kg CO2eq in emissions.csv, emissions (row 3))" and a value a
model's CodeCarbon runs sum to names each run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from assistant.language.measurements import number, unit_of, with_unit
from ingest.hub import PREFIX as HUB_PREFIX

# Result column (offline engine, lookups and rankings) -> the ModelTraining property it shows.
SHOWN_PROPERTIES = {
    "carbon_g": "carbonFootprint",
    "energy_j": "energyConsumption",
    "cpu_energy_j": "energyConsumptionCPU",
    "gpu_energy_j": "energyConsumptionGPU",
    "train_time_s": "totalTrainTime",
}
MAX_MODELS = 5
MAX_RUNS = 3
# A model's card (ModelTraining) or its CodeCarbon runs (TrainingRun); type(r) names no type the graph may lack.
PROVENANCE_OF = (
    "UNWIND $models AS model_name MATCH (m:Model {name: model_name})\n"
    "MATCH (o)-[r]->(m) WHERE type(r) IN ['TRAINS_ON', 'MEASURES']\n"
    "MATCH (o)-[:HAS_PROVENANCE]->(p:Provenance) WHERE p.property IN $properties\n"
    "RETURN m.name AS model, type(r) = 'TRAINS_ON' AS own, p.property AS property, p.file AS file, "
    "p.field AS field, p.publishedValue AS published, p.publishedUnit AS unit, p.factor AS factor\n"
    "ORDER BY model, property, own DESC, file, field"
)

Read = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


def sources_text(rows: Sequence[Mapping[str, Any]], read: Read) -> str:
    """``Source:`` lines for the training values ``rows`` show, one per model and value (first few models).

    Args:
        rows: The answer's rows; a ``model`` column and carbon, energy or time columns.
        read: Runs a read statement with parameters and returns its rows.

    Returns:
        Lines starting with a newline, or ``""`` when nothing shown has a provenance.
    """
    # "carbon_g", or an LLM's "training_carbon_g"; an inference value has no training provenance.
    columns = {
        c: key
        for c in dict.fromkeys(c for row in rows for c in row)
        for key in SHOWN_PROPERTIES
        if (c == key or c.endswith(f"_{key}")) and "inference" not in c
    }
    shown = [r for r in rows if isinstance(r.get("model"), str)][:MAX_MODELS]
    if not columns or not shown:
        return ""
    found = read(
        PROVENANCE_OF,
        {"models": [r["model"] for r in shown], "properties": [SHOWN_PROPERTIES[k] for k in columns.values()]},
    )
    lines = []
    for row in shown:
        for column in columns:
            value = row.get(column)
            if value is None:
                continue
            prop = SHOWN_PROPERTIES[columns[column]]
            records = [p for p in found if p["model"] == row["model"] and p["property"] == prop]
            line = source_line(str(row["model"]), columns[column], value, records)
            if line:
                lines.append(line)
    return "".join(f"\nSource: {line}" for line in lines)


def source_line(model: str, column: str, value: Any, records: Sequence[Mapping[str, Any]]) -> str:
    """One model's value and where it came from; the card's own record wins over its runs'."""
    own = [p for p in records if p.get("own")]
    records = own or records
    if not records:
        return ""
    shown = f"{model}: {column.rsplit('_', 1)[0].replace('_', ' ')} {with_unit(value, unit_of(column))}"
    files = list(dict.fromkeys(_file_name(p) for p in records))
    if len(records) == 1:
        p = records[0]
        return f"{shown} ({_published(p)} in {files[0]}, {p['field']}){_converted(p)}"
    parts = ", ".join(f"{_published(p)} in {p['field']}" for p in records[:MAX_RUNS])
    more = f" and {len(records) - MAX_RUNS} more" if len(records) > MAX_RUNS else ""
    runs = f"the sum of {len(records)} CodeCarbon runs in {', '.join(files)}"
    return f"{shown} ({runs}: {parts}{more}){_converted(records[0])}"


def _file_name(p: Mapping[str, Any]) -> str:
    """The file a value was read from: a path's last part, or a Hub reference whole (``hf:ORG/NAME@sha``)."""
    file = str(p["file"])
    return file if file.startswith(HUB_PREFIX) else PurePath(file).name


def _published(p: Mapping[str, Any]) -> str:
    published = str(p.get("published"))
    unit = str(p.get("unit") or "")
    return published if not unit or unit.split()[0] in published else f"{published} {unit}"


def _converted(p: Mapping[str, Any]) -> str:
    factor = p.get("factor")
    if isinstance(factor, int | float) and factor not in (0, 1):
        return f", converted x{number(factor)}"
    return ""
