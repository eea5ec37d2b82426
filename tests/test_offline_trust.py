"""Trustworthy answers on the public MRM3 cards: what the engine understood, what it declines, and the
semantics users rely on (per inference, units, bounds, trade-offs, unmeasured zeros).

Expected values are computed here from the card files, never through the engine's vocabulary or Cypher.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.config import Settings
from assistant.engines.offline.engine import OfflineEngine
from assistant.evaluation.run import Catalog
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from tests.conftest import MRM3_CARDS, mrm3_card_files

Card = dict[str, Any]


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return [json.loads(f.read_text(encoding="utf-8")) for f in mrm3_card_files()]


@pytest.fixture(scope="module")
def engine(session_graph: Graph, settings: Settings) -> Iterator[OfflineEngine]:
    Catalog("mrm3", path=MRM3_CARDS).load_into(session_graph)
    yield OfflineEngine(session_graph, SchemaCache(session_graph), settings)


def carbon(card: Card) -> float:
    return float(card["training"].get("carbonFootprint") or 0)


def energy(card: Card) -> float:
    training = card["training"]
    return float(training.get("powerConsumptionCPU") or 0) + float(training.get("powerConsumptionGPU") or 0)


def per_inference(run: dict[str, Any], key: str) -> float | None:
    total, runs = run.get(key), run.get("num_of_runs")
    if not total or not runs:
        return None
    return float(total) / runs


def names(answer: Any) -> set[str]:
    return {row["model"] for row in answer.rows}


def test_inference_energy_is_ranked_per_inference_not_by_the_total(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("Which model uses the least energy per inference?")
    best = min(
        (value, card["name"])
        for card in cards
        for run in card.get("inference") or []
        if (value := per_inference(run, "energy_consumption")) is not None
    )
    assert answer.rows[0]["model"] == best[1]
    assert answer.rows[0]["energy_per_inference_j"] == pytest.approx(best[0])
    assert "num_of_runs" in answer.interpretation and "per inference" in answer.text


def test_a_per_inference_threshold_divides_by_the_runs(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("models using less than 0.0002 J per inference")
    expected = {
        card["name"]
        for card in cards
        for run in card.get("inference") or []
        if (value := per_inference(run, "energy_consumption")) is not None and value < 0.0002
    }
    assert expected and names(answer) == expected


def test_per_sample_also_divides_by_the_batch_size(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("lowest inference energy per sample")
    values = [
        (float(run["energy_consumption"]) / (run["num_of_runs"] * run["batch_size"]), card["name"])
        for card in cards
        for run in card.get("inference") or []
        if run.get("energy_consumption") and run.get("num_of_runs") and run.get("batch_size")
    ]
    assert answer.rows[0]["energy_per_sample_j"] == pytest.approx(min(values)[0])


@pytest.mark.parametrize(
    ("question", "joules"),
    [("models with training energy under 5 kJ", 5_000.0), ("models with training energy under 20,000 J", 20_000.0),
     ("models with training energy below 0.02 MJ", 20_000.0), ("training energy under 5 mJ", 0.005)],
    ids=["kJ", "thousands separator", "MJ is mega", "mJ is milli"],
)  # fmt: skip
def test_units_are_case_sensitive_and_thousands_separators_are_read(
    engine: OfflineEngine, cards: list[Card], question: str, joules: float
) -> None:
    answer = engine.answer(question)
    assert answer.params["threshold"] == pytest.approx(joules)
    assert names(answer) == {c["name"] for c in cards if 0 < energy(c) < joules}


def test_a_unit_in_the_wrong_case_that_could_mean_two_things_is_declined(engine: OfflineEngine) -> None:
    answer = engine.answer("models with training energy under 5 mj")
    assert not answer.answered and "'mj'" in answer.text and "mJ" in answer.text and "MJ" in answer.text


@pytest.mark.parametrize(
    ("question", "low", "high"),
    [("which models have between 1 and 5 g CO2 of training carbon", 1.0, 5.0),
     ("models with at least 2 g of training carbon", 2.0, None),
     ("models with 2.43012693 g CO2 or more", 2.43012693, None),
     ("models emitting at most 1.0198572999999929 g CO2", None, 1.0198572999999929)],
    ids=["between is inclusive", "at least", "or more", "at most"],
)  # fmt: skip
def test_bounds_and_ranges_keep_their_inclusivity(
    engine: OfflineEngine, cards: list[Card], question: str, low: float | None, high: float | None
) -> None:
    answer = engine.answer(question)
    expected = {
        c["name"]
        for c in cards
        if carbon(c) > 0 and (low is None or carbon(c) >= low) and (high is None or carbon(c) <= high)
    }
    assert expected and names(answer) == expected, answer.interpretation


def test_a_hyperparameter_condition_is_applied(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("random forest models with more than 100 estimators")
    expected = {
        c["name"]
        for c in cards
        if c["architecture"]["type"] == "RandomForestRegressor"
        and c["training"]["parameters"]["hyperparameters"].get("n_estimators", 0) > 100
    }
    assert expected and names(answer) == expected
    assert "n_estimators above 100" in answer.interpretation


@pytest.mark.parametrize(
    ("question", "term"),
    [("fastest model on the Jetson Nano", "Jetson Nano"), ("models trained on an A100", "A100"),
     ("most accurate ResNet50 model", "ResNet50"), ("what is the carbon footprint of BertBase-umu", "BertBase-umu"),
     ("greenest model on imagenet", "imagenet")],
    ids=["device", "GPU", "architecture", "model", "dataset"],
)  # fmt: skip
def test_a_name_the_graph_does_not_hold_is_reported_never_dropped(
    engine: OfflineEngine, question: str, term: str
) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.rows == []
    assert repr(term) in answer.text


@pytest.mark.parametrize(
    ("question", "said"),
    [("which model is best at playing chess", "chess"), ("models with 5 layers trained on umu", "5 layers"),
     ("greenest model on umu with dropout", "dropout")],
    ids=["an unknown word", "a number nothing uses", "an unknown word beside a known filter"],
)  # fmt: skip
def test_what_the_engine_cannot_place_is_named_and_declined(engine: OfflineEngine, question: str, said: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and said in answer.text


def test_a_trade_off_is_answered_with_the_pareto_front(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("best accuracy for its carbon on umu")
    points = {
        c["name"]: (c["training"]["evaluationMetrics"]["mae"]["mean"], carbon(c))
        for c in cards
        if c["dataset"]["name"] == "umu" and carbon(c) > 0
    }
    front = {
        name
        for name, (mae, co2) in points.items()
        if not any(m <= mae and g <= co2 and (m, g) != (mae, co2) for m, g in points.values())
    }
    assert {r["model"] for r in answer.rows if r["on_pareto_front"]} == front and len(front) < len(points)
    assert names(answer) == set(points)
    assert answer.pareto is not None and set(answer.pareto["front"]) == front
    assert {"mae", "carbon_g"} <= set(answer.rows[0]) and "Pareto front" in answer.interpretation


def test_a_lookup_of_an_unmeasured_carbon_says_not_measured(engine: OfflineEngine, cards: list[Card]) -> None:
    name = next(c["name"] for c in cards if carbon(c) == 0)
    answer = engine.answer(f"what is the training carbon of {name}")
    assert "NOT MEASURED" in answer.text and "0 g CO2" not in answer.text


def test_an_average_says_how_many_unmeasured_models_it_left_out(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("what is the average carbon footprint of umu models")
    umu = [c for c in cards if c["dataset"]["name"] == "umu"]
    measured = [carbon(c) for c in umu if carbon(c) > 0]
    left_out = len(umu) - len(measured)
    assert answer.rows[0]["avg_carbon_g"] == pytest.approx(sum(measured) / len(measured))
    assert any(caveat.startswith(f"{left_out} matching models") for caveat in answer.caveats)


def test_a_month_range_keeps_both_months(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("models created between October and November 2024")
    expected = {c["name"] for c in cards if "2024-10-01" <= c["dateCreated"][:10] < "2024-12-01"}
    assert names(answer) == expected
    assert "2024-10-01" in answer.interpretation and "2024-12-01" in answer.interpretation


@pytest.mark.parametrize(
    ("question", "understood"),
    [("greenest model on lumos5g", "lowest training carbon footprint (g CO2, measured values only) among models "
      "trained on dataset lumos5g"),
     ("how many models are in the knowledge graph", "the number of distinct models"),
     ("how big is the umu dataset", "dataset size (bytes) of dataset umu")],
    ids=["ranking", "count", "a dataset's own size"],
)  # fmt: skip
def test_every_answer_says_what_it_understood(engine: OfflineEngine, question: str, understood: str) -> None:
    answer = engine.answer(question)
    assert answer.answered and answer.interpretation.startswith("understood as: ")
    assert understood in answer.interpretation


def test_a_misspelt_condition_word_is_put_right_and_said(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("trainng emissions betwen 0.28 and 1.6 grams")
    assert names(answer) == {c["name"] for c in cards if 0.28 <= carbon(c) <= 1.6}
    assert any("'betwen'" in caveat and "'between'" in caveat for caveat in answer.caveats)


@pytest.mark.parametrize(
    ("question", "expected"),
    [("number of unique model architectures?", lambda cards: len({c["architecture"]["type"] for c in cards})),
     ("how many models are in the knowledge graph", len)],
    ids=["distinct architectures, not models", "the catalog's own words"],
)  # fmt: skip
def test_counts_of_distinct_entities(engine: OfflineEngine, cards: list[Card], question: str, expected: Any) -> None:
    answer = engine.answer(question)
    assert answer.answered and next(iter(answer.rows[0].values())) == expected(cards)


def test_function_words_never_link_to_values(engine: OfflineEngine) -> None:
    answer = engine.answer("Out of every model evaluated on umu, which one reaches the top r2 score?")
    assert "LeaveOneGroupOut" not in answer.interpretation and "trained on dataset umu" in answer.interpretation


def test_how_many_kwh_is_an_amount_of_energy_not_a_count(engine: OfflineEngine, cards: list[Card]) -> None:
    forests = [energy(c) for c in cards if c["architecture"]["type"] == "RandomForestRegressor" and energy(c) > 0]
    answer = engine.answer("How many kWh did training the random forests consume in total?")
    assert answer.rows[0]["sum_energy_j"] == pytest.approx(sum(forests))
    said = float(answer.text.split("In kWh: ")[1].split(" kWh")[0])  # the value again, in the unit asked for
    assert said == pytest.approx(sum(forests) / 3.6e6, rel=1e-3)


def test_rank_by_lists_every_measured_model(engine: OfflineEngine, cards: list[Card]) -> None:
    answer = engine.answer("rank the models by training energy")
    measured = sorted((energy(c), c["name"]) for c in cards if energy(c) > 0)
    assert [row["model"] for row in answer.rows] == [name for _, name in measured]


@pytest.mark.parametrize(
    ("question", "most"),
    [
        ("Which model emitted the most CO2?", True),
        ("which model emitted the least co2 in training", False),
        ("which model consumed the most energy while training", True),
    ],
)
def test_a_verb_naming_the_metric_takes_the_direction_that_follows_it(
    engine: OfflineEngine, cards: list[Card], question: str, most: bool
) -> None:
    value = energy if "energy" in question else carbon
    measured = [(value(c), c["name"]) for c in cards if value(c) > 0]
    expected = (max if most else min)(measured)[1]
    answer = engine.answer(question)
    assert answer.rows[0]["model"] == expected, answer.interpretation
