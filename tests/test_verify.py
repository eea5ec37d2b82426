"""The verifier's readers on their own: a statement's facts, a sentence's numbers and names, the cross-check.

Table-driven, no graph: what tests/test_llm_mistakes.py relies on, case by case, including the odd inputs a
model may write (an empty or unlexable statement, a 400-digit number, scientific notation, markdown lists).
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.language.vocabulary import load_vocabulary
from assistant.verify.crosscheck import disagreement
from assistant.verify.grounding import ungrounded
from assistant.verify.statement import read_statement
from assistant.verify.words import verify_words

UNITS = load_vocabulary().units
PLAIN = verify_words().plain_codes
ROWS = [
    {"model": "XGBRegressor-umu-KFold", "mae": 2.0956, "carbon_g": 1.039, "energy_j": 0.0715, "runs": 1000},
    {"model": "RandomForestRegressor-umu-KFold", "mae": 2.787, "carbon_g": 0.0, "energy_j": 0.0, "runs": 1000},
]
NAMES = {"xgbregressor-umu-kfold": "XGBRegressor-umu-KFold", "randomforestregressor-umu-kfold":
         "RandomForestRegressor-umu-KFold", "lumos5g": "lumos5g"}  # fmt: skip


@pytest.mark.parametrize(
    ("cypher", "field", "expected"),
    [
        ("", "inference_totals", ()),
        ("MATCH (n) WHERE n.x = 'unclosed RETURN n", "literals", ()),
        ("MATCH (i)-[:INFERENCE_ON]->(m:Model) RETURN i.energyConsumption AS e ORDER BY e", "inference_totals",
         ("i.energyConsumption",)),
        ("MATCH (m:Model)<-[:INFERENCE_ON]-(x) RETURN x.carbonFootprint", "inference_totals", ("x.carbonFootprint",)),
        ("MATCH (t:ModelTraining) RETURN avg(toFloat(t.carbonFootprint))", "unmeasured_aggregated",
         ("carbonFootprint",)),
        ("MATCH (t:ModelTraining) WHERE t.energyConsumptionGPU > 0 RETURN avg(t.energyConsumption)",
         "unmeasured_aggregated", ("energyConsumption",)),
        ("MATCH (t:ModelTraining) RETURN avg(CASE WHEN t.carbonFootprint > 0 THEN t.carbonFootprint END)",
         "unmeasured_aggregated", ()),
        ("MATCH (t) RETURN t.latency * 1000 AS ms LIMIT 1000", "numbers", (1000.0,)),
        ("MATCH (d:Dataset {name: 'it\\'s'}) RETURN d", "literals", ("it's",)),
    ],
    ids=["an empty statement", "a statement that does not lex", "an inference entry bound without its label",
         "an inference entry on the reverse arrow", "an average through toFloat", "another property's > 0",
         "zeros left out in a CASE", "a conversion but not the LIMIT", "an escaped quote"],
)  # fmt: skip
def test_a_statements_facts(cypher: str, field: str, expected: Any) -> None:
    assert getattr(read_statement(cypher), field) == expected


@pytest.mark.parametrize(
    ("cypher", "value", "negated"),
    [
        ("MATCH (m)-[:TRAINED_ON]->(d) WHERE NOT d.name IN ['lumos5g', 'umu'] RETURN m", "umu", True),
        ("MATCH (m)-[:TRAINED_ON]->(d) WHERE d.name <> 'umu' RETURN m", "umu", True),
        ("MATCH (m)-[:TRAINED_ON]->(d) WHERE NOT m.name CONTAINS 'x' AND d.name = 'umu' RETURN m", "umu", False),
        ("MATCH (d:Dataset {name: 'umu'}) RETURN d", "umu", False),
    ],
    ids=["NOT ... IN a list", "<>", "a NOT of another predicate", "a plain filter"],
)
def test_a_statement_excludes_a_value_only_where_its_own_predicate_says_not(
    cypher: str, value: str, negated: bool
) -> None:
    assert read_statement(cypher).negates(value) is negated


@pytest.mark.parametrize(
    ("sentence", "claims"),
    [
        ("XGBRegressor-umu-KFold has an MAE of 2.10.", []),
        ("XGBRegressor-umu-KFold has an MAE of 1.85.", ["1.85"]),
        ("It uses 7.15e-05 J per inference.", []),
        ("It uses 3e-05 J.", ["3e-05 J"]),
        ("Its MAE is about 25% lower.", []),
        ("1. **XGBRegressor-umu-KFold** - 1.039 g\n2. **RandomForestRegressor-umu-KFold** - not measured", []),
        ("Trained on an A100.", ["A100"]),
        ("In FP16, the 2nd model is 1.3x slower.", []),
        ("It emitted 1e400 g.", ["1e400 g"]),
        ("RandomForestRegressor-umu-KFold emitted 0 g CO2.", ["0 g"]),
        ("RandomForestRegressor-umu-KFold reports 0 g, which means it was not measured.", []),
        ("It is better than the lumos5g models.", ["lumos5g"]),
    ],
    ids=["a rounded value", "a number the rows lack", "scientific notation", "scientific notation not in the rows",
         "a percentage of two values", "a markdown list", "a name the rows lack", "ordinals, factors, precisions",
         "a huge number", "a zero as a value", "a zero said to be unmeasured", "a dataset the rows lack"],
)  # fmt: skip
def test_a_sentences_numbers_and_names_are_found_in_the_rows(sentence: str, claims: list[str]) -> None:
    found = ungrounded(sentence, ROWS, "which umu model is best?", NAMES, UNITS, plain_codes=PLAIN,
                       zero_is_unmeasured="not measured" in sentence)  # fmt: skip
    assert [c.text for c in found] == claims


@pytest.mark.parametrize(
    ("intent", "llm_rows", "offline_rows", "scales", "differs"),
    [
        ("rank", ROWS, ROWS, (), False),
        ("rank", ROWS[::-1], ROWS, (), False),  # the LLM's first row is unmeasured: its first measured one counts
        ("count", [{"n": 11}], [{"models": 14}], (), True),
        ("aggregate", [{"total_kwh": 0.0562}], [{"sum_energy_j": 202289.0}], (3600000.0,), False),
        ("aggregate", [{"mean": 0.72}], [{"avg_carbon_g": 1.3}], (), True),
        ("rank", [{"dataset": "umu", "x": 1}], [{"model": "a", "x": 1}], (), False),
        ("lookup", [{"model": "a", "energy_j": 0.37, "runs": 1000}], [{"model": "a", "energy_j": 0.00037}], (), False),
    ],
    ids=["the same ranking", "an unmeasured first row", "another count", "a conversion undone",
         "an unnamed average", "a dataset against a model", "a total beside its runs"],
)  # fmt: skip
def test_the_cross_check(
    intent: str, llm_rows: list[dict[str, Any]], offline_rows: list[dict[str, Any]], scales: tuple[float, ...],
    differs: bool,
) -> None:  # fmt: skip
    assert (disagreement(intent, llm_rows, offline_rows, scales) is not None) is differs


@pytest.mark.parametrize(
    ("cypher", "kept"),
    [
        ("MATCH (t:ModelTraining) WHERE t.r_squared_mean > 0.95 RETURN t", True),
        ("MATCH (t:ModelTraining) WHERE t.r_squared_mean > 0.5 RETURN t", False),
        ("MATCH (i:ModelInference) WHERE i.latency * 1000 < 50 RETURN i", True),
        ("MATCH (i:ModelInference) WHERE i.latency < 0.05 RETURN i", True),
    ],
    ids=["the bound as said", "another bound", "the bound in the unit said", "the bound in the graph's unit"],
)
def test_a_statement_keeps_the_questions_numeric_conditions(cypher: str, kept: bool) -> None:
    from assistant.verify.checks import bounds
    from assistant.verify.facts import Bound, QuestionFacts

    facts = QuestionFacts("q", bounds=[Bound("above 0.95", 0.95, 0.95)] if "r_squared" in cypher else
                          [Bound("under 50 ms", 0.05, 50.0)])  # fmt: skip
    assert (not bounds(facts, read_statement(cypher))) is kept
