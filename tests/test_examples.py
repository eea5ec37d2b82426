"""The question -> Cypher library: every example runs on the MRM3 cards, is portable, and selection picks close ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.cypher.execution import run_guarded
from assistant.cypher.guard import guard
from assistant.engines.llm.examples import Example, ExampleSelector, format_examples, load_examples, tokens
from assistant.errors import ConfigError
from assistant.graph.connection import Graph
from assistant.graph.introspect import introspect
from assistant.graph.schema import GraphSchema
from tests.cypher_grammar import Parsed, parse_all

# cards_graph: the MRM3 cards, ingested once for this module.
pytest_plugins = ("tests.llm_fixtures",)

EXAMPLES = load_examples()


@pytest.fixture(scope="module")
def cards_schema(cards_graph: Graph) -> GraphSchema:
    return introspect(cards_graph)


def test_the_library_has_at_least_40_distinct_examples() -> None:
    assert len(EXAMPLES) >= 40
    assert len({e.question for e in EXAMPLES}) == len(EXAMPLES)
    assert len({e.cypher for e in EXAMPLES}) == len(EXAMPLES)


# What the library must cover, as (topic, pattern its Cypher must contain).
COVERAGE = {
    "training carbon": r"t\.carbonFootprint",
    "training energy": r"t\.energyConsumption",
    "inference carbon": r"i\.carbonFootprint",
    "inference energy": r"i\.energyConsumption",
    "accuracy": r"r_squared_mean|mae_mean|rmse_mean",
    "latency": r"i\.latency",
    "FLOPs": r"i\.flops",
    "model size": r"m\.size",
    "training time": r"totalTrainTime|fitTime",
    "a budget trade-off": r"carbonFootprint < |energyConsumption < ",
    "aggregates": r"avg\(|sum\(|min\(|max\(",
    "counts": r"count\(",
    "hyperparameters": r":Hyperparameters",
    "devices": r":Device",
    "dates": r"dateCreated",
    "optimizer and split": r"splitType|optimizer",
    "comparisons": r" IN \[",
    "service and problem type": r":SOLUTION_FOR",
    "unmeasured values": r"= 0",
}


@pytest.mark.parametrize("pattern", list(COVERAGE.values()), ids=[f"covers {k}" for k in COVERAGE])
def test_the_library_covers(pattern: str) -> None:
    assert any(re.search(pattern, e.cypher) for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.question for e in EXAMPLES])
def test_each_example_runs_on_the_mrm3_cards_and_returns_rows(
    cards_graph: Graph, cards_schema: GraphSchema, example: Example
) -> None:
    execution = run_guarded(cards_graph, example.cypher, schema=cards_schema)
    assert execution.rows, f"no rows for: {example.question}"
    # Written in the graph's own directions: the guard had nothing to correct.
    assert all("LIMIT" in note for note in execution.notes), execution.notes


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.question for e in EXAMPLES])
def test_each_example_passes_the_guard_and_writes_values_as_literals(example: Example) -> None:
    guard(example.cypher)
    assert "$" not in example.cypher  # the model writes literals, so the examples do too


# Statements the portability check must refuse, as (id, statement, a fragment of the problem it names).
NOT_PORTABLE = [
    ("a procedure call", "CALL db.labels() YIELD label RETURN label", "callClause"),
    ("an APOC function", "MATCH (m:Model) RETURN apoc.text.join([m.name], ',') AS names", "apoc.text.join()"),
    ("a function only Neo4j has", "MATCH (m:Model) RETURN elementId(m) AS id", "elementId()"),
    ("a parameter", "MATCH (m:Model) WHERE m.name = $name RETURN m.name", "parameter"),
    ("a write", "MATCH (m:Model) SET m.size = 0 RETURN m.name", "setClause"),
    ("a Cypher 25 LET clause", "MATCH (m:Model) LET s = m.size RETURN s", "letClause"),
    ("a quantified path", "MATCH (a:Model) ((x)-[:USES]->(y)){1,3} (b) RETURN a.name", "quantifier"),
    ("a USE clause", "USE neo4j MATCH (m:Model) RETURN m.name", "useClause"),
    ("a syntax error", "MATCH (m:Model) RETUR m.name", "syntax error"),
]  # fmt: skip


@pytest.fixture(scope="module")
def parsed() -> dict[str, Parsed]:
    """Every example and every NOT_PORTABLE statement, parsed by Neo4j's Cypher grammar (one JVM for all)."""
    statements = [e.cypher for e in EXAMPLES] + [row[1] for row in NOT_PORTABLE]
    return dict(zip(statements, parse_all(statements), strict=True))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.question for e in EXAMPLES])
def test_each_example_is_portable_cypher(parsed: dict[str, Parsed], example: Example) -> None:
    # Neo4j's grammar accepts it and it uses only openCypher read constructs and functions; that it also
    # runs on the embedded server is test_each_example_runs_on_the_mrm3_cards_and_returns_rows.
    assert parsed[example.cypher].problems() == []


@pytest.mark.parametrize(("cypher", "problem"), [r[1:] for r in NOT_PORTABLE], ids=[r[0] for r in NOT_PORTABLE])
def test_the_portability_check_refuses(parsed: dict[str, Parsed], cypher: str, problem: str) -> None:
    problems = parsed[cypher].problems()
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("greenest model on lumos5g", "Which model has the lowest training carbon footprint on lumos5g?"),
        ("how many models per dataset", "How many models were trained on each dataset?"),
        ("what hyperparameters does XGBRegressor-umu-KFold use", "What hyperparameters does"),
        ("fastest model at inference", "Which models have the lowest inference latency?"),
        ("best accuracy under 2 g CO2 on lumos5g", "under 1 g CO2"),
        ("compare KNN and linear regression", "Compare"),
    ],
    ids=["green ranking", "count per dataset", "hyperparameter lookup", "latency", "trade-off", "comparison"],
)
def test_the_closest_examples_are_selected(question: str, expected: str) -> None:
    chosen = ExampleSelector(EXAMPLES).select(question, k=3)
    assert any(expected in e.question for e in chosen), [e.question for e in chosen]


def test_selection_returns_k_examples_deterministically() -> None:
    selector = ExampleSelector(EXAMPLES, k=4)
    first = selector.select("lowest latency on umu")
    assert len(first) == 4 and selector.select("lowest latency on umu") == first
    assert len(selector.select("lowest latency on umu", k=2)) == 2
    assert len(selector.select("")) == 4  # nothing to match: still k examples


def test_the_selector_works_as_a_langchain_example_selector() -> None:
    selector = ExampleSelector(EXAMPLES[:3], k=1)
    selector.add_example({"question": "Which dataset is biggest?", "cypher": "MATCH (d:Dataset) RETURN d.name"})
    assert selector.select_examples({"question": "biggest dataset"}) == [
        {"question": "Which dataset is biggest?", "cypher": "MATCH (d:Dataset) RETURN d.name"}
    ]


def test_tokens_drop_stopwords_and_plural_s() -> None:
    assert tokens("Which models have the lowest CO2 on lumos5g?") == ["model", "lowest", "co2", "lumos5g"]
    assert tokens("class process") == ["class", "process"]


def test_examples_are_formatted_as_commented_statements() -> None:
    text = format_examples([Example("Q one?", "MATCH (m) RETURN m"), Example("Q two?", "RETURN 1")])
    assert text == "# Q one?\nMATCH (m) RETURN m\n\n# Q two?\nRETURN 1"


@pytest.mark.parametrize(
    "content",
    ["{not: a list}", "- question: no cypher here\n", "- cypher: MATCH (n) RETURN n\n", "[unclosed"],
    ids=["not a list", "missing cypher", "missing question", "broken YAML"],
)
def test_a_broken_library_is_a_readable_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match="examples"):
        load_examples(path)
