"""Facts read from result rows without a model: unmeasured leaders, units from column names, refusals, summaries."""

from __future__ import annotations

import pytest

from assistant.answers.row_facts import SortOrder, measurement_caveats, refuses_to_answer, summarize_rows, unit_of


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
        ([{"model": "A", "i.energyConsumption": None}], "A has no measured i.energyConsumption"),
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


# -- the sort direction ------------------------------------------------------------------

MOST_CO2 = [
    {"model": "B", "training_carbon_g": 2.5},
    {"model": "C", "training_carbon_g": 1.25},
    {"model": "A", "training_carbon_g": 0.0},
]


def test_a_descending_ranking_leaves_the_unmeasured_out_and_never_calls_the_lowest_the_best() -> None:
    facts = measurement_caveats(MOST_CO2, order=SortOrder("training_carbon_g", descending=True))
    assert facts == [
        "1 of 3 rows have no measured training_carbon_g (0 or missing: not measured, not zero) and are not ranked: A."
    ]
    assert "best measured result is C" not in " ".join(facts)


def test_a_descending_ranking_led_by_a_missing_value_names_the_highest_measured() -> None:
    # Neo4j sorts null above every number, so DESC puts a missing carbon first.
    rows = [{"model": "N", "training_carbon_g": None}, *MOST_CO2[:2]]
    facts = measurement_caveats(rows, order=SortOrder("training_carbon_g", descending=True))
    assert "N comes first with training_carbon_g = missing" in facts[0]
    assert facts[1].startswith("The best measured result is B with training_carbon_g = 2.5 g CO2 (the highest")


def test_an_ascending_ranking_led_by_a_zero_names_the_lowest_measured() -> None:
    rows = [MOST_CO2[2], MOST_CO2[1], MOST_CO2[0]]
    facts = measurement_caveats(rows, order=SortOrder("training_carbon_g", descending=False))
    assert "A comes first" in facts[0]
    assert facts[1] == "The best measured result is C with training_carbon_g = 1.25 g CO2."


def test_without_the_order_falling_measured_values_read_as_a_descending_ranking() -> None:
    facts = measurement_caveats(MOST_CO2)
    assert len(facts) == 1 and "not ranked: A" in facts[0]


def test_a_ranking_by_another_column_reports_unmeasured_values_as_a_comparison() -> None:
    rows = [
        {"model": "A", "r_squared": 0.9, "training_carbon_g": 0.0},
        {"model": "B", "r_squared": 0.8, "training_carbon_g": 1.5},
    ]
    facts = measurement_caveats(rows, order=SortOrder("r_squared", descending=True))
    assert facts == ["1 of 2 rows have no measured training_carbon_g (0 or missing: not measured, not zero): A."]


def test_a_sort_key_the_rows_do_not_show_ranks_the_energy_column_when_it_is_one() -> None:
    rows = [{"model": "Z", "energy_per_inference_j": 0.0}, {"model": "Y", "energy_per_inference_j": 0.0002}]
    order = SortOrder(None, descending=False, key="toFloat(i.energyConsumption) / i.num_of_runs")
    assert "Z comes first" in measurement_caveats(rows, order=order)[0]
    assert "comes first" not in " ".join(measurement_caveats(rows, order=SortOrder(None, False, key="m.name")))


# -- lookups, aggregates, GPU zeros ------------------------------------------------------


def test_a_lookup_of_an_unmeasured_carbon_says_not_measured_never_a_plain_zero() -> None:
    rows = [{"model": "A", "training_carbon_g": 0.0, "training_energy_j": 0, "r_squared": 0.5}]
    (fact,) = measurement_caveats(rows)
    assert fact.startswith("A has no measured training_carbon_g or training_energy_j")
    assert "not measured, not 0 g CO2 / 0 J" in fact
    summary = summarize_rows(rows)
    assert "training_carbon_g not measured" in summary and "0 g CO2" not in summary


def test_an_aggregate_says_how_many_models_it_left_out() -> None:
    rows = [
        {"architecture": "XGB", "avg_training_carbon_g": 0.4, "models": 5, "measured_models": 3},
        {"architecture": "KNN", "avg_training_carbon_g": 1.2, "models": 4, "measured_models": 4},
        {"architecture": "LR", "avg_training_carbon_g": None, "models": 2, "measured_models": 0},
    ]
    facts = measurement_caveats(rows, order=SortOrder("avg_training_carbon_g", descending=False))
    assert (
        "avg_training_carbon_g counts measured values only; left out as not measured (0 or missing): "
        "2 of 5 models for XGB, 2 of 2 models for LR." in facts
    )
    assert any("1 of 3 rows have no measured avg_training_carbon_g" in f and "LR" in f for f in facts)


@pytest.mark.parametrize(
    "row",
    [
        {"model": "A", "cpu_energy_j": 120.0, "gpu_energy_j": 0},
        {"model": "A", "gpu_energy_j": 0, "gpus": 0},
        {"model": "A", "training_energy_j": 120.0, "energyConsumptionGPU": 0.0},
    ],
    ids=["CPU energy measured", "no GPU on the device", "total measured"],
)
def test_a_gpu_energy_of_0_on_a_cpu_only_run_is_not_called_not_measured(row: dict[str, object]) -> None:
    assert measurement_caveats([row]) == []
    assert measurement_caveats([row, {**row, "model": "B"}]) == []
    assert "not measured" not in summarize_rows([row])


def test_a_gpu_energy_of_0_with_nothing_else_measured_is_not_measured() -> None:
    (fact,) = measurement_caveats([{"model": "A", "cpu_energy_j": 0, "gpu_energy_j": 0}])
    assert "no measured cpu_energy_j or gpu_energy_j" in fact


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
