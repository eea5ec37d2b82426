"""Conditions on Hugging Face and CodeCarbon metadata: license, tags, language, format and training location.

The expected models come from the project's synthetic card and log files, read here with yaml and csv
(never through the ingester), on the real embedded server.
"""

from __future__ import annotations

import csv

import pytest

from assistant.config import Settings
from assistant.engines.offline.engine import OfflineEngine
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from ingest.ingester import ingest_paths
from tests.conftest import REPO
from tests.hf_facts import hf_front_matters

HF = REPO / "tests" / "data" / "hf"
LOGS = [HF / "codecarbon" / "synthetic-v1-emissions.csv", HF / "codecarbon" / "synthetic-v2-emissions.csv"]


def _cards() -> dict[str, dict]:
    return hf_front_matters(HF / "cards")  # the unparsable card, a model with its name only, is left out


def _log_rows() -> list[dict[str, str]]:
    return [row for log in LOGS for row in csv.DictReader(log.read_text(encoding="utf-8").splitlines())]


def _as_list(value: object) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])] if value is not None else []


@pytest.fixture(scope="module")
def engine(session_graph: Graph, settings: Settings) -> OfflineEngine:
    from ingest.writer import reset

    reset(session_graph)
    ingest_paths(session_graph, [HF / "cards", *LOGS])
    return OfflineEngine(session_graph, SchemaCache(session_graph), settings)


def _listed(engine: OfflineEngine, question: str) -> set[str]:
    answer = engine.answer(question)
    assert answer.answered, answer.text
    return {row["model"] for row in answer.rows}


def test_a_license_filters_the_cards_that_give_it(engine: OfflineEngine) -> None:
    licensed = {name for name, meta in _cards().items() if "mit" in _as_list(meta.get("license"))}
    assert licensed
    assert _listed(engine, "Which models are under the mit license?") == licensed


def test_a_tag_and_a_language_match_any_element_of_the_card_lists(engine: OfflineEngine) -> None:
    tagged = {name for name, meta in _cards().items() if "synthetic" in _as_list(meta.get("tags"))}
    assert _listed(engine, "list the models tagged synthetic") == tagged
    slovene = {name for name, meta in _cards().items() if "sl" in _as_list(meta.get("language"))}
    assert slovene and _listed(engine, "models with language sl") == slovene


def test_a_training_location_filters_cards_and_codecarbon_models(engine: OfflineEngine) -> None:
    cards = {n for n, m in _cards().items() if isinstance(m.get("co2_eq_emissions"), dict)
             and m["co2_eq_emissions"].get("geographical_location") == "Slovenia"}  # fmt: skip
    logs = {row["project_name"] for row in _log_rows() if row["country_name"] == "Slovenia"}
    assert cards and logs
    assert _listed(engine, "models trained in Slovenia") == cards | logs


def test_codecarbon_models_are_counted_by_their_format(engine: OfflineEngine) -> None:
    answer = engine.answer("how many models come from codecarbon")
    assert answer.answered and next(iter(answer.rows[0].values())) == len({r["project_name"] for r in _log_rows()})


@pytest.mark.parametrize(
    ("question", "said"),
    [("which models have a license", "license"), ("list the models with tags", "tags")],
)
def test_a_condition_noun_without_a_value_declines_naming_it(engine: OfflineEngine, question: str, said: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered
    assert f"the question says {said!r} but names no" in answer.text


def test_a_value_asked_in_another_unit_names_its_model_for_each_row(engine: OfflineEngine) -> None:
    rows = [r for r in _log_rows() if r["project_name"] == "synthetic-a"]
    grams = sum(float(r["emissions"]) for r in rows) * 1000
    answer = engine.answer("What is the training carbon footprint of synthetic-a in mg?")
    assert answer.answered, answer.text
    assert f"In mg: synthetic-a {grams * 1000:,.0f} mg" in answer.text


def test_a_lookup_gives_a_card_s_license_location_and_source(engine: OfflineEngine) -> None:
    meta = _cards()["synthetic-mapping"]
    answer = engine.answer("what license does synthetic-mapping have")
    assert answer.answered and answer.rows[0]["license"] == ", ".join(_as_list(meta["license"]))
    answer = engine.answer("where was synthetic-mapping trained")
    assert answer.rows[0]["training_location"] == meta["co2_eq_emissions"]["geographical_location"]
    answer = engine.answer("did the carbon of synthetic-v1 come from a card or a codecarbon log")
    assert answer.answered and answer.rows[0]["format"] == "codecarbon", answer.text
    assert "synthetic-v1-emissions.csv" in answer.text


def test_the_base_model_with_the_most_fine_tuned_models(engine: OfflineEngine) -> None:
    per_base: dict[str, int] = {}
    for meta in _cards().values():
        for base in _as_list(meta.get("base_model")):
            per_base[base] = per_base.get(base, 0) + 1
    answer = engine.answer("which base model has the most fine-tuned models")
    assert answer.answered, answer.text
    assert {row["base_model"]: row["models"] for row in answer.rows} == per_base
