"""Statements that resolve what a question names before it is answered: models, base models, training devices."""

from __future__ import annotations

from typing import Any

from assistant.engines.offline.compile.cypher_builder import Statement, q


def trains_on_device(prop: str, values: list[Any]) -> Statement:
    """Whether any model was trained on the device (to read "on the H100" as training, "on the Pi" as inference)."""
    return Statement(
        f"MATCH (d:Device) WHERE d.{q(prop)} IN $device\n"
        "MATCH (:ModelTraining)-[:RUNS_ON]->(d) WITH d LIMIT 1 RETURN count(d) AS trained",  # 0 or 1
        {"device": values},
    )


def find_base(name: str) -> Statement:
    """The base model named ``name`` (case-insensitive, whole name: "bert-base-uncased" is not "distilbert-...")."""
    return Statement(
        "MATCH (b:BaseModel) WHERE toLower(b.name) = toLower($name) OR toLower(b.name) ENDS WITH '/' + toLower($name)\n"
        "RETURN b.name AS base ORDER BY base LIMIT 10",
        {"name": name},
    )


def find_model(name: str) -> Statement:
    """The model called exactly ``name``, looked up by the name index (a whole name needs no scan)."""
    return Statement(
        "UNWIND [$name] AS model_name MATCH (m:Model {name: model_name}) RETURN m.name AS model", {"name": name}
    )


def find_models(fragment: str) -> Statement:
    """Models whose name contains ``fragment`` (case-insensitive), for catalogs too big to link by value."""
    return Statement(
        "MATCH (m:Model) WHERE toLower(m.name) CONTAINS toLower($fragment)\n"
        "RETURN m.name AS model ORDER BY model LIMIT 10",
        {"fragment": fragment},
    )


def datasets_of(model: str) -> Statement:
    """The datasets a model was trained on."""
    return Statement(
        "MATCH (m:Model {name: $model})-[:TRAINED_ON]->(d:Dataset) RETURN DISTINCT d.name AS dataset ORDER BY dataset",
        {"model": model},
    )
