"""Statements that read what the ingest stores for speed (ingest/derived.py) instead of recomputing it."""

from __future__ import annotations

from assistant.engines.offline.compile.cypher_builder import Has, Statement
from assistant.engines.offline.plan.understanding import Frame
from assistant.engines.offline.read.metrics import Metric
from ingest.derived import BEST


def best_runs(frame: Frame, metric: Metric, order: str, has: Has | None) -> Statement | None:
    """ "fastest model on the raspberry pi", "lowest inference carbon": the lowest first, read from what the ingest
    stored (each model's best run per processor, or its best over all), so no model's runs are collected.

    Only for the plain question: lowest first, no filter but one processor, no condition; else None.
    """
    stored = BEST.get(metric.model_best)  # set only when every model carries the derived values
    device = frame.filter("device")
    others = [f for f in frame.filters if f is not device]
    plain = not (others or frame.thresholds or frame.dates) and order == "ASC"
    if stored is None or not plain or has is None or not has("ModelInference", stored[1]):
        return None
    (value, flag), on_model = stored, metric.model_best
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
