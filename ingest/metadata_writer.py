"""Writes for the Hugging Face and CodeCarbon parts of the graph (docs/graph-model.md).

Card parts (evaluation results, lineage, more datasets, provenance) join the
card's own transaction through :func:`card_statements`. CodeCarbon runs are
MERGEd by their key in :func:`write_runs`, so a log ingested twice changes
nothing and a model's runs survive a change of its card.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ingest.derived import REFRESH_LIMITS, REFRESH_TRAINING
from ingest.flags import MARK_FLAGGED, flagged_labels
from ingest.mapping import CardRows
from ingest.plausibility import ceiling
from ingest.store import GraphStore
from ingest.units import thousandfold

if TYPE_CHECKING:
    from neo4j import ManagedTransaction

logger = logging.getLogger(__name__)

# Created with the MRM3 ones by ingest.writer.create_constraints.
CONSTRAINTS = (
    "CREATE CONSTRAINT evaluation_key IF NOT EXISTS FOR (n:EvaluationResult) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT provenance_key IF NOT EXISTS FOR (n:Provenance) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT base_model_name IF NOT EXISTS FOR (n:BaseModel) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT training_run_key IF NOT EXISTS FOR (n:TrainingRun) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX evaluation_model IF NOT EXISTS FOR (n:EvaluationResult) ON (n.model)",
    "CREATE INDEX provenance_owner IF NOT EXISTS FOR (n:Provenance) ON (n.owner)",
    "CREATE INDEX training_run_model IF NOT EXISTS FOR (n:TrainingRun) ON (n.model)",
    "CREATE INDEX training_run_source IF NOT EXISTS FOR (n:TrainingRun) ON (n.source)",
)

# Run before the MRM3 parts' deletion (which removes the ModelTraining these hang off).
DELETE_CARD_PARTS = (
    "UNWIND $names AS name MATCH (:Model {name: name})-[r:FINE_TUNED_FROM]->() DELETE r",
    "UNWIND $names AS name MATCH (n:EvaluationResult {model: name}) DETACH DELETE n",
    "UNWIND $names AS name MATCH (n:Provenance {owner: 'training|' + name}) DETACH DELETE n",
)

MERGE_UNDATED_MODELS = "UNWIND $rows AS row MERGE (m:Model {name: row.props.name}) SET m = row.props"
LINK_BASE_MODELS = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
MERGE (b:BaseModel {name: row.base})
CREATE (m)-[:FINE_TUNED_FROM]->(b)
"""
LINK_EXTRA_DATASETS = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
MERGE (d:Dataset {name: row.dataset})
CREATE (m)-[:TRAINED_ON]->(d)
"""
CREATE_EVALUATIONS = """
UNWIND $rows AS row
MATCH (m:Model {name: row.props.model})
CREATE (e:EvaluationResult)-[:EVALUATES]->(m)
SET e = row.props
"""
LINK_EVALUATION_DATASETS = """
UNWIND $rows AS row
MATCH (e:EvaluationResult {key: row.key})
MERGE (d:Dataset {name: row.dataset})
CREATE (e)-[:EVALUATED_ON]->(d)
"""
CREATE_TRAINING_PROVENANCE = """
UNWIND $rows AS row
MATCH (t:ModelTraining {model: row.model})
CREATE (t)-[:HAS_PROVENANCE]->(p:Provenance)
SET p = row.props
"""

MERGE_RUN_DEVICES = "UNWIND $rows AS row MERGE (n:Device {id: row.id}) SET n += row"
# A model that a card already describes keeps its properties; a new one is described by the log.
MERGE_RUN_MODELS = "UNWIND $rows AS row MERGE (m:Model {name: row.name}) ON CREATE SET m = row"
CREATE_RUN_TRAININGS = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
OPTIONAL MATCH (t:ModelTraining {model: row.model})
WITH m, row, t WHERE t IS NULL
CREATE (n:ModelTraining)-[:TRAINS_ON]->(m)
SET n = row
"""
MERGE_RUNS = """
UNWIND $rows AS row
MATCH (m:Model {name: row.props.model})
MERGE (r:TrainingRun {key: row.key})
SET r = row.props
MERGE (r)-[:MEASURES]->(m)
"""
LINK_RUN_DEVICES = """
UNWIND $rows AS row
MATCH (r:TrainingRun {key: row.key})
MATCH (d:Device {id: row.device})
MERGE (r)-[:RUNS_ON]->(d)
"""
MERGE_RUN_PROVENANCE = """
UNWIND $rows AS row
MATCH (r:TrainingRun {key: row.props.owner})
MERGE (p:Provenance {key: row.props.key})
SET p = row.props
MERGE (r)-[:HAS_PROVENANCE]->(p)
"""
# Sums over every run of the model, from every log; a sum of no values stays absent, never 0. A sum that includes
# a run's value flagged as impossible is flagged too: it is no measurement either, and no ranking may hold it.
# Such a sum that is itself impossible (infinite, negative) is kept, so the answer shows what the log said, and
# no measured-values condition passes it; one that looks real (2 kWh and -1 kWh: 1 kWh) is not stored, since any
# statement reading the training node would rank it (its flag says why there is no total).
_SUMMED_UNITS = {
    "carbonFootprint": "g CO2", "energyConsumption": "J", "energyConsumptionCPU": "J", "energyConsumptionGPU": "J",
    "energyConsumptionRAM": "J", "totalTrainTime": "s",
}  # fmt: skip
"""The run values a model's training totals, and their units (for implausible()'s ceilings)."""
SUM_RUNS = (
    """
UNWIND $names AS name
MATCH (t:ModelTraining {model: name}) WHERE t.totalsFrom = 'codecarbon'
MATCH (r:TrainingRun {model: name})
WITH t, count(r) AS runs, collect(DISTINCT r.country) AS countries,
     reduce(acc = [], fl IN collect(r.flagged) | acc + fl) AS run_flags,
     {"""
    + ",\n      ".join(f"{p}: CASE WHEN count(r.{p}) > 0 THEN sum(r.{p}) END" for p in _SUMMED_UNITS)
    + """} AS sums
WITH t, runs, countries, sums,
     [p IN $summed WHERE any(f IN run_flags WHERE f STARTS WITH p + ':')] AS tainted
WITH t, runs, countries, sums, tainted,
     [p IN tainted WHERE sums[p] >= 0 AND sums[p] <= $ceilings[p]] AS unstored
WITH t, runs, countries, sums, unstored,
     [f IN coalesce(t.flagged, []) WHERE NOT any(p IN $summed WHERE f STARTS WITH p + ':')]
     + [p IN tainted | p + ': ' + CASE WHEN p IN unstored THEN $unsummed_flag ELSE $sum_flag END] AS flags
SET t.flagged = CASE size(flags) WHEN 0 THEN null ELSE flags END,
    t.runCount = runs,
    t.location = CASE size(countries) WHEN 0 THEN null WHEN 1 THEN countries[0]
                 ELSE 'several: ' + reduce(s = head(countries), c IN tail(countries) | s + ', ' + c) END,
"""
    + ",\n".join(f"    t.{p} = CASE WHEN '{p}' IN unstored THEN null ELSE sums.{p} END" for p in _SUMMED_UNITS)
)
SUM_FLAG = "the sum of its CodeCarbon runs includes a run's value flagged as impossible"
"""The reason a sum is flagged for (its run's own flag says why that value is impossible)."""
UNSUMMED_FLAG = "not summed: a value of one of its CodeCarbon runs is flagged as impossible"
"""Why a sum that would look like a measurement is absent."""
SUM_PARAMS: dict[str, Any] = {
    "summed": list(_SUMMED_UNITS),
    "ceilings": {prop: ceiling(unit) for prop, unit in _SUMMED_UNITS.items()},
    "sum_flag": SUM_FLAG,
    "unsummed_flag": UNSUMMED_FLAG,
}
# A CodeCarbon-only model whose runs all used one device trains on it, so that "trained on an A40" finds it;
# runs on several devices link none (a total per device would count the model's whole total for each).
LINK_TRAINING_DEVICES = """
UNWIND $names AS name
MATCH (t:ModelTraining {model: name}) WHERE t.totalsFrom = 'codecarbon'
MATCH (r:TrainingRun {model: name})-[:RUNS_ON]->(d:Device)
WITH t, collect(DISTINCT d) AS devices
WHERE size(devices) = 1
UNWIND devices AS d
MERGE (t)-[:RUNS_ON]->(d)
"""
# A card's grams about 1000x below the CodeCarbon runs of the same model: kilograms given as grams.
RUN_SUMS_FOR_CARDS = """
UNWIND $names AS name
MATCH (t:ModelTraining {model: name}) WHERE t.totalsFrom IS NULL AND t.carbonFootprint > 0
MATCH (r:TrainingRun {model: name}) WHERE r.carbonFootprint IS NOT NULL
RETURN name, t.carbonFootprint AS card, sum(r.carbonFootprint) AS runs, count(r) AS n
"""
FLAG_SUSPECT = """
UNWIND $rows AS row
MATCH (t:ModelTraining {model: row.name})
SET t.carbonFootprintSuspect = row.reason
WITH t, row
OPTIONAL MATCH (t)-[:HAS_PROVENANCE]->(p:Provenance {property: 'carbonFootprint'})
FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | SET x.suspect = row.reason)
"""
RUN_HASHES = "UNWIND $keys AS key MATCH (r:TrainingRun {key: key}) RETURN key, r.runHash AS hash"
# A log's rows stored before under another model name (CodeCarbon's default project name named one, an older
# ingest): the same row is the same run, so the old copy goes, or the run would count twice.
RUNS_OF_SOURCES = (
    "UNWIND $sources AS s MATCH (r:TrainingRun {source: s}) RETURN r.source AS source, r.row AS row, "
    "r.model AS model, r.key AS key"
)
DELETE_RUNS = """
UNWIND $keys AS key
MATCH (r:TrainingRun {key: key})
OPTIONAL MATCH (r)-[:HAS_PROVENANCE]->(p:Provenance)
WITH r, collect(p) AS ps
FOREACH (p IN ps | DETACH DELETE p)
DETACH DELETE r
"""
# A model only logs described, left with no run: it is gone with its training (its sums would be stale).
DROP_EMPTY_LOG_MODELS = """
UNWIND $names AS name
MATCH (m:Model {name: name}) WHERE m.format = 'codecarbon' AND NOT EXISTS { MATCH (:TrainingRun {model: name}) }
OPTIONAL MATCH (t:ModelTraining {model: name})
WITH m, collect(t) AS ts
FOREACH (t IN ts | DETACH DELETE t)
DETACH DELETE m
"""


def card_statements(batch: Sequence[CardRows]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The statements of the HF-card parts of ``batch``, run after its models and training runs are written."""
    return [
        (LINK_BASE_MODELS, [{"model": c.name, "base": b} for c in batch for b in c.base_models]),
        (LINK_EXTRA_DATASETS, [{"model": c.name, "dataset": d} for c in batch for d in c.extra_datasets]),
        (CREATE_EVALUATIONS, [{"props": e["props"]} for c in batch for e in c.evaluations]),
        (
            LINK_EVALUATION_DATASETS,
            [{"key": e["key"], "dataset": e["dataset"]} for c in batch for e in c.evaluations if e["dataset"]],
        ),
        (
            CREATE_TRAINING_PROVENANCE,
            [{"model": c.name, "props": p} for c in batch if c.training for p in c.provenance],
        ),
    ]


def moved_runs(graph: GraphStore, batch: Sequence[CardRows]) -> tuple[list[str], list[str]]:
    """The keys of runs stored before for these logs' rows under another model name, and those models' names."""
    wanted = {(run["props"]["source"], run["props"]["row"]): c.name for c in batch for run in c.runs}
    sources = sorted({source for source, _ in wanted})
    keys, old = [], set()
    for row in graph.read(RUNS_OF_SOURCES, {"sources": sources}) if sources else []:
        model = wanted.get((row["source"], row["row"]))
        if model is not None and row["model"] != model:
            keys.append(str(row["key"]))
            old.add(str(row["model"]))
    return keys, sorted(old)


def unchanged_runs(graph: GraphStore, rows: CardRows) -> bool:
    """True when every run of ``rows`` is in the graph with the same content."""
    stored = {r["key"]: r["hash"] for r in graph.read(RUN_HASHES, {"keys": [run["key"] for run in rows.runs]})}
    return all(stored.get(run["key"]) == run["props"]["runHash"] for run in rows.runs)


# A log of 20,000 rows sent as one statement's parameters passed the server's 16 MB message limit: rows are sent
# in slices, in the same transaction.
RUN_ROWS_PER_MESSAGE = 1000


def write_runs(graph: GraphStore, batch: Sequence[CardRows]) -> None:
    """MERGE the CodeCarbon runs of ``batch`` (one model each) in one transaction, then update sums and flags."""
    runs = [run for c in batch for run in c.runs]
    statements = [
        (MERGE_RUN_DEVICES, list({run["device"]["id"]: run["device"] for run in runs if run["device"]}.values())),
        # Several logs (or project names) may name one model: one row per model.
        (MERGE_RUN_MODELS, list({c.name: c.model for c in batch}.values())),
        (CREATE_RUN_TRAININGS, list({c.name: c.training for c in batch if c.training}.values())),
        (MERGE_RUNS, [{"key": run["key"], "props": run["props"]} for run in runs]),
        (LINK_RUN_DEVICES, [{"key": run["key"], "device": run["device"]["id"]} for run in runs if run["device"]]),
        (MERGE_RUN_PROVENANCE, [{"props": p} for run in runs for p in run["provenance"]]),
        (MARK_FLAGGED, flagged_labels(batch)),
    ]
    names = sorted({c.name for c in batch})
    moved, old = moved_runs(graph, batch)

    def work(tx: ManagedTransaction) -> None:
        for start in range(0, len(moved), RUN_ROWS_PER_MESSAGE):
            tx.run(DELETE_RUNS, keys=moved[start : start + RUN_ROWS_PER_MESSAGE]).consume()
        for statement, rows in statements:
            for start in range(0, len(rows), RUN_ROWS_PER_MESSAGE):
                tx.run(statement, rows=rows[start : start + RUN_ROWS_PER_MESSAGE]).consume()
        tx.run(SUM_RUNS, names=[*names, *old], **SUM_PARAMS).consume()
        # the model's copies of the sums, in the same transaction: a graph marked complete never misses them
        tx.run(REFRESH_TRAINING, names=[*names, *old], **REFRESH_LIMITS).consume()
        if old:
            tx.run(DROP_EMPTY_LOG_MODELS, names=old).consume()
        tx.run(LINK_TRAINING_DEVICES, names=names).consume()

    graph.write(work)
    flag_thousandfold(graph, names)


def flag_thousandfold(graph: GraphStore, names: Sequence[str]) -> int:
    """Flag cards whose grams are about 1000x below their model's CodeCarbon runs; return how many."""
    rows = []
    for row in graph.read(RUN_SUMS_FOR_CARDS, {"names": list(names)}):
        if thousandfold(float(row["runs"]), float(row["card"])):
            reason = (
                f"suspected kilograms given as grams: the model's {row['n']} CodeCarbon run(s) sum to "
                f"{row['runs']:g} g, about 1000x the card's {row['card']:g}"
            )
            rows.append({"name": row["name"], "reason": reason})
    if rows:
        graph.write(lambda tx: tx.run(FLAG_SUSPECT, rows=rows).consume())
    return len(rows)
