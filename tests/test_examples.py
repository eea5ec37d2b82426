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
from tests.card_facts import measured_inference, pareto_names, training
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


# -- the semantics the model should copy: per inference, measured values only --------------

PER = re.compile(r"(?P<expr>[^,\n]+?)\s+AS\s+(?P<alias>\w*per_(?:inference|sample)\w*)")
INFERENCE_TOTAL = re.compile(r"(?<![/(])\bi\.(?:energyConsumption|carbonFootprint)\s+AS\s+(?P<alias>\w+)")
RANKED_MEASURE = re.compile(r"ORDER BY\s+(?P<key>[^\n]*(?:carbon|energy)[^\n]*)", re.I)


def _examples_about(*words: str) -> list[Example]:
    """Examples about inference energy or carbon whose question holds one of ``words``."""
    return [
        e
        for e in EXAMPLES
        if any(w in e.question.lower() for w in words) and re.search(r"energy|carbon|co2| j ", e.question.lower())
    ]


@pytest.mark.parametrize("example", _examples_about("per inference", "per sample"), ids=lambda e: e.question)
def test_per_inference_examples_divide_the_total_by_num_of_runs_and_name_the_column_so(example: Example) -> None:
    per = list(PER.finditer(example.cypher))
    assert per, example.cypher
    for match in per:
        expr = match["expr"].strip()
        assert re.search(r"/ \(?i\.num_of_runs", expr), expr
        if "per_sample" in match["alias"]:
            assert "i.num_of_runs * i.batch_size" in expr
    # Guarded against a missing or zero count, and against integer division.
    assert "i.num_of_runs > 0" in example.cypher and "toFloat(i." in example.cypher


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.question for e in EXAMPLES])
def test_an_inference_total_is_never_called_per_inference(example: Example) -> None:
    for match in INFERENCE_TOTAL.finditer(example.cypher):
        assert "total" in match["alias"], f"{match[0]} in: {example.question}"


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if RANKED_MEASURE.search(e.cypher.split("RETURN")[-1])],
    ids=lambda e: e.question,
)
def test_every_ranking_on_carbon_or_energy_keeps_measured_values_only(example: Example) -> None:
    assert re.search(r"(?:carbonFootprint|energyConsumption) > 0", example.cypher), example.cypher


def test_the_greenest_training_example_ranks_measured_values_only() -> None:
    (example,) = [
        e for e in EXAMPLES if e.question == "Which model has the lowest training carbon footprint on lumos5g?"
    ]
    assert "WHERE t.carbonFootprint > 0" in example.cypher


def test_the_library_covers_thresholds_ranges_bounds_per_sample_and_trade_offs() -> None:
    questions = " ".join(e.question for e in EXAMPLES)
    for phrase in ("less than 0.01 J per inference", "between", "at most", "at least", "per sample", "Pareto"):
        assert phrase in questions
    (between,) = [e for e in EXAMPLES if "between" in e.question and "J per inference" in e.question]
    assert ">= 0.0001" in between.cypher and "<= 0.0003" in between.cypher


def _example(start: str) -> Example:
    return next(e for e in EXAMPLES if e.question.startswith(start))


@pytest.mark.parametrize(
    ("question", "column", "value"),
    [
        ("Which model uses the least energy per inference?", "energy_per_inference_j", "energy_per_inference_j"),
        ("Which model uses the most energy per inference?", "energy_per_inference_j", "energy_per_inference_j"),
        ("Which model is greenest at inference time", "carbon_per_inference_g", "carbon_per_inference_g"),
        ("Which model uses the least energy per sample", "energy_per_sample_j", "energy_per_sample_j"),
    ],
    ids=["least energy per inference", "most energy per inference", "carbon per inference", "energy per sample"],
)
def test_per_inference_values_are_the_card_totals_divided_by_the_runs(
    cards_graph: Graph, cards_schema: GraphSchema, question: str, column: str, value: str
) -> None:
    rows = run_guarded(cards_graph, _example(question).cypher, schema=cards_schema).rows
    expected: dict[str, set[float]] = {}
    for entry in measured_inference():
        expected.setdefault(entry.model, set()).add(getattr(entry, value))
    assert rows
    for row in rows:
        assert any(row[column] == pytest.approx(v, rel=1e-9) for v in expected[row["model"]]), row
    # The ranking is the cards' own, best first.
    descending = "most" in question
    ranked = sorted((v for vs in expected.values() for v in vs), reverse=descending)
    assert [row[column] for row in rows] == pytest.approx(ranked[: len(rows)], rel=1e-9)


@pytest.mark.parametrize(
    ("question", "keep"),
    [
        ("Which models use less than 0.01 J per inference?", lambda j: j < 0.01),
        ("Which models need between 0.0001 and 0.0003 J per inference?", lambda j: 0.0001 <= j <= 0.0003),
        ("Which models need at most 0.0002 J per inference?", lambda j: j <= 0.0002),
    ],
    ids=["threshold", "range, inclusive", "at most, inclusive"],
)
def test_per_inference_thresholds_select_what_the_cards_say(
    cards_graph: Graph, cards_schema: GraphSchema, question: str, keep: object
) -> None:
    rows = run_guarded(cards_graph, _example(question).cypher, schema=cards_schema).rows
    expected = sorted(e.model for e in measured_inference() if keep(e.energy_per_inference_j))  # type: ignore[operator]
    assert sorted(row["model"] for row in rows) == expected
    # Per inference, not the totals: no measured total is below 0.01 J, yet the threshold keeps every measured run.
    assert all(e.energy_total_j > 0.01 for e in measured_inference())


def test_the_pareto_example_returns_both_objectives_for_the_measured_models(
    cards_graph: Graph, cards_schema: GraphSchema
) -> None:
    rows = run_guarded(cards_graph, _example("Which models give the best trade-off").cypher, schema=cards_schema).rows
    points = training()
    assert {row["model"] for row in rows} == set(points)
    for row in rows:
        assert (row["training_carbon_g"], row["r_squared"]) == pytest.approx(points[row["model"]])
    assert 1 <= len(pareto_names(points)) < len(points)


def test_the_aggregate_examples_count_every_model_and_the_measured_ones(
    cards_graph: Graph, cards_schema: GraphSchema
) -> None:
    rows = run_guarded(
        cards_graph,
        _example("What is the average training carbon footprint per architecture").cypher,
        schema=cards_schema,
    ).rows
    assert sum(row["models"] for row in rows) == 22
    assert sum(row["measured_models"] for row in rows) == len(training("r_squared"))


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
