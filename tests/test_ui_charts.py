"""Which chart the chat page draws for an answer's rows (pure: no Streamlit, no graph)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.ui.charts import BEST, NOT_MEASURED, OTHER, altair_chart, choose_chart, direction


@pytest.mark.parametrize(
    ("column", "better"),
    [
        ("accuracy", "higher"),
        ("t.accuracy_mean", "higher"),
        ("r_squared_mean", "higher"),
        ("f1", "higher"),
        ("training_carbon_g", "lower"),
        ("carbonFootprint", "lower"),
        ("i.energyConsumption", "lower"),
        ("latency_s", "lower"),
        ("mae_mean", "lower"),
        ("mean_squared_error", "lower"),
        ("accuracy_std", None),
        ("batch_size", None),
        ("models", None),
    ],
    ids=lambda v: str(v),
)
def test_the_better_direction_is_read_from_the_column_name(column: str, better: str | None) -> None:
    assert direction(column) == better


def test_models_compared_on_one_value_give_a_bar_chart_in_row_order() -> None:
    rows = [{"model": "b", "training_carbon_g": 1.0}, {"model": "a", "training_carbon_g": 2.0}]

    spec = choose_chart(rows)

    assert spec is not None and spec.kind == "bar"
    assert spec.x == "training_carbon_g"
    assert [d["label"] for d in spec.data] == ["b", "a"]


def test_groups_with_a_count_give_a_bar_chart() -> None:
    spec = choose_chart([{"dataset": "umu", "models": 8}, {"dataset": "lumos5g", "models": 9}])

    assert spec is not None and spec.kind == "bar" and spec.x == "models"


def test_rows_that_repeat_a_model_are_told_apart_by_device_and_batch_size() -> None:
    rows = [
        {"model": "m", "device": "pi", "batch_size": 1, "latency_s": 0.3},
        {"model": "m", "device": "pi", "batch_size": 8, "latency_s": 0.1},
        {"model": "m", "device": "gpu", "batch_size": 1, "latency_s": 0.01},
    ]

    spec = choose_chart(rows)

    assert spec is not None and spec.kind == "bar"
    assert [d["label"] for d in spec.data] == ["m · pi · 1", "m · pi · 8", "m · gpu · 1"]


def test_a_quality_against_a_cost_gives_a_scatter_with_the_pareto_best_marked() -> None:
    rows = [
        {"model": "big", "accuracy": 0.95, "carbon_g": 9.0},
        {"model": "small", "accuracy": 0.80, "carbon_g": 1.0},
        {"model": "worse", "accuracy": 0.78, "carbon_g": 5.0},
        {"model": "middle", "accuracy": 0.90, "carbon_g": 3.0},
    ]

    spec = choose_chart(rows)

    assert spec is not None and spec.kind == "scatter"
    assert (spec.x, spec.y) == ("carbon_g", "accuracy")
    status = {d["label"]: d["status"] for d in spec.data}
    assert status == {"big": BEST, "small": BEST, "worse": OTHER, "middle": BEST}


def test_a_zero_carbon_is_not_measured_never_the_best_trade_off() -> None:
    rows = [
        {"model": "unmetered", "accuracy": 0.99, "carbon_g": 0.0},
        {"model": "a", "accuracy": 0.90, "carbon_g": 2.0},
        {"model": "b", "accuracy": 0.80, "carbon_g": 3.0},
    ]

    spec = choose_chart(rows)

    assert spec is not None
    status = {d["label"]: d["status"] for d in spec.data}
    assert status == {"unmetered": NOT_MEASURED, "a": BEST, "b": OTHER}
    assert spec.note is not None and "not measured" in spec.note


def test_a_zero_carbon_bar_is_marked_not_measured() -> None:
    spec = choose_chart([{"model": "a", "carbon_g": 0.0}, {"model": "b", "carbon_g": 2.0}])

    assert spec is not None and [d["status"] for d in spec.data] == [NOT_MEASURED, "measured"]
    assert spec.note is not None and "not measured" in spec.note


def test_carbon_and_energy_together_give_bars_of_the_first_not_a_scatter() -> None:
    rows = [{"model": "a", "carbon_g": 1.0, "energy_j": 10.0}, {"model": "b", "carbon_g": 2.0, "energy_j": 20.0}]

    spec = choose_chart(rows)

    assert spec is not None and spec.kind == "bar" and spec.x == "carbon_g"


@pytest.mark.parametrize(
    "rows",
    [
        [{"model": "a", "carbon_g": 1.0}],
        [{"model": "a"}, {"model": "b"}],
        [{"n": 1}, {"n": 2}],
        [],
    ],
    ids=["one row", "no number", "nothing to compare by", "no rows"],
)
def test_a_table_alone_when_a_chart_adds_nothing(rows: list[dict[str, Any]]) -> None:
    assert choose_chart(rows) is None


def test_cypher_column_names_with_dots_are_drawn_as_titles_not_nested_fields() -> None:
    rows = [
        {"m.name": "a", "t.accuracy_mean": 0.9, "t.carbonFootprint": 2.0},
        {"m.name": "b", "t.accuracy_mean": 0.8, "t.carbonFootprint": 1.0},
    ]
    spec = choose_chart(rows)
    assert spec is not None

    vega = json.dumps(altair_chart(spec).to_dict())

    assert '"field": "x"' in vega and '"title": "t.carbonFootprint"' in vega
    assert '"field": "t.carbonFootprint"' not in vega


def test_long_results_chart_the_first_rows_and_say_so() -> None:
    rows = [{"model": f"m{i}", "carbon_g": float(i + 1)} for i in range(100)]

    spec = choose_chart(rows)

    assert spec is not None and len(spec.data) == 30
    assert spec.note is not None and "first 30 of 100" in spec.note
