"""Map a read Hugging Face card onto the MRM3 ontology's rows (docs/graph-model.md)."""

from __future__ import annotations

import hashlib
from typing import Any

from ingest.cards import Card
from ingest.mapping import CardRows, _clean, device_row, property_name
from ingest.units import provenance

# A hardware text naming one of these is a processor; any other is taken for a GPU.
_CPU_WORDS = ("cpu", "intel", "amd ryzen", "epyc", "xeon", "apple m", "i7-", "i5-", "i9-", "arm")


def hardware_device(text: str) -> dict[str, Any]:
    """A Device for a card's ``hardware_used`` text, with the text kept as written."""
    lowered = text.lower()
    spec = {"CPU": text} if any(word in lowered for word in _CPU_WORDS) else {"GPUModel": text}
    device = device_row(spec)
    device["hardware"] = text
    return device


def hf_rows(card: Card) -> CardRows:
    """The graph rows of one card from :func:`ingest.hf_cards.read_hf_card`."""
    data = card.data
    name = card.name
    rows = CardRows(
        name=name,
        card_hash=card.digest,
        date_created="",
        kind="hf-card",
        model=_clean(
            {
                "name": name,
                "format": "hf-card",
                "source": card.source,
                "cardHash": card.digest,
                "hubName": data.get("hubName"),
                "license": ", ".join(data["license"]) if data.get("license") else None,
                "libraryName": data.get("libraryName"),
                "language": data.get("language") or None,
                "tags": data.get("tags") or None,
                "pipelineTag": data.get("pipelineTag"),
                "metadataError": data.get("metadataError"),
                "hubId": data.get("hubId"),
                "hubRevision": data.get("hubRevision"),
                "hubFiles": data.get("hubFiles"),  # read from the model's own README and config.json
                "modelType": data.get("modelType"),
                "parameterCount": data.get("parameterCount"),
            }
        ),
    )
    if data.get("architecture"):  # from the Hub's config.json (mrm3 ingest hf:ORG/NAME)
        rows.architecture = {"type": str(data["architecture"])}
    datasets = list(data.get("datasets") or [])
    if datasets:
        rows.dataset = {"name": datasets[0]}
        rows.extra_datasets = [d for d in dict.fromkeys(datasets[1:]) if d != datasets[0]]
    rows.base_models = list(dict.fromkeys(data.get("baseModels") or []))
    results = data.get("results") or []
    service = data.get("pipelineTag") or next((r["task"] for r in results if r.get("task")), None)
    if service:
        rows.service = {"name": str(service)}
        rows.problem_type = data.get("problemType")
    rows.evaluations = [_evaluation(name, card.source, index, result) for index, result in enumerate(results)]
    training = _training(rows, data.get("co2") or {}, card.source)
    training |= _single_dataset_metrics(results)
    if len(training) > 1:
        rows.training = training
    return rows


def _training(rows: CardRows, co2: dict[str, Any], source: str) -> dict[str, Any]:
    training: dict[str, Any] = {"model": rows.name}
    training |= _clean(
        {
            "emissionsSource": co2.get("source"),
            "trainingType": co2.get("training_type"),
            "location": co2.get("geographical_location"),
            "unreadEmissions": co2.get("unreadEmissions"),
            **co2.get("extra", {}),
        }
    )
    if emissions := co2.get("emissions"):
        training["carbonFootprint"] = emissions["grams"]
        if suspect := emissions.get("suspect"):
            training["carbonFootprintSuspect"] = suspect
        rows.provenance.append(
            provenance(
                f"training|{rows.name}",
                "carbonFootprint",
                file=source,
                field=emissions["field"],
                published=emissions["published"],
                published_unit=emissions["unit"],
                unit="g CO2eq",
                factor=emissions["factor"],
                suspect=suspect,
            )
        )
    if hardware := co2.get("hardware_used"):
        rows.training_device = hardware_device(hardware)
    return training


def _single_dataset_metrics(results: list[dict[str, Any]]) -> dict[str, Any]:
    """``<metric>_mean`` when every result names one dataset; the ``test`` split wins, else the first."""
    if len({r.get("dataset") for r in results}) != 1:
        return {}
    chosen: dict[str, dict[str, Any]] = {}
    for result in results:
        if result.get("value") is None or not result.get("metricType"):
            continue
        metric = property_name(str(result["metricType"]))
        if metric not in chosen or (result.get("split") == "test" and chosen[metric].get("split") != "test"):
            chosen[metric] = result
    return {f"{metric}_mean": result["value"] for metric, result in chosen.items()}


def _evaluation(model: str, source: str, index: int, result: dict[str, Any]) -> dict[str, Any]:
    key = hashlib.md5(f"{model}|{index}".encode()).hexdigest()
    return {
        "key": key,
        "dataset": result.get("dataset"),
        "props": _clean(
            {
                "key": key,
                "model": model,
                "metric": property_name(str(result.get("metricType") or "value")),
                "metricName": result.get("metricName"),
                "value": result.get("value"),
                "publishedValue": result.get("publishedValue"),
                "task": result.get("task"),
                "taskName": result.get("taskName"),
                "dataset": result.get("dataset"),
                "datasetName": result.get("datasetName"),
                "datasetConfig": result.get("datasetConfig"),
                "split": result.get("split"),
                "verified": result.get("verified"),
                "source": source,
                "field": result.get("field"),
            }
        ),
    }
