"""The chat page through Streamlit's own AppTest, against the real embedded server: start-up and errors."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.graph.connection import Graph
from tests.conftest import free_port
from tests.fake_llm import FakeLLM
from tests.ui_page import assert_no_traceback, page_text, start_page

# sample_graph, page_env, llm_env, fresh_caches (and fake_llm)
pytest_plugins = ("tests.ui_fixtures",)
pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_start_up_shows_the_server_counts_examples_and_schema(
    sample_graph: Graph, page_env: dict[str, str], settings: Settings
) -> None:
    at = start_page()

    assert_no_traceback(at)
    assert not at.error
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert "Embedded graph server at bolt://127.0.0.1:" in sidebar
    assert "Model 48" in sidebar
    assert "Offline engine" in sidebar
    examples = [b.label for b in at.sidebar.button if b.key and b.key.startswith("example-")]
    datasets = {row["name"] for row in sample_graph.read("MATCH (d:Dataset) RETURN d.name AS name")}
    assert examples and any(name in q for q in examples for name in datasets)
    assert any(e.label == "Graph schema" for e in at.sidebar.expander)
    assert "(Model)-[:TRAINED_ON]->(Dataset)" in page_text(at)
    assert len(at.chat_input) == 1
    # The embedded server's password never reaches the page.
    password = (settings.home / "password").read_text().strip()
    assert password and password not in page_text(at)


def test_an_empty_graph_says_how_to_fill_it(empty_graph: Graph, page_env: dict[str, str]) -> None:
    at = start_page()

    assert_no_traceback(at)
    assert any("graph is empty" in i.value for i in at.info)


# -- errors -----------------------------------------------------------------------


def test_an_unreachable_graph_server_is_a_friendly_error(
    page_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NEO4J_PASSWORD", "hunter2-not-on-the-page")

    at = start_page()

    assert_no_traceback(at)
    assert len(at.error) == 1
    assert "Cannot reach the graph server at bolt://127.0.0.1:" in at.error[0].value
    assert "hunter2" not in page_text(at)


def test_an_unreachable_llm_is_a_friendly_error_in_the_chat(
    sample_graph: Graph, page_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-not-on-the-page")
    at = start_page()
    at.sidebar.radio[0].set_value("llm").run()

    at.chat_input[0].set_value("Which model is the greenest?").run()

    assert_no_traceback(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    (error,) = at.chat_message[1].error
    assert "LLM" in error.value or "OPENAI" in error.value
    assert "sk-secret" not in page_text(at)


def test_a_refused_statement_is_shown_as_a_caveat(sample_graph: Graph, llm_env: FakeLLM) -> None:
    before = sample_graph.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"]
    llm_env.enqueue("MATCH (m:Model) DETACH DELETE m")
    at = start_page()

    at.chat_input[0].set_value("Delete every model").run()

    assert_no_traceback(at)
    assert any("Refused statement" in w.value for w in at.chat_message[1].warning)
    assert sample_graph.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"] == before
