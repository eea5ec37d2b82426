"""``mrm3 eval``: execution accuracy on the development set, through the real CLI and server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assistant.cli import cli
from assistant.evaluation.run import DEFAULT_SET, load_question_set
from assistant.graph.connection import Graph
from ingest.writer import reset
from tests.conftest import MRM3_CARDS, mrm3_card_files
from tests.conftest import invoke_cli as run

GOAL = 0.9


def test_the_development_set_is_big_varied_and_computed_from_cards() -> None:
    question_set = load_question_set(DEFAULT_SET)
    questions = question_set.questions
    assert len(questions) >= 80
    assert {q.catalog for q in questions} == {"mrm3", "sample"}
    assert len({q.category for q in questions}) >= 8
    assert len({q.id for q in questions}) == len(questions)
    # Gold answers are specs evaluated over the cards, never values typed in.
    assert all("kind" in q.gold for q in questions)


def test_eval_offline_reaches_the_goal_on_the_development_set(session_graph: Graph, cli_env: dict[str, str]) -> None:
    mrm3_card_files()
    code, out, err = run(cli_env, "eval", "--engine", "offline", "--load", "--catalog", f"mrm3={MRM3_CARDS}", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["engine"] == "offline"
    assert report["questions"] >= 80
    assert report["accuracy"] >= GOAL, report["failures"]
    assert report["median_ms"] < 300
    assert set(report["categories"]) >= {"rank", "count", "list", "lookup", "compare", "decline", "group"}
    assert "Loading catalog" in err


def test_eval_prints_a_table_per_category(session_graph: Graph, cli_env: dict[str, str], tmp_path: Path) -> None:
    small = {
        "catalogs": {"sample": {"sample": {"count": 12, "seed": 3}}},
        "questions": [
            {"id": "count", "catalog": "sample", "category": "count", "question": "how many models are there?",
             "gold": {"kind": "count"}},
            {"id": "green", "catalog": "sample", "category": "rank", "question": "greenest model",
             "gold": {"kind": "best", "metric": "carbon", "order": "min"}},
            {"id": "no", "catalog": "sample", "category": "decline", "question": "what is the capital of France?",
             "gold": {"kind": "decline"}},
        ],
    }  # fmt: skip
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small), encoding="utf-8")
    code, out, _ = run(cli_env, "eval", "--set", str(path), "--load")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Execution accuracy (offline engine, 3 questions):"
    assert any(line.split()[:1] == ["count"] and line.endswith("100.0%") for line in lines)
    assert any(line.split()[:1] == ["overall"] and line.endswith("100.0%") for line in lines)
    assert lines[-1].startswith("Median time per question:")


def test_eval_refuses_to_replace_the_graph_without_load(session_graph: Graph, cli_env: dict[str, str]) -> None:
    reset(session_graph)
    result = CliRunner().invoke(cli, ["eval", "--catalog", f"mrm3={MRM3_CARDS}"], env=cli_env)
    assert result.exit_code == 1
    assert "does not hold catalog" in result.output and "--load" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "--set", "/nonexistent/set.yaml"], "No question set"),
        (["eval", "--catalog", "no-equals-sign"], "NAME=PATH"),
        (["eval", "--engine", "magic"], "Invalid value"),
    ],
    ids=["a missing set file", "a malformed catalog override", "an unknown engine"],
)
def test_eval_errors_are_one_line(cli_env: dict[str, str], args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args, env=cli_env)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
