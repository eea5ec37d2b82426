"""Questions on the chat page (AppTest): answers, Cypher, tables and charts, offline and through the scripted LLM."""

from __future__ import annotations

import json

import pytest

from assistant.graph.connection import Graph
from tests.fake_llm import FakeLLM
from tests.ui_page import (
    GREENEST,
    TRADE_OFF,
    assert_no_traceback,
    charts,
    classification_dataset,
    lowest_carbon,
    regression_dataset,
    start_page,
)

# sample_graph, page_env, llm_env, fresh_caches (and fake_llm)
pytest_plugins = ("tests.ui_fixtures",)
pytestmark = pytest.mark.usefixtures("fresh_caches")


# -- questions (offline engine: what this page uses without an LLM) ---------------------


def test_a_question_shows_the_answer_the_cypher_and_a_table_with_the_right_model(
    sample_graph: Graph, page_env: dict[str, str]
) -> None:
    dataset = "imagenet-subset"
    expected = lowest_carbon(sample_graph, dataset)
    at = start_page()

    at.chat_input[0].set_value(f"Which model has the lowest training carbon footprint on {dataset}?").run()

    assert_no_traceback(at)
    assert not at.error
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    reply = at.chat_message[1]
    assert any(expected in md.value for md in reply.markdown)
    assert any(e.label == "Cypher that ran" for e in reply.expander)
    assert any("MATCH" in code.value and "trainingCarbon" in code.value for code in reply.code)
    table = reply.dataframe[0].value
    assert table["model"].iloc[0] == expected
    assert any("offline engine" in c.value for c in reply.caption)


def test_a_second_question_keeps_the_conversation_on_the_page(sample_graph: Graph, page_env: dict[str, str]) -> None:
    at = start_page()
    at.chat_input[0].set_value("Which model has the lowest training carbon footprint on imdb?").run()

    at.chat_input[0].set_value("How many models were trained on each dataset?").run()

    assert_no_traceback(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
    assert at.chat_message[1].dataframe[0].value["model"].iloc[0] == lowest_carbon(sample_graph, "imdb")
    counts = at.chat_message[3].dataframe[0].value
    assert set(counts.columns) >= {"dataset", "models"} and counts["models"].sum() == 48
    # Groups compared on one number: a bar chart.
    assert any(json.loads(c.proto.spec)["mark"]["type"] == "bar" for c in at.get("vega_lite_chart")[-1:])
    assert len(at.session_state["mrm3_conversation"].turns) == 2


def test_unmeasured_zeros_are_a_visible_warning(sample_graph: Graph, page_env: dict[str, str]) -> None:
    at = start_page()

    at.chat_input[0].set_value("Which model has the lowest training carbon footprint on cifar10?").run()

    assert_no_traceback(at)
    reply = at.chat_message[1]
    assert any("NOT MEASURED" in w.value.upper() for w in reply.warning)
    # Said once, in the warning box, not again in the explanation above it.
    assert not any("NOT MEASURED" in md.value.upper() for md in reply.markdown)
    assert any("lowest carbon footprint" in md.value for md in reply.markdown)


def test_a_question_it_cannot_map_is_told_so_not_an_error(sample_graph: Graph, page_env: dict[str, str]) -> None:
    at = start_page()

    at.chat_input[0].set_value("What is the meaning of life?").run()

    assert_no_traceback(at)
    assert not at.error and not at.dataframe
    assert any("can't answer" in i.value or "cannot" in i.value for i in at.chat_message[1].info)


def test_every_example_question_from_the_catalog_gets_an_answered_table(
    sample_graph: Graph, page_env: dict[str, str]
) -> None:
    at = start_page()
    keys = [b.key for b in at.sidebar.button if b.key and b.key.startswith("example-")]
    assert len(keys) >= 4

    for turn, key in enumerate(keys):
        at.button(key=key).click().run()
        reply = at.chat_message[2 * turn + 1]
        assert not reply.error and not reply.info, at.button(key=key).label
        assert reply.dataframe, at.button(key=key).label

    assert_no_traceback(at)


# -- questions (LLM path, scripted) --------------------------------------------------


def test_a_question_shows_the_answer_the_cypher_a_table_and_a_chart(sample_graph: Graph, llm_env: FakeLLM) -> None:
    dataset = regression_dataset(sample_graph)
    expected = lowest_carbon(sample_graph, dataset)
    llm_env.enqueue(GREENEST.format(dataset=dataset), f"The greenest model to train on {dataset} is {expected}.")
    at = start_page()

    at.chat_input[0].set_value(f"Which model has the lowest training carbon footprint on {dataset}?").run()

    assert_no_traceback(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert any(f"is {expected}." in md.value for md in at.chat_message[1].markdown)
    assert any(e.label == "Cypher that ran" for e in at.expander)
    assert any(f"{{name: '{dataset}'}}" in code.value for code in at.code)
    table = at.dataframe[0].value
    assert list(table.columns) == ["model", "training_carbon_g"]
    assert table["model"].iloc[0] == expected
    # One model column and one numeric column: a bar chart of that column.
    (spec,) = charts(at)
    assert "bar" in json.dumps(spec)


def test_a_follow_up_is_rewritten_with_the_conversation(sample_graph: Graph, llm_env: FakeLLM) -> None:
    first = regression_dataset(sample_graph)
    second = classification_dataset(sample_graph)
    first_q = f"Which model has the lowest training carbon footprint on {first}?"
    second_q = f"Which model has the lowest training carbon footprint on {second}?"
    llm_env.enqueue(GREENEST.format(dataset=first), "First answer.")
    at = start_page()
    at.chat_input[0].set_value(first_q).run()

    llm_env.enqueue(second_q, GREENEST.format(dataset=second), "Second answer.")
    at.chat_input[0].set_value(f"and on {second}?").run()

    assert_no_traceback(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
    # The rewrite prompt carried the first question; the page says how the follow-up was read.
    rewrite_prompt = llm_env.prompts()[2]
    assert first_q in rewrite_prompt and f"and on {second}?" in rewrite_prompt
    assert any(second_q in c.value for c in at.chat_message[3].caption)
    assert at.dataframe[1].value["model"].iloc[0] == lowest_carbon(sample_graph, second)
    # The first answer is still on the page.
    assert at.dataframe[0].value["model"].iloc[0] == lowest_carbon(sample_graph, first)


def test_a_trade_off_question_shows_a_scatter_with_the_best_trade_offs(sample_graph: Graph, llm_env: FakeLLM) -> None:
    llm_env.enqueue(TRADE_OFF, "Here is accuracy against training carbon.")
    at = start_page()

    at.chat_input[0].set_value("Compare the accuracy and training carbon footprint of the models.").run()

    assert_no_traceback(at)
    (spec,) = charts(at)
    text = json.dumps(spec)
    assert "circle" in text and "best trade-off" in text
    assert any("best trade-offs" in c.value for c in at.caption)


def test_an_example_question_is_asked_when_clicked(sample_graph: Graph, llm_env: FakeLLM) -> None:
    dataset = sorted(row["name"] for row in sample_graph.read("MATCH (d:Dataset) RETURN d.name AS name"))[0]
    llm_env.enqueue(GREENEST.format(dataset=dataset), "Clicked.")
    at = start_page()
    button = next(b for b in at.sidebar.button if b.key == "example-0")
    assert dataset in button.label

    button.click().run()

    assert_no_traceback(at)
    assert at.chat_message[0].markdown[0].value.replace("\\", "") == button.label
    assert any("Clicked." in md.value for md in at.chat_message[1].markdown)
