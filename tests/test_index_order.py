"""Rankings by a stored value read the head of its index (ingest/derived.py, compile/stored.py) and give exactly the
rows of the whole ranking: the winners, their order, ties at the cutoff, and a filter the head cannot fill.

Each expected ranking is the same statement run over every model, with no head (``narrowed`` dropped), on the real
embedded server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from assistant.config import Settings
from assistant.engines.offline.compile import statements, stored
from assistant.engines.offline.engine import OfflineEngine
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from ingest.cards import Card
from ingest.derived import declare_types
from ingest.ingester import IngestReport, ingest_cards
from ingest.sample import iter_cards

CARDS = 1_500  # more models with a value than the head's depth, so the head is tried

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
    ingest_cards(session_graph, (Card(f"s:{c['name']}", c) for c in iter_cards(CARDS, 11)), report)
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


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_ranking_read_from_the_head_of_its_index_is_the_whole_ranking(engine: OfflineEngine, question: str) -> None:
    rows, _ = _shown(engine, question)
    whole = _whole(engine, question)
    assert rows, question
    assert [r["model"] for r in rows] == [r["model"] for r in whole[: len(rows)]], question
    value = next(k for k in rows[0] if k not in ("model", "dataset", "architecture", "device", "batch_size"))
    assert [r[value] for r in rows] == [r[value] for r in whole[: len(rows)]], question


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


def test_an_index_made_before_its_type_was_declared_is_made_again(session_graph: Graph) -> None:
    """A graph of an older ingest: its index keyed the numbers as text and served no ORDER BY ... LIMIT."""
    from ingest import derived

    label, index = "OldIngestModel", "old_ingest_energy"
    session_graph.run_write(f"CREATE INDEX {index} IF NOT EXISTS FOR (n:{label}) ON (n.energy)")
    session_graph.run_write(f"UNWIND range(1, 50) AS i CREATE (:{label} {{energy: toFloat(i)}})")
    declaration = f"CREATE CONSTRAINT {index}_type IF NOT EXISTS FOR (n:{label}) REQUIRE n.energy IS :: FLOAT"
    try:
        derived.TYPE_DECLARATIONS, saved = ((index, f"{index}_type", declaration),), derived.TYPE_DECLARATIONS
        try:
            declare_types(session_graph)
        finally:
            derived.TYPE_DECLARATIONS = saved
        session_graph.run_write(f"CREATE INDEX {index} IF NOT EXISTS FOR (n:{label}) ON (n.energy)")
        query = f"MATCH (n:{label}) WHERE n.energy IS NOT NULL RETURN n.energy AS e ORDER BY n.energy DESC LIMIT 3"
        with session_graph.driver.session(database=session_graph.database) as session:
            result = session.run("PROFILE " + query)
            rows = [r["e"] for r in result]
            plan = str(result.consume().profile)
        assert rows == [50.0, 49.0, 48.0]
        assert "index order" in plan, plan
    finally:
        session_graph.run_write(f"MATCH (n:{label}) DELETE n")
        session_graph.run_write(f"DROP INDEX {index} IF EXISTS")
        session_graph.run_write(f"DROP CONSTRAINT {index}_type IF EXISTS")


def test_a_filter_the_head_cannot_fill_reads_every_model(
    engine: OfflineEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A head of 10 holds fewer than 5 anomaly detection models: the whole ranking is read, and shown."""
    monkeypatch.setattr(stored, "NARROW_DEPTH", 10)
    monkeypatch.setattr(statements, "NARROW_DEPTH", 10)
    question = "top 5 anomaly detection models by training energy"
    rows, cypher = _shown(engine, question)
    assert "$cutoff" not in cypher, cypher
    assert [r["model"] for r in rows] == [r["model"] for r in _whole(engine, question)][:5]
    head = engine.graph.read(
        "MATCH (m:Model) WHERE m.trainingEnergy IS NOT NULL "
        "RETURN m.name AS name ORDER BY m.trainingEnergy DESC LIMIT 10"
    )
    assert not {r["model"] for r in rows} <= {r["name"] for r in head}  # the winners were not all in the head
