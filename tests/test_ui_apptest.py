"""The chat page through Streamlit's own AppTest, against the real embedded server.

The page reads its settings from the environment (``Settings.from_env``), so
each test points MRM3_HOME / MRM3_BOLT_PORT at the session's server. The LLM
path talks to the scripted loopback server of ``tests/fake_llm.py``.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant.config import Settings
from assistant.graph.connection import Graph
from ingest.ingester import ingest_paths
from ingest.sample import generate_cards, write_catalog
from ingest.writer import reset
from tests.conftest import REPO, free_port
from tests.fake_llm import FakeLLM
from tests.llm_fixtures import fake_llm, fake_llm_server  # noqa: F401

APP = str(REPO / "streamlit_app.py")
TIMEOUT_S = 90

GREENEST = """
MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(d:Dataset {{name: '{dataset}'}})
WHERE t.carbonFootprint > 0
RETURN m.name AS model, t.carbonFootprint AS training_carbon_g
ORDER BY t.carbonFootprint ASC
LIMIT 5
"""
TRADE_OFF = """
MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)
WHERE t.accuracy_mean IS NOT NULL
RETURN m.name AS model, t.accuracy_mean AS accuracy, t.carbonFootprint AS training_carbon_g
ORDER BY accuracy DESC
"""


# -- fixtures -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample-catalog")
    write_catalog(directory)
    return directory


@pytest.fixture
def sample_graph(session_graph: Graph, sample_dir: Path) -> Graph:
    """The session's graph holding exactly the sample catalog the demo shows."""
    reset(session_graph)
    report = ingest_paths(session_graph, [sample_dir])
    assert report.ok
    return session_graph


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Each test builds its own driver, schema and assistant (the fixtures reset the graph)."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture
def page_env(monkeypatch: pytest.MonkeyPatch, cli_env: dict[str, str]) -> dict[str, str]:
    """Point the page at the session's embedded server, with no LLM."""
    for name, value in cli_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MRM3_RAISE_ERRORS", raising=False)
    return cli_env


@pytest.fixture
def llm_env(page_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM) -> FakeLLM:  # noqa: F811
    """The page with the LLM pointed at the scripted server."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-do-not-show")
    monkeypatch.setenv("OPENAI_MODEL", "fake-model")
    return fake_llm


# -- helpers --------------------------------------------------------------------


def start_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    return at


def page_text(at: AppTest) -> str:
    """Every string on the page (main area and sidebar), from the elements' protobufs."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def assert_no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert "Traceback" not in text and 'File "' not in text


def charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def lowest_carbon(graph: Graph, dataset: str) -> str:
    rows = graph.read(GREENEST.format(dataset=dataset))
    return str(rows[0]["model"])


def classification_dataset(graph: Graph) -> str:
    rows = graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(:Model)-[:TRAINED_ON]->(d:Dataset) "
        "WHERE t.accuracy_mean IS NOT NULL AND t.carbonFootprint > 0 "
        "RETURN d.name AS name, count(*) AS n ORDER BY n DESC, name LIMIT 2"
    )
    return str(rows[0]["name"])


def regression_dataset(graph: Graph) -> str:
    rows = graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(:Model)-[:TRAINED_ON]->(d:Dataset) "
        "WHERE t.mae_mean IS NOT NULL AND t.carbonFootprint > 0 "
        "RETURN d.name AS name, count(*) AS n ORDER BY n DESC, name LIMIT 1"
    )
    return str(rows[0]["name"])


def card_bytes(card: dict[str, Any]) -> bytes:
    return json.dumps(card).encode()


# -- start-up -------------------------------------------------------------------


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
    assert any("MATCH" in code.value and "carbonFootprint" in code.value for code in reply.code)
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


# -- uploads -------------------------------------------------------------------------


def test_an_upload_lands_in_the_graph_with_the_validation_report(sample_graph: Graph, page_env: dict[str, str]) -> None:
    card = generate_cards(count=1, seed=7)[0] | {"name": "uploaded-by-apptest"}
    at = start_page()
    uploader = at.sidebar.file_uploader[0]

    uploader.set_value(
        [
            ("good.json", card_bytes(card), "application/json"),
            ("broken.json", b'{"name": "broken", ', "application/json"),
        ]
    ).run()
    at.button(key="upload-ingest").click().run()

    assert_no_traceback(at)
    rows = sample_graph.read("MATCH (m:Model {name: 'uploaded-by-apptest'}) RETURN m.source AS source")
    assert rows == [{"source": "upload:good.json"}]
    report = [e.value for e in at.sidebar.error]
    assert any("1 models written" in line and "1 rejected" in line for line in report)
    assert any(line.startswith("rejected: upload:broken.json") for line in report)
    # The schema cache was invalidated: the sidebar counts the new model.
    assert any("Model 49" in c.value for c in at.sidebar.caption)


def test_the_upload_handler_ingests_a_zip_and_names_the_uploaded_files(sample_graph: Graph) -> None:
    # The page's handler, called directly: a zip of cards as the browser would send it.
    from assistant.ui.uploads import Upload, ingest_uploads

    good = generate_cards(count=2, seed=11)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cards/one.json", card_bytes(good[0] | {"name": "zip-one"}))
        archive.writestr("cards/two.json", card_bytes(good[1] | {"name": "zip-two"}))
        archive.writestr("cards/bad.json", card_bytes({"name": "no-fields"}))

    report = ingest_uploads(sample_graph, [Upload("batch.zip", buffer.getvalue())])

    assert report.models_written == 2
    assert {p.source for p in report.rejected} == {"upload:batch.zip!cards/bad.json"}
    rows = sample_graph.read("MATCH (m:Model) WHERE m.name STARTS WITH 'zip-' RETURN m.source AS s ORDER BY s")
    assert [r["s"] for r in rows] == ["upload:batch.zip!cards/one.json", "upload:batch.zip!cards/two.json"]


def test_the_upload_handler_keeps_hostile_file_names_inside_its_temporary_folder(
    sample_graph: Graph, tmp_path: Path
) -> None:
    from assistant.ui.uploads import Upload, ingest_uploads

    card = generate_cards(count=1, seed=13)[0]
    uploads = [
        Upload("../../escape.json", card_bytes(card | {"name": "hostile-one"})),
        Upload("../../escape.json", card_bytes(card | {"name": "hostile-two"})),
    ]

    report = ingest_uploads(sample_graph, uploads)

    assert report.ok and report.models_written == 2
    assert not (tmp_path.parent / "escape.json").exists()
    rows = sample_graph.read("MATCH (m:Model) WHERE m.name STARTS WITH 'hostile-' RETURN m.source AS s")
    assert {r["s"] for r in rows} == {"upload:../../escape.json"}


# -- the command ---------------------------------------------------------------------


def test_mrm3_ui_runs_streamlit_headless_on_localhost_from_the_repository() -> None:
    from click.testing import CliRunner

    from assistant.cli import cli
    from assistant.cli.ui import find_app, streamlit_command

    app = find_app()
    command = streamlit_command(app, port=8600, address="127.0.0.1")

    assert app == REPO / "streamlit_app.py"
    assert command[1:5] == ["-m", "streamlit", "run", str(app)]
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    # Headless always: a first non-headless run would stop `make demo` to ask for an email address.
    assert command[command.index("--server.headless") + 1] == "true"
    result = CliRunner().invoke(cli, ["ui", "--help"])
    assert result.exit_code == 0 and "--no-browser" in result.output and "--port" in result.output
