"""The one units-and-measurements module: what "not measured" means, units by name, numbers for people.

The rows below come from MRM3's own definitions (a 0 carbon or energy is "not measured"; the graph keeps
g CO2, J, s and bytes), not from the code's output; the last tests check that the page and the row
facts apply the same rule.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from assistant.answers.row_facts import measurement_caveats
from assistant.language.measurements import is_measured, number, unit_of, with_unit, zero_means_unmeasured
from assistant.ui.charts import NOT_MEASURED, choose_chart


@pytest.mark.parametrize(
    ("name", "zero_is_missing"),
    [
        ("carbonFootprint", True), ("energyConsumption", True), ("energyConsumptionGPU", True),
        ("carbon_footprint", True), ("training_carbon_g", True), ("energy_j", True), ("gpu_power_w", True),
        ("co2_eq", True), ("latency", False), ("accuracy_mean", False), ("totalTrainTime", False),
        ("dateCreated", False), ("flops", False), ("batch_size", False),
    ],
)  # fmt: skip
def test_only_carbon_and_energy_read_a_zero_as_not_measured(name: str, zero_is_missing: bool) -> None:
    assert zero_means_unmeasured(name) is zero_is_missing


@pytest.mark.parametrize(
    ("name", "value", "measured"),
    [
        ("carbonFootprint", 0, False), ("carbonFootprint", 0.0, False), ("carbonFootprint", None, False),
        ("carbonFootprint", math.nan, False), ("carbonFootprint", -1.0, False), ("carbonFootprint", "12", False),
        ("carbonFootprint", 1e-9, True), ("energyConsumption", 29108.3, True),
        ("latency", 0, True), ("latency", None, False), ("accuracy_mean", math.nan, False),
        ("dateCreated", "2025-11-01", True),
    ],
)  # fmt: skip
def test_what_counts_as_a_measurement(name: str, value: Any, measured: bool) -> None:
    assert is_measured(name, value) is measured


def test_an_evaluation_spec_can_override_the_rule_either_way() -> None:
    assert is_measured("latency", 0, zero_is_unmeasured=True) is False
    assert is_measured("carbonFootprint", 0, zero_is_unmeasured=False) is True


@pytest.mark.parametrize(
    ("name", "unit"),
    [("training_carbon_g", "g CO2"), ("energy_j", "J"), ("latency_s", "s"), ("totalTrainTime", "s"),
     ("flops", "FLOPs"), ("size_bytes", "bytes"), ("batch_size", ""), ("accuracy_mean", "")],
)  # fmt: skip
def test_the_unit_of_a_column_follows_the_graph(name: str, unit: str) -> None:
    assert unit_of(name) == unit


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(0.0021, "s", "2.1 ms"), (29108.337, "J", "29,108 J (29.1 kJ)"), (1.86778, "g CO2", "1.868 g CO2"),
     (8_700_000, "bytes", "8,700,000 bytes (8.7 MB)"), (20000, "J", "20,000 J (20.0 kJ)"), (None, "J", "not recorded")],
)  # fmt: skip
def test_numbers_are_written_with_their_unit(value: Any, unit: str, text: str) -> None:
    assert with_unit(value, unit) == text


def test_small_and_large_numbers_keep_their_size() -> None:
    assert number(0.0000123) == "1.230e-05" and number(1234567.8) == "1.235e+06" and number(12) == "12"


def test_the_page_and_the_row_facts_apply_the_same_rule_to_a_power_column() -> None:
    rows = [{"model": "a", "gpu_power_w": 0.0}, {"model": "b", "gpu_power_w": 3.5}]
    spec = choose_chart(rows)
    assert spec is not None and [d["status"] for d in spec.data][0] == NOT_MEASURED
    facts = measurement_caveats(rows)
    assert facts and "a comes first" in facts[0] and "not measured" in facts[0]
