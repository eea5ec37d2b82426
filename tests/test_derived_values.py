"""The values the ingest stores for speed (ingest/derived.py) agree with the card files and follow a changed card.

Expected values are read straight from the JSON cards (0 carbon or energy is "not measured": null, never 0).
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from ingest.ingester import ingest_paths
from tests.conftest import mrm3_card_files
from tests.test_cards import good_card

pytest_plugins = ("tests.llm_fixtures",)  # cards_graph


def _measured(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None


def test_each_models_measured_training_values_are_on_the_model(cards_graph: Graph) -> None:
    stored = {
        r["name"]: r
        for r in cards_graph.read("MATCH (m:Model) RETURN m.name AS name, m.trainingCarbon AS c, m.trainingEnergy AS e")
    }
    for path in mrm3_card_files():
        card = json.loads(path.read_text())
        training = card["training"]
        energy = (training.get("powerConsumptionCPU") or 0) + (training.get("powerConsumptionGPU") or 0)
        assert stored[card["name"]]["c"] == _measured(training.get("carbonFootprint")), card["name"]
        assert stored[card["name"]]["e"] == _measured(energy), card["name"]


def test_each_inference_run_has_its_per_inference_values_and_the_model_its_best(cards_graph: Graph) -> None:
    rows = cards_graph.read(
        "MATCH (i:ModelInference)-[:INFERENCE_ON]->(m:Model) RETURN m.name AS name, i.energyPerInference AS e, "
        "i.carbonPerInference AS c, m.bestLatency AS best, i.bestLatencyOnDevice AS flag"
    )
    by_model = {r["name"]: r for r in rows}
    for path in mrm3_card_files():
        card = json.loads(path.read_text())
        run = (card.get("inference") or [{}])[0]
        if card["name"] not in by_model:
            continue
        row, count = by_model[card["name"]], run.get("num_of_runs") or 0
        energy, carbon = _measured(run.get("energy_consumption")), _measured(run.get("carbon_footprint"))
        assert row["e"] == (energy / count if energy and count else None), card["name"]
        assert row["c"] == (carbon / count if carbon and count else None), card["name"]
        assert row["best"] == _measured(run.get("latency")), card["name"]
        assert row["flag"] is (True if _measured(run.get("latency")) else None), card["name"]


def test_a_changed_card_changes_its_stored_values(empty_graph: Graph, tmp_path: Path) -> None:
    card = good_card("changing")
    card["inference"].append({"batch_size": 8, "latency": 0.002, "device": card["inference"][0]["device"]})
    (tmp_path / "card.json").write_text(json.dumps(card))
    assert ingest_paths(empty_graph, [tmp_path]).ok
    card["training"]["carbonFootprint"] = 0  # not measured any more
    card["inference"] = card["inference"][:1]  # the faster run is gone
    (tmp_path / "card.json").write_text(json.dumps(card))
    assert ingest_paths(empty_graph, [tmp_path]).models_written == 1
    (model,) = empty_graph.read(
        "MATCH (m:Model {name: 'changing'}) RETURN m.trainingCarbon AS c, m.bestLatency AS best"
    )
    assert model == {"c": None, "best": 0.01}
    flags = empty_graph.read("MATCH (i:ModelInference {model: 'changing'}) RETURN i.bestLatencyOnDevice AS flag")
    assert flags == [{"flag": True}]


def test_a_graph_written_in_part_by_an_older_ingest_is_answered_from_the_cards_values(
    empty_graph: Graph, tmp_path: Path, settings: Settings
) -> None:
    old, new = good_card("old-green"), good_card("new-model")
    old["training"]["carbonFootprint"], new["training"]["carbonFootprint"] = 0.5, 3.0
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "card.json").write_text(json.dumps(old))
    assert ingest_paths(empty_graph, [tmp_path / "old"]).ok
    # What an older ingest leaves: the model without its derived values, and no mark that all models have them.
    empty_graph.run_write("MATCH (d:DerivedValues) DELETE d")
    empty_graph.run_write("MATCH (m:Model) REMOVE m.trainingCarbon, m.trainingEnergy, m.bestLatency")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "card.json").write_text(json.dumps(new))
    assert ingest_paths(empty_graph, [tmp_path / "new"]).ok
    assert empty_graph.read("MATCH (d:DerivedValues) RETURN count(d) AS n") == [{"n": 0}]
    answer = Assistant(settings, empty_graph).ask("which model has the lowest training carbon?", engine="offline")
    assert answer.rows[0]["model"] == "old-green"
