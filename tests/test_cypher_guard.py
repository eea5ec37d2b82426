"""The Cypher guard: what it refuses, what it lets through, and what it rewrites.

Pure unit tests: the guard never talks to the server, so neither do these.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import pytest

from assistant.cypher.guard import (
    DEFAULT_ROW_CAP,
    FORBIDDEN_KEYWORDS,
    check_against_schema,
    check_read_only,
    guard,
)
from assistant.cypher.lexer import LexError, tokenize
from assistant.errors import CypherSchemaError, UnsafeCypherError
from assistant.graph.schema import GraphSchema, PropertyInfo, RelationshipPattern


def _props(*names: str) -> dict[str, PropertyInfo]:
    return {name: PropertyInfo(name, ("STRING",)) for name in names}


METRICS = [f"{metric}_{stat}" for metric in ("mae", "r_squared", "accuracy", "f1") for stat in ("mean", "std")]

# Mirrors docs/graph-model.md.
SCHEMA = GraphSchema(
    node_properties={
        "Model": _props("name", "version", "dateCreated", "size", "author", "path", "source", "cardHash"),
        "Dataset": _props("name", "size"),
        "Service": _props("name", "minAccuracy", "minLatency"),
        "ProblemType": _props("name"),
        "ModelArchitecture": _props("type", "explainability"),
        "Device": _props("id", "processor", "cores", "graphicsCard", "gpuModel", "memoryCapacity"),
        "ModelTraining": _props(
            "model",
            "carbonFootprint",
            "energyConsumptionCPU",
            "energyConsumptionGPU",
            "energyConsumption",
            "fitTime",
            "totalTrainTime",
            *METRICS,
        ),
        "Parameters": _props("model", "optimizer", "splitType"),
        "Hyperparameters": _props("id", "learning_rate", "epochs"),
        "ModelInference": _props(
            "key",
            "model",
            "batch_size",
            "latency",
            "flops",
            "energyConsumption",
            "carbonFootprint",
            "num_of_runs",
            "total_time",
        ),
    },
    relationships=tuple(
        RelationshipPattern(*pattern)
        for pattern in [
            ("Model", "TRAINED_ON", "Dataset"),
            ("Model", "PROVIDES", "Service"),
            ("Service", "SOLUTION_FOR", "ProblemType"),
            ("Model", "UTILIZES", "ModelArchitecture"),
            ("ModelTraining", "TRAINS_ON", "Model"),
            ("ModelTraining", "RUNS_ON", "Device"),
            ("ModelTraining", "CONTAINS", "Parameters"),
            ("ModelTraining", "USES", "Hyperparameters"),
            ("ModelInference", "INFERENCE_ON", "Model"),
            ("ModelInference", "RUNS_ON", "Device"),
        ]
    ),
)

README_ENERGY = """MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset)
MATCH (m)-[:UTILIZES]->(a:ModelArchitecture)
MATCH (i:ModelInference)-[:INFERENCE_ON]->(m)
RETURN m.name, a.type as architecture, d.name as dataset, i.energyConsumption, i.flops
ORDER BY i.energyConsumption ASC"""

README_CARBON = """MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset)
MATCH (m)-[:UTILIZES]->(a:ModelArchitecture)
MATCH (t:ModelTraining)-[:TRAINS_ON]->(m)
WHERE d.name = "lumos5g"
RETURN m.name, t.carbonFootprint, t.mae_mean
ORDER BY t.carbonFootprint ASC"""

# (id, statement, a fragment the refusal must contain)
REFUSED = [
    ("CREATE is refused", "CREATE (m:Model {name: 'x'}) RETURN m", "contains CREATE"),
    ("MERGE is refused", "MERGE (m:Model {name: 'x'}) RETURN m", "contains MERGE"),
    ("DELETE is refused", "MATCH (n) DELETE n", "contains DELETE"),
    ("DETACH DELETE is refused", "MATCH (n) DETACH DELETE n", "contains DETACH"),
    ("mixed-case detach delete is refused", "match (n) dEtAcH delete n", "contains DETACH"),
    ("comments between tokens do not hide DETACH", "MATCH (n)/*x*/DETACH/**/DELETE n", "contains DETACH"),
    ("a line comment ends at the newline", "MATCH (n) // only reading\nDETACH DELETE n", "contains DETACH"),
    ("a line comment ends at a bare carriage return", "MATCH (n) RETURN n // c\rDELETE n", "contains DELETE"),
    ("a line comment ends at a unicode line separator", "MATCH (n) RETURN n // c\u2028DELETE n", "contains DELETE"),
    ("block comments do not nest", "MATCH (n) /* /* */ DELETE n */ RETURN n", "contains DELETE"),
    ("SET of a property is refused", "MATCH (n) SET n.x=1", "contains SET"),
    ("SET of a label is refused", "MATCH (n) SET n:Hidden", "contains SET"),
    ("REMOVE after a newline and tab is refused", "MATCH (n)\n\tREMOVE n.x", "contains REMOVE (line 2, column 2)"),
    ("no-break and ideographic spaces do not hide DELETE", "MATCH (n)\u00a0DELETE\u3000n", "contains DELETE"),
    ("em and thin spaces do not hide SET", "MATCH (n)\u2003SET\u2009n.x = 1", "contains SET"),
    ("a long s spelling of set is refused", "MATCH (n) \u017fet n.x = 1", "contains SET"),
    ("a fullwidth SET is refused", "MATCH (n) \uff33\uff25\uff34 n.x = 1", "contains SET"),
    ("a zero-width space inside a keyword is refused", "MATCH (n) DE\u200bLETE n", "U+200B"),
    ("a zero-width space before a keyword is refused", "MATCH (n)\u200bDELETE n", "U+200B"),
    ("a NUL character is refused", "MATCH (n)\x00DELETE n", "U+0000"),
    ("DROP INDEX is refused", "DROP INDEX model_name", "contains DROP"),
    ("DROP CONSTRAINT is refused", "DROP CONSTRAINT model_key IF EXISTS", "contains DROP"),
    (
        "CREATE CONSTRAINT is refused",
        "CREATE CONSTRAINT model_key IF NOT EXISTS FOR (m:Model) REQUIRE m.name IS UNIQUE",
        "contains CREATE",
    ),
    ("CREATE INDEX is refused", "CREATE INDEX FOR (m:Model) ON (m.size)", "contains CREATE"),
    ("FOREACH is refused", "MATCH p = (a)-->(b) FOREACH (n IN nodes(p) | SET n.seen = true)", "contains FOREACH"),
    ("LOAD CSV at the start is refused", "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "contains LOAD"),
    (
        "LOAD CSV after WITH is refused",
        "WITH 1 AS x LOAD CSV WITH HEADERS FROM 'https://example.com/x.csv' AS row RETURN row",
        "contains LOAD",
    ),
    ("PERIODIC COMMIT is refused", "USING PERIODIC COMMIT LOAD CSV FROM 'file:///x' AS r RETURN r", "PERIODIC"),
    ("ALTER is refused", "ALTER DATABASE neo4j SET ACCESS READ WRITE", "contains ALTER"),
    ("RENAME is refused", "RENAME ROLE reader TO admin", "contains RENAME"),
    ("GRANT is refused", "GRANT ROLE admin TO mallory", "contains GRANT"),
    ("DENY is refused", "DENY READ {*} ON GRAPH * TO reader", "contains DENY"),
    ("REVOKE is refused", "REVOKE ROLE reader FROM alice", "contains REVOKE"),
    ("START DATABASE is refused", "START DATABASE neo4j", "contains START"),
    ("STOP DATABASE is refused", "STOP DATABASE neo4j", "contains STOP"),
    ("USE is refused", "USE system MATCH (n) RETURN n", "contains USE"),
    ("SHOW DATABASES is refused", "SHOW DATABASES", "contains SHOW"),
    ("SHOW with YIELD and RETURN is refused", "SHOW PROCEDURES YIELD name RETURN name", "contains SHOW"),
    ("TERMINATE TRANSACTIONS is refused", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "contains TERMINATE"),
    ("GQL INSERT is refused", "INSERT (:Model {name: 'x'})", "contains INSERT"),
    ("a write inside CALL { } is refused", "MATCH (m:Model) CALL { WITH m SET m.x = 1 } RETURN m", "contains SET"),
    ("a write inside CALL (x) { } is refused", "MATCH (m:Model) CALL (m) { DETACH DELETE m } RETURN 1", "DETACH"),
    (
        "a read subquery IN TRANSACTIONS is refused",
        "MATCH (m:Model) CALL { WITH m RETURN m.name AS n } IN TRANSACTIONS RETURN n",
        "contains TRANSACTIONS",
    ),
    (
        "a delete IN TRANSACTIONS OF 10 ROWS is refused",
        "MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS OF 10 ROWS",
        "contains DELETE",
    ),
    ("a write inside EXISTS { } is refused", "MATCH (m) WHERE EXISTS { MATCH (m) SET m.x = 1 } RETURN m", "SET"),
    ("a write in the second part of a UNION is refused", "RETURN 1 AS a UNION CREATE (c) RETURN 2 AS a", "CREATE"),
    (
        "CALL apoc.periodic.iterate is refused",
        "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {batchSize: 100})",
        "procedure apoc.periodic.iterate",
    ),
    ("CALL dbms.killQuery is refused", "CALL dbms.killQuery('query-1')", "procedure dbms.killQuery"),
    ("CALL db.createLabel is refused", "CALL db.createLabel('Secret')", "procedure db.createLabel"),
    ("CALL gds.graph.drop is refused", "CALL gds.graph.drop('g')", "procedure gds.graph.drop"),
    (
        "CALL apoc.create.setProperty after MATCH is refused",
        "MATCH (m) CALL apoc.create.setProperty(m, 'x', 1) YIELD node RETURN node",
        "procedure apoc.create.setProperty",
    ),
    ("a backticked procedure name is refused", "CALL `apoc.periodic.iterate`('a', 'b', {})", "apoc.periodic.iterate"),
    ("a procedure name in backticked parts is refused", "CALL `apoc`.`do`.`when`(true, 'x', 'y')", "apoc.do.when"),
    ("a procedure name spread over spaces is refused", "CALL db . createProperty ('x')", "db.createProperty"),
    ("CALL without a procedure name is refused", "MATCH (n) CALL", "procedure (none)"),
    (
        "apoc.cypher.runFirstColumnSingle in RETURN is refused",
        "RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) DETACH DELETE n RETURN 1', {})",
        "function apoc.cypher.runFirstColumnSingle (line 1, column 8)",
    ),
    (
        "an apoc function split by a comment is refused",
        "RETURN apoc . cypher /* hidden */ . runFirstColumnMany('x', {})",
        "function apoc.cypher.runFirstColumnMany",
    ),
    ("a backticked apoc function is refused", "RETURN `apoc.text.join`(['a'], ',')", "function apoc.text.join"),
    ("a db function is refused", "RETURN db.nameFromElementId('4:x:1')", "function db.nameFromElementId"),
    ("a dbms function is refused", "WITH 1 AS x RETURN dbms.components()", "function dbms.components"),
    ("two statements are refused", "MATCH (n) RETURN n; MATCH (m) RETURN m", "more than one statement (';' at line 1"),
    ("a read then a write are refused", "MATCH (n) RETURN n;\nMATCH (m) DETACH DELETE m", "more than one statement"),
    ("a doubled trailing semicolon is refused", "RETURN 1;;", "more than one statement"),
    ("an EXPLAIN prefix is refused", "EXPLAIN MATCH (n) RETURN n", "contains EXPLAIN"),
    ("a PROFILE prefix is refused", "PROFILE MATCH (n) RETURN n", "contains PROFILE"),
    ("a CYPHER version prefix is refused", "CYPHER 5 MATCH (n) RETURN n", "must start with MATCH"),
    ("a statement starting with a pattern is refused", "(n) RETURN n", "must start with"),
    ("OPTIONAL without MATCH is refused", "OPTIONAL RETURN 1", "must start with"),
    ("an empty statement is refused", "", "empty"),
    ("a blank statement is refused", "  \n\t\u00a0 ", "empty"),
    ("a statement that is only a comment is refused", "// nothing here", "empty"),
    ("a lone semicolon is refused", ";", "empty"),
    ("a statement over 20,000 characters is refused", "RETURN 1 /*" + "x" * 20_000 + "*/", "the limit is 20,000"),
    ("an unterminated string is refused", "MATCH (n) WHERE n.name = 'open RETURN n", "unterminated string"),
    ("an unterminated block comment is refused", "MATCH (n) /* RETURN n", "unterminated /* comment"),
    ("a dollar sign without a name is refused", "MATCH (n) RETURN $ x", "'$'"),
]

# (id, statement)
ACCEPTED = [
    ("keywords inside a single-quoted string", "MATCH (m:Model) WHERE m.name = 'DELETE me; DROP' RETURN m.name"),
    (
        "escaped quotes and comment markers inside a double-quoted string",
        'MATCH (m:Model) WHERE m.name = "say \\"SET\\" // or /* DELETE */" RETURN m.name',
    ),
    (
        "an escaped quote keeps keywords inside the string",
        "MATCH (n) WHERE n.name = 'a\\' DETACH DELETE n //' RETURN n",
    ),
    ("a backslash inside a string", r"MATCH (m:Model) WHERE m.path = 'C:\\models\\x' RETURN m.name"),
    ("keywords inside backticks", "MATCH (m:`DELETE`)-[:`SET`]->(d) RETURN m.`REMOVE`, d.`DETACH`"),
    (
        "property names that look like keywords",
        "MATCH (m:Model) RETURN m.createdBy, m.set, m.delete, m.setting, m.remove, m.create, m.start",
    ),
    ("map keys that look like keywords", "RETURN {set: 1, delete: 2, create: 3} AS m"),
    ("a map projection of keyword-like properties", "MATCH (m:Model) RETURN m {.name, .set, .delete} AS card"),
    ("a parameter named like a keyword", "MATCH (m:Model) WHERE m.name = $set RETURN m.name"),
    ("keywords inside comments", "MATCH (m:Model) // DELETE everything\n/* DROP INDEX x; */ RETURN m.name"),
    (
        "identifiers that contain keywords",
        "MATCH (m:Model)-[:CREATED_BY]->(x) WITH m, x AS settings RETURN settings, m.dateCreated",
    ),
    ("STARTS WITH", "MATCH (m:Model) WHERE m.name STARTS WITH 'set' RETURN m.name"),
    ("CALL db.labels()", "CALL db.labels()"),
    (
        "CALL db.relationshipTypes() with YIELD and RETURN",
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
    ),
    ("CALL db.schema.visualization()", "CALL db.schema.visualization()"),
    ("CALL db.schema.nodeTypeProperties()", "CALL db.schema.nodeTypeProperties()"),
    (
        "a read-only CALL { } subquery",
        "MATCH (m:Model) CALL { WITH m MATCH (m)-[:TRAINED_ON]->(d:Dataset) RETURN count(d) AS n } RETURN m.name, n",
    ),
    (
        "a read-only CALL (x) { } subquery",
        "MATCH (m:Model) CALL (m) { MATCH (m)-[:UTILIZES]->(a:ModelArchitecture) RETURN a } RETURN m.name, a.type",
    ),
    ("an EXISTS subquery", "MATCH (m:Model) WHERE EXISTS { (m)<-[:TRAINS_ON]-(:ModelTraining) } RETURN m.name"),
    ("a UNION", "MATCH (m:Model) RETURN m.name AS name UNION MATCH (d:Dataset) RETURN d.name AS name"),
    ("a trailing semicolon", "MATCH (m:Model) RETURN m.name;"),
    ("OPTIONAL MATCH first", "OPTIONAL MATCH (m:Model) RETURN m.name"),
    ("UNWIND first", "UNWIND ['a', 'b'] AS name MATCH (m:Model {name: name}) RETURN m.version"),
    ("WITH first", "WITH 'lumos5g' AS ds MATCH (d:Dataset {name: ds}) RETURN d.size"),
    (
        "ordinary namespaced functions",
        "RETURN date.truncate('month', date('2024-05-17')), duration.between(date(), date()), toUpper('x')",
    ),
    ("unicode whitespace between tokens", "MATCH\u00a0(m:Model)\u3000RETURN\u2003m.name"),
    (
        "non-ASCII and invisible text inside a string",
        "MATCH (m:Model) WHERE m.author = 'Zo\u00eb \u200b' RETURN m.name",
    ),
    ("a procedure name inside a string", "MATCH (m:Model) WHERE m.source = 'apoc.periodic.iterate()' RETURN m.name"),
    ("lower-case clause keywords", "match (m:Model) return m.name order by m.name"),
    ("the MRM3 README energy query", README_ENERGY),
    ("the MRM3 README lumos5g carbon query", README_CARBON),
]


@pytest.mark.parametrize(("cypher", "fragment"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused(cypher: str, fragment: str) -> None:
    with pytest.raises(UnsafeCypherError) as refused:
        check_read_only(cypher)
    message = str(refused.value)
    assert message.startswith("Refused: ")
    assert "\n" not in message
    assert fragment in message
    with pytest.raises(UnsafeCypherError):
        guard(cypher, SCHEMA)


def test_a_refusal_says_what_where_and_why() -> None:
    with pytest.raises(UnsafeCypherError) as refused:
        check_read_only("MATCH (n) DELETE n")
    assert str(refused.value) == (
        "Refused: the statement contains DELETE (line 1, column 11); "
        "only read-only Cypher (MATCH ... RETURN) is allowed"
    )


def test_the_guard_refuses_before_it_checks_the_schema() -> None:
    with pytest.raises(UnsafeCypherError):
        guard("MATCH (m:Modle) DETACH DELETE m", SCHEMA)


@pytest.mark.parametrize("cypher", [r[1] for r in ACCEPTED], ids=[r[0] for r in ACCEPTED])
def test_accepted(cypher: str) -> None:
    check_read_only(cypher)
    guarded = guard(cypher)
    assert guarded.row_cap == DEFAULT_ROW_CAP


# (id, statement, row cap, statement to run, limit_added)
LIMITS = [
    (
        "a LIMIT is added at the end",
        "MATCH (m:Model) RETURN m.name",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000",
        True,
    ),
    (
        "a LIMIT is added after ORDER BY",
        "MATCH (m:Model) RETURN m.name ORDER BY m.name DESC",
        1000,
        "MATCH (m:Model) RETURN m.name ORDER BY m.name DESC LIMIT 1000",
        True,
    ),
    (
        "a LIMIT is added after SKIP",
        "MATCH (m:Model) RETURN m.name ORDER BY m.name SKIP 20",
        1000,
        "MATCH (m:Model) RETURN m.name ORDER BY m.name SKIP 20 LIMIT 1000",
        True,
    ),
    ("a smaller LIMIT is kept", "MATCH (m:Model) RETURN m.name LIMIT 10", 1000, None, False),
    ("a LIMIT equal to the cap is kept", "MATCH (m:Model) RETURN m.name LIMIT 1000", 1000, None, False),
    (
        "a larger LIMIT is lowered",
        "MATCH (m:Model) RETURN m.name LIMIT 5000",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000",
        False,
    ),
    (
        "a larger lower-case limit after skip is lowered",
        "MATCH (m:Model) RETURN m.name skip 5 limit 99999",
        100,
        "MATCH (m:Model) RETURN m.name skip 5 limit 100",
        False,
    ),
    ("a parameter LIMIT is kept", "MATCH (m:Model) RETURN m.name LIMIT $n", 1000, None, False),
    (
        "a LIMIT inside a subquery does not count",
        "CALL { MATCH (m:Model) RETURN m LIMIT 5 } RETURN m.name",
        1000,
        "CALL { MATCH (m:Model) RETURN m LIMIT 5 } RETURN m.name LIMIT 1000",
        True,
    ),
    (
        "a LIMIT on an earlier WITH does not count",
        "MATCH (m:Model) WITH m LIMIT 5 RETURN m.name",
        1000,
        "MATCH (m:Model) WITH m LIMIT 5 RETURN m.name LIMIT 1000",
        True,
    ),
    (
        "a property called limit is not a LIMIT",
        "MATCH (m:Model) RETURN m.limit",
        1000,
        "MATCH (m:Model) RETURN m.limit LIMIT 1000",
        True,
    ),
    (
        "the LIMIT goes before a trailing comment",
        "MATCH (m:Model) RETURN m.name // names",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000 // names",
        True,
    ),
    (
        "a trailing semicolon is dropped",
        "MATCH (m:Model) RETURN m.name;",
        1000,
        "MATCH (m:Model) RETURN m.name LIMIT 1000",
        True,
    ),
    ("the row cap is configurable", "RETURN 1", 50, "RETURN 1 LIMIT 50", True),
    (
        "a UNION gets no LIMIT",
        "MATCH (m:Model) RETURN m.name AS n UNION MATCH (d:Dataset) RETURN d.name AS n",
        1000,
        None,
        False,
    ),
    ("a standalone CALL gets no LIMIT", "CALL db.labels()", 1000, None, False),
]


@pytest.mark.parametrize(
    ("cypher", "row_cap", "expected", "limit_added"), [r[1:] for r in LIMITS], ids=[r[0] for r in LIMITS]
)
def test_row_cap(cypher: str, row_cap: int, expected: str | None, limit_added: bool) -> None:
    guarded = guard(cypher, row_cap=row_cap)
    assert guarded.cypher == (expected or cypher)
    assert guarded.limit_added is limit_added
    assert guarded.row_cap == row_cap


def test_lowering_and_skipping_the_limit_is_noted() -> None:
    assert guard("MATCH (m) RETURN m LIMIT 5000").notes == ("LIMIT 5000 lowered to the row cap 1000",)
    union = guard("RETURN 1 AS x UNION RETURN 2 AS x")
    assert any("UNION" in note for note in union.notes)


def test_a_row_cap_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        guard("RETURN 1", row_cap=0)


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
        node_properties={"Model": _props("name"), "Dataset": _props("name")},
        relationships=(RelationshipPattern("Model", "TRAINED_ON", "Dataset"),),
        relationship_properties={"TRAINED_ON": _props("since")},
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


def test_the_guard_is_fast() -> None:
    runs = 100
    started = time.perf_counter()
    for _ in range(runs):
        guard(README_CARBON, SCHEMA)
    assert (time.perf_counter() - started) / runs < 0.005


# Lexes each statement read from stdin with the embedded server's own Cypher25
# lexer and prints, per statement, the default-channel tokens as [name, start].
SERVER_LEXER = """
import json, sys
from arcadedb_embedded.jvm import start_jvm
start_jvm(heap_size="256m")
from jpype import JClass
streams = JClass("org.antlr.v4.runtime.CharStreams")
lexer_class = JClass("com.arcadedb.query.opencypher.grammar.Cypher25Lexer")
result = []
for text in json.load(sys.stdin):
    lexer = lexer_class(streams.fromString(text))
    lexer.removeErrorListeners()
    tokens = []
    while (token := lexer.nextToken()).getType() != -1:
        if token.getChannel() == 0:
            name = str(lexer_class.VOCABULARY.getSymbolicName(token.getType()))
            tokens.append([name, token.getStartIndex()])
    result.append(tokens)
json.dump(result, sys.stdout)
"""

FRAGMENTS = ["MATCH", "DELETE", "SET", "set", "CALL", "(n)", "x", "1", "5", "0x", "e", "_", ".", "..", "$", ";"]
FRAGMENTS += ["'", '"', "`", "''", "``", "\\", "\\'", '\\"', "\\u0027", "//", "/*", "*/", "{", "}", ":", "|", "="]
FRAGMENTS += [" ", "\n", "\r", "\t", "\u00a0", "\u2028", "\x85", "\x1c", "\u200b", "->", "<-", "-", "<", ">", "*"]
FRAGMENTS += ["\u017f", "\u00e9", "\u0301"]


@pytest.mark.slow
def test_the_lexer_sees_every_keyword_the_server_lexer_sees() -> None:
    pytest.importorskip("arcadedb_embedded")
    rng = random.Random(20251122)
    fuzz = ["".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 16))) for _ in range(20_000)]
    corpus = [row[1] for row in REFUSED + ACCEPTED] + fuzz
    run = subprocess.run(
        [sys.executable, "-c", SERVER_LEXER],
        input=json.dumps(corpus),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    watched = FORBIDDEN_KEYWORDS | {"CALL"}
    missed = []
    for text, server_tokens in zip(corpus, json.loads(run.stdout), strict=True):
        try:
            ours = {tok.start: tok.word for tok in tokenize(text) if tok.kind == "name"}
        except LexError:
            continue  # the guard refuses what it cannot lex
        for name, start in server_tokens:
            # "$SET" is a parameter to the server too (DOLLAR, then a name)
            if name in watched and not text[:start].endswith("$") and ours.get(start) != name:
                missed.append((text, name, start))
    assert not missed
