"""The reference the batched ingester is measured against: one statement per node, one round trip each.

This is how the MRM3 reference ingester works: for every card, a statement
for the model, then one for each node it hangs off (dataset, architecture,
service, problem type, training run, device, parameters, hyperparameters, and
each inference run with its device), each node with its relationship, each
sent on its own in an auto-commit transaction. It writes the same graph as
:func:`ingest.writer.write_batch` (the bench test checks that), so the ratio
of the two rates compares ways of writing, not amounts of data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.graph import Graph
from ingest.mapping import CardRows

MODEL = "MERGE (m:Model {name: $props.name}) SET m = $props SET m.dateCreated = date($dateCreated)"
DATASET = (
    "MATCH (m:Model {name: $model}) MERGE (n:Dataset {name: $props.name}) SET n += $props MERGE (m)-[:TRAINED_ON]->(n)"
)
ARCHITECTURE = (
    "MATCH (m:Model {name: $model}) MERGE (n:ModelArchitecture {type: $props.type}) SET n += $props "
    "MERGE (m)-[:UTILIZES]->(n)"
)
SERVICE = (
    "MATCH (m:Model {name: $model}) MERGE (n:Service {name: $props.name}) SET n += $props MERGE (m)-[:PROVIDES]->(n)"
)
PROBLEM_TYPE = "MATCH (s:Service {name: $service}) MERGE (n:ProblemType {name: $name}) MERGE (s)-[:SOLUTION_FOR]->(n)"
TRAINING = "MATCH (m:Model {name: $model}) CREATE (t:ModelTraining)-[:TRAINS_ON]->(m) SET t = $props"
TRAINING_DEVICE = (
    "MATCH (t:ModelTraining {model: $model}) MERGE (n:Device {id: $props.id}) SET n += $props MERGE (t)-[:RUNS_ON]->(n)"
)
PARAMETERS = "MATCH (t:ModelTraining {model: $model}) CREATE (t)-[:CONTAINS]->(p:Parameters) SET p = $props"
HYPERPARAMETERS = (
    "MATCH (t:ModelTraining {model: $model}) MERGE (n:Hyperparameters {id: $props.id}) SET n += $props "
    "MERGE (t)-[:USES]->(n)"
)
INFERENCE = (
    "MATCH (m:Model {name: $model}) CREATE (i:ModelInference)-[:INFERENCE_ON]->(m) SET i = $props SET i.key = $key"
)
INFERENCE_DEVICE = (
    "MATCH (i:ModelInference {key: $key}) MERGE (n:Device {id: $props.id}) SET n += $props MERGE (i)-[:RUNS_ON]->(n)"
)


def card_statements(card: CardRows) -> list[tuple[str, dict[str, Any]]]:
    """The statements the reference loop sends for one card, in order."""
    name = card.name
    found: list[tuple[str, dict[str, Any]]] = [(MODEL, {"props": card.model, "dateCreated": card.date_created})]
    if card.dataset:
        found.append((DATASET, {"model": name, "props": card.dataset}))
    if card.architecture:
        found.append((ARCHITECTURE, {"model": name, "props": card.architecture}))
    if card.service:
        found.append((SERVICE, {"model": name, "props": card.service}))
        if card.problem_type:
            found.append((PROBLEM_TYPE, {"service": card.service["name"], "name": card.problem_type}))
    if card.training:
        found.append((TRAINING, {"model": name, "props": card.training}))
        if card.training_device:
            found.append((TRAINING_DEVICE, {"model": name, "props": card.training_device}))
        if card.parameters:
            found.append((PARAMETERS, {"model": name, "props": card.parameters}))
        if card.hyperparameters:
            found.append((HYPERPARAMETERS, {"model": name, "props": card.hyperparameters}))
    for run in card.inference:
        found.append((INFERENCE, {"model": name, "key": run["key"], "props": run["props"]}))
        found.append((INFERENCE_DEVICE, {"key": run["key"], "props": run["device"]}))
    return found


def ingest_one_statement_per_node(graph: Graph, cards: Iterable[CardRows]) -> int:
    """Write ``cards`` the reference way; return the number of statements sent."""
    sent = 0
    with graph.errors_translated(), graph.driver.session(database=graph.database) as session:
        for card in cards:
            for cypher, params in card_statements(card):
                session.run(cypher, params).consume()
                sent += 1
    return sent
