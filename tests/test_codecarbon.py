"""CodeCarbon emissions.csv logs: each row a measured run, kg -> g, kWh -> J, attached by --model or project_name.

Reads the project's own synthetic logs in tests/data/hf/codecarbon (a 1.x
header with CRLF endings, and a 2.5+ header with two projects and a cell that
is not a number). The real logs are covered by tests/test_hf_real_files.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.graph.connection import Graph
from assistant.graph.stats import graph_stats
from ingest.codecarbon import read_codecarbon
from ingest.ingester import ingest_paths
from tests.conftest import REPO, invoke_cli

LOGS = REPO / "tests" / "data" / "hf" / "codecarbon"
CARDS = REPO / "tests" / "data" / "hf" / "cards"
V1 = LOGS / "synthetic-v1-emissions.csv"
V2 = LOGS / "synthetic-v2-emissions.csv"


def _runs(graph: Graph, model: str) -> list[dict[str, Any]]:
    return graph.read(
        "MATCH (r:TrainingRun)-[:MEASURES]->(:Model {name: $m}) RETURN properties(r) AS r ORDER BY r.row",
        {"m": model},
    )


def test_rows_group_by_project_name_or_by_model() -> None:
    by_project = list(read_codecarbon(str(V2), V2.read_bytes()))
    assert [(c.name, len(c.data["runs"])) for c in by_project] == [("synthetic-a", 2), ("synthetic-b", 1)]
    by_model = list(read_codecarbon(str(V2), V2.read_bytes(), model="my-model"))
    assert [(c.name, len(c.data["runs"])) for c in by_model] == [("my-model", 3)]


def test_a_cell_that_is_not_a_number_is_one_line() -> None:
    cards = list(read_codecarbon(str(V2), V2.read_bytes()))
    warnings = [str(w) for card in cards for w in card.warnings]
    assert warnings == [f"{V2} at row 3, column emissions: 'n/a' is not a number; not stored"]


def test_codecarbon_s_default_project_name_names_no_model() -> None:
    """Unrelated logs all carrying CodeCarbon's default project name were summed into one model 'codecarbon'."""
    raw = b"timestamp,project_name,duration,emissions\n2024-01-01T00:00:00,codecarbon,10,0.5\n"
    names = {
        source: [card.name for card in read_codecarbon(source, raw)]
        for source in ("runs/resnet/emissions.csv", "bert-emissions.csv", "logs.zip!gpt/emissions.csv")
    }
    assert names == {
        "runs/resnet/emissions.csv": ["resnet-emissions"],
        "bert-emissions.csv": ["bert-emissions"],
        "logs.zip!gpt/emissions.csv": ["gpt-emissions"],
    }
    (card,) = read_codecarbon("bert-emissions.csv", raw)
    assert [w.path for w in card.warnings] == ["project_name"] and "default 'codecarbon'" in card.warnings[0].reason
    extra = b"timestamp,project_name,duration,emissions\n2024-01-01T00:00:00,codecarbon,10,0.5,9\n"
    (card,) = read_codecarbon("bert-emissions.csv", extra)  # the extra cell's warning reaches the card
    assert [w.path for w in card.warnings] == ["project_name", "row 1"]
    (named,) = read_codecarbon("bert-emissions.csv", raw, model="bert")
    assert named.name == "bert" and not named.warnings


def test_a_column_given_twice_is_one_line_naming_which_is_read() -> None:
    raw = (
        b"timestamp,project_name,duration,emissions,energy_consumed,emissions\n"
        b"2024-01-01T00:00:00,a,10,0.5,2.0,0.7\n2024-01-01T00:00:00,b,10,0.1,1.0,0.2\n"
    )
    cards = list(read_codecarbon("dup.csv", raw))
    warnings = [str(w) for card in cards for w in card.warnings]
    assert warnings == [
        "dup.csv at header: column 'emissions' appears more than once in the header; the last of each is read"
    ]
    assert cards[0].data["runs"][0]["cells"]["emissions"] == "0.7"  # the one the warning says


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"a,b,c\n1,2,3\n", "is not a CodeCarbon log: no duration, emissions, project_name, timestamp column"),
        (b"timestamp,project_name,duration,emissions\n", "CodeCarbon log has a header but no rows"),
        (b"\xff\xfe", "is not valid UTF-8"),
    ],
    ids=["another csv", "a header only", "not UTF-8"],
)
def test_what_is_not_a_log_is_rejected_in_one_line(raw: bytes, reason: str) -> None:
    (problem,) = list(read_codecarbon("x.csv", raw))
    assert reason in str(problem)


def test_runs_are_stored_in_grams_joules_and_seconds_with_provenance(empty_graph: Graph) -> None:
    report = ingest_paths(empty_graph, [V1, V2])
    assert report.ok and report.models_written == 3 and len(report.warnings) == 1
    (v1,) = _runs(empty_graph, "synthetic-v1")
    run = v1["r"]
    assert run["carbonFootprint"] == pytest.approx(2.0)  # 0.002 kg
    assert run["energyConsumption"] == pytest.approx(18_000.0)  # 0.005 kWh
    assert run["totalTrainTime"] == 100.0
    assert (run["country"], run["region"], run["cloudProvider"], run["onCloud"]) == (
        "Slovenia",
        "osrednjeslovenska",
        "example-cloud",
        "Y",
    )
    a1, a2 = (r["r"] for r in _runs(empty_graph, "synthetic-a"))
    assert a1["carbonFootprint"] == pytest.approx(500.0) and a2["carbonFootprint"] == pytest.approx(250.0)
    assert a1["energyConsumptionCPU"] == pytest.approx(360_000.0)
    assert a1["energyConsumptionGPU"] == pytest.approx(2_880_000.0)
    assert a1["energyConsumptionRAM"] == pytest.approx(360_000.0)
    assert a1["codecarbonVersion"] == "2.7.1" and a1["experimentId"].endswith("e1")
    device = empty_graph.read(
        "MATCH (r:TrainingRun {model: 'synthetic-a'})-[:RUNS_ON]->(d:Device) "
        "RETURN DISTINCT d.processor AS cpu, d.cores AS cores, d.graphicsCard AS gpus, d.gpuModel AS gpu"
    )
    assert device == [{"cpu": "Example CPU 16-Core", "cores": 16, "gpus": 2, "gpu": "2 x Example GPU"}]
    provenance = empty_graph.read(
        """
        MATCH (r:TrainingRun {model: 'synthetic-a', row: 1})-[:HAS_PROVENANCE]->(p:Provenance)
        RETURN p.property AS property, p.publishedValue AS published, p.publishedUnit AS unit, p.factor AS factor
        ORDER BY property
        """
    )
    assert {r["property"]: (r["published"], r["unit"], r["factor"]) for r in provenance} == {
        "carbonFootprint": ("0.5", "kg CO2eq", 1000.0),
        "energyConsumption": ("1.0", "kWh", 3_600_000.0),
        "energyConsumptionCPU": ("0.1", "kWh", 3_600_000.0),
        "energyConsumptionGPU": ("0.8", "kWh", 3_600_000.0),
        "energyConsumptionRAM": ("0.1", "kWh", 3_600_000.0),
        "totalTrainTime": ("3600.0", "s", 1.0),
    }


def test_a_model_only_codecarbon_describes_gets_the_sums_of_its_runs(empty_graph: Graph) -> None:
    ingest_paths(empty_graph, [V2])
    rows = empty_graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model) RETURN m.name AS model, m.format AS format, "
        "t.carbonFootprint AS carbon, t.energyConsumption AS energy, t.totalTrainTime AS seconds, "
        "t.runCount AS runs ORDER BY model"
    )
    assert rows[0]["model"] == "synthetic-a" and rows[0]["format"] == "codecarbon"
    assert rows[0]["carbon"] == pytest.approx(750.0) and rows[0]["energy"] == pytest.approx(5_400_000.0)
    assert (rows[0]["seconds"], rows[0]["runs"]) == (5400.0, 2)
    # synthetic-b's only emissions cell is 'n/a': its carbon is absent, never 0.
    assert rows[1]["model"] == "synthetic-b" and rows[1]["carbon"] is None and rows[1]["runs"] == 1


def test_reingesting_a_log_changes_no_count(empty_graph: Graph) -> None:
    ingest_paths(empty_graph, [V1, V2])
    before = graph_stats(empty_graph)
    again = ingest_paths(empty_graph, [V1, V2])
    assert again.models_unchanged == 3 and again.models_written == 0
    assert graph_stats(empty_graph) == before


def test_a_log_attached_to_a_carded_model_keeps_the_card_and_flags_a_1000x_gap(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    # synthetic-scalar.md says 12.5 g; the log of its training says 12.5 kg: the card gave kilograms as grams.
    ingest_paths(empty_graph, [CARDS / "synthetic-scalar.md"])
    code, _, err = invoke_cli(cli_env, "ingest", str(LOGS / "synthetic-scalar-run.csv"), "--model", "synthetic-scalar")
    assert code == 0, err
    row = empty_graph.read(
        """
        MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: 'synthetic-scalar'})<-[:MEASURES]-(r:TrainingRun)
        MATCH (t)-[:HAS_PROVENANCE]->(p:Provenance {property: 'carbonFootprint'})
        RETURN m.format AS format, t.carbonFootprint AS card, t.accuracy_mean AS accuracy, r.carbonFootprint AS run,
               t.carbonFootprintSuspect AS suspect, p.suspect AS provenance
        """
    )
    assert len(row) == 1
    assert (row[0]["format"], row[0]["card"], row[0]["accuracy"]) == ("hf-card", 12.5, 0.83)
    assert row[0]["run"] == pytest.approx(12_500.0)
    assert "1000x" in row[0]["suspect"] and row[0]["provenance"] == row[0]["suspect"]
    # A changed card replaces its own subgraph; the runs stay, and the gap is flagged again on the new card.
    changed = tmp_path / "synthetic-scalar.md"
    changed.write_text(
        (CARDS / "synthetic-scalar.md").read_text(encoding="utf-8").replace("value: 0.79", "value: 0.8"),
        encoding="utf-8",
    )
    assert ingest_paths(empty_graph, [changed]).models_written == 1
    after = empty_graph.read(
        "MATCH (t:ModelTraining {model: 'synthetic-scalar'}) MATCH (r:TrainingRun {model: 'synthetic-scalar'}) "
        "RETURN t.f1_mean AS f1, t.carbonFootprintSuspect AS suspect, count(r) AS runs"
    )
    assert after[0]["f1"] == 0.8 and after[0]["runs"] == 1 and "1000x" in after[0]["suspect"]


def test_a_log_re_ingested_under_another_model_name_moves_its_runs(empty_graph: Graph, tmp_path: Path) -> None:
    """A row is one run whatever model it names: a log ingested under CodeCarbon's default name (by an older
    ingest, or before its project_name was fixed) and again under its own name counted every run twice."""
    log = tmp_path / "emissions.csv"
    header = "timestamp,project_name,duration,emissions,energy_consumed\n"
    rows = ["2024-01-01T00:00:00,{p},10,0.5,2.0\n", "2024-01-01T01:00:00,{p},20,0.25,1.0\n"]
    log.write_text(header + "".join(r.format(p="before") for r in rows), encoding="utf-8")
    assert ingest_paths(empty_graph, [log]).models_written == 1
    log.write_text(header + "".join(r.format(p="after") for r in rows), encoding="utf-8")
    assert ingest_paths(empty_graph, [log]).models_written == 1
    runs = empty_graph.read("MATCH (r:TrainingRun) RETURN r.model AS model, count(r) AS n")
    assert runs == [{"model": "after", "n": 2}]
    models = empty_graph.read("MATCH (m:Model) RETURN m.name AS name")
    assert [m["name"] for m in models] == ["after"]  # the model only the log described is gone with its runs
    total = empty_graph.read("MATCH (t:ModelTraining) RETURN t.model AS model, t.carbonFootprint AS g")
    assert total == [{"model": "after", "g": pytest.approx(750.0)}]
