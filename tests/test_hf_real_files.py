"""The real public Hugging Face cards and CodeCarbon logs in ../shared/hf, read in place, never copied.

They are third-party text, so they are not in the repository: these tests skip,
saying why, when the folder is absent (``MRM3_SHARED_DIR`` points elsewhere).
Their expectations are computed from the files with PyYAML and the csv module,
not with the readers under test.
"""

from __future__ import annotations

import csv
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.graph.connection import Graph
from assistant.graph.stats import graph_stats
from ingest.ingester import IngestReport, ingest_paths
from tests.conftest import REPO, invoke_cli

SHARED_HF = Path(os.environ.get("MRM3_SHARED_DIR", REPO.parent / "shared")) / "hf"
CARDS = SHARED_HF / "cards"
LOGS = SHARED_HF / "codecarbon"
CARD_COUNT, UNPARSABLE, LOG_COUNT = 153, 4, 14

pytestmark = pytest.mark.skipif(
    not CARDS.is_dir() or not LOGS.is_dir(),
    reason=f"the real HF cards and CodeCarbon logs are not at {SHARED_HF} (third-party files kept outside the "
    "repository; set MRM3_SHARED_DIR to the folder holding hf/)",
)
FRONT_MATTER = re.compile(r"^---\s*\n(.*?)\n---", re.DOTALL)


def _front_matter(path: Path) -> Any:
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    try:
        return yaml.safe_load(match.group(1)) if match else None
    except yaml.YAMLError:
        return None


def _numeric_emissions(metadata: Any) -> float | None:
    """The published emissions when they are a plain number (scalar or mapping form)."""
    if not isinstance(metadata, dict):
        return None
    co2 = metadata.get("co2_eq_emissions")
    value = co2.get("emissions") if isinstance(co2, dict) else co2
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


@pytest.fixture(scope="module")
def card_files() -> list[Path]:
    files = sorted(CARDS.glob("*.md"))
    assert len(files) == CARD_COUNT
    return files


@pytest.fixture
def cards_graph(empty_graph: Graph) -> tuple[Graph, IngestReport]:
    return empty_graph, ingest_paths(empty_graph, [CARDS])


def test_every_card_is_one_model_and_the_unparsable_are_reported(
    cards_graph: tuple[Graph, IngestReport], card_files: list[Path]
) -> None:
    graph, report = cards_graph
    assert report.files_read == CARD_COUNT and report.models_written == CARD_COUNT and not report.rejected
    names = {r["name"] for r in graph.read("MATCH (m:Model) RETURN m.name AS name")}
    assert names == {f.stem for f in card_files}
    unparsable = sorted(f.name for f in card_files if _front_matter(f) is None)
    assert len(unparsable) == UNPARSABLE
    assert sorted(Path(p.source).name for p in report.incomplete) == unparsable
    stored = graph.read("MATCH (m:Model) WHERE m.metadataError IS NOT NULL RETURN m.name AS name ORDER BY name")
    assert [r["name"] + ".md" for r in stored] == unparsable


def test_each_numeric_emissions_value_is_the_carbon_footprint_in_grams_as_published(
    cards_graph: tuple[Graph, IngestReport], card_files: list[Path]
) -> None:
    graph, _ = cards_graph
    expected = {f.stem: v for f in card_files if (v := _numeric_emissions(_front_matter(f))) is not None}
    assert len(expected) > 100
    rows = graph.read(
        "MATCH (t:ModelTraining) WHERE t.carbonFootprint IS NOT NULL RETURN t.model AS model, t.carbonFootprint AS g"
    )
    stored = {r["model"]: r["g"] for r in rows}
    assert {name: stored.get(name) for name in expected} == expected
    # The only other stored value is the string with its unit ("1.2g CO2").
    assert set(stored) - set(expected) == {"textmood-model-card"} and stored["textmood-model-card"] == 1.2


def test_cards_whose_text_gives_the_grams_in_kilograms_are_flagged(cards_graph: tuple[Graph, IngestReport]) -> None:
    graph, _ = cards_graph
    rows = graph.read("MATCH (t:ModelTraining) WHERE t.carbonFootprintSuspect IS NOT NULL RETURN t.model AS m")
    flagged = {r["m"] for r in rows}
    # The older Nkluge-correa versions and the two cards whose own text says kg (SOURCES.tsv).
    for name in ("aira-2-124m-2", "toxicitymodel", "rewardmodel-2", "environmental-due-diligence-model"):
        assert name in flagged
    assert "m01-asl-letters" in flagged
    # Their corrected current versions are not.
    assert not flagged & {"aira-2-124m", "rewardmodel", "teenytinyllama-460m"}


def test_model_index_results_keep_task_dataset_metric_and_split(cards_graph: tuple[Graph, IngestReport]) -> None:
    graph, _ = cards_graph
    rows = graph.read(
        """
        MATCH (e:EvaluationResult)-[:EVALUATES]->(:Model {name: 'autotrain-dog-vs-food'})
        MATCH (e)-[:EVALUATED_ON]->(d:Dataset)
        RETURN e.task AS task, d.name AS dataset, e.metric AS metric, e.value AS value, e.split AS split
        """
    )
    assert {"task": "image-classification", "dataset": "sasha/dog-food", "metric": "accuracy", "value": 1.0,
            "split": "test"} in rows  # fmt: skip
    assert len(rows) == 7
    training = graph.read("MATCH (t:ModelTraining {model: 'autotrain-dog-vs-food'}) RETURN t.accuracy_mean AS a")
    assert training == [{"a": 1.0}]


def test_reingesting_the_cards_changes_no_count(cards_graph: tuple[Graph, IngestReport]) -> None:
    graph, _ = cards_graph
    before = graph_stats(graph)
    again = ingest_paths(graph, [CARDS])
    assert again.models_unchanged == CARD_COUNT and graph_stats(graph) == before


def test_the_cli_exit_code_says_cards_were_read_in_part(empty_graph: Graph, cli_env: dict[str, str]) -> None:
    code, _, err = invoke_cli(cli_env, "ingest", str(CARDS))
    assert code == 1
    assert err.count("incomplete: ") == UNPARSABLE
    assert f"{CARD_COUNT} models written" in err


def _log_rows() -> list[tuple[str, int, dict[str, str]]]:
    rows = []
    for log in sorted(LOGS.glob("*.csv")):
        with log.open(encoding="utf-8", newline="") as handle:
            rows += [(str(log), number, row) for number, row in enumerate(csv.DictReader(handle), start=1)]
    return rows


def test_the_logs_ingest_with_kg_to_g_and_kwh_to_j(empty_graph: Graph) -> None:
    logs = sorted(LOGS.glob("*.csv"))
    assert len(logs) == LOG_COUNT
    report = ingest_paths(empty_graph, [LOGS])
    assert report.ok and report.files_read == LOG_COUNT
    expected = _log_rows()
    stored = {
        (r["source"], r["row"]): r
        for r in empty_graph.read(
            "MATCH (r:TrainingRun) RETURN r.source AS source, r.row AS row, r.carbonFootprint AS g, "
            "r.energyConsumption AS j, r.totalTrainTime AS s, r.codecarbonVersion AS version"
        )
    }
    assert len(stored) == len(expected) == 96

    def converted(cell: str | None, factor: float) -> Any:
        # An empty cell (two rows of codecarbon-examples) is absent, never 0.
        return pytest.approx(float(cell) * factor) if cell else None

    for source, number, row in expected:
        run = stored[(source, number)]
        assert run["g"] == converted(row["emissions"], 1000), (source, number)
        assert run["j"] == converted(row["energy_consumed"], 3_600_000), (source, number)
        assert run["s"] == converted(row["duration"], 1)
        assert run["version"] == (row.get("codecarbon_version") or None)


def test_every_header_version_is_read(empty_graph: Graph) -> None:
    headers = {log.open(encoding="utf-8").readline().count(",") + 1 for log in LOGS.glob("*.csv")}
    assert headers == {12, 29, 31, 32, 34, 38}
    ingest_paths(empty_graph, [LOGS])
    devices = empty_graph.read(
        "MATCH (r:TrainingRun {projectName: 'vitucano-pretraining'})-[:RUNS_ON]->(d:Device) "
        "RETURN DISTINCT d.gpuModel AS gpu, d.graphicsCard AS gpus"
    )
    assert devices == [{"gpu": "8 x NVIDIA A40", "gpus": 8}]
    one_x = empty_graph.read("MATCH (r:TrainingRun) WHERE r.cloudProvider = 'gcp' RETURN r.region AS region")
    assert one_x == [{"region": "Iowa"}]


def test_reingesting_the_logs_changes_no_count(empty_graph: Graph) -> None:
    ingest_paths(empty_graph, [LOGS])
    before = graph_stats(empty_graph)
    again = ingest_paths(empty_graph, [LOGS])
    assert again.models_written == 0 and graph_stats(empty_graph) == before


def test_a_card_and_the_log_of_its_run_agree_in_grams(empty_graph: Graph) -> None:
    ingest_paths(empty_graph, [CARDS / "vitucano-1b5-v1.md"])
    ingest_paths(empty_graph, [LOGS / "vitucano-emissions-1b5-v1.csv"], model="vitucano-1b5-v1")
    row = empty_graph.read(
        "MATCH (t:ModelTraining {model: 'vitucano-1b5-v1'}) MATCH (r:TrainingRun {model: 'vitucano-1b5-v1'}) "
        "RETURN t.carbonFootprint AS card, sum(r.carbonFootprint) AS runs, t.carbonFootprintSuspect AS suspect"
    )[0]
    assert row["card"] == pytest.approx(row["runs"], rel=0.01) and row["suspect"] is None
