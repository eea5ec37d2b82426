"""The LLM path end to end: real langchain-openai client, real GraphCypherQAChain, real graph.

The model is a scripted OpenAI-compatible server on 127.0.0.1 (tests/fake_llm.py);
the tests assert on what the model was sent and on what did not happen to the graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from assistant.config import Settings
from assistant.engines.conversation import Conversation, clean_rewrite
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph, to_plain
from tests.fake_llm import FAKE_MODEL, FakeLLM

# cards_graph, fake_llm, llm_settings, graph_fingerprint
pytest_plugins = ("tests.llm_fixtures",)

GREENEST_LUMOS = (
    "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(d:Dataset {name: 'lumos5g'})\n"
    "RETURN m.name AS model, t.carbonFootprint AS training_carbon_g, t.energyConsumption AS training_energy_j\n"
    "ORDER BY t.carbonFootprint ASC LIMIT 5"
)
GREENEST_UMU = GREENEST_LUMOS.replace("lumos5g", "umu")
ANSWER = "XGBRegressor-lumos5g-KFold has no measured carbon; the best measured is KNeighborsRegressor-lumos5g-KFold."


def examples_section(prompt: str) -> str:
    return prompt.split("Examples of questions and their Cypher:", 1)[1].split("\nRules:", 1)[0]


def test_the_prompt_holds_the_schema_the_linked_values_and_a_few_selected_examples(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(GREENEST_LUMOS, ANSWER)
    Assistant(llm_settings, cards_graph).ask("Which model is greenest on lumos?", engine="llm")
    body = fake_llm.requests[0]
    prompt = fake_llm.prompts()[0]
    assert body["model"] == FAKE_MODEL and body["temperature"] == 0
    # The live schema: labels, directions, properties and low-cardinality values.
    assert "(ModelTraining)-[:TRAINS_ON]->(Model)" in prompt
    assert "(ModelInference)-[:INFERENCE_ON]->(Model)" in prompt
    assert "carbonFootprint: FLOAT" in prompt and "r_squared_mean" in prompt
    assert "'logatec-winter'" in prompt
    assert "../../artifacts" not in prompt  # file paths are no use to the model
    # The value the question mentions, linked to the graph.
    assert "- \"lumos\" -> Dataset.name = 'lumos5g'" in prompt
    # A few examples, the closest first, not the whole library.
    examples = examples_section(prompt)
    headers = [line for line in examples.splitlines() if line.startswith("# ")]
    assert len(headers) == 5
    assert any("greenest" in h.lower() or "carbon" in h.lower() for h in headers[:2])
    assert prompt.rstrip().endswith("Question: Which model is greenest on lumos?\nCypher:")


def test_a_good_statement_runs_and_the_answer_step_is_sent_the_rows_it_returned(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    question = "Which model is greenest on lumos?"
    fake_llm.enqueue(f"```cypher\n{GREENEST_LUMOS}\n```", ANSWER)
    answer = Assistant(llm_settings, cards_graph).ask(question, engine="llm")
    assert answer.answered and answer.engine == "llm"
    assert len(fake_llm.requests) == 2
    # The evidence: the statement without its markdown fence, and the rows the graph returns for it.
    assert answer.cypher == GREENEST_LUMOS
    direct = cards_graph.read(GREENEST_LUMOS)
    rows = answer.as_json()["rows"]
    assert sorted(map(json.dumps, rows)) == sorted(map(json.dumps, to_plain(direct)))
    models = [row["model"] for row in rows]
    # Two unmeasured zeros tie for first place; the measured ones follow in order.
    assert set(models[:2]) == {"XGBRegressor-lumos5g-KFold", "LinearRegression-lumos5g-KFold"}
    assert models[2:] == ["KNeighborsRegressor-lumos5g-KFold", "RandomForestRegressor-lumos5g-KFold"]
    # The answer step is sent the question, the statement that ran, and exactly those rows.
    answer_prompt = fake_llm.prompts()[1]
    assert f"Question: {question}\n" in answer_prompt
    assert f"The Cypher statement that ran:\n{GREENEST_LUMOS}\n" in answer_prompt
    sent = answer_prompt.split(f"The rows it returned ({len(rows)} in total), as JSON:\n", 1)[1].split("\n", 1)[0]
    assert json.loads(sent) == rows
    # ... and the facts it must mention are the caveats the user gets next to its answer.
    facts = answer_prompt.split("must mention:\n", 1)[1].split("\n\n", 1)[0]
    assert facts.splitlines() == [f"- {caveat}" for caveat in answer.caveats]
    assert any("not measured" in caveat for caveat in answer.caveats)
    # The model's words are the answer's text; its numbers come with the rows above.
    assert answer.text == ANSWER
    assert answer.as_json()["rows"][0].keys() == {"model", "training_carbon_g", "training_energy_j"}


def test_a_ranking_led_by_unmeasured_zeros_says_so_and_names_the_best_measured_model(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(GREENEST_LUMOS, ANSWER)
    answer = Assistant(llm_settings, cards_graph).ask("greenest model on lumos5g", engine="llm")
    caveats = " ".join(answer.caveats)
    assert "not measured" in caveats
    assert "best measured result is KNeighborsRegressor-lumos5g-KFold" in caveats and "1.868 g CO2" in caveats
    facts = fake_llm.prompts()[1].split("must mention:", 1)[1]
    assert "not measured" in facts and "KNeighborsRegressor-lumos5g-KFold" in facts


def test_an_i_dont_know_answer_over_rows_is_replaced_by_a_summary_of_the_rows(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(GREENEST_LUMOS, "I don't know the answer to that.")
    answer = Assistant(llm_settings, cards_graph).ask("greenest model on lumos5g", engine="llm")
    assert "don't know" not in answer.text
    assert "XGBRegressor-lumos5g-KFold" in answer.text and "g CO2" in answer.text and " J" in answer.text
    assert "best measured result is KNeighborsRegressor-lumos5g-KFold" in answer.text


def test_when_the_answer_step_fails_the_rows_are_summarized(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(GREENEST_LUMOS)
    fake_llm.enqueue_error(401, "bad key")
    answer = Assistant(llm_settings, cards_graph).ask("greenest model on lumos5g", engine="llm")
    assert answer.answered and "KNeighborsRegressor-lumos5g-KFold" in answer.text
    assert any("could not write the explanation" in c for c in answer.caveats)


WRITES = {
    "DETACH DELETE": "MATCH (n) DETACH DELETE n",
    "DELETE of relationships": "MATCH ()-[r]->() DELETE r",
    "SET in lower case": "match (m:Model) set m.size = 0 return m.name",
    "SET +=": "MATCH (m:Model) SET m += {size: 0} RETURN m.name",
    "MERGE": "MERGE (m:Model {name: 'evil'}) RETURN m.name",
    "CREATE": "CREATE (m:Model {name: 'evil'}) RETURN m.name",
    "CREATE after UNWIND": "UNWIND [1, 2] AS x CREATE (:Model {name: 'evil'})",
    "REMOVE": "MATCH (m:Model) REMOVE m.size RETURN m.name",
    "REMOVE a label": "MATCH (m:Model) REMOVE m:Model RETURN count(m)",
    "FOREACH": "MATCH (m:Model) WITH collect(m) AS ms FOREACH (x IN ms | SET x.size = 0)",
    "CALL subquery that deletes": "MATCH (m:Model) CALL { WITH m DETACH DELETE m } RETURN count(*)",
    "CALL subquery with scope that sets": "MATCH (m:Model) CALL (m) { SET m.size = 0 } RETURN count(*)",
    "CALL IN TRANSACTIONS": "MATCH (m:Model) CALL { WITH m DELETE m } IN TRANSACTIONS RETURN 1",
    "LOAD CSV": "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "LOAD CSV in mixed case": "LoAd CsV WITH HEADERS FROM 'http://example.com/x.csv' AS row RETURN row",
    "write hidden behind block comments": "MATCH (m:Model) /* only reading */ DeTaCh /* honest */ DELETE m",
    "write after a line comment": "MATCH (m:Model) // read\nSET m.size = 0 RETURN m.name",
    "second statement after a semicolon": "MATCH (m:Model) RETURN m.name; MATCH (n) DETACH DELETE n",
    "write inside a markdown fence": "```cypher\nMATCH (n) DETACH DELETE n\n```",
    "procedure call": "CALL db.clearQueryCaches()",
    "apoc procedure": "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {batchSize: 10})",
    "DROP": "DROP CONSTRAINT model_name IF EXISTS",
    "write in a UNION branch": "MATCH (m:Model) RETURN m.name AS x UNION MATCH (n) DETACH DELETE n RETURN 'x' AS x",
}


@pytest.mark.parametrize("statement", list(WRITES.values()), ids=[f"refuses {k}" for k in WRITES])
def test_every_write_statement_from_the_model_is_refused_and_the_graph_is_unchanged(
    cards_graph: Graph,
    llm_settings: Settings,
    fake_llm: FakeLLM,
    graph_fingerprint: Callable[[Graph], object],
    statement: str,
) -> None:
    fingerprint = graph_fingerprint
    before = fingerprint(cards_graph)
    fake_llm.enqueue(statement)
    answer = Assistant(llm_settings, cards_graph).ask("please clean up the graph", engine="llm")
    assert not answer.answered
    assert "refused" in answer.text.lower() and answer.rows == [] and answer.cypher is None
    assert len(fake_llm.requests) == 1  # not repaired, and no answer step over nothing
    assert fingerprint(cards_graph) == before


def test_a_syntax_error_is_repaired_once_with_the_database_error_sent_back(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    broken = "MATCH (m:Model) RETUR m.name AS model"
    fake_llm.enqueue(broken, "MATCH (m:Model) RETURN m.name AS model ORDER BY model LIMIT 3", "Three models.")
    answer = Assistant(llm_settings, cards_graph).ask("name three models", engine="llm")
    assert answer.answered and len(answer.rows) == 3
    assert len(fake_llm.requests) == 3
    first, second = fake_llm.prompts()[:2]
    assert "Your previous statement" not in first
    repair = second.split("Your previous statement for this question failed.", 1)[1]
    assert broken in repair
    assert "The graph server rejected the statement" in repair and "RETUR" in repair.split("Error:", 1)[1]
    assert any("corrected" in c for c in answer.caveats)


def test_an_unknown_property_is_repaired_with_the_schema_error_and_a_suggestion(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model) RETURN m.name AS model, t.mae AS mae",
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model) RETURN m.name AS model, t.mae_mean AS mae LIMIT 2",
        "Two models.",
    )
    answer = Assistant(llm_settings, cards_graph).ask("mae of two models", engine="llm")
    assert answer.answered and len(answer.rows) == 2
    error = fake_llm.prompts()[1].split("Error:", 1)[1]
    assert "does not match the graph" in error and "mae_mean" in error


def test_a_reversed_relationship_is_corrected_without_a_repair_round(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(
        "MATCH (m:Model)-[:TRAINS_ON]->(t:ModelTraining) RETURN m.name AS model, t.fitTime AS fit_time_s LIMIT 3",
        "Three fit times.",
    )
    answer = Assistant(llm_settings, cards_graph).ask("fit times", engine="llm")
    assert answer.answered and len(answer.rows) == 3
    assert "(m:Model)<-[:TRAINS_ON]-(t:ModelTraining)" in (answer.cypher or "")
    assert len(fake_llm.requests) == 2


def test_after_the_repair_attempt_fails_the_answer_says_so_honestly(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue("MATCH (m:Model) RETUR m.name", "MATCH (m:Model) RETURN m.nme")
    answer = Assistant(llm_settings, cards_graph).ask("names", engine="llm")
    assert not answer.answered
    assert answer.text.startswith("I could not answer this from the graph") and "2 times" in answer.text
    assert answer.cypher is None and answer.caveats[1] == "The last statement tried: MATCH (m:Model) RETURN m.nme"
    assert len(fake_llm.requests) == 2


def test_repair_attempts_come_from_the_settings(cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue("MATCH (m:Model) RETUR m.name")
    answer = Assistant(llm_settings.with_overrides(repair_attempts=0), cards_graph).ask("names", engine="llm")
    assert not answer.answered and len(fake_llm.requests) == 1


def test_a_follow_up_is_rewritten_into_a_standalone_question_before_cypher(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    assistant = Assistant(llm_settings, cards_graph)
    conversation = Conversation()
    fake_llm.enqueue(GREENEST_LUMOS, ANSWER)
    assistant.ask("Which model has the lowest training carbon footprint on lumos5g?", conversation=conversation)
    assert len(fake_llm.requests) == 2  # the first question needs no rewrite
    standalone = "Which model has the lowest training carbon footprint on umu?"
    fake_llm.enqueue(f"Standalone question: {standalone}", GREENEST_UMU, "On umu ...")
    answer = assistant.ask("and on umu?", conversation=conversation)
    rewrite, cypher = fake_llm.prompts()[2:4]
    assert "lowest training carbon footprint on lumos5g" in rewrite and ANSWER[:40] in rewrite
    assert "Follow-up question: and on umu?" in rewrite
    assert f"Question: {standalone}\nCypher:" in cypher
    assert "- \"umu\" -> Dataset.name = 'umu'" in cypher
    assert answer.question == "and on umu?" and answer.standalone_question == standalone
    assert all("umu" in row["model"] for row in answer.rows)
    assert [t.question for t in conversation.turns] == [
        "Which model has the lowest training carbon footprint on lumos5g?",
        "and on umu?",
    ]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Standalone question: Which model is best on umu?", "Which model is best on umu?"),
        ('"Which model is best on umu?"\n', "Which model is best on umu?"),
        ("\n\nWhich model is best on umu?\nBecause ...", "Which model is best on umu?"),
    ],
    ids=["drops a label", "drops quotes", "keeps the first line"],
)
def test_a_rewrite_reply_is_cleaned(reply: str, expected: str) -> None:
    assert clean_rewrite(reply) == expected
