"""Plan first: the LLM fills the typed plan, the project's compiler and explainer answer it.

Through the real langchain-openai client against the scripted server, on the real embedded graph with the 22
MRM3 cards: the plan arrives as a tool call or as structured output (response_format), an invalid plan goes
back to the model once with an error naming the allowed values, and a plan that fails twice (or that the model
says cannot express the question) falls back to raw Cypher, verified.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from assistant.plan.model import PLAN_TOOL, QueryPlan
from tests.conftest import invoke_cli
from tests.fake_llm import FakeLLM

pytest_plugins = ("tests.llm_fixtures",)

GREENEST_UMU = {"answer": "rank", "metric": "training_carbon", "entities": [{"kind": "dataset", "value": "umu"}]}
# From the card files: the lowest measured training carbon among the umu models.
UMU_GREENEST = "KNeighborsRegressor-umu-LeaveOneGroupOut"


def system_prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][0]["content"])


def test_a_plan_by_tool_call_is_compiled_and_explained_by_the_application(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_tool_call(PLAN_TOOL, GREENEST_UMU)
    answer = Assistant(plan_settings, cards_graph).ask("which umu model is the greenest?", engine="llm")
    assert answer.engine == "llm" and answer.answered
    assert answer.rows[0]["model"] == UMU_GREENEST
    # The answer says what it understood, from the plan, with the offline engine's caveats (unmeasured zeros).
    assert answer.interpretation.startswith("understood as: the model with the lowest training carbon footprint")
    assert "umu" in answer.interpretation
    assert any("NOT MEASURED" in c for c in answer.caveats)
    assert answer.caveats[0].startswith("The LLM filled the typed plan (a tool call)")
    assert not any(n.startswith(("Not verified", "The two engines disagree")) for n in answer.as_json()["notes"])
    # One request: the tool, forced, with the live graph's metric names; the values the question mentions.
    (body,) = fake_llm.requests
    assert body["tool_choice"]["function"]["name"] == PLAN_TOOL
    schema = body["tools"][0]["function"]["parameters"]
    assert "training_carbon" in schema["properties"]["metric"]["anyOf"][0]["enum"]
    assert "dataset" in schema["$defs"]["PlanEntity"]["properties"]["kind"]["enum"]
    assert "Dataset.name = 'umu'" in system_prompt(body)


def test_a_plan_by_structured_output_takes_the_same_way(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_json(GREENEST_UMU)
    settings = plan_settings.with_overrides(llm_plan="json_schema")
    answer = Assistant(settings, cards_graph).ask("which umu model is the greenest?", engine="llm")
    assert answer.rows[0]["model"] == UMU_GREENEST
    (body,) = fake_llm.requests
    assert body["response_format"]["type"] == "json_schema" and "tools" not in body
    assert answer.caveats[0].startswith("The LLM filled the typed plan (structured output)")


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"answer": "rank", "metric": "co2_emissions", "entities": [{"kind": "dataset", "value": "umu"}]},
         "unknown metric 'co2_emissions' - use one of: "),
        ({"answer": "list", "conditions": [{"metric": "training_carbon", "op": "<", "value": 1, "unit": "ms"}]},
         "conditions[0].unit 'ms' does not fit training_carbon - use one of: "),
        ({"answer": "rank", "metric": "training_carbon", "entities": [{"kind": "planet", "value": "umu"}]},
         "unknown entities[0].kind 'planet' - use one of: "),
        ({"answer": "teleport"}, "the plan does not fit its schema (answer: "),
        ("{not json", "the reply held no plan that parses"),
    ],
    ids=["an unknown metric", "a unit that does not fit", "an unknown entity kind", "an unknown answer", "not JSON"],
)  # fmt: skip
def test_an_invalid_plan_goes_back_once_with_the_error_and_the_repaired_plan_answers(
    bad: dict[str, Any] | str, named: str, cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_tool_call(PLAN_TOOL, bad)
    fake_llm.enqueue_tool_call(PLAN_TOOL, GREENEST_UMU)
    answer = Assistant(plan_settings, cards_graph).ask("greenest model on umu", engine="llm")
    assert answer.rows[0]["model"] == UMU_GREENEST
    first, second = fake_llm.requests
    assert "refused" not in system_prompt(first)
    assert named in system_prompt(second)  # the error names what is allowed
    if "use one of" in named:
        assert "training_carbon" in system_prompt(second).split(named, 1)[1]


def test_a_plan_refused_twice_falls_back_to_raw_cypher_which_is_verified(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_tool_call(PLAN_TOOL, {"answer": "rank", "metric": "co2"})
    fake_llm.enqueue_tool_call(PLAN_TOOL, {"answer": "rank", "metric": "co2"})
    cypher = (
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(d:Dataset {name: 'umu'}) "
        "WHERE t.carbonFootprint > 0 RETURN m.name AS model, t.carbonFootprint AS carbon_g "
        "ORDER BY carbon_g ASC LIMIT 1"
    )
    fake_llm.enqueue(cypher, f"{UMU_GREENEST} emitted the least.")
    answer = Assistant(plan_settings, cards_graph).ask("greenest model on umu", engine="llm")
    assert answer.answered and answer.text.startswith(f"{UMU_GREENEST} emitted the least.")
    assert answer.caveats[0].startswith("Answered from the model's own Cypher because the model's plan was refused")
    assert "unknown metric 'co2'" in answer.caveats[0]


def test_when_neither_plan_nor_cypher_works_the_answer_declines_in_one_line(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_tool_call(PLAN_TOOL, {"answer": "rank", "metric": "co2"})
    fake_llm.enqueue_tool_call(PLAN_TOOL, {"answer": "rank", "metric": "co2"})
    fake_llm.enqueue("MATCH (m:Model) RETURN m.colour", "MATCH (m:Model) RETURN m.colour")
    answer = Assistant(plan_settings, cards_graph).ask("greenest model on umu", engine="llm")
    assert not answer.answered
    assert len(answer.text.splitlines()) == 1 and answer.text.startswith("I could not answer this from the graph")


def test_a_model_that_says_the_plan_cannot_express_the_question_gets_its_cypher_verified(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_tool_call(PLAN_TOOL, {"answer": "cannot", "cannot_answer": "it needs a subquery"})
    fake_llm.enqueue("MATCH (m:Model) RETURN count(m) AS models", "There are 23 models.")
    answer = Assistant(plan_settings, cards_graph).ask("how many models are there?", engine="llm")
    assert "the model said the plan cannot express it (it needs a subquery)" in answer.caveats[-1]
    assert "Not verified: the sentence states 23, which the rows do not hold" in answer.caveats
    assert "What the rows hold" in answer.text and not answer.text.startswith("There are 23")


def test_a_name_the_graph_lacks_is_reported_even_when_the_plan_drops_it(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_tool_call(PLAN_TOOL, {"answer": "rank", "metric": "training_carbon"})  # cifar10 left out
    answer = Assistant(plan_settings, cards_graph).ask("greenest model on cifar10", engine="llm")
    assert not answer.answered and not answer.rows
    assert "'cifar10' is not in the graph" in answer.text
    assert "The plan left out 'cifar10', which the question names." in answer.caveats


def test_a_plan_on_another_value_than_the_question_names_is_flagged_with_the_offline_answer(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    wrong = {"answer": "rank", "metric": "training_carbon", "entities": [{"kind": "dataset", "value": "lumos5g"}]}
    fake_llm.enqueue_tool_call(PLAN_TOOL, wrong)
    answer = Assistant(plan_settings, cards_graph).ask("greenest model on umu", engine="llm")
    assert not answer.answered
    assert "Not verified: the question names dataset umu, which the plan drops" in answer.caveats
    assert "Not verified: the plan filters on lumos5g, which the question does not name" in answer.caveats
    assert answer.text.startswith("I can't vouch for the model's plan")
    assert "The offline engine's answer" in answer.text and UMU_GREENEST in answer.text


def test_a_plan_that_sums_where_the_question_asks_an_average_is_flagged(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    summed = {"answer": "aggregate", "metric": "training_carbon", "aggregate": "sum"}
    fake_llm.enqueue_tool_call(PLAN_TOOL, summed)
    question = "what is the average training carbon of all models?"
    answer = Assistant(plan_settings, cards_graph).ask(question, engine="llm")
    assert any(c.startswith("Not verified: the question asks for an average (avg)") for c in answer.caveats)
    with_auto = Assistant(plan_settings, cards_graph)
    fake_llm.enqueue_tool_call(PLAN_TOOL, summed)
    answer = with_auto.ask(question, engine="auto")
    assert answer.engine == "offline" and answer.rows and "avg_carbon_g" in answer.rows[0]


def test_ask_json_carries_the_plan_paths_notes_after_the_contract_keys(
    cards_graph: Graph, llm_cli_env: dict[str, str], fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_tool_call(PLAN_TOOL, GREENEST_UMU)
    env = {**llm_cli_env, "MRM3_LLM_PLAN": "tools"}
    code, out, _ = invoke_cli(env, "ask", "--json", "--engine", "llm", "greenest model on umu")
    assert code == 0
    result = json.loads(out)
    assert list(result) == ["question", "engine", "cypher", "rows", "answer", "interpretation", "answered", "notes"]
    assert result["engine"] == "llm" and result["rows"][0]["model"] == UMU_GREENEST
    assert any("NOT MEASURED" in n for n in result["notes"])
    code, out, _ = invoke_cli(env, "ask", "--json", "--engine", "offline", "greenest model on umu")
    offline = json.loads(out)
    assert list(offline)[-1] == "notes" and any("NOT MEASURED" in n for n in offline["notes"])


def test_the_plan_schema_is_published_with_a_json_schema() -> None:
    schema = QueryPlan.model_json_schema()
    assert {"answer", "metric", "entities", "conditions", "group_by", "aggregate"} <= set(schema["properties"])
    assert QueryPlan.model_validate(GREENEST_UMU).entities[0].value == "umu"


def test_an_endpoint_without_tool_calling_gets_raw_cypher_verified_instead(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue_error(400, "this model does not support tools")
    fake_llm.enqueue("MATCH (m:Model) RETURN count(m) AS models", "There are 22 models.")
    answer = Assistant(plan_settings, cards_graph).ask("how many models are there?", engine="llm")
    assert answer.answered and answer.text.startswith("There are 22 models.")
    assert "the endpoint refused the plan request" in answer.caveats[0] and "MRM3_LLM_PLAN=off" in answer.caveats[0]


def test_a_plan_that_keeps_what_the_question_excludes_is_flagged(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    kept = {"answer": "group_best", "metric": "training_carbon", "group_by": "architecture",
            "entities": [{"kind": "dataset", "value": "umu"}]}  # fmt: skip
    fake_llm.enqueue_tool_call(PLAN_TOOL, kept)
    question = "for each architecture, which model has the lowest training carbon, excluding umu?"
    answer = Assistant(plan_settings, cards_graph).ask(question, engine="llm")
    assert "Not verified: the question excludes umu; the plan does the opposite" in answer.caveats
    assert not answer.answered


def test_a_model_the_plan_adds_is_flagged_and_an_empty_value_is_refused(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    added = {"answer": "group_best", "metric": "training_carbon", "group_by": "dataset",
             "entities": [{"kind": "model", "value": "XGBRegressor"}]}  # fmt: skip
    fake_llm.enqueue_tool_call(PLAN_TOOL, added)
    answer = Assistant(plan_settings, cards_graph).ask("greenest model on each dataset?", engine="llm")
    assert "Not verified: the plan asks about model 'XGBRegressor', which the question does not name" in answer.caveats
    empty = {"answer": "rank", "metric": "training_carbon", "entities": [{"kind": "model", "value": ""}]}
    fake_llm.enqueue_tool_call(PLAN_TOOL, empty)
    fake_llm.enqueue_tool_call(PLAN_TOOL, GREENEST_UMU)
    answer = Assistant(plan_settings, cards_graph).ask("greenest model on umu", engine="llm")
    assert "entities.0.value: String should have at least 1 character" in system_prompt(fake_llm.requests[-1])
    assert answer.rows[0]["model"] == UMU_GREENEST
