"""Map a valid card onto the MRM3 ontology's nodes and properties.

The result is plain dictionaries, ready to travel as Cypher parameters; see
docs/graph-model.md for the graph model.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ingest.cards import Card, card_hash

_PROPERTY_NAME = re.compile(r"[^0-9A-Za-z_]+")


@dataclass
class CardRows:
    """One card as graph rows (each a dict of Cypher parameters)."""

    name: str
    card_hash: str
    model: dict[str, Any]
    date_created: str
    dataset: dict[str, Any] | None = None
    service: dict[str, Any] | None = None
    problem_type: str | None = None
    architecture: dict[str, Any] | None = None
    training: dict[str, Any] | None = None
    training_device: dict[str, Any] | None = None
    parameters: dict[str, Any] | None = None
    hyperparameters: dict[str, Any] | None = None
    inference: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "mrm3"
    """The format read: ``mrm3``, ``hf-card`` or ``codecarbon`` (docs/graph-model.md)."""
    extra_datasets: list[str] = field(default_factory=list)
    """Datasets beyond the first (HF cards may name several)."""
    base_models: list[str] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    """Provenance rows of the ModelTraining's converted values (:func:`ingest.units.provenance`)."""
    runs: list[dict[str, Any]] = field(default_factory=list)
    """CodeCarbon runs: ``{"key", "props", "device", "provenance"}`` each."""
    flags: list[Any] = field(default_factory=list)
    """One :class:`~ingest.cards.Problem` per value no real measurement can have (:mod:`ingest.flags`)."""


def _digest(prefix: str, value: Any) -> str:
    return hashlib.md5(prefix.encode() + json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values: a missing field is absent from the node, never 0."""
    return {key: value for key, value in props.items() if value is not None}


def property_name(raw: str) -> str:
    """A card key as a Cypher-friendly property name (``F1-score`` -> ``F1_score``)."""
    name = _PROPERTY_NAME.sub("_", raw).strip("_") or "value"
    return f"m_{name}" if name[0].isdigit() else name


def _property_value(value: Any) -> Any:
    """Neo4j properties are scalars or homogeneous lists; anything else is kept as JSON text."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and value and all(type(v) is type(value[0]) for v in value):
        if isinstance(value[0], str | int | float | bool):
            return value
    return json.dumps(value, sort_keys=True)


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}_{property_name(key)}" if prefix else property_name(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        elif value is not None:
            flat[name] = _property_value(value)
    return flat


def device_row(device: dict[str, Any]) -> dict[str, Any]:
    """A Device node: identified by its specification, whatever role it plays."""
    props = _clean(
        {
            "processor": device.get("CPU"),
            "cores": device.get("numCores"),
            "graphicsCard": device.get("GPU"),
            "gpuModel": device.get("GPUModel"),
            "memoryCapacity": None if device.get("RAM") is None else str(device["RAM"]),
        }
    )
    props["id"] = _digest("device", props)
    return props


def metric_properties(metrics: dict[str, Any]) -> dict[str, Any]:
    """``{"mae": {"mean": 1, "std": 2}}`` -> ``{"mae_mean": 1, "mae_std": 2}``."""
    props: dict[str, Any] = {}
    for raw_name, value in metrics.items():
        name = property_name(raw_name)
        if isinstance(value, dict):
            for stat in ("mean", "std"):
                if isinstance(value.get(stat), int | float):
                    props[f"{name}_{stat}"] = value[stat]
        elif isinstance(value, int | float):
            props[f"{name}_mean"] = value
    return props


def card_rows(card: Card) -> CardRows:
    """Map one valid card onto graph rows.

    Args:
        card: A card that passed :func:`ingest.cards.parse_card`.
    """
    data = card.data
    name = card.name
    digest = card.digest or card_hash(data)
    rows = CardRows(
        name=name,
        card_hash=digest,
        date_created=data["dateCreated"],
        model=_clean(
            {
                "name": name,
                "version": str(data["version"]),
                "size": data.get("size"),
                "author": data.get("author"),
                "path": data.get("path"),
                "source": card.source,
                "cardHash": digest,
            }
        ),
        architecture=_clean(
            {"type": data["architecture"]["type"], "explainability": data["architecture"].get("explainability")}
        ),
        problem_type=data.get("problemType"),
    )
    if dataset := data.get("dataset"):
        rows.dataset = _clean({"name": dataset["name"], "size": dataset.get("size")})
    if service := data.get("service"):
        rows.service = _clean(
            {
                "name": service["name"],
                "minAccuracy": service.get("minAccuracy"),
                "minLatency": service.get("minLatency"),
            }
        )
    if training := data.get("training"):
        _map_training(rows, training)
    for run in data.get("inference") or []:
        device = device_row(run["device"])
        rows.inference.append(
            {
                "key": f"{name}|{device['id']}|{run.get('batch_size')}",
                "device": device,
                "props": _clean(
                    {
                        "model": name,
                        "batch_size": run.get("batch_size"),
                        "latency": run.get("latency"),
                        "flops": run.get("flops"),
                        "energyConsumption": run.get("energy_consumption"),
                        "carbonFootprint": run.get("carbon_footprint"),
                        "num_of_runs": run.get("num_of_runs"),
                        "total_time": run.get("total_time"),
                    }
                ),
            }
        )
    return rows


def _map_training(rows: CardRows, training: dict[str, Any]) -> None:
    cpu, gpu = training.get("powerConsumptionCPU"), training.get("powerConsumptionGPU")
    total = None if cpu is None and gpu is None else (cpu or 0) + (gpu or 0)
    rows.training = _clean(
        {
            "model": rows.name,
            "carbonFootprint": training.get("carbonFootprint"),
            "energyConsumptionCPU": cpu,
            "energyConsumptionGPU": gpu,
            "energyConsumption": total,
            "fitTime": training.get("fitTime"),
            "totalTrainTime": training.get("totalTrainTime"),
            **metric_properties(training.get("evaluationMetrics") or {}),
        }
    )
    if device := training.get("device"):
        rows.training_device = device_row(device)
    parameters = training.get("parameters") or {}
    if parameters:
        rows.parameters = _clean(
            {"model": rows.name, "optimizer": parameters.get("optimizer"), "splitType": parameters.get("splitType")}
        )
    if hyperparameters := parameters.get("hyperparameters"):
        props = _flatten(hyperparameters)
        props["id"] = _digest("hyperparameters", props)
        rows.hyperparameters = props
