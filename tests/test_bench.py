"""`mrm3 bench`: it reports every figure, keeps to a database of its own, and its reference is a fair one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.bench.baseline import REFERENCE_CONSTRAINTS, ingest_one_statement_per_node, reference_indexes_only
from assistant.bench.database import EMBEDDED_BENCH_DATABASE, bench_graph, bench_settings
from assistant.bench.run import load_questions, percentile
from assistant.cli import cli
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.graph.connection import Graph
from assistant.graph.embedded import EmbeddedServer
from ingest.cards import Card, card_hash
from ingest.ingester import IngestReport, ingest_cards, ingest_paths, rows_of
from ingest.sample import iter_cards
from ingest.writer import create_constraints, reset
from tests.conftest import MRM3_CARDS
from tests.llm_fixtures import fingerprint

CONTRACT_KEYS = ("cards", "ingest_cards_per_s", "baseline_cards_per_s", "speedup", "ask_p50_ms", "ask_p95_ms")


def databases(settings: Settings) -> list[str]:
    return list(EmbeddedServer(settings)._server_command("list databases")["result"])


def test_bench_reports_every_key_and_leaves_the_users_graph_alone(
    mrm3_graph: Graph, settings: Settings, cli_env: dict[str, str]
) -> None:
    before = fingerprint(mrm3_graph)
    result = CliRunner().invoke(
        cli, ["bench", "--cards", "200", "--baseline-cards", "20", "--repeats", "1", "--json"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert all(key in report for key in CONTRACT_KEYS)
    assert report["cards"] == 200
    assert report["ingest_cards_per_s"] > 0 and report["baseline_cards_per_s"] > 0
    assert report["speedup"] == pytest.approx(report["ingest_cards_per_s"] / report["baseline_cards_per_s"], abs=0.1)
    assert 0 < report["ask_p50_ms"] <= report["ask_p95_ms"] <= report["ask_max_ms"]
    assert report["questions"] == len(load_questions()) >= 20
    assert report["questions_answered"] == report["questions"], report["unanswered"]
    # 220 models: the batched 200 plus the reference's 20, each with its training run.
    assert report["inference_runs"] > 200
    assert report["baseline_statements"] >= 20 * 8
    assert report["baseline_indexed_cards_per_s"] > 0
    assert report["peak_rss_mb"] > 0
    assert report["warmup_cards"] == 200, "the warm-up is as big as the run, up to 20,000 cards"
    # The guard alone, on the statements the questions ran (measured here, never held to a time limit).
    assert 0 < report["guard_statements"] <= report["questions"]
    assert 0 < report["guard_p50_ms"] <= report["guard_max_ms"]
    assert fingerprint(mrm3_graph) == before
    assert EMBEDDED_BENCH_DATABASE not in databases(settings)
    assert f"{EMBEDDED_BENCH_DATABASE}_warmup" not in databases(settings)


def test_the_reference_loop_writes_the_same_graph_as_the_batched_ingester(empty_graph: Graph) -> None:
    cards = [Card(f"sample:{c['name']}", c, (), card_hash(c)) for c in iter_cards(30, seed=3)]
    create_constraints(empty_graph)
    statements = ingest_one_statement_per_node(empty_graph, [rows_of(c) for c in cards])
    by_reference = fingerprint(empty_graph)
    reset(empty_graph)
    ingest_cards(empty_graph, cards, IngestReport())
    empty_graph.run_write("MATCH (d:DerivedValues) DELETE d")  # the ingester's mark that its values are complete
    assert fingerprint(empty_graph) == by_reference
    # As MRM3's json_to_KG.py: seven statements per full card, one more per inference run.
    runs = sum(len(c.data["inference"]) for c in cards)
    assert statements == 30 * 7 + runs


def constraint_names(graph: Graph) -> set[str]:
    return {row["name"] for row in graph.read("SHOW CONSTRAINTS")}


def index_names(graph: Graph) -> set[str]:
    return {row["name"] for row in graph.read("SHOW INDEXES")}


def test_the_reference_runs_with_the_mrm3_reference_constraints_only(empty_graph: Graph) -> None:
    create_constraints(empty_graph)
    ours, our_indexes = constraint_names(empty_graph), index_names(empty_graph)
    with reference_indexes_only(empty_graph):
        assert constraint_names(empty_graph) == REFERENCE_CONSTRAINTS
        # No index beyond the ones the reference's constraints own.
        assert len(index_names(empty_graph)) == len(REFERENCE_CONSTRAINTS)
    assert constraint_names(empty_graph) == ours
    assert index_names(empty_graph) == our_indexes


def test_on_neo4j_the_bench_needs_a_database_of_its_own() -> None:
    neo4j = Settings(neo4j_uri="bolt://db.example:7687", neo4j_password="x", neo4j_database="catalog")
    with pytest.raises(ConfigError, match="--database"):
        bench_settings(neo4j, None)
    with pytest.raises(ConfigError, match="the database the assistant uses"):
        bench_settings(neo4j, "catalog")
    assert bench_settings(neo4j, "mrm3bench").database == "mrm3bench"


def test_the_bench_refuses_the_assistants_own_embedded_database(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="own database"):
        bench_settings(settings, settings.database)


def test_the_bench_never_clears_a_database_holding_real_cards(settings: Settings) -> None:
    server = EmbeddedServer(settings)
    server.create_database("other_cards")
    other = settings.with_overrides(neo4j_database="other_cards")
    from assistant.graph.connection import connect

    with connect(other) as graph:
        reset(graph)
        assert ingest_paths(graph, [MRM3_CARDS]).ok
        before = fingerprint(graph)
        with pytest.raises(ConfigError, match="not a bench card"), bench_graph(settings, "other_cards"):
            pass
        assert fingerprint(graph) == before
    assert "other_cards" in databases(settings)
    server.drop_database("other_cards")


@pytest.mark.parametrize(
    ("values", "pct", "expected"), [([5.0], 95, 5.0), ([1, 2, 3, 4], 50, 2), ([*range(1, 101)], 95, 95)]
)
def test_percentile_is_nearest_rank(values: list[float], pct: float, expected: float) -> None:
    assert percentile(values, pct) == expected


def test_bench_questions_are_data(tmp_path: Path) -> None:
    broken = tmp_path / "q.yaml"
    broken.write_text("not: [questions", encoding="utf-8")
    with pytest.raises(ConfigError, match="Cannot read the bench questions"):
        load_questions(broken)
