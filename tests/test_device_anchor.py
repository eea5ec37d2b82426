"""A statement about models that ran on a device starts from the device (ingest-side speed), and must keep every
other filter: a training device beside it, a second device, thresholds on the runs, floors."""

from __future__ import annotations

import pytest

from assistant.engines.offline.compile import statements
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.conditions import Filter, filters_from_links
from assistant.language.entity_linking import EntityLink
from assistant.language.vocabulary import load_vocabulary

PI, A100 = "Raspberry Pi 4", "A100"


def _frame(*filters: Filter) -> Frame:
    return Frame(question="q", intent="count", filters=list(filters))


def _device(value: str, role: str) -> Filter:
    return Filter("device", "Device", "processor", [value], role=role)


def test_a_training_device_beside_the_anchored_inference_device_is_kept() -> None:
    statement = statements.count(_frame(_device(PI, "inference"), _device(A100, "training")))
    assert "MATCH (x:Device)" in statement.cypher  # the anchor
    assert "td.`processor` IN" in statement.cypher and [A100] in statement.params.values(), statement.cypher


def test_the_anchor_adds_no_unused_parameter() -> None:
    statement = statements.count(_frame(_device(PI, "inference")))
    for name in statement.params:
        assert f"${name}" in statement.cypher, (name, statement.cypher)


def test_a_second_inference_device_is_still_required() -> None:
    statement = statements.count(_frame(_device(PI, "inference"), _device("Jetson", "inference")))
    # the first device anchors; the second must still be a condition (both runs required)
    assert statement.cypher.count("IN $") >= 2, statement.cypher


def _link(value: str, question: str, mention: str) -> EntityLink:
    start = question.index(mention)
    return EntityLink("Device", "processor", value, mention, 1.0, start, start + len(mention))


def test_a_device_named_without_a_role_of_its_own_joins_the_one_before() -> None:
    question = "how many models were benchmarked on the raspberry pi or the jetson nano"
    links = [_link(PI, question, "raspberry pi"), _link("Jetson", question, "jetson nano")]
    (device,) = filters_from_links(question, links, load_vocabulary())
    assert device.values == [PI, "Jetson"] and device.role == "inference"


def test_a_training_device_and_an_inference_device_stay_two_filters() -> None:
    question = "how many models trained on the A100 were benchmarked on the raspberry pi"
    links = [_link(A100, question, "A100"), _link(PI, question, "raspberry pi")]
    roles = sorted(f.role for f in filters_from_links(question, links, load_vocabulary()))
    assert roles == ["inference", "training"]


@pytest.mark.parametrize(
    ("question", "devices", "expected"),
    [
        (
            "which models trained on a xeon were benchmarked on the raspberry pi or the jetson nano",
            [("Xeon", "xeon"), (PI, "raspberry pi"), ("Jetson", "jetson nano")],
            [("training", ["Xeon"]), ("inference", [PI, "Jetson"])],
        ),
        (
            "models trained on a xeon, fastest on the jetson nano",
            [("Xeon", "xeon"), ("Jetson", "jetson nano")],
            [("training", ["Xeon"]), ("", ["Jetson"])],
        ),
    ],
)
def test_a_device_joins_only_the_device_listed_just_before_it(
    question: str, devices: list[tuple[str, str]], expected: list[tuple[str, list[str]]]
) -> None:
    links = [_link(value, question, mention) for value, mention in devices]
    found = [(f.role, f.values) for f in filters_from_links(question, links, load_vocabulary())]
    assert found == expected
