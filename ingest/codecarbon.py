"""CodeCarbon ``emissions.csv`` logs: each row a measured run, in grams, joules and seconds.

Every header version from CodeCarbon 1.x (12 columns) to 3.3 (38 columns) is
read by column name. Rows are grouped by the model they measure: ``--model
NAME`` for the whole file, else each row's ``project_name``. CodeCarbon's own
default project name, ``codecarbon``, names no model: such rows are named after
their file, so logs of unrelated projects are never summed into one model.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from ingest.cards import Card, Problem, card_hash
from ingest.mapping import CardRows, device_row
from ingest.units import GRAMS_PER_KG, JOULES_PER_KWH, provenance

logger = logging.getLogger(__name__)

FORMAT = "codecarbon"
REQUIRED_COLUMNS = frozenset({"timestamp", "project_name", "duration", "emissions"})
DEFAULT_PROJECT = "codecarbon"
"""The project_name CodeCarbon writes when none is given (measured: 89 rows of 11 unrelated logs beside the
repository carry it)."""

# column -> (graph property, published unit, graph unit, factor)
MEASURES = {
    "emissions": ("carbonFootprint", "kg CO2eq", "g CO2eq", GRAMS_PER_KG),
    "energy_consumed": ("energyConsumption", "kWh", "J", JOULES_PER_KWH),
    "cpu_energy": ("energyConsumptionCPU", "kWh", "J", JOULES_PER_KWH),
    "gpu_energy": ("energyConsumptionGPU", "kWh", "J", JOULES_PER_KWH),
    "ram_energy": ("energyConsumptionRAM", "kWh", "J", JOULES_PER_KWH),
    "duration": ("totalTrainTime", "s", "s", 1.0),
}
# column -> graph property, kept as written
LABELS = {
    "run_id": "runId",
    "experiment_id": "experimentId",
    "project_name": "projectName",
    "timestamp": "timestamp",
    "country_name": "country",
    "country_iso_code": "countryCode",
    "region": "region",
    "cloud_provider": "cloudProvider",
    "cloud_region": "cloudRegion",
    "on_cloud": "onCloud",
    "codecarbon_version": "codecarbonVersion",
    "tracking_mode": "trackingMode",
}


def header_of(raw: bytes) -> list[str] | None:
    """The columns of a CodeCarbon log, or None when ``raw`` does not start like one."""
    first = raw[:4096].decode("utf-8-sig", errors="replace").splitlines()[:1]
    columns = [c.strip() for c in first[0].split(",")] if first else []
    return columns if REQUIRED_COLUMNS <= set(columns) else None


def read_codecarbon(source: str, raw: bytes, *, model: str | None = None) -> Iterator[Card | Problem]:
    """One :class:`Card` per model the log measures, or the :class:`Problem` that stops it.

    Args:
        source: Where the bytes came from, for messages and provenance.
        raw: The file's bytes.
        model: Attach every run to this model (``mrm3 ingest FILE.csv --model NAME``).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        yield Problem(source, "$", f"is not valid UTF-8 (byte {e.start}) - save the log as UTF-8")
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or ())
    if missing:
        yield Problem(source, "$", f"is not a CodeCarbon log: no {', '.join(sorted(missing))} column")
        return
    groups: dict[str, list[dict[str, Any]]] = {}
    warnings: dict[str, list[Problem]] = {}
    fallback = _file_name(source)
    defaulted = 0
    for number, row in enumerate(reader, start=1):
        project = (row.get("project_name") or "").strip()
        if project.lower() == DEFAULT_PROJECT and not model:
            defaulted += 1
            project = ""
        name = model or project or fallback
        if None in row:  # more cells than columns
            row.pop(None)
            reason = "has more cells than the header has columns; extra cells ignored"
            warnings.setdefault(name, []).append(Problem(source, f"row {number}", reason))
        cells = {k: (v or "").strip() for k, v in row.items()}
        for column in MEASURES:
            _number(source, number, column, cells.get(column, ""), warnings.setdefault(name, []))
        groups.setdefault(name, []).append({"row": number, "cells": cells})
    if not groups:
        yield Problem(source, "$", "CodeCarbon log has a header but no rows")
        return
    if defaulted:
        reason = (
            f"project_name is CodeCarbon's default {DEFAULT_PROJECT!r} in {defaulted} row(s), which names no model: "
            f"those runs are named after the file, {fallback!r} (--model NAME names them)"
        )
        warnings.setdefault(fallback, []).insert(0, Problem(source, "project_name", reason))
    header = list(reader.fieldnames or ())
    if twice := sorted({column for column in header if header.count(column) > 1}):
        said = ", ".join(repr(column) for column in twice)
        reason = f"column {said} appears more than once in the header; the last of each is read"
        warnings.setdefault(next(iter(groups)), []).insert(0, Problem(source, "header", reason))
    for name, rows in groups.items():
        data = {"name": name, "format": FORMAT, "file": source, "runs": rows}
        yield Card(source, data, tuple(warnings.get(name, ())), card_hash(data), kind=FORMAT)


def _file_name(source: str) -> str:
    """The model name a log's file gives: its stem, or its folder's name with it when the stem is CodeCarbon's
    own file name (``runs/resnet/emissions.csv``: ``resnet-emissions``)."""
    path = PurePath(source.split("!")[-1])
    if path.stem.lower() == "emissions" and path.parent.name:
        return f"{path.parent.name}-{path.stem}"
    return path.stem


def _number(source: str, row: int, column: str, cell: str, warnings: list[Problem]) -> float | None:
    if cell == "":
        return None
    try:
        return float(cell)
    except ValueError:
        warnings.append(Problem(source, f"row {row}, column {column}", f"{cell!r} is not a number; not stored"))
        return None


def _integer(cell: str) -> int | None:
    try:
        return int(float(cell)) if cell else None
    except ValueError:
        return None


def codecarbon_rows(card: Card, warnings: list[Problem]) -> CardRows:
    """The graph rows of one model's runs: a TrainingRun per row (the sums are computed in the graph).

    Args:
        card: A card from :func:`read_codecarbon`.
        warnings: Filled with one line per cell that is not a number.
    """
    name, source = card.name, str(card.data["file"])
    file_name = PurePath(source.split("!")[-1]).name
    rows = CardRows(
        name=name,
        card_hash=card.digest,
        model={"name": name, "format": FORMAT, "source": source},
        date_created="",
        kind=FORMAT,
    )
    for entry in card.data["runs"]:
        number, cells = entry["row"], entry["cells"]
        key = f"{name}|{file_name}|{number}|{cells.get('timestamp', '')}"
        props: dict[str, Any] = {"key": key, "model": name, "source": source, "row": number}
        props |= {prop: cells[column] for column, prop in LABELS.items() if cells.get(column)}
        run_provenance = []
        for column, (prop, published_unit, unit, factor) in MEASURES.items():
            value = _number(source, number, column, cells.get(column, ""), warnings)
            if value is None:
                continue
            props[prop] = value * factor
            run_provenance.append(
                provenance(
                    key,
                    prop,
                    file=source,
                    field=f"{column} (row {number})",
                    published=cells[column],
                    published_unit=published_unit,
                    unit=unit,
                    factor=factor,
                )
            )
        props["runHash"] = card_hash(cells)
        device = _device(cells)
        rows.runs.append({"key": key, "props": props, "device": device, "provenance": run_provenance})
    # A model that only CodeCarbon describes gets the sums of all its runs, from every log, computed in the graph.
    rows.training = {"model": name, "totalsFrom": FORMAT}
    return rows


def _device(cells: dict[str, str]) -> dict[str, Any] | None:
    ram = cells.get("ram_total_size", "")
    try:
        memory = f"{float(ram):.1f}G" if ram else None
    except ValueError:
        memory = ram
    spec = {
        "CPU": cells.get("cpu_model") or None,
        "numCores": _integer(cells.get("cpu_count", "")),
        "GPU": _integer(cells.get("gpu_count", "")),
        "GPUModel": cells.get("gpu_model") or None,
        "RAM": memory,
    }
    if all(value is None for value in spec.values()):
        return None
    return device_row(spec)
