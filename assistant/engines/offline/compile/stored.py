"""Statements that read what the ingest stores for speed (ingest/derived.py) instead of recomputing it."""

from __future__ import annotations

from assistant.engines.offline.compile.cypher_builder import Has, Narrowed, Statement
from assistant.engines.offline.plan.understanding import Frame
from assistant.engines.offline.read.metrics import Metric
from ingest.derived import BEST
from ingest.indexes import INDEX_ORDERED

NARROW_DEPTH = 1000
"""How far down its value's index a ranking reads before it reads every model (README, Performance)."""


def index_ordered(metric: Metric) -> str:
    """The stored Model property a ranking by ``metric`` can read in index order, or ``""``."""
    return metric.on_model if metric.on_model in INDEX_ORDERED else ""


def cutoff(prop: str, order: str) -> str:
    """The condition keeping the models at or above the probe's value (``$cutoff``) in a ranking by ``prop``."""
    return f"m.{prop} {'>=' if order == 'DESC' else '<='} $cutoff"


def narrowed(prop: str, order: str, statement: Statement, needed: int) -> Narrowed:
    """``statement`` (a ranking by ``prop`` with :func:`cutoff`) with the probe that finds its cutoff: the value
    NARROW_DEPTH models down the index, read in index order (none when fewer models have a value)."""
    probe = Statement(
        f"MATCH (m:Model) WHERE m.{prop} IS NOT NULL\n"
        f"RETURN m.{prop} AS value ORDER BY m.{prop} {order} SKIP $depth LIMIT 1",
        {"depth": NARROW_DEPTH - 1},
    )
    return Narrowed(probe, statement, needed)


def best_runs(frame: Frame, metric: Metric, order: str, has: Has | None, k: int) -> Statement | None:
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
    # Pattern comprehensions, not MATCH, after the WITH: ArcadeDB plans a MATCH there by its older planner, which
    # scans every run ("fastest on the raspberry pi": 458 -> 198 ms at 100,000 cards; the head of the index over
    # all devices: 150 -> 16 ms). From the node already bound: the other way round scans every run.
    if device is not None:
        if device.role == "training" or device.property != "processor" or len(device.values) != 1:
            return None
        text = (
            f"MATCH (inf:ModelInference) WHERE inf.deviceProcessor = $device AND inf.{flag} = true\n"
            f"WITH inf, inf.{value} AS value ORDER BY value ASC, inf.model LIMIT $k\n"
            f"RETURN [(inf)-[:INFERENCE_ON]->(m:Model) | m.name][0] AS model, value AS {col}, "
            "[(inf)-[:RUNS_ON]->(dv:Device) | dv.processor][0] AS device, inf.batch_size AS batch_size\n"
            f"ORDER BY {col} ASC, model"
        )
        return Statement(text, {"device": device.values[0], "k": k})
    rest = (
        f"WITH m, m.{on_model} AS value ORDER BY value ASC, m.name LIMIT $k\n"
        f"WITH m, value, [(m)<-[:INFERENCE_ON]-(r:ModelInference)-[:RUNS_ON]->(dv:Device) WHERE r.{value} = value"
        " | {device: dv.processor, batch: r.batch_size}][0] AS best\n"
        f"RETURN m.name AS model, value AS {col}, best.device AS device, best.batch AS batch_size\n"
        f"ORDER BY {col} ASC, model"
    )
    statement = Statement(f"MATCH (m:Model) WHERE m.{on_model} IS NOT NULL\n{rest}", {"k": k})
    if on_model in INDEX_ORDERED and k < NARROW_DEPTH:
        head = Statement(f"MATCH (m:Model) WHERE {cutoff(on_model, 'ASC')}\n{rest}", {"k": k})
        statement.narrowed = narrowed(on_model, "ASC", head, k)
    return statement
