"""Batched graph writes: constraints first, then ``UNWIND $rows`` per batch.

One batch is one transaction, so a model's subgraph is never half written.
Values always travel as parameters.

Shared nodes (datasets, devices, ...) are MERGEd. A model's own nodes and
relationships are CREATEd: the ingester writes only new models and models
whose old subgraph it has just deleted in the same transaction, and CREATE
does not scan the relationships of a shared node with many models (MERGE of a
relationship to a Device used by 100k runs was the slowest statement by far).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ingest.flags import MARK_FLAGGED, flagged_labels
from ingest.indexes import INDEXES as DERIVED_INDEXES
from ingest.indexes import declare_types
from ingest.mapping import CardRows
from ingest.metadata_writer import CONSTRAINTS as METADATA_CONSTRAINTS
from ingest.metadata_writer import DELETE_CARD_PARTS, MERGE_UNDATED_MODELS, card_statements
from ingest.store import GraphStore

if TYPE_CHECKING:
    from neo4j import ManagedTransaction

logger = logging.getLogger(__name__)

# Names match the MRM3 reference ingester's where they overlap, so pointing at
# a graph it built does not clash.
CONSTRAINTS = (
    "CREATE CONSTRAINT model_name IF NOT EXISTS FOR (n:Model) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT dataset_name IF NOT EXISTS FOR (n:Dataset) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT service_name IF NOT EXISTS FOR (n:Service) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT problem_type_name IF NOT EXISTS FOR (n:ProblemType) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT architecture_type IF NOT EXISTS FOR (n:ModelArchitecture) REQUIRE n.type IS UNIQUE",
    "CREATE CONSTRAINT device_id IF NOT EXISTS FOR (n:Device) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT hyperparameters_id IF NOT EXISTS FOR (n:Hyperparameters) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT training_model IF NOT EXISTS FOR (n:ModelTraining) REQUIRE n.model IS UNIQUE",
    "CREATE CONSTRAINT parameters_model IF NOT EXISTS FOR (n:Parameters) REQUIRE n.model IS UNIQUE",
    "CREATE CONSTRAINT inference_key IF NOT EXISTS FOR (n:ModelInference) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX inference_model IF NOT EXISTS FOR (n:ModelInference) ON (n.model)",
)

EXISTING_HASHES = """
UNWIND $names AS name
MATCH (m:Model {name: name})
RETURN name, m.cardHash AS hash
"""

# A changed card replaces its model's own subgraph; shared nodes stay.
DELETE_MODEL_PARTS = (
    *DELETE_CARD_PARTS,
    "UNWIND $names AS name MATCH (:Model {name: name})-[r:TRAINED_ON|PROVIDES|UTILIZES]->() DELETE r",
    "UNWIND $names AS name MATCH (n:ModelTraining {model: name}) DETACH DELETE n",
    "UNWIND $names AS name MATCH (n:Parameters {model: name}) DETACH DELETE n",
    "UNWIND $names AS name MATCH (n:ModelInference {model: name}) DETACH DELETE n",
)

MERGE_MODELS = """
UNWIND $rows AS row
MERGE (m:Model {name: row.props.name})
SET m = row.props
SET m.dateCreated = date(row.dateCreated)
"""
MERGE_DATASETS = "UNWIND $rows AS row MERGE (n:Dataset {name: row.name}) SET n += row"
MERGE_SERVICES = "UNWIND $rows AS row MERGE (n:Service {name: row.name}) SET n += row"
MERGE_PROBLEM_TYPES = "UNWIND $rows AS row MERGE (n:ProblemType {name: row.name})"
MERGE_ARCHITECTURES = "UNWIND $rows AS row MERGE (n:ModelArchitecture {type: row.type}) SET n += row"
MERGE_DEVICES = "UNWIND $rows AS row MERGE (n:Device {id: row.id}) SET n += row"
MERGE_HYPERPARAMETERS = "UNWIND $rows AS row MERGE (n:Hyperparameters {id: row.id}) SET n += row"

# The common case in one statement each: a model with its architecture,
# dataset and service; a training run with its device, parameters and
# hyperparameters; a model's inference runs. Each saves the per-row index
# lookups of the separate statements below, which remain for partial cards.
MERGE_LINKED_MODELS = """
UNWIND $rows AS row
MATCH (a:ModelArchitecture {type: row.architecture})
MATCH (d:Dataset {name: row.dataset})
MATCH (s:Service {name: row.service})
MERGE (m:Model {name: row.props.name})
SET m = row.props
SET m.dateCreated = date(row.dateCreated)
CREATE (m)-[:UTILIZES]->(a)
CREATE (m)-[:TRAINED_ON]->(d)
CREATE (m)-[:PROVIDES]->(s)
"""
MERGE_FULL_TRAINING = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
MATCH (d:Device {id: row.device})
MATCH (h:Hyperparameters {id: row.hyperparameters})
CREATE (t:ModelTraining)-[:TRAINS_ON]->(m)
SET t = row.props
CREATE (t)-[:RUNS_ON]->(d)
CREATE (t)-[:CONTAINS]->(p:Parameters)
SET p = row.parameters
CREATE (t)-[:USES]->(h)
"""

LINK_MODELS = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
MATCH (a:ModelArchitecture {type: row.architecture})
CREATE (m)-[:UTILIZES]->(a)
"""
LINK_DATASETS = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
MATCH (d:Dataset {name: row.dataset})
CREATE (m)-[:TRAINED_ON]->(d)
"""
LINK_SERVICES = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
MATCH (s:Service {name: row.service})
CREATE (m)-[:PROVIDES]->(s)
"""
LINK_PROBLEM_TYPES = """
UNWIND $rows AS row
MATCH (s:Service {name: row.service})
MATCH (p:ProblemType {name: row.problemType})
MERGE (s)-[:SOLUTION_FOR]->(p)
"""
MERGE_TRAINING = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
CREATE (t:ModelTraining)
SET t = row
CREATE (t)-[:TRAINS_ON]->(m)
"""
LINK_TRAINING_DEVICES = """
UNWIND $rows AS row
MATCH (t:ModelTraining {model: row.model})
MATCH (d:Device {id: row.device})
CREATE (t)-[:RUNS_ON]->(d)
"""
MERGE_PARAMETERS = """
UNWIND $rows AS row
MATCH (t:ModelTraining {model: row.model})
CREATE (t)-[:CONTAINS]->(p:Parameters)
SET p = row
"""
LINK_HYPERPARAMETERS = """
UNWIND $rows AS row
MATCH (t:ModelTraining {model: row.model})
MATCH (h:Hyperparameters {id: row.id})
CREATE (t)-[:USES]->(h)
"""
MERGE_INFERENCE = """
UNWIND $rows AS row
MATCH (m:Model {name: row.model})
UNWIND row.runs AS run
MATCH (d:Device {id: run.device})
CREATE (i:ModelInference)-[:INFERENCE_ON]->(m)
SET i = run.props
SET i.key = run.key
CREATE (i)-[:RUNS_ON]->(d)
"""

# Shared nodes left without any model after cards changed. ProblemType last:
# it hangs off Service only.
ORPHAN_LABELS = ("Dataset", "Service", "ModelArchitecture", "Device", "Hyperparameters", "BaseModel", "ProblemType")
DELETE_ORPHANS = "MATCH (n:{label}) WHERE NOT (n)--() DELETE n"

RESET_BATCH = "MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS deleted"


def create_constraints(graph: GraphStore) -> None:
    """Create the uniqueness constraints and indexes the writes anchor on (the HF and CodeCarbon parts' too)."""
    for statement in (*CONSTRAINTS, *METADATA_CONSTRAINTS):
        graph.run_write(statement)
    declare_types(graph)
    for statement in DERIVED_INDEXES:
        graph.run_write(statement)


def existing_hashes(graph: GraphStore, names: Sequence[str]) -> dict[str, str | None]:
    """The stored card hash of each of ``names`` that is already in the graph."""
    rows = graph.read(EXISTING_HASHES, {"names": list(names)})
    return {row["name"]: row["hash"] for row in rows}


def _distinct(items: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """Items unique by ``keys`` (the last one wins, as a later card would)."""
    return list({tuple(item[k] for k in keys): item for item in items}.values())


def write_batch(graph: GraphStore, batch: Sequence[CardRows], replace: Sequence[str]) -> None:
    """Write one batch of cards in one transaction.

    Args:
        graph: Where to write.
        batch: Cards to write; names are unique within the batch.
        replace: Names of models already in the graph whose subgraph is replaced.
    """
    statements = _statements(batch)

    def work(tx: ManagedTransaction) -> None:
        if replace:
            for statement in DELETE_MODEL_PARTS:
                tx.run(statement, names=list(replace)).consume()
        for statement, rows in statements:
            if rows:
                tx.run(statement, rows=rows).consume()

    graph.write(work)


def _linked(card: CardRows) -> bool:
    """The common case: a dated model with all three links (an undated HF card from the Hub goes the long way)."""
    return bool(card.date_created and card.architecture and card.dataset and card.service)


def _full_training(card: CardRows) -> bool:
    return bool(card.training and card.training_device and card.parameters and card.hyperparameters)


def _statements(batch: Sequence[CardRows]) -> list[tuple[str, list[dict[str, Any]]]]:
    devices = [c.training_device for c in batch if c.training_device]
    devices += [run["device"] for c in batch for run in c.inference]
    linked = [c for c in batch if _linked(c)]
    partial = [c for c in batch if not _linked(c)]
    full = [c for c in batch if _full_training(c)]
    trained = [c for c in batch if c.training and not _full_training(c)]
    return [
        # Shared nodes first: the model statements MATCH them.
        (MERGE_ARCHITECTURES, _distinct([c.architecture for c in batch if c.architecture], "type")),
        (MERGE_DATASETS, _distinct([c.dataset for c in batch if c.dataset], "name")),
        (MERGE_SERVICES, _distinct([c.service for c in batch if c.service], "name")),
        (MERGE_PROBLEM_TYPES, [{"name": n} for n in sorted({c.problem_type for c in batch if c.problem_type})]),
        (MERGE_DEVICES, _distinct(devices, "id")),
        (MERGE_HYPERPARAMETERS, _distinct([c.hyperparameters for c in batch if c.hyperparameters], "id")),
        (
            MERGE_LINKED_MODELS,
            [
                {
                    "props": c.model,
                    "dateCreated": c.date_created,
                    "architecture": c.architecture["type"],
                    "dataset": c.dataset["name"],
                    "service": c.service["name"],
                }
                for c in linked
                if c.architecture and c.dataset and c.service
            ],
        ),
        (MERGE_MODELS, [{"props": c.model, "dateCreated": c.date_created} for c in partial if c.date_created]),
        (MERGE_UNDATED_MODELS, [{"props": c.model} for c in partial if not c.date_created]),
        (
            LINK_MODELS,
            [{"model": c.name, "architecture": c.architecture["type"]} for c in partial if c.architecture],
        ),
        (LINK_DATASETS, [{"model": c.name, "dataset": c.dataset["name"]} for c in partial if c.dataset]),
        (LINK_SERVICES, [{"model": c.name, "service": c.service["name"]} for c in partial if c.service]),
        (
            LINK_PROBLEM_TYPES,
            _distinct(
                [
                    {"service": c.service["name"], "problemType": c.problem_type}
                    for c in batch
                    if c.service and c.problem_type
                ],
                "service",
                "problemType",
            ),
        ),
        (
            MERGE_FULL_TRAINING,
            [
                {
                    "model": c.name,
                    "props": c.training,
                    "device": c.training_device["id"],
                    "parameters": c.parameters,
                    "hyperparameters": c.hyperparameters["id"],
                }
                for c in full
                if c.training_device and c.hyperparameters
            ],
        ),
        (MERGE_TRAINING, [c.training for c in trained if c.training]),
        (
            LINK_TRAINING_DEVICES,
            [{"model": c.name, "device": c.training_device["id"]} for c in trained if c.training_device],
        ),
        (MERGE_PARAMETERS, [c.parameters for c in trained if c.parameters]),
        (
            LINK_HYPERPARAMETERS,
            [{"model": c.name, "id": c.hyperparameters["id"]} for c in trained if c.hyperparameters],
        ),
        (
            MERGE_INFERENCE,
            [
                {
                    "model": c.name,
                    "runs": [
                        {"key": run["key"], "props": run["props"], "device": run["device"]["id"]} for run in c.inference
                    ],
                }
                for c in batch
                if c.inference
            ],
        ),
        *card_statements(batch),
        (MARK_FLAGGED, flagged_labels(batch)),
    ]


def delete_orphans(graph: GraphStore) -> None:
    """Remove shared nodes no model uses any more."""
    for label in ORPHAN_LABELS:
        graph.run_write(DELETE_ORPHANS.format(label=label))


def reset(graph: GraphStore) -> int:
    """Delete every node and relationship, in batches; return the nodes deleted."""
    total = 0
    while True:
        rows = graph.write(lambda tx: tx.run(RESET_BATCH).data())
        deleted = int(rows[0]["deleted"]) if rows else 0
        total += deleted
        if deleted == 0:
            return total
