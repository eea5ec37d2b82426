"""Trustworthy answers on the sample catalog: devices' own properties, codes and numbered names that the graph
does not hold, fit-time conditions. Expected values come from the generated cards, not from the engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.config import Settings
from assistant.engines.offline.engine import OfflineEngine
from assistant.evaluation.run import Catalog
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from ingest.sample import generate_cards

Card = dict[str, Any]


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return generate_cards(48, 42)


@pytest.fixture(scope="module")
def engine(session_graph: Graph, settings: Settings) -> Iterator[OfflineEngine]:
    Catalog("sample", sample={"count": 48, "seed": 42}).load_into(session_graph)
    yield OfflineEngine(session_graph, SchemaCache(session_graph), settings)


def inference_device(cards: list[Card], word: str) -> dict[str, Any]:
    return next(r["device"] for c in cards for r in c.get("inference") or [] if word in r["device"]["CPU"])


@pytest.mark.parametrize(("question", "word"), [("how many cores does the Raspberry Pi have", "Raspberry"),
                                                ("how much memory does the Jetson Nano have?", "Jetson")])  # fmt: skip
def test_a_devices_own_properties_are_answered(
    engine: OfflineEngine, cards: list[Card], question: str, word: str
) -> None:
    device = inference_device(cards, word)
    answer = engine.answer(question)
    assert answer.answered and len(answer.rows) == 1
    assert answer.rows[0]["cores"] == device["numCores"] and answer.rows[0]["ram"] == device["RAM"]
    assert answer.interpretation.startswith("understood as: the cores, RAM and GPUs of device")


@pytest.mark.parametrize(
    ("question", "term"),
    [("greenest model trained on the NVIDIA H100", "NVIDIA H100"), ("fastest model on the Raspberry Pi 5",
      "Raspberry Pi 5"), ("models trained on an RTX 4090", "RTX 4090")],
    ids=["a GPU code", "a numbered device", "a numbered GPU"],
)  # fmt: skip
def test_a_code_or_number_that_differs_names_something_absent(engine: OfflineEngine, question: str, term: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and f"{term!r} is not in the graph" in answer.text and "closest:" in answer.text


def test_a_fit_time_condition_uses_the_fit_time(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("models with fit times above 10 seconds")
    assert {r["model"] for r in answer.rows} == {c["name"] for c in cards if c["training"]["fitTime"] > 10}


def test_inference_batch_size_is_read_on_the_runs(engine: OfflineEngine, cards: list[Card]) -> None:
    runs = [r for c in cards for r in c.get("inference") or [] if r.get("batch_size") == 64]
    answer = engine.answer("count the inference runs with batch size 64")
    assert runs and answer.rows[0]["inference_runs"] == len(runs)
    assert answer.rows[0]["runs_recorded"] == sum(r["num_of_runs"] for r in runs)
