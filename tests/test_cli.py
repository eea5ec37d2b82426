"""The mrm3 command line against the real embedded server (contracts included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.graph.connection import Graph
from assistant.graph.stats import graph_stats
from tests.conftest import MRM3_CARDS, REPO, mrm3_card_files
from tests.conftest import invoke_cli as run
from tests.test_cards import good_card


def test_stats_json_has_the_documented_shape(mrm3_graph: Graph, cli_env: dict[str, str]) -> None:
    code, out, _ = run(cli_env, "stats", "--json")
    assert code == 0
    counts = json.loads(out)
    assert set(counts) == {"nodes", "relationships"}
    assert counts["nodes"]["Model"] == 22 and counts["relationships"]["TRAINED_ON"] == 22


def test_the_mrm3_readme_queries_run_unchanged(mrm3_graph: Graph, cli_env: dict[str, str]) -> None:
    energy = (REPO / "docs/queries/mrm3-readme-1-lowest-energy.cypher").read_text()
    code, out, _ = run(cli_env, "query", "--json", energy)
    assert code == 0
    rows = json.loads(out)["rows"]
    assert len(rows) == 22
    assert set(rows[0]) == {"m.name", "architecture", "dataset", "i.energyConsumption", "i.flops"}
    measured = [r["i.energyConsumption"] for r in rows if r["i.energyConsumption"] is not None]
    assert measured == sorted(measured)

    carbon = (REPO / "docs/queries/mrm3-readme-2-lowest-carbon.cypher").read_text()
    code, out, _ = run(cli_env, "query", "--json", carbon)
    assert code == 0
    rows = json.loads(out)["rows"]
    cards = [json.loads(f.read_text()) for f in mrm3_card_files()]
    lumos = sorted(
        (c for c in cards if c["dataset"]["name"] == "lumos5g"), key=lambda c: c["training"]["carbonFootprint"]
    )
    assert [r["m.name"] for r in rows][-2:] == [c["name"] for c in lumos][-2:]
    assert sorted(r["m.name"] for r in rows) == sorted(c["name"] for c in lumos)
    by_name = {r["m.name"]: r for r in rows}
    for card in lumos:
        assert by_name[card["name"]]["t.carbonFootprint"] == card["training"]["carbonFootprint"]
        assert by_name[card["name"]]["t.mae_mean"] == card["training"]["evaluationMetrics"]["mae"]["mean"]


def test_query_json_prints_dates_as_iso_strings(mrm3_graph: Graph, cli_env: dict[str, str]) -> None:
    code, out, _ = run(
        cli_env, "query", "--json", "MATCH (m:Model) RETURN m.name AS name, m.dateCreated AS created ORDER BY name"
    )
    assert code == 0
    rows = json.loads(out)["rows"]
    assert rows[0]["created"] in {"2024-11-21", "2024-11-22"}


@pytest.mark.parametrize(
    "statement",
    [
        "MATCH (n) DETACH DELETE n",
        "match (m:Model) set m.name = 'x' return m",
        "CREATE (:Model {name: 'intruder'})",
        "MATCH (m:Model) /* hide */ REMOVE m.size",
    ],
    ids=["detach delete", "lower-case set", "create", "remove behind a comment"],
)
def test_query_refuses_writes_and_changes_nothing(mrm3_graph: Graph, cli_env: dict[str, str], statement: str) -> None:
    before = graph_stats(mrm3_graph)
    code, out, err = run(cli_env, "query", statement)
    assert code == 1
    assert "Refused" in err and "Traceback" not in err
    assert graph_stats(mrm3_graph) == before


def test_ingest_a_mixed_directory_exits_non_zero_and_names_each_bad_file(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "good.json").write_text(json.dumps(good_card("cli-good")))
    (tmp_path / "bad-size.json").write_text(json.dumps({**good_card("cli-bad"), "size": "huge"}))
    (tmp_path / "empty.json").write_text("")
    code, _, err = run(cli_env, "ingest", str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'bad-size.json'} at $.size: 'huge' is not of type 'integer'" in err
    assert f"{tmp_path / 'empty.json'}: file is empty" in err
    assert "1 models written" in err and "2 rejected" in err
    assert graph_stats(empty_graph)["nodes"]["Model"] == 1


def test_ingest_twice_then_reset(empty_graph: Graph, cli_env: dict[str, str]) -> None:
    mrm3_card_files()
    assert run(cli_env, "ingest", str(MRM3_CARDS))[0] == 0
    before = graph_stats(empty_graph)
    code, _, err = run(cli_env, "ingest", str(MRM3_CARDS))
    assert code == 0 and "22 unchanged" in err
    assert graph_stats(empty_graph) == before
    code, _, err = run(cli_env, "ingest", "--strict", "--reset", str(MRM3_CARDS))
    assert code == 1 and "rejected by --strict" in err
    assert graph_stats(empty_graph)["nodes"]["Model"] == 19


def test_validate_needs_no_graph_and_reports_json(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[1, 2]")
    result = CliRunner().invoke(cli, ["validate", "--json", str(tmp_path)], env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["rejected"] == [
        {
            "file": str(tmp_path / "a.json"),
            "path": "$",
            "reason": "expected one JSON object (a model card), got an array",
        }
    ]


def test_an_unreachable_neo4j_is_one_readable_line() -> None:
    env = {"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "secret-password-value"}
    result = CliRunner().invoke(cli, ["stats"], env=env)
    assert result.exit_code == 1
    assert "Cannot reach the graph server at bolt://127.0.0.1:1" in result.stderr
    assert "secret-password-value" not in result.output + result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_path_is_reported_not_raised(empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = run(cli_env, "ingest", str(tmp_path / "nope"))
    assert code == 1 and "no such file or directory" in err


def test_demo_loads_the_sample_catalog(empty_graph: Graph, cli_env: dict[str, str]) -> None:
    code, _, err = run(cli_env, "demo")
    assert code == 0, err
    counts = graph_stats(empty_graph)["nodes"]
    # The 48-card SAMPLE catalog and, beside it, the MRM3 example cards (tests/test_mrm3_examples.py).
    assert counts["Model"] == 48 + len(mrm3_card_files())
    assert counts["ModelInference"] > counts["Model"], "several inference runs per model"
    assert counts["Service"] >= 3
