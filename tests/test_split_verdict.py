"""The split verdict of a comparison on several metrics: ties count as best on each metric."""

from __future__ import annotations

from assistant.engines.offline.explain.comparisons import split_verdict
from assistant.engines.offline.read.metrics import Metric

RMSE = Metric("rmse", "RMSE", "quality", "rmse_mean", "", "lower")
CARBON = Metric("carbon", "carbon footprint", "training", "carbonFootprint", "g CO2", "lower", True)


def test_a_model_best_on_one_metric_and_tied_on_the_other_is_better_on_both() -> None:
    rmse = [{"model": "A", "rmse": 1.0}, {"model": "B", "rmse": 2.0}]
    carbon = [{"model": "A", "carbon_g": 5.0}, {"model": "B", "carbon_g": 5.0}]
    assert split_verdict([(RMSE, rmse), (CARBON, carbon)]) == ""


def test_different_winners_are_said_once() -> None:
    rmse = [{"model": "A", "rmse": 1.0}, {"model": "B", "rmse": 2.0}]
    carbon = [{"model": "A", "carbon_g": 9.0}, {"model": "B", "carbon_g": 5.0}]
    assert split_verdict([(RMSE, rmse), (CARBON, carbon)]) == (
        "\nNo model is better on every metric compared: A on RMSE, B on carbon footprint."
    )
