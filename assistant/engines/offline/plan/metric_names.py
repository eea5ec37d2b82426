"""The published names of the catalog's metrics (``training_carbon``, ``inference_energy``, ``accuracy`` ...).

The typed plan (:mod:`assistant.plan`) and the MCP tools take these names;
each maps onto the engine's :class:`~assistant.engines.offline.metrics.Metric`
of the live graph. Costs have fixed names; quality metrics are the evaluation
metrics the cards report, as the graph holds them. Only the metrics this graph
has are offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.engines.offline.read.metrics import Metric, MetricCatalog

# Name -> (the catalog's quantity key, its inference variant?, what it is).
COSTS: dict[str, tuple[str, bool, str]] = {
    "training_carbon": ("carbon", False, "carbon footprint of training"),
    "training_energy": ("energy", False, "energy of training, CPU + GPU"),
    "training_cpu_energy": ("cpu_energy", False, "CPU energy of training"),
    "training_gpu_energy": ("gpu_energy", False, "GPU energy of training (0 in a measured CPU-only run is real)"),
    "training_time": ("train_time", False, "total training time"),
    "fit_time": ("fit_time", False, "fit time of training"),
    "model_size": ("size", False, "size of the model"),
    "inference_latency": ("latency", False, "latency per request of the model's best inference run"),
    "inference_carbon": ("carbon", True, "carbon per inference (an inference entry's total / its num_of_runs)"),
    "inference_energy": ("energy", True, "energy per inference (an inference entry's total / its num_of_runs)"),
    "inference_flops": ("flops", False, "FLOPs per request"),
    "inference_total_time": ("inference_time", False, "total time of an inference entry"),
}
_OWN_SCOPES = ("training", "inference", "model")


@dataclass(frozen=True)
class NamedMetric:
    """A metric under its published name."""

    name: str
    metric: Metric
    kind: Literal["quality", "cost"]
    description: str

    @property
    def unit(self) -> str:
        """The unit of its values ("J per inference" for per-inference totals)."""
        return unit_label(self.metric)


def unit_label(metric: Metric) -> str:
    """The unit of a metric's values as published ("J per inference" for per-inference totals)."""
    if metric.per:
        return f"{metric.unit} per {metric.per}".strip()
    return metric.unit


def named_metrics(catalog: MetricCatalog) -> dict[str, NamedMetric]:
    """Every metric of the graph under its published name, costs first."""
    named: dict[str, NamedMetric] = {}
    for name, (key, inference, description) in COSTS.items():
        metric = catalog.inference_variants.get(key) if inference else catalog.quantities.get(key)
        if metric is None or metric.scope not in _OWN_SCOPES or (inference and not metric.per):
            continue
        named[name] = NamedMetric(name, metric, "cost", description)
    for name, metric in catalog.quality.items():
        description = f"{metric.label}: mean of the evaluation metric over the card's runs"
        named.setdefault(name, NamedMetric(name, metric, "quality", description))
    return named
