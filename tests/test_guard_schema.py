"""The Cypher guard against the graph's schema: unknown names, reversed arrows, and what it leaves alone."""

from __future__ import annotations

import pytest

from assistant.cypher.guard import check_against_schema, guard
from assistant.errors import CypherSchemaError
from assistant.graph.schema import GraphSchema, RelationshipPattern
from tests.guard_cases import README_CARBON, README_ENERGY, SCHEMA, props

# (id, statement, fragments the error must contain)
SCHEMA_ERRORS = [
    (
        "an unknown label is named with a suggestion",
        "MATCH (m:Modle) RETURN m.name",
        ["label :Modle does not exist", "did you mean :Model?"],
    ),
    ("a label in the wrong case gets the right one", "MATCH (d:dataset) RETURN d.name", ["did you mean :Dataset?"]),
    ("an unknown label in a WHERE predicate is found", "MATCH (n) WHERE n:Modell RETURN n", ["label :Modell"]),
    ("an unknown backticked label is found", "MATCH (m:`Modle`) RETURN m", ["label :Modle"]),
    (
        "an unknown relationship type is named with a suggestion",
        "MATCH (m:Model)-[:TRAINED]->(d:Dataset) RETURN d.name",
        ["relationship type :TRAINED does not exist", ":TRAINED_ON"],
    ),
    (
        "an unknown type among alternatives is found",
        "MATCH (m:Model)-[:TRAINED_ON|USED]->(x) RETURN x",
        ["relationship type :USED", ":USES"],
    ),
    (
        "an unknown property is named with a suggestion",
        "MATCH (m:Model) RETURN m.nmae",
        ["property m.nmae does not exist on :Model", "did you mean name?"],
    ),
    (
        "a metric without its suffix suggests mean and std",
        "MATCH (t:ModelTraining) RETURN t.mae",
        ["mae_mean", "mae_std"],
    ),
    (
        "an unknown property in WHERE is found",
        "MATCH (i:ModelInference)-[:INFERENCE_ON]->(m:Model) WHERE i.energy > 0 RETURN m.name",
        ["property i.energy does not exist on :ModelInference", "energyConsumption"],
    ),
    (
        "an unknown property in a pattern map is found",
        "MATCH (d:Dataset {title: 'x'}) RETURN d.name",
        ["property d.title does not exist on :Dataset (it has: name, size)"],
    ),
    (
        "an unknown property in the map of an anonymous node is found",
        "MATCH (:Dataset {title: 'x'})<-[:TRAINED_ON]-(m:Model) RETURN m.name",
        ["property title does not exist on :Dataset"],
    ),
    (
        "an unknown property in a map projection is found",
        "MATCH (m:Model) RETURN m {.name, .verison}",
        ["property m.verison", "did you mean version?"],
    ),
    ("an unknown backticked property is found", "MATCH (m:Model) RETURN m.`nmae`", ["property m.nmae"]),
    (
        "a relationship that fits neither direction names the valid patterns",
        "MATCH (m:Model)-[:RUNS_ON]->(d:Device) RETURN d.id",
        [
            "relationship (Model)-[:RUNS_ON]->(Device) does not exist in either direction",
            "(ModelTraining)-[:RUNS_ON]->(Device), (ModelInference)-[:RUNS_ON]->(Device)",
        ],
    ),
    (
        "an undirected relationship that fits no pattern is found",
        "MATCH (d:Dataset)-[:UTILIZES]-(a:ModelArchitecture) RETURN a.type",
        ["(Dataset)-[:UTILIZES]-(ModelArchitecture) does not exist", "(Model)-[:UTILIZES]->(ModelArchitecture)"],
    ),
    (
        "every problem is listed at once",
        "MATCH (m:Modle)-[:TRAINED]->(d:Dataset) RETURN d.nme",
        ["label :Modle", "relationship type :TRAINED", "property d.nme"],
    ),
]


@pytest.mark.parametrize(("cypher", "fragments"), [r[1:] for r in SCHEMA_ERRORS], ids=[r[0] for r in SCHEMA_ERRORS])
def test_schema_errors(cypher: str, fragments: list[str]) -> None:
    with pytest.raises(CypherSchemaError) as wrong:
        guard(cypher, SCHEMA)
    message = str(wrong.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


# (id, statement, statement after correction, before the LIMIT)
DIRECTION_FIXES = [
    (
        "TRAINS_ON drawn from Model is reversed",
        "MATCH (m:Model)-[:TRAINS_ON]->(t:ModelTraining) RETURN t.carbonFootprint",
        "MATCH (m:Model)<-[:TRAINS_ON]-(t:ModelTraining) RETURN t.carbonFootprint",
    ),
    (
        "TRAINED_ON drawn into Model is reversed",
        "MATCH (m:Model)<-[:TRAINED_ON]-(d:Dataset) RETURN d.name",
        "MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset) RETURN d.name",
    ),
    (
        "labels are resolved from an earlier MATCH",
        "MATCH (m:Model), (t:ModelTraining)\nMATCH (m)-[r:TRAINS_ON]->(t) RETURN t.fitTime",
        "MATCH (m:Model), (t:ModelTraining)\nMATCH (m)<-[r:TRAINS_ON]-(t) RETURN t.fitTime",
    ),
    (
        "one known side is enough to decide",
        "MATCH (m:Model)-[:INFERENCE_ON]->(i) RETURN i.latency",
        "MATCH (m:Model)<-[:INFERENCE_ON]-(i) RETURN i.latency",
    ),
    (
        "only the wrong arrow in a long path changes",
        "MATCH (d:Dataset)<-[:TRAINED_ON]-(m:Model)-[:TRAINS_ON]->(t:ModelTraining)-[:RUNS_ON]->(x:Device)\n"
        "RETURN  x.processor",
        "MATCH (d:Dataset)<-[:TRAINED_ON]-(m:Model)<-[:TRAINS_ON]-(t:ModelTraining)-[:RUNS_ON]->(x:Device)\n"
        "RETURN  x.processor",
    ),
    (
        "a path selector does not hide the first node",
        "MATCH p = ANY SHORTEST (m:Model)-[:TRAINS_ON]->(t:ModelTraining) RETURN length(p)",
        "MATCH p = ANY SHORTEST (m:Model)<-[:TRAINS_ON]-(t:ModelTraining) RETURN length(p)",
    ),
    (
        "spacing and comments around the arrow are kept",
        "MATCH (m:Model) -[ :TRAINS_ON /* why */ ]-> (t:ModelTraining) RETURN t.fitTime",
        "MATCH (m:Model) <-[ :TRAINS_ON /* why */ ]- (t:ModelTraining) RETURN t.fitTime",
    ),
]


@pytest.mark.parametrize(("cypher", "expected"), [r[1:] for r in DIRECTION_FIXES], ids=[r[0] for r in DIRECTION_FIXES])
def test_direction_corrected(cypher: str, expected: str) -> None:
    guarded = guard(cypher, SCHEMA)
    assert guarded.cypher == expected + " LIMIT 1000"
    assert any(note.startswith("relationship direction corrected: ") for note in guarded.notes)


def test_the_direction_note_shows_both_forms() -> None:
    _, notes = check_against_schema("MATCH (m:Model)-[:TRAINS_ON]->(t:ModelTraining) RETURN t", SCHEMA)
    assert notes == (
        "relationship direction corrected: (Model)-[:TRAINS_ON]->(ModelTraining) "
        "became (Model)<-[:TRAINS_ON]-(ModelTraining)",
    )


# (id, statement) that match the schema and must run byte-for-byte, LIMIT aside
SCHEMA_OK = [
    ("the README energy query", README_ENERGY),
    ("the README lumos5g carbon query", README_CARBON),
    ("backticked labels and properties", "MATCH (m:`Model`)-[:`TRAINED_ON`]->(d:Dataset) RETURN m.`name`, d.size"),
    ("an undirected relationship", "MATCH (m:Model)-[:TRAINED_ON]-(d:Dataset) RETURN d.name"),
    ("a variable-length relationship", "MATCH (t:ModelTraining)-[:TRAINS_ON*1..2]->(m:Model) RETURN m.name"),
    ("alternative relationship types", "MATCH (m:Model)-[:TRAINED_ON|UTILIZES]->(x) RETURN x"),
    ("properties of an unlabelled node are not checked", "MATCH (x) RETURN x.anything"),
    ("properties of a WITH alias are not checked", "MATCH (t:ModelTraining) WITH t.model AS t RETURN t.whatever"),
    ("new keys in a map projection are not checked", "MATCH (m:Model) RETURN collect(m {.name, bytes: m.size}) AS ms"),
    (
        "a pattern in an EXISTS subquery",
        "MATCH (m:Model) WHERE EXISTS { (m)<-[:TRAINS_ON]-(:ModelTraining) } RETURN count(m)",
    ),
    ("a named path", "MATCH p = (m:Model)-[:TRAINED_ON]->(:Dataset) RETURN length(p)"),
    ("shortestPath", "MATCH p = shortestPath((a:Model)-[*]-(b:Device)) RETURN length(p)"),
    ("a list comprehension over a bound name", "MATCH (m:Model) WITH collect(m) AS ms RETURN [m IN ms | m.anything]"),
    (
        "a label predicate and a map key",
        "MATCH (n) WHERE n:Model OR n:Dataset RETURN {name: n.name, kind: labels(n)[0]} AS row",
    ),
    (
        "an inference query with a metric suffix",
        "MATCH (i:ModelInference)-[:RUNS_ON]->(d:Device) WHERE i.batch_size = 32 RETURN d.gpuModel, i.latency",
    ),
]


@pytest.mark.parametrize("cypher", [r[1] for r in SCHEMA_OK], ids=[r[0] for r in SCHEMA_OK])
def test_statements_that_match_the_schema_are_untouched(cypher: str) -> None:
    guarded = guard(cypher, SCHEMA)
    assert guarded.cypher == cypher + " LIMIT 1000"
    assert guarded.notes == ("no LIMIT given: LIMIT 1000 added",)


def test_an_empty_schema_checks_nothing() -> None:
    guarded = guard("MATCH (x:Anything)-[:ANY]->(y) RETURN x.y", GraphSchema({}, ()))
    assert guarded.cypher == "MATCH (x:Anything)-[:ANY]->(y) RETURN x.y LIMIT 1000"


def test_relationship_properties_are_checked_when_known() -> None:
    schema = GraphSchema(
        node_properties={"Model": props("name"), "Dataset": props("name")},
        relationships=(RelationshipPattern("Model", "TRAINED_ON", "Dataset"),),
        relationship_properties={"TRAINED_ON": props("since")},
    )
    guard("MATCH (m:Model)-[r:TRAINED_ON {since: 1}]->(d:Dataset) RETURN r.since", schema)
    with pytest.raises(CypherSchemaError, match=r"property r\.sinse does not exist on \[:TRAINED_ON\]"):
        guard("MATCH (m:Model)-[r:TRAINED_ON]->(d:Dataset) RETURN r.sinse", schema)


def test_schema_helpers() -> None:
    assert "ModelTraining" in SCHEMA.labels
    assert "TRAINS_ON" in SCHEMA.relationship_types
    assert SCHEMA.has_property("ModelTraining", "mae_mean")
    assert not SCHEMA.has_property("Model", "mae_mean")
    assert SCHEMA.properties_of("Dataset") == {"name", "size"}
    assert SCHEMA.properties_of("Nothing") == set()
    assert [str(p) for p in SCHEMA.patterns_for("RUNS_ON")] == [
        "(ModelTraining)-[:RUNS_ON]->(Device)",
        "(ModelInference)-[:RUNS_ON]->(Device)",
    ]
    assert not SCHEMA.is_empty
    assert GraphSchema({}, ()).is_empty
