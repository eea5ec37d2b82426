"""Pieces of the offline engine that need no graph: vocabulary, metric discovery, slots, gold and scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answers.answer import Answer
from assistant.engines.offline.plan.understanding import known_words, understand
from assistant.engines.offline.read.metrics import MetricCatalog
from assistant.engines.offline.read.reading import read_question
from assistant.engines.offline.read.slots import read_dates, read_k
from assistant.errors import ConfigError
from assistant.evaluation.gold import Gold, gold_answer
from assistant.evaluation.run import score
from assistant.graph.schema import GraphSchema, PropertyInfo
from assistant.language.vocabulary import load_vocabulary, parse_vocabulary, words


def _props(*names: str) -> dict[str, PropertyInfo]:
    return {n: PropertyInfo(n, ("FLOAT",), minimum=0.0, maximum=1.0) for n in names}


SCHEMA = GraphSchema(
    node_properties={
        "Model": {**_props("size"), "name": PropertyInfo("name", ("STRING",), ("a-model",))},
        "ModelTraining": _props(
            "carbonFootprint", "energyConsumption", "totalTrainTime", "fitTime", "accuracy_mean", "F1_score_mean",
            "wer_mean", "wobble_mean",
        ),
        "ModelInference": _props("latency", "flops", "energyConsumption", "carbonFootprint"),
        "Dataset": _props("size"),
        "Device": _props("graphicsCard", "cores"),
    },
    relationships=(),
)  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> MetricCatalog:
    return MetricCatalog(SCHEMA, load_vocabulary())


def test_the_vocabulary_file_loads() -> None:
    vocab = load_vocabulary()
    assert vocab.quantity_phrases["greenest"] == ("carbon", "low")
    assert vocab.aliases["knn"] == "k neighbors"
    assert "the" in vocab.stop_words and "on" in vocab.stop_words  # YAML must not turn "on" into True


@pytest.mark.parametrize(
    "content",
    ["- just a list\n", "aliases: {}\n", "quantities: {carbon: {}}\n"],
    ids=["not a mapping", "sections missing", "a malformed quantity"],
)
def test_a_broken_vocabulary_file_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "vocabulary.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="vocabulary|malformed|section"):
        load_vocabulary(path)


def test_a_missing_vocabulary_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read the vocabulary"):
        load_vocabulary(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="has no '[a-z_]+' section"):
        parse_vocabulary({}, tmp_path / "empty.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("KNeighborsRegressor", ["k", "neighbors", "regressor"]), ("lumos5g", ["lumos5g"]), ("GPUs", ["gpus"]),
     ("F1-score", ["f1", "score"]), ("k-fold", ["k", "fold"])],
    ids=["camel case splits", "digits stay with their word", "plural acronyms stay whole", "separators split",
         "hyphens split"],
)  # fmt: skip
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_metric_discovery_finds_every_mean_with_its_direction(catalog: MetricCatalog) -> None:
    quality = catalog.quality
    assert set(quality) == {"accuracy", "F1_score", "wer", "wobble"}
    assert (quality["accuracy"].better, quality["accuracy"].known_direction) == ("higher", True)
    assert (quality["F1_score"].better, quality["F1_score"].known_direction) == ("higher", True)
    assert (quality["wer"].better, quality["wer"].known_direction) == ("lower", True)
    assert quality["wobble"].known_direction is False
    assert catalog.preferred_quality().key == "accuracy"
    assert catalog.preferred_quality({"wer", "wobble"}).key == "wer"
    assert catalog.get("carbon", inference=True).scope == "inference"
    assert catalog.get("carbon").scope == "training" and catalog.get("carbon").measured


@pytest.mark.parametrize(
    ("question", "metric", "op", "value"),
    [
        ("most accurate model with a carbon footprint under 1 g CO2", "carbon", "<", 1.0),
        ("best model that emits at most 0.5 kg of CO2", "carbon", "<=", 500.0),
        ("most accurate model with energy below 10 kJ", "energy", "<", 10_000.0),
        ("most accurate model with latency under 5 ms", "latency", "<", 0.005),
        ("most accurate model smaller than 50 MB", "size", "<", 5e7),
        ("fastest model with accuracy of at least 90%", "accuracy", ">=", 0.9),
        ("fastest model with accuracy above 0.9", "accuracy", ">", 0.9),
        ("greenest model that trains in under 2 minutes", "train_time", "<", 120.0),
        ("most accurate model trained on more than 2 GPUs", "gpus", ">", 2.0),
    ],
    ids=["grams", "kilograms, inclusive", "kilojoules", "milliseconds", "megabytes", "percent", "a fraction",
         "minutes of training", "a GPU count"],
)  # fmt: skip
def test_thresholds_convert_units_to_the_graphs(
    catalog: MetricCatalog, question: str, metric: str, op: str, value: float
) -> None:
    vocab = load_vocabulary()
    frame = understand(read_question(question, None, catalog, vocab, known_words(vocab, catalog)), catalog, vocab)
    (threshold,) = frame.thresholds
    assert (threshold.metric.key, threshold.op) == (metric, op)
    assert threshold.value == pytest.approx(value)
    assert frame.metric is not None and frame.metric.key != metric or metric == "size"


def test_k_is_read_from_digits_and_words() -> None:
    assert read_k("top 5 greenest models", [])[0] == 5
    assert read_k("the three fastest models", [])[0] == 3
    assert read_k("models under 5 ms", [])[0] is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("models created in 2023", "2023-01-01", "2024-01-01"),
     ("models created after March 2024", "2024-04-01", None),
     ("models made before 2024-11-22", None, "2024-11-22"),
     ("since 2025", "2025-01-01", None)],
    ids=["a year", "after a month", "before a day", "since a year"],
)  # fmt: skip
def test_dates(text: str, start: str | None, end: str | None) -> None:
    (found,) = read_dates(text)
    assert (found.start, found.end) == (start, end)


CARDS = [
    {"name": "a", "architecture": {"type": "X"}, "dateCreated": "2024-01-01", "dataset": {"name": "d1"},
     "training": {"carbonFootprint": 0.0, "evaluationMetrics": {"mae": {"mean": 1.0}}}},
    {"name": "b", "architecture": {"type": "X"}, "dateCreated": "2024-01-02", "dataset": {"name": "d1"},
     "training": {"carbonFootprint": 2.0, "evaluationMetrics": {"mae": {"mean": 3.0}}}},
    {"name": "c", "architecture": {"type": "Y"}, "dateCreated": "2025-01-01", "dataset": {"name": "d2"},
     "training": {"carbonFootprint": 1.0, "evaluationMetrics": {"mae": {"mean": 2.0}}}},
]  # fmt: skip


def test_gold_rankings_skip_unmeasured_zeros() -> None:
    assert gold_answer({"kind": "best", "metric": "carbon", "order": "min"}, CARDS) == Gold("first", ("c",))
    assert gold_answer({"kind": "best", "metric": "mae", "order": "min"}, CARDS) == Gold("first", ("a",))
    spec = {"kind": "best", "metric": "mae", "order": "min", "k": 2}
    assert gold_answer(spec, CARDS) == Gold("top", ("a", "c"))


def test_gold_counts_lists_and_groups() -> None:
    assert gold_answer({"kind": "count", "filter": {"dataset": "d1"}}, CARDS).values == (2,)
    assert gold_answer({"kind": "list", "filter": {"year": 2024}}, CARDS).values == ("a", "b")
    spec = {"kind": "group_best", "group": "dataset", "metric": "mae", "order": "min"}
    assert gold_answer(spec, CARDS).groups == (("d1", ("a",)), ("d2", ("c",)))
    spec = {"kind": "best", "metric": "mae", "order": "min", "filter": {"where": [{"metric": "carbon", "op": "<",
                                                                                    "value": 5}]}}  # fmt: skip
    assert gold_answer(spec, CARDS).values == ("c",), "a threshold on carbon never passes an unmeasured zero"


def _answer(rows: list[dict[str, object]], answered: bool = True) -> Answer:
    return Answer("q", "offline", "text", rows=rows, answered=answered)


@pytest.mark.parametrize(
    ("rows", "gold", "correct"),
    [
        ([{"model": "A"}, {"model": "b"}], Gold("first", ("a",)), True),
        ([{"model": "b"}, {"model": "a"}], Gold("first", ("a",)), False),
        ([{"model": "b"}, {"model": "a"}, {"model": "c"}], Gold("top", ("a", "b")), True),
        ([{"n": 2.0000000001}], Gold("all", (2,)), True),
        ([{"n": 2.1}], Gold("all", (2,)), False),
        ([{"model": "a"}, {"model": "b"}], Gold("exact", ("a", "b")), True),
        ([{"model": "a"}, {"model": "b"}, {"model": "c"}], Gold("exact", ("a", "b")), False),
        ([{"d": "d1", "m": "a"}, {"d": "d2", "m": "c"}], Gold("groups", groups=(("d1", ("a",)), ("d2", ("c",)))),
         True),
        ([{"d": "d1", "m": "c"}, {"d": "d2", "m": "a"}], Gold("groups", groups=(("d1", ("a",)), ("d2", ("c",)))),
         False),
        ([{"hp": {"n_neighbors": 5}}], Gold("all", (5,)), True),
    ],
    ids=["the winner is the first row (case-insensitive)", "a winner below the first row is wrong",
         "top k in the first k rows", "numbers match within a relative tolerance", "other numbers do not",
         "a list matches exactly", "a list with extra rows is wrong", "each group holds its winner",
         "groups with swapped winners are wrong", "nested maps are searched"],
)  # fmt: skip
def test_score_semantics(rows: list[dict[str, object]], gold: Gold, correct: bool) -> None:
    assert score(_answer(rows), gold) is correct


def test_declines_score_only_on_decline_questions() -> None:
    assert score(_answer([], answered=False), Gold("decline")) is True
    assert score(_answer([{"model": "a"}]), Gold("decline")) is False
    assert score(_answer([{"model": "a"}], answered=False), Gold("first", ("a",))) is False
