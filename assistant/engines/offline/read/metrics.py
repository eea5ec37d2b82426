"""Which numbers a catalog has, where they live, and which way is better.

Quantities (carbon, energy, latency, size ...) come from the vocabulary and
count only when the graph has their property. Quality metrics are discovered:
every ``<name>_mean`` property on ``ModelTraining`` is one, with its direction
known for common names (accuracy, F1, R² higher; MAE, RMSE, MAPE lower) and
guessed, and said to be guessed, for others.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from assistant.graph.schema import GraphSchema, quote_name
from assistant.language.measurements import cypher_ceiling, zero_means_unmeasured
from assistant.language.vocabulary import Vocabulary, phrase_key
from ingest.derived import COMPLETE_LABEL as DERIVED_COMPLETE_LABEL
from ingest.derived import TRAINING as DERIVED_TRAINING
from ingest.derived import model_best, run_value
from ingest.flags import UNMEASURED_SCORES

logger = logging.getLogger(__name__)

SCOPE_LABELS = {
    "training": "ModelTraining",
    "inference": "ModelInference",
    "model": "Model",
    "dataset": "Dataset",
    "training_device": "Device",
    "quality": "ModelTraining",
    "hyper": "Hyperparameters",
}
_UNIT_SLUGS = {"g CO2": "g", "J": "j", "s": "s", "bytes": "bytes", "FLOPs": "", "GPUs": "", "cores": ""}
_MEAN = "_mean"


@dataclass(frozen=True)
class Metric:
    """One number a question can rank, filter or aggregate by."""

    key: str
    """Vocabulary key (``carbon``, ``latency``) or quality metric name (``mae``)."""
    label: str
    scope: str
    """Where it lives: ``training``, ``inference``, ``model``, ``dataset``, ``training_device``, ``quality``."""
    prop: str
    """The graph property holding it."""
    unit: str
    better: str
    """``lower`` or ``higher``."""
    measured: bool = False
    """A 0 or missing value means "not measured"."""
    known_direction: bool = True
    """False when ``better`` is a guess from the metric's name."""
    per: str = ""
    """For inference totals: ``inference`` (total / runs) or ``sample`` (total / (runs x batch size))."""
    results_only: bool = False
    """A quality metric found only in model-index results (EvaluationResult), never on ModelTraining."""
    on_model: str = ""
    """The Model property that keeps this training value, measured only (null when not), written at ingest."""
    model_best: str = ""
    """For inference metrics: the Model property keeping the model's lowest measured value over its runs."""
    spread: str = ""
    """For an MRM3 quality metric: the property of its std ("the std of the rmse")."""
    zero_unmeasured: bool = False
    """The graph holds scores whose mean and std are both exactly 0 (marked at ingest: the umu LeaveOneGroupOut
    cards' R²): no measurement, read as missing, never as a score of 0. Unmarked graphs read the plain value."""

    def expr(self, var: str) -> str:
        """The Cypher expression of this metric on the node bound to ``var``.

        An inference entry's energy and carbon are totals over its ``num_of_runs``
        runs; per inference they are divided by the runs (and by the batch size per
        sample). A run count of 0 or none gives null, never a division by zero.
        """
        value = f"{var}.{quote_name(self.prop)}"
        if self.spread and self.zero_unmeasured:
            return f"(CASE WHEN {value} = 0 AND {var}.{quote_name(self.spread)} = 0 THEN null ELSE {value} END)"
        if self.key == "gpu_energy" and self.scope == "training":
            # 0 J on the GPU is real when the run itself was measured (trained on the CPU only).
            run_measured = f"{var}.carbonFootprint > 0 OR {var}.energyConsumptionCPU > 0"
            return f"(CASE WHEN {run_measured} THEN coalesce({value}, 0.0) END)"
        # a total beyond any real measurement stays out even when its share per inference would not be
        # (derived.py leaves such a run without its stored per-inference value: both read the same)
        within = f"{value} <= {cypher_ceiling(self.unit)}"
        if self.per == "inference":
            return f"(CASE WHEN {var}.num_of_runs > 0 AND {within} THEN {value} / toFloat({var}.num_of_runs) END)"
        if self.per == "sample":
            return (
                f"(CASE WHEN {var}.num_of_runs > 0 AND {var}.batch_size > 0 AND {within} "
                f"THEN {value} / toFloat({var}.num_of_runs * {var}.batch_size) END)"
            )
        return value

    @property
    def node_label(self) -> str:
        """The label of the node that carries the property."""
        return SCOPE_LABELS[self.scope]

    @property
    def column(self) -> str:
        """The result column holding this metric, e.g. ``carbon_g`` or ``mae``."""
        if self.per:
            base = f"{self.key}_per_{self.per}"
        elif self.scope == "inference" and self.key in ("carbon", "energy"):
            base = f"inference_{self.key}"
        else:
            base = self.key.split(":")[-1]
        slug = _UNIT_SLUGS.get(self.unit, "")
        return f"{base}_{slug}" if slug else base

    @property
    def is_quality(self) -> bool:
        """True for evaluation metrics (accuracy, MAE ...)."""
        return self.scope == "quality"

    def order(self, want: str) -> str:
        """``ASC`` or ``DESC`` for ``want`` = ``best``/``worst``/``low``/``high``."""
        if want in ("low", "high"):
            return "ASC" if want == "low" else "DESC"
        best_is_low = self.better == "lower"
        return "ASC" if (want == "best") == best_is_low else "DESC"


# Training values the ingest also keeps on the model itself (ingest/derived.py), indexed: read there, no join.
_ON_MODEL = {source: copy for copy, source in DERIVED_TRAINING.items()}


def _stored(schema: GraphSchema, prop: str) -> str:
    """``prop`` when every model of the graph carries the derived values (ingest/derived.py), else ``""``."""
    complete = schema.node_counts.get(DERIVED_COMPLETE_LABEL, 0) > 0
    return prop if prop and complete and schema.has_property("Model", prop) else ""


class MetricCatalog:
    """The metrics of one graph, found from its schema."""

    def __init__(self, schema: GraphSchema, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.quantities: dict[str, Metric] = {}
        self.inference_variants: dict[str, Metric] = {}
        for key, q in vocabulary.quantities.items():
            measured = zero_means_unmeasured(q.property)
            label = SCOPE_LABELS.get(q.scope)
            if label and schema.has_property(label, q.property):
                if key == "gpu_energy":
                    measured = False  # see Metric.expr: a measured run's GPU energy of 0 means no GPU was used
                on_model = _stored(schema, _ON_MODEL.get(q.property, "") if q.scope == "training" else "")
                best = _stored(schema, model_best(q.property) if q.scope == "inference" else "")
                self.quantities[key] = Metric(
                    key, q.label, q.scope, q.property, q.unit, q.better, measured, on_model=on_model, model_best=best
                )
            if q.inference_property and schema.has_property("ModelInference", q.inference_property):
                per = "inference" if measured and schema.has_property("ModelInference", "num_of_runs") else ""
                label = f"{q.label} per inference" if per else f"inference {q.label}"
                best = _stored(schema, model_best(run_value(q.inference_property, per)))
                self.inference_variants[key] = Metric(
                    key, label, "inference", q.inference_property, q.unit, q.better, measured, per=per, model_best=best
                )
        self.quality: dict[str, Metric] = {}
        for prop in sorted(schema.properties_of("ModelTraining")):
            if prop.endswith(_MEAN) and len(prop) > len(_MEAN):
                name = prop[: -len(_MEAN)]
                spread = f"{name}_std" if schema.has_property("ModelTraining", f"{name}_std") else ""
                zero = bool(spread) and schema.has_property("ModelTraining", UNMEASURED_SCORES)
                self.quality[name] = replace(self._quality_metric(name), spread=spread, zero_unmeasured=zero)
        self.results: dict[str, Metric] = {}
        """Quality metrics only the model-index results hold (EvaluationResult.metric), per dataset."""
        results = schema.node_properties.get("EvaluationResult", {}).get("metric")
        for name in sorted(str(v) for v in (results.values if results else ())):
            if name not in self.quality and re.fullmatch(r"[A-Za-z]\w*", name):
                self.results[name] = self._quality_metric(name, results_only=True)
        self.hyperparameters = {
            name: info
            for name, info in schema.node_properties.get("Hyperparameters", {}).items()
            if name != "id" and {"INTEGER", "FLOAT"} & set(info.types)
        }
        """Numeric hyperparameters, which a question can filter on ("n_neighbors of 5")."""
        self.hyper_metrics = {
            name: Metric(f"hyper:{name}", f"hyperparameter {name}", "hyper", name, "", "higher")
            for name in self.hyperparameters
        }
        logger.debug("metrics: quantities %s, quality %s", sorted(self.quantities), sorted(self.quality))

    def _quality_metric(self, name: str, *, results_only: bool = False) -> Metric:
        """A quality metric ``name`` (``<name>_mean`` on ModelTraining), with the vocabulary's direction and label."""
        better, known = self.vocabulary.metric_direction(name)
        info = self.vocabulary.metric_info(name)
        label = info.label if info else name.replace("_", " ")
        return Metric(name, label, "quality", name + _MEAN, "", better, False, known, results_only=results_only)

    def get(self, key: str, *, inference: bool = False) -> Metric | None:
        """The quantity or quality metric ``key``; the inference variant when asked and present."""
        if key in self.quality:
            return self.quality[key]
        if key in self.results:
            return self.results[key]
        if key.startswith("hyper:"):
            return self.hyper_metrics.get(key[len("hyper:") :])
        if inference and key in self.inference_variants:
            return self.inference_variants[key]
        if key in self.quantities:
            return self.quantities[key]
        return self.inference_variants.get(key)

    def hyperparameter_named(self, word: str) -> Metric | None:
        """The numeric hyperparameter a word names: its name, or its last part ("estimators": n_estimators)."""
        word = word.lower().replace(" ", "_")
        named = self.vocabulary.hyperparameter_words.get(word.replace("_", " "))
        if named in self.hyper_metrics:
            return self.hyper_metrics[named]
        for name, metric in self.hyper_metrics.items():
            lowered = name.lower()
            tail = lowered.split("_")[-1]
            tails = (tail, tail + "s", tail.rstrip("s")) if len(tail) >= 5 else ()
            if word in (lowered, lowered.rstrip("s"), *tails):
                return metric
        return None

    def hyperparameter_phrases(self) -> dict[str, str]:
        """Phrase -> ``hyper:<name>`` for every numeric hyperparameter ("n estimators", "estimators")."""
        phrases: dict[str, str] = {}
        for name in self.hyper_metrics:
            parts = [p for p in name.lower().split("_") if p]
            if len("".join(parts)) < 3:
                continue  # "p" would match any "p"
            phrases.setdefault(" ".join(parts), f"hyper:{name}")
            if len(parts) > 1 and len(parts[-1]) >= 5:
                phrases.setdefault(parts[-1], f"hyper:{name}")
        for phrase, name in self.vocabulary.hyperparameter_words.items():
            if name in self.hyper_metrics:
                phrases.setdefault(phrase, f"hyper:{name}")
        return phrases

    def quality_phrases(self) -> dict[str, str]:
        """Phrase -> quality metric name, for every metric the graph has."""
        phrases: dict[str, str] = {}
        for name in [*self.quality, *self.results]:
            info = self.vocabulary.metric_info(name)
            for phrase in (info.words if info else ()) + (phrase_key(name), name.lower()):
                phrases.setdefault(phrase, name)
        return phrases

    def preferred_quality(self, available: set[str] | None = None) -> Metric | None:
        """The metric "most accurate" means: the first of the vocabulary's preference the models have."""
        names = [n for n in self.quality if available is None or n in available]
        for preferred in self.vocabulary.quality_preference:
            for name in names:
                info = self.vocabulary.metric_info(name)
                if name.lower() == preferred or (info is not None and info.name == preferred):
                    return self.quality[name]
        known = [n for n in names if self.quality[n].known_direction]
        candidates = known or names
        return self.quality[candidates[0]] if candidates else None

    def as_inference(self, metric: Metric) -> Metric:
        """The inference variant of a training quantity (carbon, energy), or the metric itself."""
        return self.inference_variants.get(metric.key, metric) if metric.scope == "training" else metric

    def per_sample(self, metric: Metric) -> Metric:
        """The per-sample variant of a per-inference total (energy or carbon), or the metric itself."""
        if metric.per != "inference":
            return metric
        # no value per sample is kept on the model: the per-inference best must not stand in for it
        best = model_best(run_value(metric.prop, "sample"))
        return replace(metric, per="sample", label=metric.label.replace("per inference", "per sample"), model_best=best)

    def as_training(self, metric: Metric) -> Metric:
        """The training variant of an inference quantity, or the metric itself."""
        if metric.scope == "inference" and metric.key in self.quantities:
            return self.quantities[metric.key]
        return metric

    def describe(self) -> list[str]:
        """Short names of every metric, for "I can answer ..." messages."""
        names = [m.label for m in self.quantities.values()]
        return names + [m.label for m in self.quality.values()]


def with_label(metric: Metric, label: str) -> Metric:
    """A copy of ``metric`` shown under another label."""
    return replace(metric, label=label)
