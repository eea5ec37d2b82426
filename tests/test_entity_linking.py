"""The entity linker against the schemas of real graphs (the MRM3 cards and the sample catalog)."""

from __future__ import annotations

import pytest

from assistant.evaluation.run import Catalog
from assistant.graph.connection import Graph
from assistant.graph.introspect import introspect
from assistant.graph.schema import GraphSchema, PropertyInfo
from assistant.language.entity_linking import EntityLink, link_entities
from tests.conftest import MRM3_CARDS, mrm3_card_files


@pytest.fixture(scope="module")
def schemas(session_graph: Graph) -> dict[str, GraphSchema]:
    """The introspected schemas of both catalogs (the graph is only read while building them)."""
    mrm3_card_files()
    found = {}
    for catalog in (Catalog("mrm3", path=MRM3_CARDS), Catalog("sample", sample={})):
        catalog.load_into(session_graph)
        found[catalog.name] = introspect(session_graph)
    return found


def _values(links: list[EntityLink]) -> set[tuple[str, str, str]]:
    return {(link.label, link.property, link.value) for link in links}


PI = ("Device", "processor", "Raspberry Pi 4 Model B (ARM Cortex-A72)")
KNN = ("ModelArchitecture", "type", "KNeighborsRegressor")
RF_UMU = ("Model", "name", "RandomForestRegressor-umu-KFold")
LINKS = [
    ("mrm3", "greenest model on lumos", {("Dataset", "name", "lumos5g")}),
    ("mrm3", "which KNN is best on umu", {KNN, ("Dataset", "name", "umu")}),
    ("mrm3", "random forest on the winter data", {("ModelArchitecture", "type", "RandomForestRegressor"),
                                                 ("Dataset", "name", "logatec-winter")}),
    ("mrm3", "fastest xgboost model", {("ModelArchitecture", "type", "XGBRegressor")}),
    ("mrm3", "greenest model on lumoss", {("Dataset", "name", "lumos5g")}),
    ("mrm3", "models evaluated with k-fold", {("Parameters", "splitType", "KFold")}),
    ("mrm3", "all logatec models", {("Dataset", "name", "logatec-spring"), ("Dataset", "name", "logatec-winter")}),
    ("mrm3", "hyperparameters of RandomForestRegressor-umu-KFold", {RF_UMU}),
    ("mrm3", "regression models by sensorlab", {("ProblemType", "name", "Regression"),
                                               ("Model", "author", "SensorLab")}),
    ("mrm3", "models on the AMD EPYC", {("Device", "processor", "AMD EPYC 75F3 32-Core Processor")}),
    ("sample", "fastest model on the raspberry pi", {PI}),
    ("sample", "fastest model on the raspbery pi", {PI}),
    ("sample", "jetson nano latency", {("Device", "processor", "NVIDIA Jetson Nano (ARM Cortex-A57)")}),
    ("sample", "models trained on an A100", {("Device", "gpuModel", "NVIDIA A100-SXM4-80GB")}),
    ("sample", "resnet on cifar", {("ModelArchitecture", "type", "ResNet18"), ("ModelArchitecture", "type", "ResNet50"),
                                  ("Dataset", "name", "cifar10"), ("Dataset", "name", "cifar100")}),
    ("sample", "the cifar10 dataset", {("Dataset", "name", "cifar10")}),
    ("sample", "greenest text classifier", {("Service", "name", "text classification")}),
    ("sample", "image classification on jetson", {("Service", "name", "image classification"),
                                                  ("Device", "processor", "NVIDIA Jetson Nano (ARM Cortex-A57)")}),
    ("sample", "isolation forest on kddcup", {("ModelArchitecture", "type", "IsolationForest"),
                                             ("Dataset", "name", "kddcup99-network")}),
    ("sample", "xgbost on credit card fraud", {("ModelArchitecture", "type", "XGBClassifier"),
                                              ("ModelArchitecture", "type", "XGBRegressor"),
                                              ("Dataset", "name", "creditcard-fraud")}),
    ("sample", "models tuned with adamw", {("Parameters", "optimizer", "adamw")}),
    ("sample", "how many classification models", {("ProblemType", "name", "Classification")}),
]  # fmt: skip
LINK_IDS = [
    "a dataset prefix links (lumos -> lumos5g)",
    "an alias links (KNN -> KNeighborsRegressor)",
    "camel-case words link (random forest) and a dataset part links (winter)",
    "an alias to a prefix links (xgboost -> XGBRegressor)",
    "a misspelt dataset links (lumoss)",
    "a split type links across separators (k-fold -> KFold)",
    "an ambiguous part links to every value it fits",
    "a full model name links to the model",
    "a problem type and an author link",
    "part of a device CPU string links to the device",
    "a device links by the words of its CPU string",
    "a misspelt device links (raspbery pi)",
    "an edge board links by one word",
    "a GPU model links by its short name",
    "a family name links to each member",
    "an exact dataset name beats its longer sibling",
    "a service links despite another word ending (classifier)",
    "a service and a device link in one question",
    "a two-word architecture links (isolation forest)",
    "a misspelt alias links (xgbost) and spaced words join (credit card)",
    "an optimizer links",
    "a problem type links",
]


@pytest.mark.parametrize(("catalog", "question", "expected"), LINKS, ids=LINK_IDS)
def test_the_linker_finds_the_graph_values_a_question_names(
    schemas: dict[str, GraphSchema], catalog: str, question: str, expected: set[tuple[str, str, str]]
) -> None:
    assert _values(link_entities(question, schemas[catalog])) == expected


NOTHING = [
    ("mrm3", "what is the best model"),
    ("mrm3", "which model has the lowest carbon footprint"),
    ("mrm3", "lowest mean euclidean distance error"),
    ("sample", "which models are the most accurate"),
    ("sample", "show me the imag"),
]


@pytest.mark.parametrize(
    ("catalog", "question"),
    NOTHING,
    ids=[
        "stop words and superlatives link nothing",
        "metric words link nothing",
        "a metric phrase is not a hyperparameter value (distance)",
        "'model' does not link to 'Model B' in a CPU string",
        "a short fragment does not link to a longer name",
    ],
)
def test_the_linker_leaves_ordinary_words_alone(schemas: dict[str, GraphSchema], catalog: str, question: str) -> None:
    links = link_entities(question, schemas[catalog])
    assert [link for link in links if link.label != "Hyperparameters"] == []


def test_links_carry_the_span_and_a_score(schemas: dict[str, GraphSchema]) -> None:
    question = "Which XGBoost model is greenest on lumos5g?"
    links = link_entities(question, schemas["mrm3"])
    by_value = {link.value: link for link in links}
    dataset = by_value["lumos5g"]
    assert question[dataset.start : dataset.end] == dataset.mention == "lumos5g"
    assert dataset.score == 1.0
    arch = by_value["XGBRegressor"]
    assert question[arch.start : arch.end] == "XGBoost" and 0 < arch.score < 1


def test_a_word_does_not_link_to_a_longer_word_that_starts_with_it(schemas: dict[str, GraphSchema]) -> None:
    links = link_entities("the best image model", schemas["sample"])
    assert ("Dataset", "name", "imagenet-subset") not in _values(links)
    assert _values(links) == {("Service", "name", "image classification")}


def test_overlapping_spans_keep_the_longest_match(schemas: dict[str, GraphSchema]) -> None:
    # "random" alone is a split type; "random forest" is the architecture.
    links = link_entities("which random forest is best", schemas["mrm3"])
    assert _values(links) == {("ModelArchitecture", "type", "RandomForestRegressor")}


def test_internal_properties_are_never_linked() -> None:
    schema = GraphSchema(
        node_properties={
            "Model": {
                "name": PropertyInfo("name", ("STRING",), ("alpha-model",)),
                "cardHash": PropertyInfo("cardHash", ("STRING",), ("deadbeef",)),
                "source": PropertyInfo("source", ("STRING",), ("cards/alpha.json",)),
            }
        },
        relationships=(),
    )
    assert _values(link_entities("deadbeef alpha.json", schema)) == set()
    assert _values(link_entities("alpha-model", schema)) == {("Model", "name", "alpha-model")}


def test_an_empty_schema_links_nothing() -> None:
    assert link_entities("greenest model on lumos5g", GraphSchema(node_properties={}, relationships=())) == []


def test_a_long_misspelt_question_links_every_value_and_the_same_each_time(schemas: dict[str, GraphSchema]) -> None:
    # How long linking takes is not judged here (a busy machine is slow); the index is built once per schema,
    # so repeated calls must give the same links.
    question = "most accurate image classifier under 5 ms on the raspbery pi with adamw"
    expected = {PI, ("Service", "name", "image classification"), ("Parameters", "optimizer", "adamw")}
    for _ in range(3):
        assert _values(link_entities(question, schemas["sample"])) == expected
