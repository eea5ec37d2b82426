"""QueryPlan: the published, typed form of the query plan, with a JSON schema for structured output and tools.

An LLM (through structured output or a tool call) or an agent fills it with
certified names only: metric names from the live catalog, entities that are
graph values, conditions with units, an objective, a grouping and what is
returned. It never carries a formula or Cypher: the project's compiler writes
the statement (:mod:`assistant.engines.offline.from_plan`) and its explainer
the answer. :func:`plan_json_schema` narrows the schema to the live graph, so
the allowed values travel with it.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

AnswerKind = Literal[
    "rank", "list", "count", "lookup", "compare", "aggregate", "group_best", "group_aggregate", "group_count",
    "pareto", "dominance", "what_if", "cannot",
]  # fmt: skip
Op = Literal["<", "<=", ">", ">=", "="]
Aggregate = Literal["avg", "sum", "min", "max"]

PLAN_TOOL = "plan_query"
"""The name of the tool (and of the structured-output schema) the model fills."""

ANSWER_KINDS: dict[str, str] = {
    "rank": "the best `limit` models by `metric` (`goal` says which way is better)",
    "list": "the models matching the entities and conditions",
    "count": "how many `count_of` match the entities and conditions",
    "lookup": "values of the named models, or of the models a named value selects (`metric`, or `fields` such as "
    "dataset, hyperparameters, author)",
    "compare": "`metric` for two or more named models side by side",
    "aggregate": "one `aggregate` (avg, sum, min, max) of `metric` over the matching models",
    "group_best": "the best model by `metric` within each `group_by` group",
    "group_aggregate": "`aggregate` of `metric` within each `group_by` group",
    "group_count": "how many models in each `group_by` group",
    "pareto": "the trade-off (Pareto front) between a quality `metric` and a cost `second_metric`",
    "dominance": "the models better than the model `than_model` on `metric` (and `second_metric`), e.g. 'faster and "
    "more accurate than X'",
    "what_if": "the named models' training carbon on other countries' grids (`regions`; `region_ask`: amount, least "
    "or saving from the first region to the second)",
    "cannot": "the plan cannot express the question; say why in `cannot_answer`",
}


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


FiniteFloat = Annotated[float, AfterValidator(_finite)]
"""A number that is not NaN or infinite (a condition's bound)."""


class PlanEntity(BaseModel):
    """A graph value the question names: the models must (or, negated, must not) have it."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="What the value is: one of the entity kinds the schema lists (dataset, device ...).")
    value: str = Field(
        min_length=1, description="The value as the question names it; the graph's spelling when it is listed."
    )
    negated: bool = Field(default=False, description="True for 'not on X', 'except X', 'other than X'.")
    role: Literal["any", "training", "inference"] = Field(
        default="any", description="Devices only: trained on it, run (inference) on it, or any."
    )


class PlanCondition(BaseModel):
    """``metric op value unit``: a numeric condition."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(description="A metric name from the catalog.")
    op: Op = Field(description="<, <=, >, >= or =. 'under'/'below'/'less than' are <; 'at most'/'up to' are <=.")
    value: FiniteFloat = Field(description="The number as the question gives it.")
    unit: str = Field(default="", description="The unit as the question gives it (mg, kWh, ms, min); empty if none.")


_ANSWER_TEXT = "What is returned: " + "; ".join(f"{k}: {v}" for k, v in ANSWER_KINDS.items())


class QueryPlan(BaseModel):
    """What one question asks, in certified names. Fill only what the question says."""

    model_config = ConfigDict(extra="forbid")

    answer: AnswerKind = Field(description=_ANSWER_TEXT)
    metric: str | None = Field(default=None, description="The metric ranked, looked up, aggregated or compared.")
    goal: Literal["minimize", "maximize"] | None = Field(
        default=None, description="Omit for the metric's better direction; set it when the question says which."
    )
    second_metric: str | None = Field(default=None, description="pareto only: the cost metric of the trade-off.")
    limit: int = Field(default=1, ge=1, le=100, description="rank: how many models ('top 3' is 3).")
    entities: list[PlanEntity] = Field(default_factory=list, description="Every graph value the question names.")
    conditions: list[PlanCondition] = Field(default_factory=list, description="Every numeric condition.")
    aggregate: Aggregate | None = Field(default=None, description="aggregate / group_aggregate: avg, sum, min or max.")
    group_by: str | None = Field(default=None, description="group_*: one of the group keys the schema lists.")
    count_of: str = Field(default="models", description="count: what is counted (one of the count targets).")
    fields: list[str] = Field(default_factory=list, description="lookup: what is looked up besides `metric`.")
    per_sample: bool = Field(default=False, description="Inference energy or carbon per sample instead of per run.")
    than_model: str | None = Field(default=None, description="dominance: the model the others must beat.")
    regions: list[str] = Field(
        default_factory=list, description="what_if: countries by name or ISO code (France, DEU)."
    )
    region_ask: Literal["amount", "least", "saving"] = Field(
        default="amount", description="what_if: the carbon on each grid, where it is least, or the saving of a move."
    )
    cannot_answer: str | None = Field(default=None, description="answer 'cannot': why the plan cannot express it.")


@dataclass(frozen=True)
class PlanChoices:
    """The values a plan may use in one graph: what :func:`plan_json_schema` lists and the compiler accepts."""

    metrics: dict[str, str]
    """Metric name -> its unit and meaning ("g CO2; carbon footprint of training")."""
    entity_kinds: dict[str, str] = field(default_factory=dict)
    """Entity kind -> a few of its values, as an example."""
    group_keys: tuple[str, ...] = ()
    count_targets: tuple[str, ...] = ()
    lookup_fields: tuple[str, ...] = ()


def plan_json_schema(choices: PlanChoices) -> dict[str, Any]:
    """The JSON schema of :class:`QueryPlan` with this graph's allowed names as enums.

    Args:
        choices: The metric names, entity kinds, group keys, count targets and lookup fields of the graph.

    Returns:
        A JSON schema whose title is :data:`PLAN_TOOL`, for ``bind_tools`` or ``with_structured_output``.
    """
    schema = copy.deepcopy(QueryPlan.model_json_schema())
    schema["title"] = PLAN_TOOL
    schema["description"] = (
        "Fill the typed plan of the user's question with the graph's own names; the application writes the query."
    )
    props, defs = schema["properties"], schema.get("$defs", {})
    metric_names = sorted(choices.metrics)
    for name in ("metric", "second_metric"):
        props[name]["anyOf"] = [{"type": "string", "enum": metric_names}, {"type": "null"}]
    defs["PlanCondition"]["properties"]["metric"]["enum"] = metric_names
    defs["PlanEntity"]["properties"]["kind"]["enum"] = sorted(choices.entity_kinds)
    if choices.group_keys:
        props["group_by"]["anyOf"] = [{"type": "string", "enum": list(choices.group_keys)}, {"type": "null"}]
    if choices.count_targets:
        props["count_of"]["enum"] = list(choices.count_targets)
    if choices.lookup_fields:
        props["fields"]["items"] = {"type": "string", "enum": list(choices.lookup_fields)}
    return schema


def choices_text(choices: PlanChoices) -> str:
    """The allowed names as prompt text: metrics with units, entity kinds with example values, groups."""
    lines = ["Metrics (name: unit; meaning):"]
    lines += [f"- {name}: {about}" for name, about in sorted(choices.metrics.items())]
    lines.append("Entity kinds (kind: example values):")
    lines += [f"- {kind}: {examples}" for kind, examples in sorted(choices.entity_kinds.items())]
    lines.append(f"Group keys: {', '.join(choices.group_keys) or '(none)'}")
    lines.append(f"Count targets: {', '.join(choices.count_targets) or 'models'}")
    lines.append(f"Lookup fields: {', '.join(choices.lookup_fields) or '(none)'}")
    return "\n".join(lines)
