"""Fixtures for the LLM path: the scripted OpenAI-compatible server and a graph fingerprint.

A test module uses them with ``pytest_plugins = ("tests.llm_fixtures",)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assistant.config import Settings
from assistant.graph.connection import Graph, to_plain
from assistant.graph.stats import graph_stats
from ingest.ingester import ingest_paths
from ingest.writer import reset
from tests.conftest import MRM3_CARDS, mrm3_card_files
from tests.fake_llm import FAKE_MODEL, FakeLLM

# What the graph_fingerprint fixture gives: a test asserts the value is the same before and after.
Fingerprint = Callable[[Graph], object]


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    """One scripted OpenAI-compatible server for the session, on a free loopback port."""
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(fake_llm_server: FakeLLM) -> FakeLLM:
    """The scripted server with an empty reply queue and no recorded requests."""
    fake_llm_server.reset()
    return fake_llm_server


@pytest.fixture
def llm_settings(settings: Settings, fake_llm: FakeLLM) -> Settings:
    """The session's settings, with the LLM pointed at the scripted server, writing raw Cypher (no plan step).

    The tests of the raw-Cypher path script the Cypher and the sentence; the plan path has its own fixture.
    """
    return settings.with_overrides(
        openai_base_url=fake_llm.url, openai_api_key="test", openai_model=FAKE_MODEL, repair_attempts=1, llm_plan="off"
    )


@pytest.fixture
def plan_settings(llm_settings: Settings) -> Settings:
    """The LLM settings with the plan step on: the model is asked for the typed plan by a tool call first."""
    return llm_settings.with_overrides(llm_plan="tools")


@pytest.fixture
def llm_cli_env(cli_env: dict[str, str], fake_llm: FakeLLM) -> dict[str, str]:
    """The CLI environment with the LLM pointed at the scripted server, writing raw Cypher (no plan step)."""
    return {
        **cli_env,
        "OPENAI_BASE_URL": fake_llm.url,
        "OPENAI_API_KEY": "test",
        "OPENAI_MODEL": FAKE_MODEL,
        "MRM3_LLM_PLAN": "off",
    }


@pytest.fixture(scope="module")
def cards_graph(session_graph: Graph) -> Graph:
    """The session's graph holding the 22 public MRM3 cards, ingested once per module.

    Tests using it must leave the graph as they found it (the refusal tests check that they do).
    """
    files = mrm3_card_files()
    reset(session_graph)
    report = ingest_paths(session_graph, [MRM3_CARDS])
    assert report.ok and report.models_written == len(files)
    return session_graph


@pytest.fixture
def graph_fingerprint() -> Callable[[Graph], tuple[dict[str, Any], str]]:
    """:func:`fingerprint`, for tests that must show the graph did not change."""
    return fingerprint


def fingerprint(graph: Graph) -> tuple[dict[str, Any], str]:
    """Node and relationship counts, and a checksum over every label, type and property."""
    nodes = graph.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = graph.read(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS props, "
        "labels(a) AS start, properties(a) AS a, labels(b) AS end, properties(b) AS b"
    )
    lines = sorted(json.dumps(to_plain(row), sort_keys=True, default=str) for row in nodes + rels)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    counts = {**graph_stats(graph), "all_nodes": len(nodes), "all_relationships": len(rels)}
    return counts, digest
