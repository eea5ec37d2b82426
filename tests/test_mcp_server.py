"""`mrm3 mcp` driven by the MCP SDK's own ClientSession over stdio, against the real embedded server.

One server process for the whole module (``python -m assistant mcp``, started
the way an MCP client's config starts it), on the 22 public MRM3 cards. The
expected values are computed here from the card files, never taken from the
assistant's code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.graph.connection import Graph
from tests.card_facts import cards, pareto_names
from tests.conftest import REPO, cli_env_of
from tests.mcp_client import TOOLS, McpClient, mcp_session

# cards_graph
pytest_plugins = ("tests.llm_fixtures",)


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("mcp") / "server.stderr"
    yield path


@pytest.fixture(scope="module")
def mcp(cards_graph: Graph, settings: Settings, server_log: Path) -> Iterator[McpClient]:
    """One MCP session with one server process, on the MRM3 cards."""
    with open(server_log, "w", encoding="utf-8") as log, mcp_session(cli_env_of(settings), errlog=log) as client:
        yield client


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def training_carbon(card: dict[str, Any]) -> float:
    return float(card["training"].get("carbonFootprint") or 0.0)


def r_squared(card: dict[str, Any]) -> float | None:
    """The card's mean R²; None when not measured (none, or a mean and a std both 0)."""
    r2 = card["training"].get("evaluationMetrics", {}).get("r_squared", {})
    return None if r2.get("mean") == 0 and r2.get("std") == 0 else r2.get("mean")


# -- the tools ----------------------------------------------------------------------------------------------


def test_the_server_lists_exactly_the_contract_tools_each_typed_read_only_and_described(mcp: McpClient) -> None:
    tools = {tool.name: tool for tool in mcp.tools()}

    assert set(tools) == TOOLS
    for name, tool in tools.items():
        assert tool.inputSchema["type"] == "object", name
        assert tool.outputSchema and tool.outputSchema["type"] == "object", f"{name} has no structured output"
        assert tool.annotations.readOnlyHint is True and tool.annotations.idempotentHint is True, name
        assert tool.annotations.destructiveHint is False, name
        assert len(tool.description or "") > 150, f"{name} needs a description an LLM can act on"
    assert tools["ask"].inputSchema["required"] == ["question"]
    assert set(tools["find_models"].inputSchema["properties"]) >= {
        "dataset", "service", "architecture", "device", "conditions"
    }  # fmt: skip
    assert set(tools["recommend_model"].inputSchema["required"]) == {"objective"}
    assert set(tools["pareto_front"].inputSchema["required"]) == {"quality_metric", "cost_metric"}


def test_ask_answers_with_the_greenest_measured_model_and_says_what_was_left_out(mcp: McpClient) -> None:
    lumos = [c for c in cards() if c["dataset"]["name"] == "lumos5g"]
    measured = [c for c in lumos if training_carbon(c) > 0]
    best = min(measured, key=training_carbon)
    unmeasured = len(lumos) - len(measured)

    result = mcp.call("ask", {"question": "Which model has the lowest training carbon footprint on lumos5g?"})

    assert result["answered"] is True and result["engine"] == "offline"
    assert result["rows"][0]["model"] == best["name"]
    assert close(result["rows"][0]["carbon_g"], training_carbon(best))
    assert result["units"]["carbon_g"] == "g CO2"
    assert best["name"] in result["answer"] and "g CO2" in result["answer"]
    assert result["interpretation"].startswith("understood as:") and "lumos5g" in result["interpretation"]
    assert result["cypher"] and "$dataset" in result["cypher"]
    assert any(f"{unmeasured} matching models" in c and "NOT MEASURED" in c for c in result["caveats"])
    assert result["notes"] == result["caveats"]  # the same notes as `mrm3 ask --json`


def test_ask_declines_a_name_the_graph_lacks_and_names_it(mcp: McpClient) -> None:
    result = mcp.call("ask", {"question": "Which model has the lowest training carbon on imagenet?"})

    assert result["answered"] is False
    assert "imagenet" in result["answer"]
    assert result["rows"] == []


def test_recommend_model_minimises_training_carbon_subject_to_r_squared(mcp: McpClient) -> None:
    good = [c for c in cards() if (r_squared(c) or -math.inf) >= 0.9]
    measured = [c for c in good if training_carbon(c) > 0]
    expected = sorted(measured, key=training_carbon)

    result = mcp.call(
        "recommend_model",
        {
            "objective": {"metric": "training_carbon", "goal": "minimize"},
            "constraints": {"conditions": [{"metric": "r_squared", "op": ">=", "value": 0.9}]},
            "limit": 3,
        },
    )

    best = result["recommended"]
    assert best["model"] == expected[0]["name"]
    carbon = best["values"]["training_carbon"]
    assert close(carbon["value"], training_carbon(expected[0])) and carbon["unit"] == "g CO2" and carbon["measured"]
    assert carbon["text"].endswith("g CO2")
    assert [e["model"] for e in result["ranking"]] == [c["name"] for c in expected[:3]]
    assert result["fits"] == len(expected)  # how many meet the constraints, beyond the ranking's three
    for entry, card in zip(result["ranking"], expected, strict=False):  # the bound's values are shown too
        assert close(entry["values"]["r_squared"]["value"], r_squared(card) or 0)
    assert best["dataset"] == expected[0]["dataset"]["name"]
    assert best["architecture"] == expected[0]["architecture"]["type"]
    # The models whose 0 g CO2 would have won are left out, and counted.
    # and the models whose R² is not measured, which no bound can check
    no_r2 = sum(1 for c in cards() if r_squared(c) is None)
    assert result["left_out_unmeasured"] == {"training_carbon": len(good) - len(measured), "r_squared": no_r2}
    assert result["objective"] == {
        "name": "training_carbon", "kind": "cost", "unit": "g CO2", "better": "lower",
        "description": "carbon footprint of training", "measured_only": True,
    }  # fmt: skip
    assert "R² at least 0.9" in result["interpretation"]


def test_recommend_model_ranks_inference_energy_per_inference_with_the_best_run(mcp: McpClient) -> None:
    per_model: dict[str, tuple[float, int]] = {}
    with_runs = set()
    for card in cards():
        for entry in card.get("inference", []):
            with_runs.add(card["name"])
            energy, runs = entry.get("energy_consumption") or 0, entry.get("num_of_runs") or 0
            if energy > 0 and runs > 0:
                value = energy / runs
                if card["name"] not in per_model or value < per_model[card["name"]][0]:
                    per_model[card["name"]] = (value, entry["batch_size"])
    winner = min(per_model, key=lambda name: per_model[name][0])

    result = mcp.call("recommend_model", {"objective": {"metric": "inference_energy"}, "limit": 1})

    best = result["recommended"]
    assert best["model"] == winner and result["goal"] == "minimize"
    energy = best["values"]["inference_energy"]
    assert close(energy["value"], per_model[winner][0]) and energy["unit"] == "J per inference"
    assert best["batch_size"] == per_model[winner][1]
    assert best["device"] == "AMD EPYC 75F3 32-Core Processor"
    assert result["left_out_unmeasured"] == {"inference_energy": len(with_runs - set(per_model))}
    assert len(result["ranking"]) == 1


def test_find_models_filters_by_dataset_and_condition_with_values_and_units(mcp: McpClient) -> None:
    expected = {
        c["name"]: r_squared(c) for c in cards() if c["dataset"]["name"] == "umu" and (r_squared(c) or 0) > 0.99
    }

    result = mcp.call(
        "find_models", {"dataset": "UMU", "conditions": [{"metric": "r_squared", "op": ">", "value": 0.99}]}
    )

    assert result["count"] == len(expected) == len(result["models"])
    assert {m["model"] for m in result["models"]} == set(expected)
    for model in result["models"]:
        assert close(model["values"]["r_squared"]["value"], expected[model["model"]])
        assert model["dataset"] == "umu" and model["services"] == ["localization"]
    assert result["params"]["dataset"] == ["umu"]


def test_find_models_reads_a_unique_part_of_a_device_name_and_says_so(mcp: McpClient) -> None:
    result = mcp.call("find_models", {"device": "amd epyc", "device_role": "training"})

    assert result["count"] == 22
    assert any("read as 'AMD EPYC 75F3 32-Core Processor'" in c for c in result["caveats"])


def test_pareto_front_of_r_squared_and_training_carbon_matches_the_cards(mcp: McpClient) -> None:
    points = {
        c["name"]: (training_carbon(c), r_squared(c))
        for c in cards()
        if training_carbon(c) > 0 and r_squared(c) is not None
    }
    front = pareto_names(points)  # type: ignore[arg-type]

    result = mcp.call("pareto_front", {"quality_metric": "r_squared", "cost_metric": "training_carbon"})

    assert {e["model"] for e in result["front"]} == front
    assert {e["model"] for e in result["dominated"]} == set(points) - front
    for entry in result["front"]:
        cost, quality = points[entry["model"]]
        assert close(entry["values"]["training_carbon"]["value"], cost)
        assert close(entry["values"]["r_squared"]["value"], quality)
        assert entry["on_pareto_front"] is True
    assert result["quality"]["better"] == "higher" and result["cost"]["unit"] == "g CO2"
    assert result["left_out_unmeasured"]["training_carbon"] == sum(1 for c in cards() if training_carbon(c) <= 0)
    # the point a team picks: the lowest carbon among the front's models within 1% of the best R²
    best = max(points[name][1] for name in front)
    close_enough = [name for name in front if points[name][1] >= best - abs(best) * 0.01]
    assert result["chosen"]["model"] == min(close_enough, key=lambda name: points[name][0])
    assert "within 1% of the best" in result["rule"]


def test_get_model_gives_the_whole_card_with_units_and_unmeasured_values_marked(mcp: McpClient) -> None:
    card = next(c for c in cards() if c["name"] == "RandomForestRegressor-umu-KFold")
    entry = card["inference"][0]

    result = mcp.call("get_model", {"name": "randomforestregressor-umu-kfold"})

    assert result["name"] == card["name"]
    assert result["properties"]["size"] == {
        "value": card["size"], "unit": "bytes", "text": result["properties"]["size"]["text"], "measured": True
    }  # fmt: skip
    assert result["dataset"]["name"] == "umu" and result["dataset"]["properties"]["size"]["unit"] == "bytes"
    assert result["architecture"]["name"] == "RandomForestRegressor"
    assert [s["name"] for s in result["services"]] == ["localization"] and result["problem_types"] == ["Regression"]
    (training,) = result["training"]
    assert training["properties"]["carbonFootprint"]["measured"] is False  # 0.0 g CO2 in the card
    assert training["properties"]["carbonFootprint"]["text"].startswith("not measured")
    assert close(training["properties"]["fitTime"]["value"], card["training"]["fitTime"])
    assert training["properties"]["fitTime"]["unit"] == "s"
    assert training["parameters"]["splitType"]["value"] == card["training"]["parameters"]["splitType"]
    (inference,) = result["inference"]
    per = inference["per_inference"]["energy_per_inference"]
    assert close(per["value"], entry["energy_consumption"] / entry["num_of_runs"]) and per["unit"] == "J per inference"
    assert inference["properties"]["latency"]["unit"] == "s"
    assert inference["device"]["processor"]["value"] == entry["device"]["CPU"]
    assert any("case differs" in note for note in result["notes"])


def test_graph_schema_lists_labels_relationships_and_the_metrics_the_tools_take(mcp: McpClient) -> None:
    result = mcp.call("graph_schema")

    labels = {entry["label"]: entry for entry in result["labels"]}
    assert labels["Model"]["count"] == 22
    datasets = next(p for p in labels["Dataset"]["properties"] if p["name"] == "name")
    assert set(datasets["values"]) == {c["dataset"]["name"] for c in cards()}
    assert "(Model)-[:TRAINED_ON]->(Dataset)" in result["relationships"]
    assert "(ModelInference)-[:INFERENCE_ON]->(Model)" in result["relationships"]
    metrics = {m["name"]: m for m in result["metrics"]}
    assert metrics["training_carbon"]["unit"] == "g CO2" and metrics["training_carbon"]["measured_only"] is True
    assert metrics["inference_latency"]["unit"] == "s"
    assert metrics["r_squared"]["kind"] == "quality" and metrics["mae"]["better"] == "lower"
    assert "g CO2" in result["units"] and "Node labels" in result["text"]


def test_read_cypher_runs_a_guarded_read_with_params(mcp: McpClient) -> None:
    expected = sum(1 for c in cards() if c["dataset"]["name"] == "umu")

    result = mcp.call(
        "read_cypher",
        {
            "query": "MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset {name: $d}) RETURN count(m) AS models",
            "params": {"d": "umu"},
        },
    )

    assert result["rows"] == [{"models": expected}]
    assert result["cypher"].endswith("LIMIT 1000") and result["notes"]


def test_the_resources_hold_the_graph_model_and_units(mcp: McpClient) -> None:
    assert {"mrm3://units", "mrm3://schema", "mrm3://docs/graph-model"} <= set(mcp.resources())
    assert mcp.read_resource("mrm3://docs/graph-model") == (REPO / "docs" / "graph-model.md").read_text("utf-8")
    assert "g CO2" in mcp.read_resource("mrm3://units")
    assert "(Model)-[:TRAINED_ON]->(Dataset)" in mcp.read_resource("mrm3://schema")


# -- nothing changes the graph ---------------------------------------------------------------------------------

WRITES = {
    "CREATE": "CREATE (:Evil {x: 1})",
    "MERGE": "MERGE (m:Model {name: 'evil'}) RETURN m",
    "SET": "MATCH (m:Model) SET m.size = 0 RETURN m",
    "DETACH DELETE": "MATCH (n) DETACH DELETE n",
    "REMOVE": "MATCH (m:Model) REMOVE m.size RETURN m",
    "LOAD CSV": "LOAD CSV FROM 'file:///etc/passwd' AS line CREATE (:Evil {line: line})",
    "a writing subquery": "MATCH (m:Model) CALL (m) { SET m.size = 0 } RETURN m",
    "two statements": "MATCH (m:Model) RETURN m; MATCH (n) DETACH DELETE n",
    "an admin procedure": "CALL dbms.security.createUser('evil', 'evil', false)",
    "a schema command": "DROP CONSTRAINT model_name IF EXISTS",
    "hidden in a comment and odd case": "MATCH (m:Model) /* read */ dEtAcH\tDeLeTe m",
}


@pytest.mark.parametrize("statement", list(WRITES.values()), ids=list(WRITES))
def test_a_write_through_read_cypher_is_refused_and_the_graph_is_unchanged(
    mcp: McpClient, session_graph: Graph, graph_fingerprint: Callable[[Graph], Any], statement: str
) -> None:
    before = graph_fingerprint(session_graph)

    error = mcp.error("read_cypher", {"query": statement, "params": {}})

    assert "\n" not in error and "Traceback" not in error
    assert error.startswith("Refused") or "not allowed" in error or "refused" in error.lower(), error
    assert graph_fingerprint(session_graph) == before
    assert before[0]["nodes"]["Model"] == 22


# -- bad arguments -------------------------------------------------------------------------------------------

BAD = [
    ("ask", {}, "question: Field required"),
    ("ask", {"question": ""}, "question: String should have at least 1 character"),
    ("find_models", {"datset": "umu"}, "unknown: datset"),
    ("find_models", {"dataset": "cifar-10"}, "No dataset 'cifar-10' in the graph - it has: logatec-spring, "),
    ("find_models", {"dataset": "lumos-5g"}, "No dataset 'lumos-5g' in the graph - closest: lumos5g"),
    ("find_models", {"conditions": [{"metric": "acuracy", "op": ">", "value": 0.9}]}, "Unknown metric 'acuracy'"),
    (
        "find_models",
        {"conditions": [{"metric": "r_squared", "op": "~", "value": 1}]},
        "conditions.0.op: Input should be",
    ),
    ("find_models", {"conditions": [{"metric": "r_squared", "op": ">", "value": 1, "unit": "%"}]}, "conditions.0.unit"),
    ("find_models", {"device_role": "training"}, "device_role is set but no device is"),
    ("recommend_model", {"objective": {"metric": "training_carbon"}, "limit": 0}, "limit: Input should be greater"),
    ("recommend_model", {"objective": {"metric": "carbon"}}, "use one of: "),
    ("recommend_model", {"objective": "training_carbon"}, "objective: Input should be"),
    ("pareto_front", {"quality_metric": "training_carbon", "cost_metric": "r_squared"}, "Unknown quality metric"),
    ("get_model", {"name": "KNN-lumos5g"}, "No model named 'KNN-lumos5g' in the graph - closest:"),
    ("read_cypher", {"query": "MATCH (m:Model RETURN m"}, ""),
    ("read_cypher", {"query": "MATCH (m:Nope) RETURN m", "params": []}, "params: Input should be a valid dictionary"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "says"), BAD, ids=[f"{tool} {json.dumps(args)[:60]}" for tool, args, _ in BAD]
)
def test_bad_arguments_are_one_clear_line(mcp: McpClient, tool: str, arguments: dict[str, Any], says: str) -> None:
    error = mcp.error(tool, arguments)

    assert "\n" not in error and "Traceback" not in error and "pydantic" not in error, error
    assert says in error, error
    assert len(error) <= 2000


def test_the_allowed_metrics_are_listed_when_one_is_unknown(mcp: McpClient) -> None:
    error = mcp.error("pareto_front", {"quality_metric": "accuracy_score", "cost_metric": "training_carbon"})

    listed = error.split("use one of: ")[1].split(", ")
    assert set(listed) == {"mae", "mape", "mede", "r_squared", "rmse"}  # the MRM3 cards' evaluation metrics


# -- last: what the session saw ------------------------------------------------------------------------------


def test_no_password_reached_the_client_or_the_server_log(mcp: McpClient, settings: Settings, server_log: Path) -> None:
    secrets = [(settings.home / name).read_text().strip() for name in ("password", "reader_password")]
    assert all(len(s) >= 12 for s in secrets)
    assert len(mcp.seen) > 20  # the tests above ran through this session
    log = server_log.read_text(encoding="utf-8")
    for secret in secrets:
        assert not any(secret in text for text in mcp.seen)
        assert secret not in log
    assert "Traceback" not in log


# -- the typed plan and the decisions (issue 23) --------------------------------------------------------------


def test_an_agent_fills_the_typed_plan_and_a_wrong_name_is_one_line_with_the_allowed_ones(mcp: McpClient) -> None:
    plan = {"answer": "rank", "metric": "training_carbon", "entities": [{"kind": "dataset", "value": "umu"}]}
    result = mcp.call("answer_plan", {"plan": plan, "question": "greenest model on umu"})
    umu = {c["name"]: c["training"]["carbonFootprint"] for c in cards() if c["dataset"]["name"] == "umu"}
    measured = {n: v for n, v in umu.items() if v > 0}
    assert result["rows"][0]["model"] == min(measured, key=measured.__getitem__)
    assert result["interpretation"].startswith("understood as:")
    message = mcp.error("answer_plan", {"plan": {"answer": "rank", "metric": "co2"}})
    assert "unknown metric 'co2' - use one of:" in message and "training_carbon" in message
    assert "\n" not in message


def test_compare_models_gives_the_difference_and_the_ratio(mcp: McpClient) -> None:
    carbon = {c["name"]: c["training"]["carbonFootprint"] for c in cards()}
    a, b = "XGBRegressor-umu-KFold", "RandomForestRegressor-lumos5g-KFold"
    result = mcp.call("compare_models", {"models": [a, b], "metric": "training_carbon"})
    assert f"The difference: {abs(carbon[a] - carbon[b]):.4g} g CO2" in result["answer"]


def test_what_if_region_prices_a_training_on_other_grids(mcp: McpClient) -> None:
    result = mcp.call("what_if_region", {"model": "XGBRegressor-umu-KFold", "regions": ["France", "Germany"],
                                         "ask": "least"})  # fmt: skip
    assert result["answer"].startswith("XGBRegressor-umu-KFold would emit least in France")
    assert "CodeCarbon" in result["answer"]
    assert "Atlantis" in mcp.error("what_if_region", {"model": "XGBRegressor-umu-KFold", "regions": ["Atlantis"]})
