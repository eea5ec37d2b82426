"""Faults: the graph server killed mid-ingest or down at a question, and a slow LLM.

These tests kill a server, so they run one of their own (a temporary
``MRM3_HOME`` on a free port), never the session's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph, connect
from assistant.graph.embedded import EmbeddedServer
from ingest.sample import iter_cards
from tests.conftest import REPO, cli_env_of, free_port, run_mrm3
from tests.fake_llm import FakeLLM

# cards_graph, fake_llm, llm_settings
pytest_plugins = ("tests.llm_fixtures",)

CARDS = 4000


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """An embedded server these tests may kill."""
    settings = Settings(home=tmp_path_factory.mktemp("fault-home"), bolt_port=free_port(), heap="1g")
    server = EmbeddedServer(settings)
    server.start()
    yield settings
    server.stop()


def env_of(settings: Settings) -> dict[str, str]:
    """The CLI's environment for a process of its own."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(settings.home), **cli_env_of(settings)}


def kill_server(settings: Settings) -> None:
    """SIGKILL the server process, as a crash or an OOM killer would."""
    pid = EmbeddedServer(settings).status().pid
    assert pid
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while EmbeddedServer(settings).status().running and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture(scope="module")
def card_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Sample cards as files, and the inference runs each card has."""
    directory = tmp_path_factory.mktemp("fault-cards")
    runs = {}
    for index, card in enumerate(iter_cards(CARDS, seed=11)):
        (directory / f"{index:05d}.json").write_text(json.dumps(card))
        runs[card["name"]] = len(card.get("inference") or [])
    return directory, runs


def model_shapes(graph: Graph) -> dict[str, tuple[int, int, int]]:
    """Per model: its training runs, datasets and inference runs."""
    rows = graph.read(
        """
        MATCH (m:Model)
        RETURN m.name AS name,
               COUNT { (:ModelTraining)-[:TRAINS_ON]->(m) } AS trainings,
               COUNT { (m)-[:TRAINED_ON]->(:Dataset) } AS datasets,
               COUNT { (:ModelInference)-[:INFERENCE_ON]->(m) } AS inferences
        """
    )
    return {row["name"]: (row["trainings"], row["datasets"], row["inferences"]) for row in rows}


def test_a_server_killed_mid_ingest_loses_nothing_and_a_rerun_completes(
    own_server: Settings, card_dir: tuple[Path, dict[str, int]]
) -> None:
    directory, runs = card_dir
    command = [sys.executable, "-m", "assistant", "ingest", "--batch-size", "200", str(directory)]
    ingest = subprocess.Popen(
        command, env=env_of(own_server), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    with connect(own_server) as graph:
        deadline = time.monotonic() + 120
        while graph.read("MATCH (m:Model) RETURN count(m) AS n")[0]["n"] < 400 and time.monotonic() < deadline:
            time.sleep(0.05)
    kill_server(own_server)
    _, stderr = ingest.communicate(timeout=120)

    assert ingest.returncode == 1
    assert "Traceback" not in stderr
    error = stderr.strip().splitlines()[-1]
    assert error.startswith("Error: Cannot reach the graph server at bolt://127.0.0.1:"), stderr

    # After a restart, every model that made it is whole: batches are transactions.
    EmbeddedServer(own_server).start()
    with connect(own_server) as graph:
        written = model_shapes(graph)
        assert 0 < len(written) < CARDS, "the kill came in the middle"
        assert len(written) % 200 == 0, "only whole batches were committed"
        for name, (trainings, datasets, inferences) in written.items():
            assert (trainings, datasets, inferences) == (1, 1, runs[name]), name

    rerun = run_mrm3(command[3:], env_of(own_server))
    assert rerun.returncode == 0, rerun.stderr
    with connect(own_server) as graph:
        shapes = model_shapes(graph)
        assert graph.read("MATCH (m:Model) RETURN count(m) AS n, count(DISTINCT m.name) AS names") == [
            {"n": CARDS, "names": CARDS}
        ]
    assert shapes == {name: (1, 1, count) for name, count in runs.items()}


def test_the_chat_says_the_server_is_down_and_answers_again_once_it_is_back(
    own_server: Settings, card_dir: tuple[Path, dict[str, int]]
) -> None:
    EmbeddedServer(own_server).start()
    chat = subprocess.Popen(
        [sys.executable, "-m", "assistant", "chat", "--engine", "offline"],
        env=env_of(own_server),
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert chat.stdin is not None and chat.stdout is not None

    def ask(question: str) -> None:
        assert chat.stdin is not None
        chat.stdin.write(question + "\n")
        chat.stdin.flush()

    errors: list[str] = []

    def read_errors() -> None:
        assert chat.stderr is not None
        for line in chat.stderr:
            errors.append(line)

    reader = threading.Thread(target=read_errors, daemon=True)
    reader.start()

    ask("how many models are there?")
    first = chat.stdout.readline()
    kill_server(own_server)
    ask("how many models are there?")
    deadline = time.monotonic() + 90
    while not any("Error:" in line for line in errors) and time.monotonic() < deadline:
        time.sleep(0.1)
    EmbeddedServer(own_server).start()
    ask("how many models are there?")
    ask("exit")
    chat.stdin.close()
    stdout = chat.stdout.read()
    chat.wait(timeout=120)
    reader.join(10)

    assert chat.returncode == 0, errors
    assert "Traceback" not in "".join(errors)
    failures = [line for line in errors if "Error:" in line]
    assert len(failures) == 1 and "Cannot reach the graph server" in failures[0], errors
    answers = [line for line in (first + stdout).splitlines() if str(CARDS) in line.replace(",", "")]
    assert len(answers) >= 2, first + stdout


def test_the_page_says_the_server_is_down_and_answers_again_once_it_is_back(
    own_server: Settings, card_dir: tuple[Path, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    EmbeddedServer(own_server).start()
    for name, value in cli_env_of(own_server).items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=90)
        at.run()
        assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
        kill_server(own_server)

        at.chat_input[0].set_value("how many models are there?").run()
        assert not at.exception
        (error,) = at.chat_message[1].error
        assert "Cannot reach the graph server" in error.value

        EmbeddedServer(own_server).start()
        at.chat_input[0].set_value("how many models are there?").run()
        assert not at.exception
        assert not at.chat_message[3].error
        assert any(f"{CARDS:,}" in md.value or str(CARDS) in md.value for md in at.chat_message[3].markdown)
    finally:
        st.cache_resource.clear()


def test_a_slow_llm_falls_back_to_the_offline_engine_with_a_note(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    # The endpoint would answer after 30 s; well under that means the client gave up at its 0.5 s limit,
    # with a margin no busy machine uses up.
    fake_llm.delay_s = 30.0
    fake_llm.enqueue("MATCH (m:Model) RETURN count(m) AS models")
    slow = llm_settings.with_overrides(llm_timeout_s=0.5, llm_max_retries=0)
    started = time.monotonic()
    answer = Assistant(slow, cards_graph).ask("How many models are there?")
    assert time.monotonic() - started < 20.0, "the client gave up at its time limit"
    assert answer.engine == "offline" and answer.answered
    assert "did not answer within 0.5 s" in answer.caveats[0]
    assert "MRM3_LLM_TIMEOUT" in answer.caveats[0]


def test_a_slow_llm_on_the_command_line_is_a_note_not_an_error(
    cards_graph: Graph, llm_cli_env: dict[str, str], fake_llm: FakeLLM
) -> None:
    fake_llm.delay_s = 30.0  # answered at all, the command would take 30 s: the timeout is what ends it
    fake_llm.enqueue("MATCH (m:Model) RETURN count(m) AS models")
    env = {**llm_cli_env, "MRM3_LLM_TIMEOUT": "0.5", "MRM3_LLM_RETRIES": "0"}
    asked = run_mrm3(["ask", "How many models are there?"], env)
    assert asked.returncode == 0, asked.stderr
    notes = [line for line in asked.stdout.splitlines() if line.startswith("note: ")]
    assert any("did not answer within 0.5 s" in note and "MRM3_LLM_TIMEOUT" in note for note in notes), asked.stdout
    assert "Cypher (offline)" in asked.stdout
