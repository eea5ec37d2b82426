"""A statement about models that ran on a device starts from the device (ingest-side speed), and must keep every
other filter: a training device beside it, a second device, thresholds on the runs, floors."""

from __future__ import annotations

from assistant.engines.offline.compile import statements
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.conditions import Filter

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
