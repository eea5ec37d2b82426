"""The Cypher guard's first job: only read-only statements pass, whatever their spelling.

Pure unit tests: the guard never talks to the server, so neither do these. The
last test compares the guard's lexer with the embedded server's own.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from assistant.cypher.guard import DEFAULT_ROW_CAP, FORBIDDEN_KEYWORDS, MAX_STATEMENT_CHARS, check_read_only, guard
from assistant.cypher.lexer import LexError, tokenize
from assistant.errors import UnsafeCypherError
from tests.guard_cases import README_CARBON, README_ENERGY, SCHEMA

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


def _big_in_list(extra: str = "") -> str:
    """A statement just under the length limit: a long IN list of model names, then ``extra``."""
    head, tail = "MATCH (m:Model) WHERE m.name IN [", "] RETURN m.name, m.size" + extra
    names: list[str] = []
    length = len(head) + len(tail)
    while length + 20 < MAX_STATEMENT_CHARS:
        names.append(f"'model-{len(names):05d}'")
        length += len(names[-1]) + 2
    return head + ", ".join(names) + tail


def test_a_statement_at_the_length_limit_is_checked_to_its_end() -> None:
    statement = _big_in_list()
    assert MAX_STATEMENT_CHARS - 40 < len(statement) <= MAX_STATEMENT_CHARS
    guarded = guard(statement, SCHEMA)
    assert guarded.cypher == statement + f" LIMIT {DEFAULT_ROW_CAP}"
    # The same statement with a write at its very end: found, at its place.
    hidden = _big_in_list(" SET m.size = 0")
    assert len(hidden) <= MAX_STATEMENT_CHARS
    with pytest.raises(UnsafeCypherError, match=rf"contains SET \(line 1, column {hidden.index(' SET ') + 2}\)"):
        guard(hidden, SCHEMA)


def test_deeply_nested_expressions_and_many_comments_are_checked() -> None:
    nested = "RETURN " + "(" * 2_000 + "1" + ")" * 2_000 + " AS x"
    assert guard(nested).limit_added
    commented = "MATCH (m:Model) " + "/* c */ " * 1_500 + "RETURN m.name"
    assert guard(commented, SCHEMA).cypher.endswith("RETURN m.name LIMIT 1000")
    with pytest.raises(UnsafeCypherError, match="contains DETACH"):
        guard("MATCH (m:Model) " + "/* c */ " * 1_500 + "DETACH DELETE m")


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
