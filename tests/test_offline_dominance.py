"""Dominance and differences (issue 23): "both faster and more accurate than X" lists the models that beat X on
both, with X's values beside them (it once answered "the fastest among {X}"); two named models compared by one
metric get the difference and the ratio. Gold from the card files; the engine on the real graph.
"""

from __future__ import annotations

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from assistant.plan.model import PLAN_TOOL
from tests.card_facts import cards
from tests.fake_llm import FakeLLM

pytest_plugins = ("tests.llm_fixtures",)

REFERENCE = "KNeighborsRegressor-lumos5g-KFold"


def latency_and_mae(dataset: str) -> dict[str, tuple[float, float]]:
    """Model -> (its best measured inference latency, its mean MAE), for the dataset's models, from the cards."""
    found = {}
    for card in cards():
        latencies = [e["latency"] for e in card.get("inference", []) if e.get("latency")]
        mae = card["training"].get("evaluationMetrics", {}).get("mae", {}).get("mean")
        if card["dataset"]["name"] == dataset and latencies and mae is not None:
            found[card["name"]] = (min(latencies), mae)
    return found


def dominating(dataset: str, reference: str) -> set[str]:
    values = latency_and_mae(dataset)
    lat, mae = values[reference]
    return {name for name, (la, ma) in values.items() if la < lat and ma < mae}


def test_faster_and_more_accurate_than_a_model_lists_the_models_that_beat_it_on_both(
    cards_graph: Graph, settings: Settings
) -> None:
    question = f"Which lumos5g models are both faster and more accurate than {REFERENCE}?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    expected = dominating("lumos5g", REFERENCE)
    assert expected, "the cards hold a model that beats the reference"
    assert answer.rows[0]["model"] == REFERENCE  # the reference's own values first, as evidence
    assert {row["model"] for row in answer.rows[1:]} == expected
    assert answer.interpretation.startswith(f"understood as: the models better than {REFERENCE} on both")
    assert all(name in answer.text for name in expected)


def test_without_a_dataset_the_reference_models_dataset_is_used(cards_graph: Graph, settings: Settings) -> None:
    question = f"which models are faster and more accurate than {REFERENCE}"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    assert {row["model"] for row in answer.rows[1:]} == dominating("lumos5g", REFERENCE)
    assert "lumos5g" in answer.interpretation


def test_the_plan_path_takes_dominance_too(cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM) -> None:
    plan = {"answer": "dominance", "metric": "inference_latency", "second_metric": "mae", "than_model": REFERENCE}
    fake_llm.enqueue_tool_call(PLAN_TOOL, plan)
    answer = Assistant(plan_settings, cards_graph).ask(f"what beats {REFERENCE} on latency and MAE?", engine="llm")
    assert {row["model"] for row in answer.rows[1:]} == dominating("lumos5g", REFERENCE)


def test_two_models_compared_get_the_difference_and_the_ratio(cards_graph: Graph, settings: Settings) -> None:
    carbon = {c["name"]: c["training"]["carbonFootprint"] for c in cards()}
    a, b = "XGBRegressor-umu-KFold", "RandomForestRegressor-lumos5g-KFold"
    answer = Assistant(settings, cards_graph).ask(f"How much less carbon did {a} emit than {b}?", engine="offline")
    difference = abs(carbon[a] - carbon[b])
    assert f"The difference: {difference:.4g} g CO2" in answer.text, answer.text
    assert f"{max(carbon[a], carbon[b]) / min(carbon[a], carbon[b]):.4g} times" in answer.text


def test_the_better_of_two_follows_the_metric_not_the_way_the_question_puts_it(
    cards_graph: Graph, settings: Settings
) -> None:
    energy = {c["name"]: c["training"]["powerConsumptionCPU"] + c["training"]["powerConsumptionGPU"] for c in cards()}
    a, b = "RandomForestRegressor-lumos5g-KFold", "KNeighborsRegressor-lumos5g-KFold"
    answer = Assistant(settings, cards_graph).ask(f"how much more energy did {a} use than {b}?", engine="offline")
    assert answer.text.startswith(f"{min((a, b), key=energy.__getitem__)} is better.")


def test_two_models_of_different_datasets_compared_by_a_quality_metric_say_it_does_not_compare(
    cards_graph: Graph, settings: Settings
) -> None:
    question = "Is XGBRegressor-umu-KFold more accurate than RandomForestRegressor-lumos5g-KFold?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    assert any("the models compared are on 2 datasets (lumos5g, umu)" in c for c in answer.caveats)


def test_a_choice_on_a_trade_off_names_the_point_and_the_rule(cards_graph: Graph, settings: Settings) -> None:
    points = {}
    for card in cards():
        mae = card["training"].get("evaluationMetrics", {}).get("mae", {}).get("mean")
        if card["dataset"]["name"] == "umu" and card["training"]["carbonFootprint"] > 0 and mae is not None:
            points[card["name"]] = (mae, card["training"]["carbonFootprint"])
    best = min(mae for mae, _ in points.values())
    close = {n: c for n, (m, c) in points.items() if m <= best * 1.01}
    chosen = min(close, key=close.__getitem__)
    question = "which umu model should I use for the best trade-off between MAE and training carbon?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    assert f"Chosen: {chosen} (" in answer.text
    assert "by the rule: the best carbon footprint among the front's models whose MAE is within 1% of the best" in (
        answer.text
    )


def test_the_model_in_use_is_the_one_to_beat(cards_graph: Graph, settings: Settings) -> None:
    """'I currently use X. Which other models are ...' names the reference without 'than'; 'more accurate by
    MAE' is the MAE, not a second quality metric."""
    question = f"I currently use {REFERENCE}. Which other models are both more accurate by MAE and faster at inference?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    assert answer.answered and answer.rows[0]["model"] == REFERENCE
    assert {r["model"] for r in answer.rows[1:]} == dominating("lumos5g", REFERENCE)


def test_a_metric_the_graph_lacks_is_not_dropped_from_a_dominance(cards_graph: Graph, settings: Settings) -> None:
    """The MRM3 cards have no F1: 'better F1 and lower carbon than X' must not become 'lower carbon than X'."""
    answer = Assistant(settings, cards_graph).ask(
        f"is there any model with a better F1 and lower training carbon than {REFERENCE}?", engine="offline"
    )
    assert not answer.answered


def test_a_comparison_puts_the_difference_and_ratio_in_the_rows(cards_graph: Graph, settings: Settings) -> None:
    low, high = "XGBRegressor-umu-Random", "RandomForestRegressor-umu-LeaveOneGroupOut"
    carbon = {c["name"]: c["training"]["carbonFootprint"] for c in cards()}
    answer = Assistant(settings, cards_graph).ask(f"How much less carbon did {low} emit than {high}?", engine="offline")
    worse = next(r for r in answer.rows if r["model"] == high)
    assert abs(worse["carbon_g_difference"] - (carbon[high] - carbon[low])) < 1e-9
    assert abs(worse["carbon_g_ratio"] - carbon[high] / carbon[low]) < 1e-9
