"""The reference the batched ingester is measured against: the MRM3 reference ingester's way of writing.

MRM3's ``json_to_KG.py`` opens a session per card and sends its statements one
round trip each, auto-committed: the model; the dataset; the service with its
problem type; the architecture; the training run; its device; its parameters
with the hyperparameters; then each inference run with its device. It creates
six uniqueness constraints (Model.name, Dataset.name, Service.name,
Device.id, ProblemType.name, Hyperparameters.id) and finds training runs,
parameters and inference runs by properties without an index.

This module sends the same statements, shaped the same way, and writes the
same graph as :func:`ingest.writer.write_batch` (the bench test checks that),
so the ratio of the two rates compares ways of writing, not amounts of data.
:func:`reference_indexes_only` gives the reference its own index set for the
duration of its run; the bench measures it with ours as well.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from assistant.graph.connection import Graph
from ingest.indexes import INDEX_NAMES, TYPE_CONSTRAINTS
from ingest.mapping import CardRows
from ingest.writer import create_constraints

# The constraints the MRM3 reference creates (names as ingest.writer has them).
REFERENCE_CONSTRAINTS = frozenset(
    {"model_name", "dataset_name", "service_name", "device_id", "problem_type_name", "hyperparameters_id"}
)
# What ingest.writer adds on top, dropped while the reference runs.
DROP_NOT_IN_REFERENCE = (
    "DROP CONSTRAINT architecture_type IF EXISTS",
    "DROP CONSTRAINT training_model IF EXISTS",
    "DROP CONSTRAINT parameters_model IF EXISTS",
    "DROP CONSTRAINT inference_key IF EXISTS",
    "DROP INDEX inference_model IF EXISTS",
    # The Hugging Face and CodeCarbon parts (ingest.metadata_writer), which the reference does not know.
    "DROP CONSTRAINT evaluation_key IF EXISTS",
    "DROP CONSTRAINT provenance_key IF EXISTS",
    "DROP CONSTRAINT base_model_name IF EXISTS",
    "DROP CONSTRAINT training_run_key IF EXISTS",
    "DROP INDEX evaluation_model IF EXISTS",
    "DROP INDEX provenance_owner IF EXISTS",
    "DROP INDEX training_run_model IF EXISTS",
    "DROP INDEX training_run_source IF EXISTS",
    # The values the ingest derives for speed (ingest.derived), their indexes and types (ingest.indexes).
    *(f"DROP INDEX {index} IF EXISTS" for index in INDEX_NAMES),
    *(f"DROP CONSTRAINT {constraint} IF EXISTS" for constraint in TYPE_CONSTRAINTS),
)

MODEL = "MERGE (m:Model {name: $props.name}) SET m = $props SET m.dateCreated = date($dateCreated)"
DATASET = """
MERGE (d:Dataset {name: $props.name}) SET d += $props
WITH d MATCH (m:Model {name: $model}) MERGE (m)-[:TRAINED_ON]->(d)
"""
SERVICE = """
MERGE (s:Service {name: $props.name}) SET s += $props
WITH s MATCH (m:Model {name: $model}) MERGE (m)-[:PROVIDES]->(s)
"""
SERVICE_AND_PROBLEM_TYPE = SERVICE + "WITH s MERGE (p:ProblemType {name: $problemType}) MERGE (s)-[:SOLUTION_FOR]->(p)"
ARCHITECTURE = """
MERGE (a:ModelArchitecture {type: $props.type}) SET a += $props
WITH a MATCH (m:Model {name: $model}) MERGE (m)-[:UTILIZES]->(a)
"""
TRAINING = """
MATCH (m:Model {name: $model})
MERGE (t:ModelTraining {model: $model}) SET t = $props
MERGE (t)-[:TRAINS_ON]->(m)
"""
TRAINING_DEVICE = """
MERGE (d:Device {id: $props.id}) SET d += $props
WITH d MATCH (t:ModelTraining {model: $model}) MERGE (t)-[:RUNS_ON]->(d)
"""
PARAMETERS = """
MATCH (t:ModelTraining {model: $model})
MERGE (p:Parameters {model: $model}) SET p = $props
MERGE (t)-[:CONTAINS]->(p)
"""
_LINK_HYPERPARAMETERS = """
MERGE (h:Hyperparameters {id: $hyperparameters.id}) SET h += $hyperparameters
MERGE (t)-[:USES]->(h)
"""
HYPERPARAMETERS = "MATCH (t:ModelTraining {model: $model})" + _LINK_HYPERPARAMETERS
PARAMETERS_AND_HYPERPARAMETERS = PARAMETERS + "WITH t" + _LINK_HYPERPARAMETERS
INFERENCE = """
MATCH (m:Model {name: $model})
MERGE (i:ModelInference {key: $key}) SET i = $props SET i.key = $key
MERGE (i)-[:INFERENCE_ON]->(m)
WITH i MERGE (d:Device {id: $device.id}) SET d += $device
MERGE (i)-[:RUNS_ON]->(d)
"""


def card_statements(card: CardRows) -> list[tuple[str, dict[str, Any]]]:
    """The statements the reference sends for one card, in its order."""
    name = card.name
    found: list[tuple[str, dict[str, Any]]] = [(MODEL, {"props": card.model, "dateCreated": card.date_created})]
    if card.dataset:
        found.append((DATASET, {"model": name, "props": card.dataset}))
    if card.service:
        service = SERVICE_AND_PROBLEM_TYPE if card.problem_type else SERVICE
        found.append((service, {"model": name, "props": card.service, "problemType": card.problem_type}))
    if card.architecture:
        found.append((ARCHITECTURE, {"model": name, "props": card.architecture}))
    if card.training:
        found.append((TRAINING, {"model": name, "props": card.training}))
        if card.training_device:
            found.append((TRAINING_DEVICE, {"model": name, "props": card.training_device}))
        parameters = {"model": name, "props": card.parameters, "hyperparameters": card.hyperparameters}
        if card.parameters and card.hyperparameters:
            found.append((PARAMETERS_AND_HYPERPARAMETERS, parameters))
        elif card.parameters:
            found.append((PARAMETERS, parameters))
        elif card.hyperparameters:
            found.append((HYPERPARAMETERS, parameters))
    for run in card.inference:
        found.append((INFERENCE, {"model": name, "key": run["key"], "props": run["props"], "device": run["device"]}))
    return found


def ingest_one_statement_per_node(graph: Graph, cards: Iterable[CardRows]) -> int:
    """Write ``cards`` the reference way (a session per card); return the number of statements sent."""
    sent = 0
    with graph.errors_translated():
        for card in cards:
            with graph.driver.session(database=graph.database) as session:
                for cypher, params in card_statements(card):
                    session.run(cypher, params).consume()
                    sent += 1
    return sent


@contextlib.contextmanager
def reference_indexes_only(graph: Graph) -> Iterator[None]:
    """Leave only the reference's constraints in place while the block runs; restore ours afterwards."""
    for statement in DROP_NOT_IN_REFERENCE:
        graph.run_write(statement)
    try:
        yield
    finally:
        create_constraints(graph)
