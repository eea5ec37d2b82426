"""The LLM path's semantics: what it understood, caveats in the sort direction, per inference, the Pareto front.

Through the scripted OpenAI-compatible server (tests/fake_llm.py), the real
langchain-openai client and GraphCypherQAChain, on the real graph of the MRM3
cards; expected values come from the card files (tests/card_facts.py).
"""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.engines.conversation import Conversation
from assistant.engines.llm.chain import asks_trade_off
from assistant.engines.llm.examples import load_examples
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from assistant.language.vocabulary import load_vocabulary
from tests.card_facts import measured_inference, pareto_names, training
from tests.fake_llm import FakeLLM

# cards_graph, fake_llm, llm_settings
pytest_plugins = ("tests.llm_fixtures",)

EXAMPLES = {e.question: e.cypher.strip() for e in load_examples()}
MOST_CO2_LUMOS = (
    "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(d:Dataset {name: 'lumos5g'})\n"
    "RETURN m.name AS model, t.carbonFootprint AS training_carbon_g\n"
    "ORDER BY t.carbonFootprint DESC LIMIT 5"
)
LOOKUP = (
    "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: '%s'}) MATCH (t)-[:RUNS_ON]->(dev:Device) "
    "RETURN m.name AS model, t.carbonFootprint AS training_carbon_g, t.energyConsumptionCPU AS cpu_energy_j, "
    "t.energyConsumptionGPU AS gpu_energy_j, dev.graphicsCard AS gpus"
)


def facts_sent(fake_llm: FakeLLM) -> list[str]:
    """The facts the answer step was told to mention."""
    section = fake_llm.prompts()[-1].split("must mention:\n", 1)[1].split("\n\n", 1)[0]
    return [line.removeprefix("- ") for line in section.splitlines()]


def test_the_interpretation_is_the_question_asked_of_the_graph_and_its_cypher(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    cypher = EXAMPLES["Which model uses the least energy per inference?"]
    fake_llm.enqueue(cypher, "RandomForestRegressor-umu-KFold.")
    answer = Assistant(llm_settings, cards_graph).ask("least energy per inference", engine="llm")
    asked, ran, checked = answer.interpretation.splitlines()
    assert (asked, ran) == ("asked the graph: least energy per inference", f"Cypher: {' '.join(cypher.split())}")
    # The statement and the sentence passed the checks (filters, domain rules, grounding), and the answer says so.
    assert checked.startswith("checked: the statement keeps the question's names")
    assert answer.as_json()["interpretation"] == answer.interpretation


def test_a_follow_up_interpretation_holds_the_rewritten_question(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    assistant, conversation = Assistant(llm_settings, cards_graph), Conversation()
    fake_llm.enqueue(EXAMPLES["Which model has the lowest training carbon footprint on lumos5g?"], "KNN.")
    assistant.ask("Which model has the lowest training carbon footprint on lumos5g?", conversation=conversation)
    standalone = "Which model has the lowest training carbon footprint on umu?"
    umu = EXAMPLES["Which model has the lowest training carbon footprint on lumos5g?"].replace("lumos5g", "umu")
    fake_llm.enqueue(standalone, umu, "On umu ...")
    answer = assistant.ask("and on umu?", conversation=conversation)
    assert answer.interpretation.startswith(f"asked the graph: {standalone}\nCypher: MATCH")
    assert "{name: 'umu'}" in answer.interpretation


def test_a_refused_statement_is_in_the_interpretation_as_not_run(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue("MATCH (n) DETACH DELETE n")
    answer = Assistant(llm_settings, cards_graph).ask("clean up", engine="llm")
    assert not answer.answered
    assert answer.interpretation == "asked the graph: clean up\nCypher (not run): MATCH (n) DETACH DELETE n"


def test_a_descending_ranking_never_calls_the_lowest_measured_value_the_best(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(MOST_CO2_LUMOS, "RandomForestRegressor-lumos5g-KFold emitted the most.")
    answer = Assistant(llm_settings, cards_graph).ask("which lumos5g model emitted the most CO2?", engine="llm")
    models = [row["model"] for row in answer.rows]
    measured = [row["model"] for row in answer.rows if row["training_carbon_g"]]
    assert models[: len(measured)] == measured  # DESC: the measured come first, the zeros last
    facts = facts_sent(fake_llm)
    assert facts == answer.caveats
    assert len(facts) == 1 and "not ranked" in facts[0] and "not measured" in facts[0]
    assert "best measured result" not in " ".join(facts)  # the first row is already the highest measured


def test_a_lookup_of_an_unmeasured_carbon_says_not_measured_never_0_g_co2(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(LOOKUP % "XGBRegressor-lumos5g-KFold", "I don't know.")
    answer = Assistant(llm_settings, cards_graph).ask("carbon of XGBRegressor-lumos5g-KFold", engine="llm")
    (fact,) = answer.caveats
    assert fact.startswith("XGBRegressor-lumos5g-KFold has no measured training_carbon_g or cpu_energy_j")
    assert fact.endswith("means not measured, not 0 g CO2 / 0 J.")
    # The summary that replaces the refusal never prints an unmeasured carbon as "0 g CO2".
    row_line = answer.text.splitlines()[1]
    assert "training_carbon_g not measured" in row_line and "0 g CO2" not in row_line
    assert "gpu_energy_j 0 J" in row_line  # its device has no GPU: a real zero


def test_a_gpu_energy_of_0_on_a_cpu_only_training_is_not_called_not_measured(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(LOOKUP % "KNeighborsRegressor-lumos5g-KFold", "I don't know.")
    answer = Assistant(llm_settings, cards_graph).ask("energy of KNeighborsRegressor-lumos5g-KFold", engine="llm")
    assert answer.rows[0]["gpu_energy_j"] == 0 and answer.rows[0]["gpus"] == 0
    assert answer.caveats == [] and "not measured" not in answer.text
    assert "gpu_energy_j 0 J" in answer.text


def test_an_aggregate_answer_says_how_many_models_were_left_out(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(EXAMPLES["What is the average training carbon footprint per architecture?"], "Averages.")
    answer = Assistant(llm_settings, cards_graph).ask("average training carbon per architecture", engine="llm")
    left_out = [c for c in answer.caveats if "counts measured values only" in c]
    assert len(left_out) == 1 and "LinearRegression" in left_out[0]
    unmeasured = sum(row["models"] - row["measured_models"] for row in answer.rows)
    assert unmeasured == 22 - len(training()) > 0


def test_a_per_inference_threshold_answers_with_per_inference_values_from_the_cards(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(EXAMPLES["Which models use less than 0.01 J per inference?"], "All measured runs.")
    answer = Assistant(llm_settings, cards_graph).ask("models under 0.01 J per inference", engine="llm")
    expected = {(e.model, round(e.energy_per_inference_j, 12)) for e in measured_inference()}
    assert {(r["model"], round(r["energy_per_inference_j"], 12)) for r in answer.rows} == expected
    assert answer.caveats == [] and answer.pareto is None
    assert '"energy_per_inference_j"' in fake_llm.prompts()[-1]  # the answer step sees the column's name


@pytest.mark.parametrize(
    "question",
    [
        "What is the trade-off between accuracy and training carbon?",
        "Which models are on the Pareto front of r squared and carbon?",
        "best accuracy for its carbon",
    ],
)
def test_a_trade_off_answer_marks_the_pareto_front_of_the_measured_models(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM, question: str
) -> None:
    cypher = EXAMPLES["Which models give the best trade-off between accuracy and training carbon (Pareto front)?"]
    fake_llm.enqueue(cypher, "The best trade-offs are ...")
    answer = Assistant(llm_settings, cards_graph).ask(question, engine="llm")
    front = pareto_names(training())
    assert answer.pareto is not None
    assert {k: v for k, v in answer.pareto.items() if k != "front"} == {
        "x": "training_carbon_g",
        "y": "r_squared",
        "x_better": "lower",
        "y_better": "higher",
        "name": "model",
    }
    assert set(answer.pareto["front"]) == front
    # The answer step is told the front; the user's caveats are only the measurement facts.
    (told,) = [f for f in facts_sent(fake_llm) if f.startswith("Best trade-offs (Pareto front")]
    assert all(name in told for name in front) and f"{len(front)} of {len(training())} measured models" in told
    assert not any("Pareto" in c for c in answer.caveats)


def test_a_plain_ranking_has_no_pareto_front(cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(EXAMPLES["Which model is the most accurate on lumos5g?"], "XGB.")
    answer = Assistant(llm_settings, cards_graph).ask("most accurate model on lumos5g", engine="llm")
    assert answer.answered and answer.pareto is None


@pytest.mark.parametrize(
    ("question", "trade_off"),
    [
        ("What is the trade-off between accuracy and carbon?", True),
        ("tradeoff of latency and energy", True),
        ("Which models are Pareto-optimal?", True),
        ("balance accuracy and carbon", True),
        ("best accuracy for their energy", True),
        ("Which model has the best balanced accuracy?", False),
        ("most accurate model for the carbon budget of 1 g", False),
        ("greenest model on umu", False),
    ],
)
def test_which_questions_ask_for_a_trade_off(question: str, trade_off: bool) -> None:
    assert asks_trade_off(question, load_vocabulary().tradeoff_cues) is trade_off
