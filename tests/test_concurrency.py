"""Many questions at once: parallel CLI processes and threads share one graph server and all answer correctly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from ingest.ingester import ingest_paths
from ingest.sample import write_catalog
from ingest.writer import reset
from tests.conftest import MRM3_CARDS, mrm3_card_files

# cards_graph
pytest_plugins = ("tests.llm_fixtures",)

QUESTIONS = {
    "greenest model on lumos5g": "carbon",
    "most accurate model on umu": "mae",
    "how many models are there": "models",
    "fastest model on the raspberry pi": "latency",
}


def _cards() -> list[dict[str, Any]]:
    return [json.loads(f.read_text(encoding="utf-8")) for f in mrm3_card_files()]


def _greenest_lumos(cards: list[dict[str, Any]]) -> str:
    measured = [c for c in cards if c["dataset"]["name"] == "lumos5g" and c["training"]["carbonFootprint"] > 0]
    return min(measured, key=lambda c: c["training"]["carbonFootprint"])["name"]


def test_parallel_cli_processes_all_answer(cards_graph: Graph, cli_env: dict[str, str]) -> None:
    env = {**os.environ, **cli_env}
    command = [sys.executable, "-m", "assistant", "ask", "--json", "--engine", "offline"]
    processes = [
        subprocess.Popen([*command, question], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for question in list(QUESTIONS) * 2
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
    answers = [json.loads(out) for out, _ in outputs]
    green = [a for a in answers if a["question"] == "greenest model on lumos5g"]
    assert len(green) == 2 and all(a["rows"][0]["model"] == _greenest_lumos(_cards()) for a in green)
    counts = [a for a in answers if a["question"] == "how many models are there"]
    assert all(a["rows"] == [{"models": 22}] for a in counts)


def test_threads_sharing_one_assistant_answer_while_an_ingest_runs(
    cards_graph: Graph, settings: Settings, tmp_path: Any
) -> None:
    assistant = Assistant(settings, cards_graph)
    write_catalog(tmp_path, 60, seed=11)
    expected = _greenest_lumos(_cards())
    with ThreadPoolExecutor(max_workers=6) as pool:
        ingest = pool.submit(ingest_paths, cards_graph, [tmp_path])
        answers = list(pool.map(lambda _: assistant.ask("greenest model on lumos5g", engine="offline"), range(24)))
        report = ingest.result()
    assert report.ok and report.models_written == 60
    assert all(a.answered and a.rows[0]["model"] == expected for a in answers)
    # Leave the module's graph as the other tests expect it: the MRM3 cards only.
    reset(cards_graph)
    assert ingest_paths(cards_graph, [MRM3_CARDS]).ok


def test_page_sessions_in_one_process_share_the_cached_assistant(
    cards_graph: Graph, cli_env: dict[str, str], monkeypatch: Any
) -> None:
    """Six sessions of the chat page in one process, on the process's one cached assistant.

    One after another: Streamlit's AppTest sets up and tears down a process-wide runtime on every run, so AppTests
    in parallel threads race on it ("Runtime hasn't been created!", seen 2 runs in 8). Threads sharing one
    assistant at once are the test above; the page's own code under concurrent sessions is not tested here.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    for name, value in cli_env.items():
        monkeypatch.setenv(name, value)
    expected = _greenest_lumos(_cards())
    st.cache_resource.clear()
    built: list[object] = []
    init = Assistant.__init__

    def counted(self: Assistant, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Assistant, "__init__", counted)

    def session(question: str) -> list[str]:
        at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
        at.run()
        at.chat_input[0].set_value(question).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.chat_message[1].error
        return [str(table.value.to_dict("records")) for table in at.chat_message[1].dataframe]

    try:
        tables = [session(q) for q in ["greenest model on lumos5g"] * 4 + ["how many models are there"] * 2]
    finally:
        st.cache_resource.clear()
    assert all(expected in tables[i][0] for i in range(4)), tables
    assert all("22" in tables[i][0] for i in (4, 5)), tables
    assert len(built) == 1, "each session built its own assistant"
