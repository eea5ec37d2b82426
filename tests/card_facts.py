"""What the MRM3 card files say, read straight from the JSON: the expected values of the LLM tests.

Never through the engine, its vocabulary or its Cypher: per inference is the
card's inference total divided by its ``num_of_runs``, per sample also by its
``batch_size``, and a carbon or energy of 0 is "not measured".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from tests.conftest import mrm3_card_files


@dataclass(frozen=True)
class InferenceEntry:
    """One inference entry of a card: totals over ``runs`` runs of ``batch_size`` samples."""

    model: str
    energy_total_j: float
    carbon_total_g: float
    runs: int
    batch_size: int

    @property
    def energy_per_inference_j(self) -> float:
        return self.energy_total_j / self.runs

    @property
    def carbon_per_inference_g(self) -> float:
        return self.carbon_total_g / self.runs

    @property
    def energy_per_sample_j(self) -> float:
        return self.energy_total_j / (self.runs * self.batch_size)


def cards() -> Iterator[dict]:  # type: ignore[type-arg]
    for path in mrm3_card_files():
        yield json.loads(path.read_text(encoding="utf-8"))


def measured_inference() -> list[InferenceEntry]:
    """Every inference entry with a measured energy and a run count, from the card files."""
    entries = []
    for card in cards():
        for entry in card.get("inference", []):
            if entry.get("energy_consumption", 0) > 0 and entry.get("num_of_runs", 0) > 0:
                entries.append(
                    InferenceEntry(
                        model=card["name"],
                        energy_total_j=entry["energy_consumption"],
                        carbon_total_g=entry["carbon_footprint"],
                        runs=entry["num_of_runs"],
                        batch_size=entry["batch_size"],
                    )
                )
    return entries


def training(metric: str = "r_squared") -> dict[str, tuple[float, float]]:
    """Model name -> (training carbon in g CO2, the metric's mean), for models with both measured."""
    result = {}
    for card in cards():
        train = card["training"]
        mean = train.get("evaluationMetrics", {}).get(metric, {}).get("mean")
        if train.get("carbonFootprint", 0) > 0 and mean is not None:
            result[card["name"]] = (train["carbonFootprint"], mean)
    return result


def pareto_names(points: dict[str, tuple[float, float]]) -> set[str]:
    """Names whose (cost, quality) no other point matches or beats on both and beats on one (cost low, quality high)."""
    return {
        name
        for name, (cost, quality) in points.items()
        if not any(
            c <= cost and q >= quality and (c < cost or q > quality)
            for other, (c, q) in points.items()
            if other != name
        )
    }
