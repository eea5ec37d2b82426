"""Ingestion into the real embedded graph server."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

from assistant.graph.connection import Graph
from assistant.graph.stats import graph_stats
from ingest.ingester import ingest_paths
from tests.conftest import MRM3_CARDS, mrm3_card_files
from tests.test_cards import good_card


def write_cards(directory: Path, cards: list[dict[str, Any]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, card in enumerate(cards):
        path = directory / f"card-{index}-{abs(hash(card['name']))}.json"
        path.write_text(json.dumps(card), encoding="utf-8")
        paths.append(path)
    return paths


def multi_run_card(name: str) -> dict[str, Any]:
    """A card benchmarked on two devices, one of them at two batch sizes."""
    card = good_card(name)
    pi = {"CPU": "Raspberry Pi 4 Model B (ARM Cortex-A72)", "numCores": 4, "GPU": 0, "RAM": "4G"}
    server = {"CPU": "Test CPU", "numCores": 8, "GPU": 1, "RAM": "32G"}
    card["inference"] = [
        {"batch_size": 1, "latency": 0.002, "flops": 10, "device": server},
        {"batch_size": 32, "latency": 0.03, "flops": 320, "device": server},
        {"batch_size": 1, "latency": 0.2, "flops": 10, "device": pi},
    ]
    return card


def test_mrm3_cards_give_the_expected_counts(mrm3_graph: Graph) -> None:
    counts = graph_stats(mrm3_graph)
    nodes = counts["nodes"]
    assert {label: nodes[label] for label in ("Model", "Dataset", "ModelArchitecture", "ModelTraining")} == {
        "Model": 22,
        "Dataset": 4,
        "ModelArchitecture": 4,
        "ModelTraining": 22,
    }
    assert nodes["Service"] == 1 and nodes["ProblemType"] == 1
    assert nodes["ModelInference"] == 22
    assert counts["relationships"]["TRAINED_ON"] == 22
    assert counts["relationships"]["INFERENCE_ON"] == 22


def test_card_values_land_on_the_mrm3_property_names(mrm3_graph: Graph) -> None:
    file = MRM3_CARDS / "lumos" / "KNeighborsRegressor-KFoldSplit-results.json"
    card = json.loads(file.read_text())
    rows = mrm3_graph.read(
        """
        MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: $name})-[:TRAINED_ON]->(d:Dataset)
        MATCH (t)-[:CONTAINS]->(p:Parameters)
        MATCH (i:ModelInference)-[:INFERENCE_ON]->(m)
        MATCH (i)-[:RUNS_ON]->(dev:Device)
        RETURN m.dateCreated AS date, m.size AS size, d.name AS dataset, t.carbonFootprint AS carbon,
               t.mae_mean AS mae, t.r_squared_std AS r2std, t.energyConsumptionCPU AS cpu,
               p.splitType AS split, i.flops AS flops, i.latency AS latency, dev.processor AS cpuname
        """,
        {"name": card["name"]},
    )
    assert len(rows) == 1
    row = rows[0]
    training, run = card["training"], card["inference"][0]
    assert row["date"].iso_format() == card["dateCreated"]
    assert row["size"] == card["size"]
    assert row["dataset"] == card["dataset"]["name"]
    assert row["carbon"] == training["carbonFootprint"]
    assert row["mae"] == training["evaluationMetrics"]["mae"]["mean"]
    assert row["r2std"] == training["evaluationMetrics"]["r_squared"]["std"]
    assert row["cpu"] == training["powerConsumptionCPU"]
    assert row["split"] == training["parameters"]["splitType"]
    assert (row["flops"], row["latency"]) == (run["flops"], run["latency"])
    assert row["cpuname"] == run["device"]["CPU"]


def test_reingesting_the_same_cards_changes_no_count(mrm3_graph: Graph) -> None:
    before = graph_stats(mrm3_graph)
    report = ingest_paths(mrm3_graph, [MRM3_CARDS])
    assert report.models_unchanged == 22 and report.models_written == 0
    assert graph_stats(mrm3_graph) == before


def test_a_zip_of_the_cards_ingests_as_the_same_cards(mrm3_graph: Graph, tmp_path: Path) -> None:
    # Laid out as MRM3's published compressed.zip: a folder entry, then its cards (tests/test_mrm3_examples.py
    # checks that zip's members are these very files when ../shared is there).
    archive = tmp_path / "compressed.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for folder in sorted({f.parent for f in mrm3_card_files()}):
            zipped.writestr(f"{folder.name}/", b"")
            for file in sorted(folder.glob("*.json")):
                zipped.write(file, f"{folder.name}/{file.name}")
    before = graph_stats(mrm3_graph)
    report = ingest_paths(mrm3_graph, [archive])
    assert report.files_read == len(mrm3_card_files())
    assert report.models_unchanged == 22
    assert graph_stats(mrm3_graph) == before


def test_every_inference_run_is_kept(empty_graph: Graph, tmp_path: Path) -> None:
    write_cards(tmp_path, [multi_run_card("multi-a"), multi_run_card("multi-b")])
    ingest_paths(empty_graph, [tmp_path])
    rows = empty_graph.read(
        """
        MATCH (i:ModelInference)-[:INFERENCE_ON]->(m:Model)
        MATCH (i)-[:RUNS_ON]->(d:Device)
        RETURN m.name AS model, d.processor AS device, i.batch_size AS batch, i.latency AS latency
        ORDER BY model, latency
        """
    )
    assert [(r["model"], r["batch"], r["latency"]) for r in rows] == [
        ("multi-a", 1, 0.002),
        ("multi-a", 32, 0.03),
        ("multi-a", 1, 0.2),
        ("multi-b", 1, 0.002),
        ("multi-b", 32, 0.03),
        ("multi-b", 1, 0.2),
    ]
    assert graph_stats(empty_graph)["nodes"]["Device"] == 2
    before = graph_stats(empty_graph)
    ingest_paths(empty_graph, [tmp_path])
    assert graph_stats(empty_graph) == before


def test_a_changed_card_replaces_its_model(empty_graph: Graph, tmp_path: Path) -> None:
    card = multi_run_card("changing")
    write_cards(tmp_path, [card])
    ingest_paths(empty_graph, [tmp_path])
    changed = copy.deepcopy(card)
    changed["inference"] = changed["inference"][:1]
    changed["dataset"] = {"name": "otherset", "size": 1}
    changed["training"]["evaluationMetrics"] = {"accuracy": {"mean": 0.95, "std": 0.0}}
    write_cards(tmp_path, [changed])
    report = ingest_paths(empty_graph, [tmp_path])
    assert report.models_written == 1
    rows = empty_graph.read(
        """
        MATCH (m:Model {name: 'changing'})-[:TRAINED_ON]->(d:Dataset)
        MATCH (t:ModelTraining)-[:TRAINS_ON]->(m)
        OPTIONAL MATCH (i:ModelInference)-[:INFERENCE_ON]->(m)
        RETURN d.name AS dataset, t.accuracy_mean AS accuracy, count(i) AS runs
        """
    )
    assert rows == [{"dataset": "otherset", "accuracy": 0.95, "runs": 1}]
    counts = graph_stats(empty_graph)["nodes"]
    assert counts["Dataset"] == 1, "the dataset no card uses any more is removed"
    assert counts["Device"] == 1


def test_a_mixed_directory_keeps_every_good_card(empty_graph: Graph, tmp_path: Path) -> None:
    write_cards(tmp_path, [good_card(f"good-{i}") for i in range(3)])
    (tmp_path / "truncated.json").write_bytes(json.dumps(good_card("t")).encode()[:30])
    (tmp_path / "wrong-type.json").write_text(json.dumps({**good_card("w"), "size": "huge"}))
    (tmp_path / "array.json").write_text("[]")
    report = ingest_paths(empty_graph, [tmp_path])
    assert report.models_written == 3
    assert sorted(Path(p.source).name for p in report.rejected) == ["array.json", "truncated.json", "wrong-type.json"]
    names = [r["name"] for r in empty_graph.read("MATCH (m:Model) RETURN m.name AS name ORDER BY name")]
    assert names == ["good-0", "good-1", "good-2"]


def test_hostile_names_are_stored_verbatim(empty_graph: Graph, tmp_path: Path) -> None:
    hostile = ["x'}) DETACH DELETE n //", 'quote " and \\ backslash', "$param {a: 1}", "MATCH (n) DELETE n"]
    write_cards(tmp_path / "h", [{**good_card(f"h{i}"), "name": name} for i, name in enumerate(hostile)])
    report = ingest_paths(empty_graph, [tmp_path / "h"])
    assert report.ok, report.rejected
    stored = [r["name"] for r in empty_graph.read("MATCH (m:Model) RETURN m.name AS name")]
    assert sorted(stored) == sorted(hostile)


def test_same_name_with_different_content_is_rejected(empty_graph: Graph, tmp_path: Path) -> None:
    write_cards(tmp_path / "a", [good_card("twin")])
    write_cards(tmp_path / "b", [{**good_card("twin"), "version": "2.0"}])
    report = ingest_paths(empty_graph, [tmp_path / "a", tmp_path / "b"])
    assert report.models_written == 1
    assert len(report.rejected) == 1 and "already used by" in report.rejected[0].reason


def test_cards_inside_a_zip_in_a_directory(empty_graph: Graph, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "cards.zip", "w") as archive:
        archive.writestr("inner/z1.json", json.dumps(good_card("z1")))
        archive.writestr("__MACOSX/._z1.json", b"\x00\x01junk")
        archive.writestr("inner/bad.json", "{")
    report = ingest_paths(empty_graph, [tmp_path])
    assert report.models_written == 1
    assert [p.source for p in report.rejected] == [f"{tmp_path / 'cards.zip'}!inner/bad.json"]


def test_identical_copies_and_files_passed_over_are_counted(empty_graph: Graph, tmp_path: Path) -> None:
    """A folder of cards beside a zip of the same cards, a LICENSE and a README: every file is accounted for."""
    write_cards(tmp_path / "cards", [good_card("c1"), good_card("c2")])
    with zipfile.ZipFile(tmp_path / "cards.zip", "w") as archive:
        for name in ("c1", "c2"):
            archive.writestr(f"{name}.json", json.dumps(good_card(name)))
        archive.writestr("NOTES.txt", "not a card\n")
    (tmp_path / "LICENSE").write_text("BSD-3-Clause\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Our cards\n\nNothing to ingest here.\n", encoding="utf-8")
    report = ingest_paths(empty_graph, [tmp_path])
    assert (report.files_read, report.cards_valid, report.models_written) == (4, 2, 2)
    assert report.copies_skipped == 2
    assert sorted(Path(p.split("!")[-1]).name for p in report.passed_over) == ["LICENSE", "NOTES.txt", "README.md"]
    assert report.skipped_text() == "; 2 identical copies skipped, 3 files passed over (no card or log)"
    assert report.as_dict()["copies_skipped"] == 2
