"""``mrm3 ask`` and ``mrm3 chat`` through click's CliRunner, with the scripted LLM server."""

from __future__ import annotations

import json

import pytest

from assistant.graph.connection import Graph
from tests.conftest import invoke_cli as run
from tests.fake_llm import FakeLLM

# cards_graph, fake_llm, llm_cli_env
pytest_plugins = ("tests.llm_fixtures",)

COUNT_PER_DATASET = (
    "MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset) RETURN d.name AS dataset, count(m) AS models ORDER BY models DESC"
)
GREENEST = (
    "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(d:Dataset {name: '%s'}) "
    "WHERE t.carbonFootprint > 0 RETURN m.name AS model, t.carbonFootprint AS training_carbon_g "
    "ORDER BY t.carbonFootprint ASC LIMIT 3"
)


def test_ask_json_with_the_llm_prints_exactly_the_contract(
    cards_graph: Graph, llm_cli_env: dict[str, str], fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(COUNT_PER_DATASET, "umu has 11 models; lumos5g and logatec-winter have 4 each.")
    code, out, _ = run(llm_cli_env, "ask", "--json", "--engine", "llm", "How many models per dataset?")
    assert code == 0
    result = json.loads(out)
    assert list(result)[:5] == ["question", "engine", "cypher", "rows", "answer"]
    assert result["question"] == "How many models per dataset?"
    assert result["engine"] == "llm"
    assert result["cypher"].startswith(COUNT_PER_DATASET) and "LIMIT" in result["cypher"]
    assert result["rows"][0] == {"dataset": "umu", "models": 11}
    assert all(set(row) == {"dataset", "models"} for row in result["rows"])
    assert result["answer"].startswith("umu has 11 models")
    # Added after the five: what the LLM engine asked the graph, the Cypher it ran, and what was checked.
    lines = result["interpretation"].splitlines()
    assert lines[:2] == ["asked the graph: How many models per dataset?", f"Cypher: {result['cypher']}"]
    assert lines[2].startswith("checked: ")
    # ... then the notes the text output prints, as a list.
    assert list(result)[5:] == ["interpretation", "answered", "notes"] and isinstance(result["notes"], list)


def test_ask_auto_uses_the_configured_llm(cards_graph: Graph, llm_cli_env: dict[str, str], fake_llm: FakeLLM) -> None:
    fake_llm.enqueue(COUNT_PER_DATASET, "Per dataset counts.")
    code, out, _ = run(llm_cli_env, "ask", "--json", "How many models per dataset?")
    assert code == 0 and json.loads(out)["engine"] == "llm"


def test_ask_shows_the_answer_the_cypher_and_a_table(
    cards_graph: Graph, llm_cli_env: dict[str, str], fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(COUNT_PER_DATASET, "umu has the most models (11).")
    code, out, err = run(llm_cli_env, "ask", "--engine", "llm", "How many models per dataset?")
    assert code == 0
    # What the engine asked the graph comes first, then the answer.
    interpretation, answer = out.split("\n\n", 1)
    assert interpretation.startswith("asked the graph: How many models per dataset?\nCypher: MATCH (m:Model)")
    assert answer.startswith("umu has the most models (11).")
    assert "Cypher (llm):\nMATCH (m:Model)-[:TRAINED_ON]->(d:Dataset)" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == ["dataset", "models"])
    assert set(lines[header + 1]) == {"-", " "}  # the rule under the header
    rows = [line.split() for line in lines[header + 2 :]]
    assert rows == [["umu", "11"], ["lumos5g", "4"], ["logatec-winter", "4"], ["logatec-spring", "3"]]
    assert "4 rows" in err


def test_a_refused_statement_is_reported_in_the_json_and_nothing_runs(
    cards_graph: Graph, llm_cli_env: dict[str, str], fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue("MATCH (n) DETACH DELETE n")
    code, out, _ = run(llm_cli_env, "ask", "--json", "--engine", "llm", "delete everything")
    assert code == 0
    result = json.loads(out)
    assert result["rows"] == [] and result["cypher"] is None and "refused" in result["answer"]
    assert cards_graph.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"] == 22


def test_ask_with_the_llm_engine_but_no_llm_is_one_readable_line(cards_graph: Graph, cli_env: dict[str, str]) -> None:
    code, out, err = run(cli_env, "ask", "--engine", "llm", "greenest model?")
    assert code == 1 and out == ""
    *status, error = err.strip().splitlines()
    assert error.startswith("Error: No LLM is configured - set OPENAI_API_KEY")
    assert "Traceback" not in err and all(line.startswith("Using the embedded") for line in status)


def test_ask_auto_without_any_llm_uses_the_offline_engine(cards_graph: Graph, cli_env: dict[str, str]) -> None:
    code, out, err = run(cli_env, "ask", "--json", "Which model has the lowest training carbon on lumos5g?")
    assert code == 0, err
    reply = json.loads(out)
    assert reply["engine"] == "offline"
    assert reply["rows"] and {row["dataset"] for row in reply["rows"]} == {"lumos5g"}


def test_an_unreachable_llm_is_one_readable_line(cards_graph: Graph, cli_env: dict[str, str]) -> None:
    env = {**cli_env, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "x"}
    code, _, err = run(env, "ask", "--engine", "llm", "greenest model?")
    assert code == 1 and "Cannot reach the LLM at http://127.0.0.1:9/v1" in err and "Traceback" not in err


def test_an_unknown_engine_is_a_usage_error(cli_env: dict[str, str]) -> None:
    code, _, err = run(cli_env, "ask", "--engine", "magic", "q")
    assert code == 2 and "'magic' is not one of 'auto', 'llm', 'offline'" in err


def test_chat_keeps_history_and_rewrites_follow_ups(
    cards_graph: Graph, llm_cli_env: dict[str, str], fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(GREENEST % "lumos5g", "On lumos5g: KNeighborsRegressor-lumos5g-KFold.")
    fake_llm.enqueue("Which measured model has the lowest training carbon on umu?", GREENEST % "umu", "On umu: KNN.")
    stdin = "Which measured model has the lowest training carbon on lumos5g?\nand on umu?\nexit\n"
    code, out, err = run(llm_cli_env, "chat", "--engine", "llm", stdin=stdin)
    assert code == 0, err
    assert "On lumos5g: KNeighborsRegressor-lumos5g-KFold." in out and "On umu: KNN." in out
    # The follow-up as the engine asked it of the graph, above its answer, with the Cypher it ran.
    assert "asked the graph: Which measured model has the lowest training carbon on umu?\nCypher: MATCH" in out
    assert out.index("asked the graph: Which measured model has the lowest training carbon on umu?") < out.index(
        "On umu: KNN."
    )
    assert "KNeighborsRegressor-umu-LeaveOneGroupOut" in out  # the table of the second answer
    rewrite = fake_llm.prompts()[2]
    assert "lumos5g" in rewrite and "Follow-up question: and on umu?" in rewrite
    assert len(fake_llm.requests) == 5


def test_chat_ends_on_eof_and_survives_a_bad_question(cards_graph: Graph, cli_env: dict[str, str]) -> None:
    code, out, err = run(cli_env, "chat", "--engine", "llm", stdin="greenest model?\n")
    assert code == 0
    assert "Error: No LLM is configured" in err and "Traceback" not in err
    assert out.strip() == ""


@pytest.mark.parametrize("word", ["exit", "quit", "EXIT"])
def test_chat_ends_on_an_exit_word(cards_graph: Graph, cli_env: dict[str, str], word: str) -> None:
    code, _, _ = run(cli_env, "chat", stdin=f"{word}\nnever asked\n")
    assert code == 0


def test_ask_json_with_the_offline_engine_has_the_same_contract(cards_graph: Graph, cli_env: dict[str, str]) -> None:
    code, out, _ = run(cli_env, "ask", "--json", "--engine", "offline", "How many models are there?")
    assert code == 0
    result = json.loads(out)
    assert list(result)[:5] == ["question", "engine", "cypher", "rows", "answer"] and result["engine"] == "offline"
