"""Fixtures of the chat page tests (Streamlit's AppTest against the real embedded server).

A test module uses them with ``pytest_plugins = ("tests.ui_fixtures",)`` and
``pytestmark = pytest.mark.usefixtures("fresh_caches")``; it imports the helpers
from ``tests/ui_page.py``, never this module (pytest loads it as a plugin). The
page reads its settings from the environment (``Settings.from_env``), so
``page_env`` points MRM3_HOME / MRM3_BOLT_PORT at the session's server;
``llm_env`` adds the scripted loopback LLM of ``tests/fake_llm.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from assistant.graph.connection import Graph
from ingest.ingester import ingest_paths
from ingest.sample import write_catalog
from ingest.writer import reset
from tests.fake_llm import FakeLLM

# fake_llm for llm_env
pytest_plugins = ("tests.llm_fixtures",)


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


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Each test builds its own driver, schema and assistant (the fixtures reset the graph).

    Not autouse: this module is a plugin, so an autouse fixture would run for every test of the session.
    A page test module asks for it with ``pytestmark = pytest.mark.usefixtures("fresh_caches")``.
    """
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
def llm_env(page_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM) -> FakeLLM:
    """The page with the LLM pointed at the scripted server."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-do-not-show")
    monkeypatch.setenv("OPENAI_MODEL", "fake-model")
    monkeypatch.setenv("MRM3_LLM_PLAN", "off")  # the page tests script raw Cypher; the plan path has its own tests
    return fake_llm
