"""Facts read from result rows without a model: unmeasured leaders, units from column names, refusals, summaries."""

from __future__ import annotations

import pytest

from assistant.answers.row_facts import measurement_caveats, refuses_to_answer, summarize_rows, unit_of


def test_unmeasured_leaders_are_flagged_and_the_best_measured_named() -> None:
    rows = [
        {"model": "A", "training_carbon_g": 0.0, "training_energy_j": 0},
        {"model": "B", "training_carbon_g": 2.5, "training_energy_j": 30000},
        {"model": "C", "training_carbon_g": 1.25, "training_energy_j": 20000},
    ]
    facts = measurement_caveats(rows)
    assert "A comes first" in facts[0] and "not measured" in facts[0]
    assert facts[1] == "The best measured result is C with training_carbon_g = 1.25 g CO2."


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([{"model": "A", "carbonFootprint": 1.0}, {"model": "B", "carbonFootprint": 2.0}], None),
        ([{"model": "A", "r_squared": 0.0}], None),
        ([{"model": "A", "i.energyConsumption": None}], "None of these rows has a measured i.energyConsumption"),
        ([{"model": "A", "carbon_g": 1.0}, {"model": "B", "carbon_g": 0.0}], "1 of 2 rows have no measured carbon_g"),
    ],
    ids=["all measured: nothing to say", "zero accuracy is no measurement gap", "missing", "a zero further down"],
)
def test_measurement_caveats(rows: list[dict[str, object]], expected: str | None) -> None:
    facts = measurement_caveats(rows)
    if expected is None:
        assert facts == []
    else:
        assert any(expected in fact for fact in facts), facts


@pytest.mark.parametrize(
    ("column", "unit"),
    [
        ("training_carbon_g", "g CO2"),
        ("i.energyConsumption", "J"),
        ("latency_s", "s"),
        ("t.totalTrainTime", "s"),
        ("size_bytes", "bytes"),
        ("batch_size", ""),
        ("flops", "FLOPs"),
        ("date_created", ""),
    ],
)
def test_units_are_read_from_column_names(column: str, unit: str) -> None:
    assert unit_of(column) == unit


@pytest.mark.parametrize(
    ("text", "refuses"),
    [
        ("I don't know the answer.", True),
        ("I do not know.", True),
        ("No information is available about that.", True),
        ("I cannot answer this question.", True),
        ("XGBRegressor has the lowest carbon footprint, 0.43 g CO2.", False),
    ],
)
def test_refusals_are_recognised(text: str, refuses: bool) -> None:
    assert refuses_to_answer(text) is refuses


def test_a_row_summary_names_rows_with_units() -> None:
    text = summarize_rows([{"model": "A", "latency_s": 0.0021, "size_bytes": 1581}])
    assert text == "The graph returned 1 row:\n1. model A, latency_s 2.1 ms, size_bytes 1,581 bytes"
    assert summarize_rows([]) == "The graph holds no data matching this question."
    energy = summarize_rows([{"model": "B", "training_energy_j": 29108.337}])
    assert energy.endswith("training_energy_j 29,108 J (29.1 kJ)")
