"""The LLM path when the model is unreachable, refuses the key or is not configured: one readable error each."""

from __future__ import annotations

import json

import pytest

from assistant.config import Settings
from assistant.engines.llm.client import build_llm
from assistant.engines.router import Assistant
from assistant.errors import LLMUnavailableError
from assistant.graph.connection import Graph
from tests.conftest import free_port, mrm3_card_files
from tests.fake_llm import FakeLLM

# cards_graph, fake_llm, llm_settings, graph_fingerprint
pytest_plugins = ("tests.llm_fixtures",)


def test_an_unreachable_llm_is_one_readable_error(cards_graph: Graph, settings: Settings) -> None:
    dead = settings.with_overrides(openai_base_url=f"http://127.0.0.1:{free_port()}/v1", openai_api_key="x")
    with pytest.raises(LLMUnavailableError, match="Cannot reach the LLM at http://127.0.0.1"):
        Assistant(dead, cards_graph).ask("anything", engine="llm")


def test_an_llm_error_never_shows_credentials_from_the_base_url(cards_graph: Graph, settings: Settings) -> None:
    port = free_port()
    dead = settings.with_overrides(openai_base_url=f"http://alice:s3cret-pw@127.0.0.1:{port}/v1?key=s3cret-q")
    with pytest.raises(LLMUnavailableError) as raised:
        Assistant(dead, cards_graph).ask("anything", engine="llm")
    assert f"http://127.0.0.1:{port}/v1" in str(raised.value)
    assert "s3cret" not in str(raised.value) and "alice" not in str(raised.value)


def test_llm_time_limit_and_retries_come_from_the_environment() -> None:
    settings = Settings.from_env({"MRM3_LLM_TIMEOUT": "2.5", "MRM3_LLM_RETRIES": "0", "OPENAI_API_KEY": "k"})
    llm = build_llm(settings)
    assert (llm.request_timeout, llm.max_retries) == (2.5, 0)


def test_a_refused_key_is_one_readable_error(cards_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue_error(401, "invalid api key")
    with pytest.raises(LLMUnavailableError, match="refused the API key - check OPENAI_API_KEY"):
        Assistant(llm_settings, cards_graph).ask("anything", engine="llm")


def test_the_llm_engine_without_an_llm_says_none_is_configured(cards_graph: Graph, settings: Settings) -> None:
    with pytest.raises(LLMUnavailableError, match="No LLM is configured"):
        Assistant(settings, cards_graph).ask("anything", engine="llm")


def test_auto_without_an_llm_uses_the_offline_engine(cards_graph: Graph, settings: Settings) -> None:
    # The offline engine is part of the package: its absence is a failure, not a second accepted outcome.
    assistant = Assistant(settings, cards_graph)
    assert assistant.offline_engine() is not None
    answer = assistant.ask("Which model is greenest on lumos5g?")
    assert answer.engine == "offline" and answer.answered
    cards = [json.loads(f.read_text(encoding="utf-8")) for f in mrm3_card_files()]
    measured = [c for c in cards if c["dataset"]["name"] == "lumos5g" and c["training"]["carbonFootprint"] > 0]
    greenest = min(measured, key=lambda c: c["training"]["carbonFootprint"])["name"]
    assert answer.rows and answer.rows[0]["model"] == greenest
