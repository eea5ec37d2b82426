"""The typed plan (:class:`~assistant.plan.model.QueryPlan`) -> the engine's :class:`Frame`, checked on the way.

Every name a plan uses must be one the live graph offers: a metric of the
catalog, an entity kind, a group key, a count target, a lookup field, a unit
that fits the metric. A wrong one raises :class:`InvalidPlanError` naming the
allowed values, so a model can correct its plan. An entity value the graph
does not hold is no error: it is kept as absent, and the answer declines naming
it with the closest values (a name the graph lacks is reported, never dropped).
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.engines.offline.compile.cypher_builder import GROUPS
from assistant.engines.offline.compile.statements import COUNT_TARGETS
from assistant.engines.offline.plan.frame import ALL, Frame
from assistant.engines.offline.plan.metric_names import named_metrics
from assistant.engines.offline.read.conditions import FILTER_KINDS, Filter
from assistant.engines.offline.read.metrics import Metric, MetricCatalog
from assistant.engines.offline.read.slots import Threshold
from assistant.errors import InvalidPlanError
from assistant.graph.schema import GraphSchema
from assistant.language.vocabulary import Vocabulary
from assistant.plan.model import PlanChoices, PlanCondition, PlanEntity, QueryPlan

_INTENTS = {"group_aggregate": "group_agg"}
_NEEDS_METRIC = frozenset({"compare", "aggregate", "group_aggregate", "pareto", "dominance"})
_DEVICE_PROPERTIES = ("processor", "gpuModel", "hardware")
_EXAMPLES = 4
# Entity kinds the plan offers beyond the filter kinds of linked values: devices by any of their names.
_EXTRA_KINDS = {"device": tuple(("Device", p) for p in _DEVICE_PROPERTIES)}


def entity_sources(schema: GraphSchema) -> dict[str, tuple[tuple[str, str], ...]]:
    """Entity kind -> the (label, property) pairs of this graph whose values it names."""
    kinds: dict[str, list[tuple[str, str]]] = {}
    for (label, prop), kind in FILTER_KINDS.items():
        if schema.has_property(label, prop):
            kinds.setdefault(kind, []).append((label, prop))
    for kind, pairs in _EXTRA_KINDS.items():
        found = [pair for pair in pairs if schema.has_property(*pair)]
        if found:
            kinds[kind] = found
    return {kind: tuple(pairs) for kind, pairs in kinds.items()}


def plan_metrics(catalog: MetricCatalog) -> dict[str, Metric]:
    """Metric name -> metric, for every metric a plan may name in this graph."""
    metrics = {name: named.metric for name, named in named_metrics(catalog).items()}
    metrics.update({name: metric for name, metric in catalog.results.items() if name not in metrics})
    if "dataset_size" in catalog.quantities:
        metrics["dataset_size"] = catalog.quantities["dataset_size"]
    metrics.update({f"hyper:{name}": metric for name, metric in catalog.hyper_metrics.items()})
    return metrics


def plan_choices(schema: GraphSchema, catalog: MetricCatalog, vocabulary: Vocabulary) -> PlanChoices:
    """What a plan may name in this graph, with units, meanings and example values."""
    named = named_metrics(catalog)
    about = {}
    for name, metric in plan_metrics(catalog).items():
        described = named.get(name)
        unit = described.unit if described else metric.unit
        better = f"{metric.better} is better"
        about[name] = "; ".join(p for p in (unit, described.description if described else metric.label, better) if p)
    kinds = {kind: _examples(schema, pairs) for kind, pairs in entity_sources(schema).items()}
    groups = tuple(g for g in GROUPS if _group_available(schema, g))
    return PlanChoices(
        metrics=about,
        entity_kinds=kinds,
        group_keys=groups,
        count_targets=("models", "devices", *COUNT_TARGETS),
        lookup_fields=tuple(vocabulary.lookup_fields),
    )


def _examples(schema: GraphSchema, pairs: Iterable[tuple[str, str]]) -> str:
    """A few of the values a kind names, as prompt text."""
    values: list[str] = []
    for label, prop in pairs:
        info = schema.node_properties.get(label, {}).get(prop)
        values.extend(str(v) for v in (info.values if info else ())[:_EXAMPLES])
    return ", ".join(values[:_EXAMPLES]) or "(values not listed)"


def _group_available(schema: GraphSchema, group: str) -> bool:
    """Whether this graph has what grouping by ``group`` reads."""
    needs = {"device": ("Device", "processor"), "gpu_model": ("Device", "gpuModel"), "hardware": ("Device", "hardware"),
             "base_model": ("BaseModel", "name"), "license": ("Model", "license"),
             "library": ("Model", "libraryName"), "location": ("ModelTraining", "location")}  # fmt: skip
    pair = needs.get(group)
    return pair is None or schema.has_property(*pair)


def frame_from_plan(
    plan: QueryPlan, question: str, schema: GraphSchema, catalog: MetricCatalog, vocabulary: Vocabulary
) -> Frame:
    """The engine's plan for ``plan``, with every name checked against this graph.

    Raises:
        InvalidPlanError: A name the graph does not offer, or a part the answer needs is missing; the message
            names the allowed values.
    """
    if plan.answer == "cannot":
        raise InvalidPlanError(f"the plan says it cannot express the question: {plan.cannot_answer or 'no reason'}")
    choices = plan_choices(schema, catalog, vocabulary)
    metrics = plan_metrics(catalog)
    frame = Frame(question=question, intent=_INTENTS.get(plan.answer, plan.answer), k=plan.limit)
    frame.explicit_k = plan.limit > 1
    frame.metric = _metric(plan.metric, metrics, "metric", required=plan.answer in _NEEDS_METRIC)
    frame.metric2 = _metric(plan.second_metric, metrics, "second_metric", required=plan.answer == "pareto")
    if frame.metric is None and plan.answer in ("rank", "group_best"):
        frame.generic_metric = True  # "the best model": the quality metric the models have
        frame.metric = catalog.preferred_quality()
    if frame.metric is not None and plan.per_sample:
        frame.metric = catalog.per_sample(frame.metric)
    frame.inference = frame.metric is not None and frame.metric.scope == "inference"
    frame.want = {"minimize": "low", "maximize": "high"}.get(plan.goal or "", "best")
    frame.agg = _aggregate(plan)
    frame.group = _choice(plan.group_by, choices.group_keys, "group_by", required=plan.answer.startswith("group_"))
    frame.count_target = _choice(plan.count_of, choices.count_targets, "count_of", required=True) or "models"
    frame.fields = [_choice(f, choices.lookup_fields, "fields", required=True) or f for f in plan.fields]
    frame.thresholds = [_threshold(c, metrics, vocabulary, i) for i, c in enumerate(plan.conditions)]
    _add_entities(frame, plan.entities, schema)
    if plan.answer == "what_if":
        _what_if(frame, plan, catalog)
    if plan.answer == "dominance":
        if not plan.than_model:
            raise InvalidPlanError("dominance needs than_model: the model the others must beat")
        frame.reference, frame.k = plan.than_model.strip(), ALL
        frame.model_fragments = [m for m in frame.model_fragments if m.lower() != frame.reference.lower()]
    _check_answer_parts(frame, plan)
    return frame


def _allowed(names: Iterable[str]) -> str:
    """The allowed names, sorted, for an error message."""
    listed = sorted(names)
    return ", ".join(listed) if listed else "none (the graph holds no such values)"


def _metric(name: str | None, metrics: dict[str, Metric], part: str, *, required: bool) -> Metric | None:
    """The metric ``name`` names (None when absent and not required); an unknown name lists the allowed ones."""
    if name is None:
        if required:
            raise InvalidPlanError(f"{part} is required for this answer - use one of: {_allowed(metrics)}")
        return None
    found = metrics.get(name.strip()) or metrics.get(name.strip().lower())
    if found is None:
        raise InvalidPlanError(f"unknown {part} {name!r} - use one of: {_allowed(metrics)}")
    return found


def _choice(name: str | None, allowed: Iterable[str], part: str, *, required: bool) -> str | None:
    """``name`` when it is one of ``allowed``; an unknown name lists them."""
    allowed = tuple(allowed)
    if name is None:
        if required:
            raise InvalidPlanError(f"{part} is required for this answer - use one of: {_allowed(allowed)}")
        return None
    if name not in allowed:
        raise InvalidPlanError(f"unknown {part} {name!r} - use one of: {_allowed(allowed)}")
    return name


def _aggregate(plan: QueryPlan) -> str | None:
    """The plan's aggregate; one is required for an aggregate answer."""
    if plan.answer in ("aggregate", "group_aggregate") and plan.aggregate is None:
        raise InvalidPlanError("aggregate is required for this answer - use one of: avg, max, min, sum")
    return plan.aggregate


def _threshold(condition: PlanCondition, metrics: dict[str, Metric], vocabulary: Vocabulary, i: int) -> Threshold:
    """The condition in the graph's unit; a unit that does not fit the metric lists the ones that do."""
    metric = _metric(condition.metric, metrics, f"conditions[{i}].metric", required=True)
    assert metric is not None  # required above
    factor = 1.0
    if condition.unit.strip():
        unit, candidates = vocabulary.unit(condition.unit.strip())
        key = "quality" if metric.is_quality else metric.key
        if unit is None or key not in unit.quantities:
            fitting = [name for name, u in vocabulary.units.items() if key in u.quantities]
            said = repr(condition.unit) + (f" (did you mean {' or '.join(candidates)}?)" if candidates else "")
            raise InvalidPlanError(
                f"conditions[{i}].unit {said} does not fit {condition.metric} - use one of: {_allowed(fitting)}, "
                f"or leave it empty for {metric.unit or 'the value as the graph holds it'}"
            )
        factor = unit.factor
    said = f"{condition.metric} {condition.op} {condition.value:g} {condition.unit}".strip()
    return Threshold(metric, condition.op, condition.value * factor, said, (0, 0), condition.unit.strip())


def _add_entities(frame: Frame, entities: list[PlanEntity], schema: GraphSchema) -> None:
    """Each entity as a filter on the graph value it names, a model name to look up, or an absent name."""
    sources = entity_sources(schema)
    for i, entity in enumerate(entities):
        pairs = sources.get(entity.kind)
        if pairs is None:
            raise InvalidPlanError(f"unknown entities[{i}].kind {entity.kind!r} - use one of: {_allowed(sources)}")
        said = entity.value.strip()
        if entity.kind == "model" and not entity.negated:
            frame.model_fragments.append(said)  # looked up by name when the plan runs (too many to list)
            continue
        found = _graph_value(schema, pairs, said)
        if found is None:
            frame.absent.append(said)
            continue
        (label, prop), value, exact = found
        if not exact:
            frame.notes.append(f"read {entity.kind} {said!r} as {value!r}")
        role = "" if entity.role == "any" else entity.role
        kind = "base_model" if entity.kind == "base_model" else entity.kind
        _merge(frame, Filter(kind, label, prop, [value], said, role, entity.negated))


def _graph_value(
    schema: GraphSchema, pairs: tuple[tuple[str, str], ...], said: str
) -> tuple[tuple[str, str], str, bool] | None:
    """The graph value ``said`` names: equal up to case, else the one value that contains it."""
    lower = said.casefold()
    partial: list[tuple[tuple[str, str], str]] = []
    for pair in pairs:
        info = schema.node_properties.get(pair[0], {}).get(pair[1])
        for value in info.values if info else ():
            text = str(value)
            if text.casefold() == lower:
                return pair, text, True
            if lower and lower in text.casefold():
                partial.append((pair, text))
    if len({text for _, text in partial}) == 1:
        return partial[0][0], partial[0][1], False
    return None


def _merge(frame: Frame, flt: Filter) -> None:
    """Add ``flt``, or its values to a filter of the same kind, property, role and negation."""
    for existing in frame.filters:
        same = (existing.kind, existing.property, existing.role, existing.negated)
        if same == (flt.kind, flt.property, flt.role, flt.negated):
            existing.values.extend(v for v in flt.values if v not in existing.values)
            existing.mention += f", {flt.mention}"
            return
    frame.filters.append(flt)


def _what_if(frame: Frame, plan: QueryPlan, catalog: MetricCatalog) -> None:
    """The grids a what-if prices the training energy on; a country the data lacks is refused by name."""
    from assistant.language.grid import load_grids

    grids = load_grids()
    regions = [(said, grids.named(said)) for said in plan.regions]
    unknown = [said for said, grid in regions if grid is None]
    if not regions or unknown:
        raise InvalidPlanError(
            f"what_if needs regions that CodeCarbon's data names (a country name or ISO code, e.g. France, DEU); "
            f"unknown: {', '.join(unknown) or '(none given)'}"
        )
    frame.metric = catalog.get("energy")
    frame.regions = [grid.iso for _, grid in regions if grid is not None]
    frame.region_ask, frame.k = plan.region_ask, ALL


def _check_answer_parts(frame: Frame, plan: QueryPlan) -> None:
    """The parts an answer kind needs: a model for a lookup, two for a comparison, a quality and a cost for a front."""
    models = len(frame.model_fragments) + sum(len(f.values) for f in frame.filters if f.kind == "model")
    if plan.answer == "lookup" and not models and not frame.filters and not frame.absent:
        raise InvalidPlanError("lookup needs what it is about - add an entity (a model, a dataset ...)")
    if plan.answer == "compare" and models < 2 and not frame.absent:
        raise InvalidPlanError("compare needs two or more entities of kind 'model'")
    if plan.answer == "pareto" and frame.metric is not None and frame.metric2 is not None:
        if frame.metric.is_quality == frame.metric2.is_quality:
            raise InvalidPlanError("pareto needs a quality metric and a cost metric (second_metric)")
