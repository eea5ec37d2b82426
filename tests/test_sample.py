"""Tests for ingest/sample.py: the synthetic SAMPLE catalog of MRM3-format cards."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ingest.sample import DEFAULT_COUNT, SAMPLE_AUTHOR, SAMPLE_NOTICE, generate_cards, iter_cards, write_catalog

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "ingest" / "model_card.schema.json"
EDGE_CPUS = {"Raspberry Pi 4 Model B (ARM Cortex-A72)", "NVIDIA Jetson Nano (ARM Cortex-A57)"}
CLASSIFICATION_METRICS = {"accuracy", "f1", "precision", "recall", "auc"}
Card = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def demo() -> list[Card]:
    return generate_cards()


@pytest.fixture(scope="module")
def large() -> list[Card]:
    """Enough cards for statistical properties to hold, from another seed than the demo."""
    return generate_cards(2000, seed=7)


def _numbers(value: Any, path: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _numbers(item, f"{path}[{i}]")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path, value


def _grams_per_kwh(carbon_g: float, energy_j: float) -> float:
    return carbon_g / (energy_j / 3.6e6)


# --- format ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "seed"),
    [(None, 42), (400, 7)],
    ids=["every demo card validates against the schema", "400 cards of another seed validate too"],
)
def test_cards_validate_against_schema(
    validator: jsonschema.Draft202012Validator, count: int | None, seed: int
) -> None:
    problems = [
        f"{card['name']}: {error.json_path}: {error.message}"
        for card in generate_cards(count, seed)
        for error in validator.iter_errors(card)
    ]
    assert problems == []


def test_cards_have_the_mrm3_keys(demo: list[Card]) -> None:
    top = {"name", "version", "author", "path", "dateCreated", "size", "problemType", "architecture"}
    top |= {"dataset", "service", "training", "inference"}
    training = {"carbonFootprint", "powerConsumptionCPU", "powerConsumptionGPU", "fitTime", "totalTrainTime"}
    training |= {"device", "evaluationMetrics", "parameters"}
    run = {"batch_size", "latency", "carbon_footprint", "energy_consumption", "flops", "num_of_runs", "total_time"}
    for card in demo:
        assert set(card) == top, card["name"]
        assert set(card["training"]) == training, card["name"]
        assert set(card["training"]["parameters"]) == {"optimizer", "splitType", "hyperparameters"}
        for inference in card["inference"]:
            assert set(inference) == run | {"device"}, card["name"]


def test_cards_say_they_are_sample_data(demo: list[Card]) -> None:
    assert "not real measurements" in SAMPLE_NOTICE
    assert {card["author"] for card in demo} == {SAMPLE_AUTHOR}
    assert all(card["path"].startswith("sample://") for card in demo)


# --- determinism and names ------------------------------------------------------------------------


def test_same_seed_gives_equal_cards_and_another_seed_differs() -> None:
    first = generate_cards()
    assert generate_cards() == first
    assert generate_cards(seed=42) == first
    other = generate_cards(seed=43)
    assert other != first
    # Not only the order: the measured numbers themselves change with the seed.
    assert {c["training"]["fitTime"] for c in other}.isdisjoint({c["training"]["fitTime"] for c in first})


def test_a_shorter_catalog_is_a_prefix_of_a_longer_one(demo: list[Card]) -> None:
    assert generate_cards(10) == demo[:10]
    assert list(iter_cards(len(demo) + 20))[: len(demo)] == demo


@pytest.mark.parametrize(
    ("count", "expected"),
    [(None, DEFAULT_COUNT), (0, 0), (1, 1), (7, 7)],
    ids=["no count gives the demo catalog", "zero gives none", "one gives one", "seven gives seven"],
)
def test_count(count: int | None, expected: int) -> None:
    assert len(generate_cards(count)) == expected


def test_demo_catalog_is_demo_sized() -> None:
    assert 40 <= DEFAULT_COUNT <= 60


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        generate_cards(-1)


def test_names_are_unique_for_5000_cards() -> None:
    names = [card["name"] for card in iter_cards(5000)]
    assert len(set(names)) == 5000


@pytest.mark.slow
def test_bench_sized_catalog_names_are_unique() -> None:
    names = {card["name"] for card in iter_cards(100_000)}
    assert len(names) == 100_000


# --- what the demo catalog covers -----------------------------------------------------------------


def _services(cards: list[Card]) -> dict[str, set[str]]:
    problems: dict[str, set[str]] = defaultdict(set)
    for card in cards:
        problems[card["service"]["name"]].add(card["problemType"])
    return problems


def _classification_values(cards: list[Card]) -> list[float]:
    return [
        stat
        for card in cards
        if card["problemType"] == "Classification"
        for name, metric in card["training"]["evaluationMetrics"].items()
        if name in CLASSIFICATION_METRICS
        for stat in metric.values()
    ]


COVERAGE: list[tuple[str, Callable[[list[Card]], bool]]] = [
    ("has at least three services", lambda cs: len(_services(cs)) >= 3),
    ("gives each service a single problem type", lambda cs: all(len(p) == 1 for p in _services(cs).values())),
    ("has both problem types", lambda cs: {c["problemType"] for c in cs} == {"Regression", "Classification"}),
    (
        "reports classification metrics within 0 and 1",
        lambda cs: len(_classification_values(cs)) > 100 and all(0 <= v <= 1 for v in _classification_values(cs)),
    ),
    (
        "reports accuracy, f1, precision and recall for classifiers",
        lambda cs: all(
            {"accuracy", "f1", "precision", "recall"} <= set(c["training"]["evaluationMetrics"])
            for c in cs
            if c["problemType"] == "Classification"
        ),
    ),
    (
        "reports mae, rmse, r_squared and mape for regressors",
        lambda cs: all(
            {"mae", "rmse", "r_squared", "mape"} <= set(c["training"]["evaluationMetrics"])
            for c in cs
            if c["problemType"] == "Regression"
        ),
    ),
    ("trains on multi-GPU servers", lambda cs: any(c["training"]["device"]["GPU"] > 1 for c in cs)),
    (
        "names the GPU model of GPU machines",
        lambda cs: all("GPUModel" in c["training"]["device"] for c in cs if c["training"]["device"]["GPU"]),
    ),
    (
        "has at least two inference runs per card on average",
        lambda cs: sum(len(c["inference"]) for c in cs) >= 2 * len(cs),
    ),
    ("has two to four inference runs on every card", lambda cs: all(2 <= len(c["inference"]) <= 4 for c in cs)),
    (
        "runs inference on a Raspberry Pi",
        lambda cs: any(r["device"]["CPU"].startswith("Raspberry Pi") for c in cs for r in c["inference"]),
    ),
    (
        "runs inference with several batch sizes",
        lambda cs: len({r["batch_size"] for c in cs for r in c["inference"]}) >= 3,
    ),
    ("has cards whose training was not measured", lambda cs: any(c["training"]["carbonFootprint"] == 0 for c in cs)),
    (
        "has inference runs that were not measured",
        lambda cs: any(r["carbon_footprint"] == 0 for c in cs for r in c["inference"]),
    ),
    ("mostly has measured training", lambda cs: sum(c["training"]["carbonFootprint"] > 0 for c in cs) > 0.7 * len(cs)),
    ("was created over 2023 to 2025", lambda cs: {c["dateCreated"][:4] for c in cs} == {"2023", "2024", "2025"}),
]


@pytest.mark.parametrize("check", [check for _, check in COVERAGE], ids=[f"the demo catalog {i}" for i, _ in COVERAGE])
def test_demo_catalog_coverage(demo: list[Card], check: Callable[[list[Card]], bool]) -> None:
    assert check(demo)


# --- plausibility ---------------------------------------------------------------------------------


def test_no_number_is_negative(large: list[Card]) -> None:
    negatives = [(card["name"], path, v) for card in large for path, v in _numbers(card) if v < 0]
    assert negatives == []


def test_unmeasured_training_zeroes_carbon_and_energy_together(large: list[Card]) -> None:
    for card in large:
        training = card["training"]
        zeros = [training[k] == 0 for k in ("carbonFootprint", "powerConsumptionCPU")]
        assert all(zeros) or not any(zeros), card["name"]
        if training["carbonFootprint"] == 0:
            assert training["powerConsumptionGPU"] == 0, card["name"]
        for run in card["inference"]:
            assert (run["carbon_footprint"] == 0) == (run["energy_consumption"] == 0), card["name"]


def test_carbon_is_energy_times_a_plausible_grid_intensity(large: list[Card]) -> None:
    intensities = []
    for card in large:
        training = card["training"]
        if training["carbonFootprint"]:
            energy = training["powerConsumptionCPU"] + training["powerConsumptionGPU"]
            intensities.append(_grams_per_kwh(training["carbonFootprint"], energy))
        intensities += [
            _grams_per_kwh(r["carbon_footprint"], r["energy_consumption"])
            for r in card["inference"]
            if r["carbon_footprint"]
        ]
    assert len(intensities) > len(large)
    assert 250 <= min(intensities) and max(intensities) <= 400


def test_times_are_consistent(large: list[Card]) -> None:
    for card in large:
        assert card["training"]["totalTrainTime"] >= card["training"]["fitTime"] > 0, card["name"]
        for run in card["inference"]:
            assert run["latency"] > 0
            assert run["total_time"] >= run["latency"] * run["num_of_runs"] * (1 - 1e-9), card["name"]


def test_inference_energy_is_a_plausible_power_times_time(large: list[Card]) -> None:
    watts = [
        r["energy_consumption"] / r["total_time"] for c in large for r in c["inference"] if r["energy_consumption"]
    ]
    edge = [
        r["energy_consumption"] / r["total_time"]
        for c in large
        for r in c["inference"]
        if r["energy_consumption"] and r["device"]["CPU"] in EDGE_CPUS
    ]
    assert 0 < min(watts) and max(watts) < 400
    assert edge and max(edge) < 10  # boards draw a few watts


def test_edge_boards_are_slower_than_servers_at_the_same_batch_size(large: list[Card]) -> None:
    compared = 0
    for card in large:
        runs = card["inference"]
        for edge in (r for r in runs if r["device"]["CPU"] in EDGE_CPUS):
            for server in (r for r in runs if r["device"]["CPU"] not in EDGE_CPUS):
                if edge["batch_size"] == server["batch_size"]:
                    compared += 1
                    assert edge["latency"] > server["latency"], card["name"]
    assert compared > 50


def test_flops_follow_the_architecture_and_batch(large: list[Card]) -> None:
    per_sample: dict[str, set[float]] = defaultdict(set)
    for card in large:
        for run in card["inference"]:
            per_sample[card["architecture"]["type"]].add(run["flops"] / run["batch_size"])
    assert all(len(values) == 1 for values in per_sample.values()), per_sample
    assert per_sample["ViT-B/16"].pop() > per_sample["MobileNetV3-Small"].pop()


def test_gpu_energy_only_where_gpus_trained(large: list[Card]) -> None:
    for card in large:
        training = card["training"]
        if training["device"]["GPU"] == 0:
            assert training["powerConsumptionGPU"] == 0, card["name"]
        elif training["carbonFootprint"]:
            assert training["powerConsumptionGPU"] > training["powerConsumptionCPU"] > 0, card["name"]


@pytest.mark.parametrize(
    ("service", "small", "big"),
    [
        ("image classification", "MobileNetV3-Small", "ViT-B/16"),
        ("image classification", "ResNet18", "ResNet50"),
        ("text classification", "TinyBERT", "BERT-base"),
    ],
    ids=[
        "ViT-B/16 beats MobileNetV3-Small on images at a higher carbon cost",
        "ResNet50 beats ResNet18 on images at a higher carbon cost",
        "BERT-base beats TinyBERT on text at a higher carbon cost",
    ],
)
def test_bigger_models_are_more_accurate_and_cost_more_carbon(
    large: list[Card], service: str, small: str, big: str
) -> None:
    def mean_of(arch: str, value: Callable[[Card], float]) -> float:
        cards = [
            c
            for c in large
            if c["service"]["name"] == service
            and c["architecture"]["type"] == arch
            and c["training"]["carbonFootprint"]
        ]
        assert len(cards) > 20
        return statistics.mean(value(c) for c in cards)

    def accuracy(card: Card) -> float:
        return float(card["training"]["evaluationMetrics"]["accuracy"]["mean"])

    def carbon(card: Card) -> float:
        return float(card["training"]["carbonFootprint"])

    assert mean_of(big, accuracy) > mean_of(small, accuracy)
    assert mean_of(big, carbon) > mean_of(small, carbon)


def test_regression_metrics_are_coherent(large: list[Card]) -> None:
    for card in (c for c in large if c["problemType"] == "Regression"):
        metrics = {name: m["mean"] for name, m in card["training"]["evaluationMetrics"].items()}
        assert metrics["rmse"] >= metrics["mae"] > 0, card["name"]
        assert 0 < metrics["r_squared"] <= 1, card["name"]


def test_architecture_explainability_is_the_same_on_every_card(large: list[Card]) -> None:
    # The ModelArchitecture node is keyed by type: two explanations would overwrite each other.
    explanations: dict[str, set[str | None]] = defaultdict(set)
    for card in large:
        explanations[card["architecture"]["type"]].add(card["architecture"].get("explainability"))
    assert all(len(values) == 1 for values in explanations.values()), explanations


def test_service_properties_are_the_same_on_every_card(large: list[Card]) -> None:
    services: dict[str, set[tuple[float, float]]] = defaultdict(set)
    for card in large:
        services[card["service"]["name"]].add((card["service"]["minAccuracy"], card["service"]["minLatency"]))
    assert all(len(values) == 1 for values in services.values()), services


# --- files ----------------------------------------------------------------------------------------


def test_write_catalog_round_trips(tmp_path: Path, demo: list[Card]) -> None:
    paths = write_catalog(tmp_path / "catalog")

    assert len(paths) == len(demo) == len(set(paths))
    assert [json.loads(p.read_text(encoding="utf-8")) for p in paths] == demo
    on_disk = sorted((tmp_path / "catalog").rglob("*.json"))
    assert on_disk == sorted(paths)
    for path, card in zip(paths, demo, strict=True):
        # One folder per service, right under the root, even for names such as "ViT-B/16".
        assert path.parent.parent == tmp_path / "catalog"
        assert path.parent.name == card["service"]["name"].replace(" ", "-")
    assert {p.parent.name for p in paths} == {c["service"]["name"].replace(" ", "-") for c in demo}


def test_write_catalog_honours_count_and_seed(tmp_path: Path) -> None:
    paths = write_catalog(tmp_path, count=5, seed=3)
    assert [json.loads(p.read_text(encoding="utf-8")) for p in paths] == generate_cards(5, seed=3)
