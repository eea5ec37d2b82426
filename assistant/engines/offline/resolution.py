"""What a plan names, resolved against the graph before it runs: model and base-model names (too many to link by
value), the role of a device, the quality metric "best" means."""

from __future__ import annotations

from typing import Any, Protocol

from assistant.engines.offline.compile import resolving, statements
from assistant.engines.offline.compile.cypher_builder import Statement
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.closest import exact_value
from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.metrics import Metric, MetricCatalog
from assistant.graph.schema import GraphSchema


class Run(Protocol):
    """What the lookups and the intents' answers need of the question being answered."""

    schema: GraphSchema
    catalog: MetricCatalog

    def has(self, label: str, prop: str) -> bool: ...

    def execute(self, statement: Statement, *, main: bool = True) -> list[dict[str, Any]]: ...

    def closest(self, terms: list[str]) -> dict[str, list[str]]: ...

    def note_unmeasured(self, frame: Frame, metric: Metric) -> None: ...

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        """The answer's rows become ``rows``: the evidence an explanation cut down or computed from the main rows."""


def resolve_models(run: Run, frame: Frame) -> None:
    """Model names too many to link by value are looked up by a parameterized CONTAINS."""
    if frame.intent != "decline" and frame.filter("fine_tuned") and run.has("BaseModel", "name"):
        return _resolve_base_models(run, frame)  # "fine-tuned from bert-base-uncased"
    if not frame.model_fragments or frame.intent == "decline":
        return
    found: list[str] = []
    for fragment in frame.model_fragments:
        rows = run.execute(resolving.find_model(fragment), main=False)
        rows = rows or run.execute(resolving.find_models(fragment), main=False)
        exact = [r["model"] for r in rows if r["model"].lower() == fragment.lower()]  # a whole name: that one
        found.extend(m for m in exact or [r["model"] for r in rows] if m not in found)
    if not found:  # after "fine-tuned from" the name is a base model's: the graph lacks it
        frame.intent, frame.decline_reason = "decline", "absent" if frame.filter("fine_tuned") else "models"
        frame.closest = run.closest(frame.model_fragments)
        frame.absent = list(frame.model_fragments)
        return
    existing = frame.filter("model")
    if existing:
        existing.values.extend(v for v in found if v not in existing.values)
    else:
        frame.filters.append(Filter("model", "Model", "name", found, ", ".join(frame.model_fragments)))
    frame.unknown_terms = []


def _resolve_base_models(run: Run, frame: Frame) -> None:
    """A name after "fine-tuned from" is a base model's, looked up as written (case aside), or absent."""
    terms = frame.model_fragments + frame.absent + [f.mention for f in frame.filters if f.kind == "fine_tuned"]
    terms = [t for t in dict.fromkeys(terms) if t]
    found = {t: [r["base"] for r in run.execute(resolving.find_base(t), main=False)] for t in terms}
    found = {t: b or [m for m in [exact_value(run.schema, "Model", "name", t)] if m] for t, b in found.items()}
    frame.absent = [t for t in terms if not found[t]]
    if not terms or frame.absent:  # declined as absent by _account_for_everything
        return
    frame.filters = [f for f in frame.filters if f.kind != "fine_tuned"]
    names = [name for t in terms for name in found[t]]
    frame.filters.append(Filter("base_model", "BaseModel", "name", names, ", ".join(terms)))
    frame.unknown_terms, frame.model_fragments = [], []


def resolve_devices(run: Run, frame: Frame) -> None:
    """A device named without "trained on" / "run on": its training role when it trained models and the
    question is about training (carbon, accuracy ...), else its inference runs."""
    for flt in frame.filters:
        if flt.kind != "device" or flt.role:
            continue
        metric = frame.metric
        if metric is not None and metric.scope == "inference":
            flt.role = "inference"
            continue
        rows = run.execute(resolving.trains_on_device(flt.property, flt.values), main=False)
        flt.role = "training" if rows and rows[0]["trained"] else "inference"
        if flt.role == "inference" and metric is not None and metric.measured:
            frame.metric = run.catalog.as_inference(metric)  # "greenest model on the raspberry pi"
            frame.inference = frame.metric.scope == "inference"


def resolve_datasets(run: Run, frame: Frame) -> None:
    """A dataset in a graph whose cards name no training data, only model-index results: the dataset the models
    were evaluated on, the only one such a graph holds ("most accurate on imdb")."""
    if run.has("TRAINED_ON", "") or not run.has("EvaluationResult", "metric"):
        return
    for flt in frame.filters:
        if flt.kind == "dataset":
            flt.kind = "evaluated_on"


def quality_metric(run: Run, frame: Frame) -> Metric | None:
    """The quality metric "best" means for the models asked about (when the question names none)."""
    quality = run.catalog.quality
    rows = run.execute(statements.quality_available(frame, run.catalog), main=False) if quality else []
    names = list(run.catalog.quality)
    available = {names[i] for i in range(len(names)) if rows and rows[0].get(f"c{i}")}
    metric = run.catalog.preferred_quality(available or None)
    if metric is not None:
        frame.notes.append(f"'best' read as the {metric.label} ({metric.better} is better)")
    return metric
