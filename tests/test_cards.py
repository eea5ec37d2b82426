"""Card parsing and validation: every bad input becomes a clear problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ingest.cards import MAX_CARD_BYTES, CardRejected, parse_card
from tests.conftest import mrm3_card_files


def good_card(name: str = "demo-model") -> dict[str, Any]:
    """A small valid card written for these tests."""
    return {
        "name": name,
        "version": "1.0",
        "author": "tests",
        "dateCreated": "2025-01-02",
        "size": 1000,
        "problemType": "Classification",
        "architecture": {"type": "TinyNet"},
        "dataset": {"name": "toyset", "size": 5000},
        "service": {"name": "image classification"},
        "training": {
            "carbonFootprint": 1.5,
            "powerConsumptionCPU": 100.0,
            "powerConsumptionGPU": 200.0,
            "totalTrainTime": 12.0,
            "device": {"CPU": "Test CPU", "numCores": 8, "GPU": 1, "RAM": "32G"},
            "evaluationMetrics": {"accuracy": {"mean": 0.9, "std": 0.01}},
            "parameters": {"optimizer": "adam", "splitType": "KFold", "hyperparameters": {"lr": 0.001}},
        },
        "inference": [
            {"batch_size": 1, "latency": 0.01, "device": {"CPU": "Test CPU", "numCores": 8, "GPU": 1, "RAM": "32G"}}
        ],
    }


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


def with_change(path: tuple[str | int, ...], value: Any) -> bytes:
    card = copy.deepcopy(good_card())
    target: Any = card
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return encode(card)


def nested(depth: int) -> bytes:
    return b'{"name": "x", "a": ' + b"[" * depth + b"]" * depth + b"}"


BAD_INPUTS = [
    ("empty file", b"", "$", "file is empty"),
    ("whitespace only", b"  \n\t ", "$", "file is empty"),
    ("truncated JSON", encode(good_card())[:-40], "$", "not valid JSON"),
    ("malformed JSON", b'{"name": "x",, }', "$", "not valid JSON"),
    ("a JSON array", encode([good_card()]), "$", "got an array"),
    ("a JSON string", b'"hello"', "$", "got a string"),
    ("invalid UTF-8", b'{"name": "caf\xe9"}', "$", "not valid UTF-8"),
    ("a NUL byte", b'{"name": "a\x00b"}', "$", "NUL byte"),
    ("size is a word", with_change(("size",), "huge"), "$.size", "'huge' is not of type 'integer'"),
    ("name is missing", with_change(("name",), KeyError), "$", "'name' is a required property"),
    ("name is empty", with_change(("name",), ""), "$.name", "should be non-empty"),
    ("dateCreated is not a date", with_change(("dateCreated",), "yesterday"), "$.dateCreated", "is not a 'date'"),
    ("architecture has no type", with_change(("architecture",), {}), "$.architecture", "'type' is a required"),
    ("carbon is negative", with_change(("training", "carbonFootprint"), -1), "$.training.carbonFootprint", "minimum"),
    (
        "a metric is text",
        with_change(("training", "evaluationMetrics", "accuracy"), "high"),
        "$.training.evaluationMetrics.accuracy",
        "must be a number or an object",
    ),
    ("latency is text", with_change(("inference", 0, "latency"), "fast"), "$.inference[0].latency", "not of type"),
    ("absurdly deep nesting", nested(5000), "$", "nesting is deeper"),
    ("moderately deep nesting", nested(40), "$", "nesting is deeper"),
    ("an oversized file", b'{"name": "' + b"x" * (MAX_CARD_BYTES + 10) + b'"}', "$", "at most 5 MiB"),
]


@pytest.mark.parametrize(
    ("raw", "path", "reason"),
    [case[1:] for case in BAD_INPUTS],
    ids=[f"a card with {case[0]} is rejected" for case in BAD_INPUTS],
)
def test_bad_input_is_rejected_with_path_and_reason(raw: bytes, path: str, reason: str) -> None:
    with pytest.raises(CardRejected) as caught:
        parse_card("cards/bad.json", raw)
    problem = caught.value.problems[0]
    assert problem.source == "cards/bad.json"
    assert problem.path == path
    assert reason in problem.reason
    assert "\n" not in str(problem)


def test_every_public_mrm3_card_is_valid() -> None:
    files = mrm3_card_files()
    cards = [parse_card(str(f), f.read_bytes()) for f in files]
    assert len(cards) == 22
    warned = sorted(Path(c.source).name for c in cards if c.warnings)
    assert warned == [
        "KNeighborsRegressor-LeaveOneGroupOutSplit-results.json",
        "LinearRegression-LeaveOneGroupOutSplit-results.json",
        "RandomForestRegressor-LeaveOneGroupOutSplit-results.json",
    ]


def test_strict_mode_rejects_inference_entries_without_latency() -> None:
    file = next(f for f in mrm3_card_files() if f.name.startswith("LinearRegression-LeaveOneGroupOut"))
    with pytest.raises(CardRejected) as caught:
        parse_card(str(file), file.read_bytes(), strict=True)
    assert caught.value.problems[0].path == "$.inference[0]"
    assert "--strict" in caught.value.problems[0].reason


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_nan_and_infinite_measurements_are_dropped_with_a_warning(literal: bytes) -> None:
    raw = encode(good_card()).replace(b'"carbonFootprint": 1.5', b'"carbonFootprint": ' + literal)
    card = parse_card("nan.json", raw)
    assert "carbonFootprint" not in card.data["training"]
    assert [w.path for w in card.warnings] == ["$.training.carbonFootprint"]


def test_a_utf8_bom_is_accepted() -> None:
    card = parse_card("bom.json", b"\xef\xbb\xbf" + encode(good_card("bom")))
    assert card.name == "bom"
