"""Rankings by a stored value read the head of its index (ingest/derived.py, compile/stored.py) and give exactly the
rows of the whole ranking: the winners, their order, ties at the cutoff, and a filter the head cannot fill.

Each expected ranking is the same statement run over every model, with no head (``narrowed`` dropped), on the real
embedded server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.engines.offline.compile import statements, stored
from assistant.engines.offline.engine import OfflineEngine
from assistant.evaluation.gold import gold_answer
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from ingest import indexes
from ingest.cards import Card
from ingest.indexes import declare_types
from ingest.ingester import IngestReport, ingest_cards, ingest_paths
from ingest.sample import iter_cards
from tests.test_cards import good_card

CARDS = 1_500  # more models with a value than the head's depth, so the head is tried
SEED = 11

QUESTIONS = [
    "which model used the most energy to train",
    "greenest model",
    "top 5 greenest models",
    "fastest model",
    "greenest image classification model",
    "which anomaly detection model used the most energy to train",
    "greenest model with accuracy above 0.9",
]


@pytest.fixture(scope="module")
def engine(session_graph: Graph, settings: Settings) -> Iterator[OfflineEngine]:
    from ingest.writer import reset

    reset(session_graph)
    report = IngestReport()
    ingest_cards(session_graph, (Card(f"s:{c['name']}", c) for c in iter_cards(CARDS, SEED)), report)
    assert report.models_written == CARDS
    yield OfflineEngine(session_graph, SchemaCache(session_graph), settings)
    reset(session_graph)


def _whole(engine: OfflineEngine, question: str) -> list[dict[str, Any]]:
    """The ranking's rows over every model: its statement without the head, run as it is."""
    frame = engine.read(question)
    assert frame.metric is not None, question
    statement = statements.rank(frame, frame.metric)
    return engine.graph.read(replace(statement, narrowed=None).cypher, statement.params)


def _shown(engine: OfflineEngine, question: str) -> tuple[list[dict[str, Any]], str]:
    answer = engine.answer(question)
    assert answer.answered, answer.text
    return answer.rows, answer.cypher or ""


# The same questions' winners read from the card files (assistant/evaluation/gold.py shares nothing with the
# engine): the head of the index is used at this size, so this checks it against the cards themselves.
GOLD = [
    ("which model used the most energy to train", {"kind": "best", "metric": "energy", "order": "max"}),
    ("which model used the least energy to train", {"kind": "best", "metric": "energy", "order": "min"}),
    ("greenest model", {"kind": "best", "metric": "carbon", "order": "min"}),
    ("top 5 greenest models", {"kind": "best", "metric": "carbon", "order": "min", "k": 5}),
    ("fastest model", {"kind": "best", "metric": "latency", "order": "min"}),
    (
        "greenest model with accuracy above 0.9",
        {"kind": "best", "metric": "carbon", "order": "min",
         "filter": {"where": [{"metric": "accuracy", "op": ">", "value": 0.9}]}},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "spec"), GOLD)
def test_the_head_gives_the_cards_own_winners(engine: OfflineEngine, question: str, spec: dict[str, Any]) -> None:
    gold = gold_answer(spec, list(iter_cards(CARDS, SEED)))
    answer = engine.answer(question)
    assert "$cutoff" in (answer.cypher or ""), answer.cypher  # read from the head
    shown = [row["model"] for row in answer.rows]
    if gold.mode == "top":
        assert set(shown[: len(gold.values)]) == set(gold.values), answer.text
    else:
        assert shown and shown[0] in gold.values, answer.text


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_ranking_read_from_the_head_of_its_index_is_the_whole_ranking(engine: OfflineEngine, question: str) -> None:
    rows, _ = _shown(engine, question)
    whole = _whole(engine, question)
    assert rows, question
    assert rows == whole[: len(rows)], question  # every column: value, dataset, architecture, device, batch


def test_the_whole_catalog_ranking_is_read_from_the_head(engine: OfflineEngine) -> None:
    _, cypher = _shown(engine, "which model used the most energy to train")
    assert "m.trainingEnergy >= $cutoff" in cypher, cypher


def test_the_head_is_served_in_index_order(engine: OfflineEngine) -> None:
    probe = stored.narrowed("trainingEnergy", "DESC", statements.Statement(""), 5).probe
    with engine.graph.driver.session(database=engine.graph.database) as session:
        result = session.run("PROFILE " + probe.cypher, probe.params)
        list(result)
        plan = str(result.consume().profile)
    assert "index order" in plan, plan


def test_ties_at_the_cutoff_are_all_kept(engine: OfflineEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve models share the top energy: a head of 10 cuts through them, and the first 5 by name still win."""
    graph = engine.graph
    top = graph.read(
        "MATCH (m:Model) WHERE m.trainingEnergy IS NOT NULL "
        "RETURN m.name AS name, m.trainingEnergy AS e ORDER BY m.trainingEnergy DESC LIMIT 12"
    )
    originals = {row["name"]: row["e"] for row in top}
    monkeypatch.setattr(stored, "NARROW_DEPTH", 10)
    monkeypatch.setattr(statements, "NARROW_DEPTH", 10)
    try:
        graph.run_write(
            "UNWIND $names AS n MATCH (m:Model {name: n}) SET m.trainingEnergy = $e",
            {"names": sorted(originals, reverse=True), "e": 9.0e9},
        )
        rows, cypher = _shown(engine, "which model used the most energy to train")
        assert "$cutoff" in cypher
        assert [row["model"] for row in rows] == sorted(originals)[:5]
    finally:
        for name, energy in originals.items():
            graph.run_write("MATCH (m:Model {name: $n}) SET m.trainingEnergy = $e", {"n": name, "e": energy})


def test_an_index_made_before_its_type_was_declared_is_made_again(
    session_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A graph of an older ingest: its index keyed the numbers as text, and some of them are whole numbers (a
    declaration over them is refused). Declared over that index, they would be read in text order."""
    label, index = "OldIngestModel", "old_ingest_energy"
    monkeypatch.setattr(indexes, "TYPED", {index: indexes.Indexed(label, "energy", "FLOAT")})
    make_index = f"CREATE INDEX {index} IF NOT EXISTS FOR (n:{label}) ON (n.energy)"
    session_graph.run_write(make_index)
    session_graph.run_write(f"UNWIND [5, 40, 300, 1000, 7.5, 12] AS x CREATE (:{label} {{energy: x}})")
    query = f"MATCH (n:{label}) WHERE n.energy IS NOT NULL RETURN n.energy AS e ORDER BY n.energy DESC LIMIT 3"
    try:
        for _ in range(2):  # the second run finds everything declared
            declare_types(session_graph)
            session_graph.run_write(make_index)
            with session_graph.driver.session(database=session_graph.database) as session:
                result = session.run("PROFILE " + query)
                rows = [r["e"] for r in result]
                plan = str(result.consume().profile)
            assert rows == [1000.0, 300.0, 40.0]
            assert "index order" in plan, plan
    finally:
        session_graph.run_write(f"MATCH (n:{label}) DELETE n")
        session_graph.run_write(f"DROP INDEX {index} IF EXISTS")
        session_graph.run_write(f"DROP CONSTRAINT {index}_type IF EXISTS")


def test_a_condition_the_head_cannot_fill_reads_every_model(
    engine: OfflineEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 10 models at the head of the index all used more than 1,000 J: the whole ranking is read, and shown."""
    monkeypatch.setattr(stored, "NARROW_DEPTH", 10)
    monkeypatch.setattr(statements, "NARROW_DEPTH", 10)
    question = "which model used the most energy to train with training energy under 1000 J"
    rows, cypher = _shown(engine, question)
    assert "$cutoff" not in cypher, cypher
    assert rows and all(r["energy_j"] < 1000 for r in rows)
    assert [r["model"] for r in rows] == [r["model"] for r in _whole(engine, question)][: len(rows)]


def test_a_ranking_that_starts_from_a_named_group_reads_no_head(engine: OfflineEngine) -> None:
    _, cypher = _shown(engine, "which anomaly detection model used the most energy to train")
    assert "$cutoff" not in cypher and "MATCH (sv:Service)" in cypher, cypher


def test_a_whole_number_latency_keeps_its_device(empty_graph: Graph, settings: Settings, tmp_path: Path) -> None:
    """The model's best latency is stored as a float (its index is typed); the run's own value stays 2: the best
    run is still found by it, with its device and batch size."""
    card = good_card("whole-latency")
    card["inference"][0]["latency"] = 2
    (tmp_path / "card.json").write_text(json.dumps(card))
    assert ingest_paths(empty_graph, [tmp_path]).ok
    answer = OfflineEngine(empty_graph, SchemaCache(empty_graph), settings).answer("fastest model")
    assert answer.rows[0]["model"] == "whole-latency", answer.text
    assert answer.rows[0]["device"] == "Test CPU" and answer.rows[0]["batch_size"] == 1, answer.rows
