"""What a question needs from the graph that this graph may lack (GPU models, base models, locations)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.engines.offline.plan.frame import ALL, Frame
from assistant.engines.offline.read.metrics import MetricCatalog

Has = Callable[[str, str], bool]


def missing_for(frame: Frame, has: Has, catalog: MetricCatalog | None = None) -> str | None:
    """``frame`` fitted to what this graph holds (:func:`_adapt`), then the name of what it still lacks
    ("GPU model"), or None."""
    if missing := _adapt(frame, has, catalog):
        return missing
    if not has("Device", "gpuModel") and "gpu_model" in (frame.count_target[:-1], frame.group):
        return "GPU model"
    if frame.group == "location" and not has("ModelTraining", "location"):
        return "training location"
    for group, prop in (("license", "license"), ("library", "libraryName")):
        if frame.group == group and not has("Model", prop):
            return group
    lineage = (
        frame.filter("fine_tuned")
        or frame.filter("base_model")
        or "base_model" in (frame.group, frame.count_target[:-1])
    )
    if not has("BaseModel", "name") and lineage:
        return "base model"  # no Hugging Face base_model
    return None


def _adapt(frame: Frame, has: Has, catalog: MetricCatalog | None) -> str | None:
    """Read ``frame`` in the terms of this graph: MRM3 cards have no model-index results, CodeCarbon runs are
    training runs, a Hugging Face hardware text has no processor. Returns what a CodeCarbon question asks that
    no graph holds (a value per run), else None."""
    if not has("EvaluationResult", "dataset"):  # "evaluated on lumos5g" in MRM3 cards: the dataset it was tested on
        frame.filters = [replace(f, kind="dataset") if f.kind == "evaluated_on" else f for f in frame.filters]
    on_dataset = frame.filter("dataset") or frame.filter("evaluated_on")
    if frame.intent == "lookup" and on_dataset and frame.metric and frame.metric.scope == "quality":
        if has("EvaluationResult", "metric") and frame.filter("model"):  # "accuracy of X on anli": X's results
            frame.intent, frame.k = "rank", ALL
    reading = frame.reading
    codecarbon = has("TrainingRun", "key") and reading is not None and reading.says_codecarbon
    metric = frame.metric
    if codecarbon and catalog is not None and metric is not None and metric.scope == "inference":
        # A CodeCarbon run is a training run: "the co2 of all codecarbon runs" is the models' training total.
        if reading is not None and reading.says_per_run:
            return f"{(catalog.get(metric.key) or metric).label} per CodeCarbon run"
        frame.metric, frame.inference = catalog.get(metric.key) or metric, False
    named = frame.filter("model") is not None and not (reading is not None and reading.says_inference)
    if frame.count_target == "inference_runs" and has("TrainingRun", "key") and named and frame.intent == "count":
        frame.count_target = "runs_of_models"  # "how many runs does vitucano-sft have": its runs of both kinds
    if frame.count_target == "inference_runs" and codecarbon and frame.intent in ("count", "group_count"):
        # "how many CodeCarbon runs are logged": the logs' rows, which are training runs
        frame.count_target = "training_runs"
        frame.filters = [f for f in frame.filters if not (f.kind == "format" and f.values == ["codecarbon"])]
    if frame.group == "device" and has("Device", "hardware"):
        frame.group = "hardware"  # grouped by the hardware text as written
    return None
