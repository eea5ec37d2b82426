"""Turn a :class:`Frame` into parameterized Cypher, in one place.

Every value from the question travels as a parameter; labels, relationship
types and property names come from the schema or from the code below and are
backticked where they come from the graph. Statements anchor on indexed keys
(``Model.name``, ``Dataset.name``) when the question names them.

Variables: ``m`` Model, ``ds`` Dataset, ``ar`` ModelArchitecture, ``sv``
Service, ``pt`` ProblemType, ``tr`` ModelTraining, ``pa`` Parameters, ``hp``
Hyperparameters, ``td`` training Device, ``inf`` ModelInference, ``dv`` its Device, ``bm`` BaseModel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.engines.offline.plan.understanding import Filter, Frame
from assistant.engines.offline.read.metrics import Metric
from assistant.engines.offline.read.slots import Threshold
from assistant.graph.schema import quote_name
from assistant.language.measurements import SCORE_RANGE, cypher_ceiling, is_score

# How each variable joins the model (or the training run); order matters.
_JOINS = {
    "ds": "MATCH (m)-[:TRAINED_ON]->(ds:Dataset)",
    "ar": "MATCH (m)-[:UTILIZES]->(ar:ModelArchitecture)",
    "sv": "MATCH (m)-[:PROVIDES]->(sv:Service)",
    "pt": "MATCH (m)-[:PROVIDES]->(:Service)-[:SOLUTION_FOR]->(pt:ProblemType)",
    "tr": "MATCH (tr:ModelTraining)-[:TRAINS_ON]->(m)",
    "pa": "MATCH (tr)-[:CONTAINS]->(pa:Parameters)",
    "hp": "MATCH (tr)-[:USES]->(hp:Hyperparameters)",
    "td": "MATCH (tr)-[:RUNS_ON]->(td:Device)",
    "inf": "MATCH (inf:ModelInference)-[:INFERENCE_ON]->(m)",
    "dv": "MATCH (inf)-[:RUNS_ON]->(dv:Device)",
    "bm": "MATCH (m)-[:FINE_TUNED_FROM]->(bm:BaseModel)",
    "trn": "MATCH (trn:TrainingRun)-[:MEASURES]->(m)",
    "ev": "MATCH (ev:EvaluationResult)-[:EVALUATES]->(m)",
}
# Filters a statement can start from, most selective first: their node's label and the model's edge to it
# (variable and key as in _FILTER_VARS).
_ANCHORS = {
    "dataset": ("Dataset", "TRAINED_ON"),
    "service": ("Service", "PROVIDES"),
    "architecture": ("ModelArchitecture", "UTILIZES"),
}
_NEEDS = {"pa": ("tr",), "hp": ("tr",), "td": ("tr",), "dv": ("inf",)}
_FILTER_VARS = {
    "dataset": ("ds", "name"),
    "architecture": ("ar", "type"),
    "explainability": ("ar", "explainability"),
    "service": ("sv", "name"),
    "problem_type": ("pt", "name"),
    "split": ("pa", "splitType"),
    "optimizer": ("pa", "optimizer"),
    "base_model": ("bm", "name"),
    "evaluated_on": ("ev", "dataset"),
    "evaluated_config": ("ev", "datasetConfig"),
    "evaluated_split": ("ev", "split"),
    "evaluated_task": ("ev", "task"),
    "license": ("m", "license"),
    "library": ("m", "libraryName"),
    "pipeline_tag": ("m", "pipelineTag"),
    "format": ("m", "format"),
    "location": ("tr", "location"),
}
_LIST_FILTERS = {"language": "language", "tag": "tags"}
"""Model properties that hold a list (a Hugging Face card's languages and tags): a filter matches any element."""
_SCOPE_VARS = {
    "training": "tr",
    "quality": "tr",
    "inference": "inf",
    "model": "m",
    "dataset": "ds",
    "training_device": "td",
    "hyper": "hp",
}
# group key -> (variable, property expression); devices follow the metric's scope.
GROUPS = {
    "dataset": ("ds", "ds.name"),
    "architecture": ("ar", "ar.type"),
    "service": ("sv", "sv.name"),
    "problem_type": ("pt", "pt.name"),
    "split": ("pa", "pa.splitType"),
    "optimizer": ("pa", "pa.optimizer"),
    "author": ("m", "m.author"),
    "year": ("m", "m.dateCreated.year"),
    "device": ("td", "td.processor"),
    "gpu_model": ("td", "td.gpuModel"),
    # Hugging Face cards and CodeCarbon logs: the hardware as written (a GPU-only text has no processor), and the
    # training location as written (a card's geographical_location, a log's country).
    "hardware": ("td", "coalesce(td.hardware, td.processor)"),
    # A model without any training record is counted too, under "(no location given)".
    "location": ("m", "coalesce(head([(t:ModelTraining)-[:TRAINS_ON]->(m) | t.location]), '(no location given)')"),
    "base_model": ("bm", "bm.name"),
    "license": ("m", "coalesce(m.license, '(no license given)')"),
    "library": ("m", "coalesce(m.libraryName, '(no library given)')"),
}


q = quote_name  # short: it is in most of the f-strings below
Has = Callable[[str, str], bool]
"""``has(label, property)``: whether the graph has that property; ``has(TYPE, "")``: that relationship type."""


@dataclass
class Statement:
    """One statement to run, with its parameters."""

    cypher: str
    params: dict[str, Any] = field(default_factory=dict)
    narrowed: Narrowed | None = None
    """The same statement read from the head of its value's index, tried first (see :class:`Narrowed`)."""


@dataclass
class Narrowed:
    """A ranking read from the head of its value's index instead of every model.

    ``probe`` reads the index in order and returns the value some models down it; ``statement`` is the ranking
    without the models beyond that value (``$cutoff``). Its rows are the whole ranking's when they fill its limit
    ``needed``: every model left out ranks below all of them, ties included. Otherwise, or when the probe finds
    no value (a small graph), the whole ranking is run.
    """

    probe: Statement
    statement: Statement
    needed: int


class Builder:
    """Collects MATCH lines, WHERE conditions and parameters for one statement."""

    def __init__(self, frame: Frame, inference_bound: bool, prefix: str = "") -> None:
        self.frame = frame
        self.inference_bound = inference_bound
        """Inference filters and thresholds apply to the run being ranked (``inf``)."""
        self.lines: list[str] = []
        self.where: list[str] = []
        self.params: dict[str, Any] = {}
        self.vars: set[str] = {"m"}
        self.anchor_filter: Filter | None = None
        """The filter the statement starts from (its node), if any: see :func:`anchor`."""
        self.anchor_runs: list[str] = []
        """Conditions on the device anchor's run ``r``: some run on the device meets them all."""
        self.prefix = prefix
        """A condition on an index-ordered model value to start from (the head of a ranking: :class:`Narrowed`)."""

    def param(self, name: str, value: Any) -> str:
        """Add a parameter (renamed when taken) and return its ``$name``."""
        key, n = name, 1
        while key in self.params:
            n += 1
            key = f"{name}{n}"
        self.params[key] = value
        return f"${key}"

    def need(self, var: str) -> None:
        """Join ``var`` (and what it hangs on) when not joined yet."""
        if var in self.vars:
            return
        for dep in _NEEDS.get(var, ()):
            self.need(dep)
        self.lines.append(_JOINS[var])
        self.vars.add(var)

    def apply_filters(self) -> None:
        """Every filter, date range and threshold of the frame."""
        frame = self.frame
        for flt in frame.filters:
            self._filter(flt)
        for dates in frame.dates:
            if dates.start:
                self.where.append(f"m.dateCreated >= date({self.param('date_from', dates.start)})")
            if dates.end:
                self.where.append(f"m.dateCreated < date({self.param('date_to', dates.end)})")
        outer = []
        for threshold in frame.thresholds:
            if threshold.metric.scope == "inference" and not self.inference_bound:
                outer.append(threshold)
                continue
            if threshold.op == "unmeasured" and threshold.metric.scope == "training":
                # A model with no training record at all has no measured value either (a card without co2).
                measured = threshold.metric.expr("x")
                self.where.append(f"NOT EXISTS {{ MATCH (x:ModelTraining)-[:TRAINS_ON]->(m) WHERE {measured} > 0 }}")
                continue
            expr = self.value_expr(threshold.metric)
            self.where.append(self.condition(expr, threshold))
        inference_exists(self, outer)

    def _filter(self, flt: Filter) -> None:
        anchored = flt.kind == "model" or flt is self.anchor_filter
        if anchored and not flt.negated:
            return
        if flt.kind == "model":
            self.where.append(f"NOT m.name IN {self.param('not_models', flt.values)}")
        elif flt.kind in _FILTER_VARS:
            var, prop = _FILTER_VARS[flt.kind]
            if var == "ev" and flt.label == "EvaluationResult":  # the result property the value was found at
                prop = flt.property
            if var != "m":
                self.need(var)
            self.where.append(self._in(f"{var}.{q(prop)}", flt.kind, flt))
        elif flt.kind in _LIST_FILTERS:
            values = self.param(("not_" if flt.negated else "") + flt.kind, flt.values)
            some = f"any(x IN coalesce(m.{q(_LIST_FILTERS[flt.kind])}, []) WHERE x IN {values})"
            self.where.append(f"NOT {some}" if flt.negated else some)
        elif flt.kind == "fine_tuned":  # "the fine-tuned models": any base model
            self.need("bm")
        elif flt.kind == "author":
            self.where.append(self._in("m.author", "author", flt))
        elif flt.kind.startswith("hyper:"):
            self.need("hp")
            self.where.append(self._in(f"hp.{q(flt.property)}", "hyperparameter", flt))
        elif flt.kind == "device":
            if flt.role == "training":
                self.need("td")
                self.where.append(self._in(f"td.{q(flt.property)}", "device", flt))
            elif self.inference_bound:
                self.need("dv")
                self.where.append(self._in(f"dv.{q(flt.property)}", "device", flt))
            elif flt.negated or flt is not self.frame.filter("device"):  # a second device: a run on it too
                self.where.append(
                    f"{'NOT ' if flt.negated else ''}EXISTS {{ MATCH (m)<-[:INFERENCE_ON]-(:ModelInference)-[:RUNS_ON]"
                    f"->(y:Device) WHERE y.{q(flt.property)} IN {self.param('other_device', flt.values)} }}"
                )
            # otherwise the device joins the EXISTS subquery of apply_filters (or is the anchor)

    def _in(self, expr: str, name: str, flt: Filter) -> str:
        if flt.negated:  # a missing property is "not that value" too
            return f"NOT coalesce({expr} IN {self.param('not_' + name, flt.values)}, false)"
        return f"{expr} IN {self.param(name, flt.values)}"

    def condition(self, expr: str, threshold: Threshold) -> str:
        """``expr op $threshold``; thresholds on measured quantities never pass unmeasured zeros."""
        if threshold.op == "unmeasured":
            return f"({expr} IS NULL OR {expr} = 0)"
        if threshold.op == "measured":  # a flagged value is no measurement, whether read from the copy or not
            return measured_condition(expr, threshold.metric) if threshold.metric.unit else f"{expr} > 0"
        text = f"{expr} {threshold.op} {self.param('threshold', threshold.value)}"
        kept = threshold.metric.unit or is_score(threshold.metric.prop)  # no flagged value passes a condition
        return f"{text} AND {measured_condition(expr, threshold.metric)}" if kept else text

    def value_expr(self, metric: Metric) -> str:
        """The expression of ``metric``, joining its node (a training value kept on the model needs no join)."""
        if metric.on_model:
            return f"m.{q(metric.on_model)}"
        var = _SCOPE_VARS[metric.scope]
        if var != "m":
            self.need(var)
        return metric.expr(var)

    def group_expr(self, group: str) -> str:
        """The expression to group by, joining what it needs."""
        var, expr = GROUPS[group]
        if group in ("device", "gpu_model") and self.inference_bound:
            var, expr = "dv", expr.replace("td.", "dv.")
        if var != "m":
            self.need(var)
        return expr

    def match_text(self) -> str:
        """The MATCH lines with the WHERE conditions folded into one WITH ... WHERE."""
        runs = " WHERE " + " AND ".join(self.anchor_runs) if self.anchor_runs else ""
        text = "\n".join(line + runs if line == _DEVICE_RUNS_LINE else line for line in self.lines)
        if self.where:
            # The anchor may carry its own WHERE; a second one would need a MATCH in between.
            joiner = "\n  AND " if len(self.lines) == 1 and " WHERE " in self.lines[0] else "\nWHERE "
            text += joiner + "\n  AND ".join(self.where)
        return text


def anchor(b: Builder) -> None:
    """Start from the most selective key the question names: models, else the head of a ranking's index (a
    :class:`Narrowed` statement), else a dataset, service or architecture, else the device the models ran on."""
    models = b.frame.filter("model")
    shared = next((f for f in map(b.frame.filter, _ANCHORS) if f is not None), None)
    if models:
        # UNWIND + a map pattern uses the name index on any planner ("m.name IN $list" may scan every model)
        names = b.param("models", list(dict.fromkeys(models.values)))
        b.lines.append(f"UNWIND {names} AS model_name MATCH (m:Model {{name: model_name}})")
    elif b.prefix:  # the head of a ranking's index; what the question names is joined to it
        b.lines.append(f"MATCH (m:Model) WHERE {b.prefix}")
    elif shared is not None:
        (label, edge), (var, prop) = _ANCHORS[shared.kind], _FILTER_VARS[shared.kind]
        b.lines.append(f"MATCH ({var}:{label}) WHERE {var}.{prop} IN {b.param(shared.kind, shared.values)}")
        b.lines.append(f"MATCH (m:Model)-[:{edge}]->({var})")
        b.vars.add(var)
        b.anchor_filter = shared
    elif (device := _run_device(b)) is not None:
        # "benchmarked on the jetson nano": from the device's runs to their models, not every model's runs;
        # grouped, as WITH DISTINCT m is 2-3x slower on ArcadeDB
        b.lines.append(f"MATCH (x:Device) WHERE x.{q(device.property)} IN {b.param('device', device.values)}")
        b.lines.append(_DEVICE_RUNS_LINE)  # with the conditions on its run r (b.anchor_runs), in match_text
        b.lines.append("WITH m, count(*) AS device_runs")
        b.anchor_filter = device
    else:
        b.lines.append("MATCH (m:Model)")


_DEVICE_RUNS_LINE = "MATCH (x)<-[:RUNS_ON]-(r:ModelInference)-[:INFERENCE_ON]->(m:Model)"


def _run_device(b: Builder) -> Filter | None:
    """The inference device the models must have run on, when that is all the statement asks of their runs."""
    device = b.frame.filter("device")
    if device is None or device.role == "training" or b.inference_bound:
        return None
    return device


def measured_condition(expr: str, metric: Metric) -> str:
    """The condition that keeps measured values only: of a physical quantity (a unit), also none that is impossible
    (NaN, infinite, negative, beyond any real measurement: flagged at ingest by ``implausible()`` and named by the
    answer, never ranked, summed or averaged); of a score (accuracy, F1 ...), none outside 0 to 100."""
    if not metric.unit:
        low, high = SCORE_RANGE
        return f"{expr} >= {low} AND {expr} <= {high}" if is_score(metric.prop) else f"{expr} IS NOT NULL"
    floor = ">" if metric.measured else ">="
    # the ceiling of implausible(): a value above it is flagged (NaN compares false with it, as with everything)
    return f"{expr} IS NOT NULL AND {expr} {floor} 0 AND {expr} <= {cypher_ceiling(metric.unit)}"


def inference_exists(b: Builder, thresholds: list[Threshold]) -> None:
    """Models with an inference run (on the device, within the thresholds) when runs are not ranked."""
    device = _run_device(b)
    device_here = device is not None
    anchored = device_here and b.anchor_filter is device  # the anchor has kept models with a run on the device
    if not device_here:  # "latency under 5 ms": the model's best run is under it, kept on the model
        direct = [t for t in thresholds if t.metric.model_best and t.op in ("<", "<=") and t.metric.better == "lower"]
        for threshold in direct:
            value = f"m.{q(threshold.metric.model_best)}"
            b.where.append(f"{value} {threshold.op} {b.param('threshold', threshold.value)}")
        thresholds = [t for t in thresholds if t not in direct]
    if not thresholds and not device_here:
        return
    conditions = []
    floors = []
    for threshold in thresholds:
        if threshold.op in (">", ">=") and threshold.metric.better == "lower":
            floors.append(threshold)  # "latency of 5 ms or more": the model's best run must be that slow
            conditions.append(measured_condition(threshold.metric.expr("r"), threshold.metric))
        else:
            conditions.append(b.condition(threshold.metric.expr("r"), threshold))
    on_device = ""
    if device_here and device is not None and (floors or not anchored):
        on_device = f"x.{q(device.property)} IN {b.param('device', device.values)}"
    if anchored:
        b.anchor_runs.extend(conditions)
    else:
        b.where.append(
            "EXISTS { MATCH (m)<-[:INFERENCE_ON]-(r:ModelInference)-[:RUNS_ON]->(x:Device) WHERE "
            + " AND ".join([on_device, *conditions] if on_device else conditions)
            + " }"
        )
    for floor in floors:
        below = "<" if floor.op == ">=" else "<="
        expr = floor.metric.expr("r")
        faster = [on_device] if on_device else []
        faster += [measured_condition(expr, floor.metric), f"{expr} {below} {b.param('threshold', floor.value)}"]
        b.where.append(
            "NOT EXISTS { MATCH (m)<-[:INFERENCE_ON]-(r:ModelInference)-[:RUNS_ON]->(x:Device) WHERE "
            + " AND ".join(faster)
            + " }"
        )
