"""Statements that read what the ingest stores for speed (ingest/derived.py) instead of recomputing it."""

from __future__ import annotations

from collections.abc import Callable

from assistant.engines.offline.compile.cypher_builder import Statement
from assistant.engines.offline.plan.understanding import Frame
from assistant.engines.offline.read.metrics import Metric

Has = Callable[[str, str], bool]

# Inference metric -> (the run's stored value, the flag of the model's best run on a processor, the model's best).
_BEST_RUNS = {
    ("latency", ""): ("latency", "bestLatencyOnDevice", "bestLatency"),
    ("energy", "inference"): ("energyPerInference", "bestEnergyOnDevice", "bestEnergyPerInference"),
    ("carbon", "inference"): ("carbonPerInference", "bestCarbonOnDevice", "bestCarbonPerInference"),
}


def best_runs(frame: Frame, metric: Metric, order: str, has: Has | None) -> Statement | None:
    """ "fastest model on the raspberry pi", "lowest inference carbon": the lowest first, read from what the ingest
    stored (each model's best run per processor, or its best over all), so no model's runs are collected.

    Only for the plain question: lowest first, no filter but one processor, no condition; else None.
    """
    stored = _BEST_RUNS.get((metric.key, metric.per))
    device = frame.filter("device")
    others = [f for f in frame.filters if f is not device]
    plain = not (others or frame.thresholds or frame.dates) and order == "ASC"
    if stored is None or not plain or not metric.model_best or has is None or not has("ModelInference", stored[1]):
        return None  # metric.model_best: set only when every model carries the derived values
    value, flag, on_model = stored
    col = metric.column
    if device is not None:
        if device.role == "training" or device.property != "processor" or len(device.values) != 1:
            return None
        text = (
            f"MATCH (inf:ModelInference) WHERE inf.deviceProcessor = $device AND inf.{flag} = true\n"
            f"WITH inf, inf.{value} AS value ORDER BY value ASC, inf.model LIMIT $k\n"
            "MATCH (inf)-[:INFERENCE_ON]->(m:Model)\nMATCH (inf)-[:RUNS_ON]->(dv:Device)\n"
            f"RETURN m.name AS model, value AS {col}, dv.processor AS device, inf.batch_size AS batch_size\n"
            f"ORDER BY {col} ASC, model"
        )
        return Statement(text, {"device": device.values[0]})
    text = (
        f"MATCH (m:Model) WHERE m.{on_model} IS NOT NULL\n"
        f"WITH m, m.{on_model} AS value ORDER BY value ASC, m.name LIMIT $k\n"
        f"MATCH (inf:ModelInference)-[:INFERENCE_ON]->(m) WHERE inf.{value} = value\n"
        "MATCH (inf)-[:RUNS_ON]->(dv:Device)\n"
        "WITH m, value, collect({device: dv.processor, batch: inf.batch_size})[0] AS best\n"
        f"RETURN m.name AS model, value AS {col}, best.device AS device, best.batch AS batch_size\n"
        f"ORDER BY {col} ASC, model"
    )
    return Statement(text, {})
