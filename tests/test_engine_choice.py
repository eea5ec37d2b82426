"""Which engine answers: auto falls back to the offline engine when the LLM fails, the named engines never do."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.errors import AssistantError, ConfigError
from assistant.graph.connection import Graph
from tests.conftest import free_port
from tests.fake_llm import FakeLLM

# cards_graph, fake_llm, llm_settings, graph_fingerprint
pytest_plugins = ("tests.llm_fixtures",)


def test_auto_falls_back_to_the_offline_engine_when_the_llm_cypher_fails_twice(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue("MATCH (m:Model) RETUR m.name", "MATCH (m:Model) RETUR m.name")
    answer = Assistant(llm_settings, cards_graph).ask("Which model has the lowest training carbon on lumos5g?")
    assert answer.engine == "offline"
    assert answer.caveats[0].startswith("Answered by the offline engine because the LLM's Cypher did not work")
    assert answer.question == "Which model has the lowest training carbon on lumos5g?"
    assert len(fake_llm.requests) == 2


def test_auto_falls_back_to_the_offline_engine_when_the_llm_is_unreachable(
    cards_graph: Graph, settings: Settings
) -> None:
    dead = settings.with_overrides(openai_base_url=f"http://127.0.0.1:{free_port()}/v1", openai_api_key="x")
    answer = Assistant(dead, cards_graph).ask("How many models are there?")
    assert answer.engine == "offline"
    assert "the LLM is unavailable (Cannot reach the LLM" in answer.caveats[0]


def test_auto_falls_back_when_the_llm_writes_a_refused_statement(
    cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM, graph_fingerprint: Callable[[Graph], object]
) -> None:
    before = graph_fingerprint(cards_graph)
    fake_llm.enqueue("MATCH (n) DETACH DELETE n")
    answer = Assistant(llm_settings, cards_graph).ask("How many models are there?")
    assert answer.engine == "offline" and "Refused" in answer.caveats[0]
    assert graph_fingerprint(cards_graph) == before


def test_the_llm_engine_never_falls_back(cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue("MATCH (m:Model) RETUR m.name", "MATCH (m:Model) RETUR m.name")
    answer = Assistant(llm_settings, cards_graph).ask("names", engine="llm")
    assert answer.engine == "llm" and not answer.answered


def test_the_offline_engine_needs_no_llm(cards_graph: Graph, settings: Settings, fake_llm: FakeLLM) -> None:
    answer = Assistant(settings, cards_graph).ask("How many models are there?", engine="offline")
    assert answer.engine == "offline" and fake_llm.requests == []


@pytest.mark.parametrize("question", ["", "   \n "], ids=["empty", "blank"])
def test_an_empty_question_is_a_readable_error(cards_graph: Graph, settings: Settings, question: str) -> None:
    with pytest.raises(AssistantError, match="The question is empty"):
        Assistant(settings, cards_graph).ask(question)


def test_an_unknown_engine_is_a_readable_error(cards_graph: Graph, settings: Settings) -> None:
    with pytest.raises(ConfigError, match="Unknown engine 'magic' - use one of auto, llm, offline"):
        Assistant(settings, cards_graph).ask("q", engine="magic")
