"""The typed inputs and outputs of the MCP tools: pydantic models, so each tool has a JSON schema both ways.

Every number a tool returns about a model travels as a :class:`Quantity`: the
value, its unit (g CO2, J, s, bytes ...) and a text for people, where a carbon
or energy of 0 reads "not measured" (MRM3's convention), never "0 g CO2".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.plan.model import FiniteFloat

Op = Literal["<", "<=", ">", ">=", "="]
DeviceRole = Literal["auto", "training", "inference"]

DATASET = "Dataset name as the graph holds it (graph_schema lists them), e.g. 'lumos5g'; case does not matter."
SERVICE = "Service the model provides, e.g. 'localization'."
ARCHITECTURE = "Model architecture type, e.g. 'RandomForestRegressor'."
DEVICE = (
    "Device by processor or GPU model, e.g. 'Raspberry Pi 4' or 'NVIDIA A100-SXM4-80GB'; a unique part of the "
    "name is enough."
)
DEVICE_ROLE = (
    "What 'device' means: 'training' (trained on it), 'inference' (has inference runs on it), or 'auto' (training "
    "when the device trained any model and no inference metric is asked about, else inference)."
)
CONDITIONS = (
    "Numeric conditions, all of which must hold, e.g. [{'metric': 'accuracy', 'op': '>=', 'value': 0.9}]. "
    "Carbon and energy conditions never pass unmeasured (0) values."
)


class Condition(BaseModel):
    """``metric op value``, with the value in the metric's unit."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(description="A metric name from graph_schema's 'metrics', e.g. 'accuracy', 'training_carbon'.")
    op: Op = Field(description="Comparison: <, <=, >, >= or =.")
    value: FiniteFloat = Field(
        description="In the metric's unit (g CO2, J, s, bytes; evaluation metrics as the cards give them, e.g. "
        "accuracy 0..1)."
    )


class Filters(BaseModel):
    """Which models to consider: names the graph holds, and numeric conditions."""

    model_config = ConfigDict(extra="forbid")

    dataset: str | None = Field(default=None, description=DATASET)
    service: str | None = Field(default=None, description=SERVICE)
    architecture: str | None = Field(default=None, description=ARCHITECTURE)
    device: str | None = Field(default=None, description=DEVICE)
    device_role: DeviceRole = Field(default="auto", description=DEVICE_ROLE)
    conditions: list[Condition] = Field(default_factory=list, description=CONDITIONS)


class Objective(BaseModel):
    """What to optimise."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(description="A metric name from graph_schema's 'metrics', e.g. 'training_carbon', 'accuracy'.")
    goal: Literal["minimize", "maximize"] | None = Field(
        None, description="Omit for the metric's better direction (lower carbon, higher accuracy)."
    )


class Quantity(BaseModel):
    """One value with its unit."""

    value: float | int | str | bool | list[str] | None = Field(
        description="As the graph holds it (a Hugging Face card's languages and tags are lists)."
    )
    unit: str = Field(default="", description="g CO2, J, s, bytes, FLOPs ...; empty when unitless.")
    text: str = Field(description="For people: '1.868 g CO2', '2.1 ms', 'not measured'.")
    measured: bool = Field(
        default=True, description="False for a carbon or energy of 0 or none: not measured in MRM3 cards."
    )


class MetricInfo(BaseModel):
    """A metric the tools accept."""

    name: str
    kind: Literal["quality", "cost"]
    unit: str
    better: Literal["lower", "higher"]
    description: str
    measured_only: bool = Field(description="0 or none means not measured; such models are left out of rankings.")


class Evidence(BaseModel):
    """How a typed tool got its answer: the plan in words, the Cypher that ran, the caveats."""

    answer: str = Field(description="The result in words, with units and caveats.")
    interpretation: str = Field(description="The query plan in words ('understood as: ...').")
    cypher: str | None = Field(description="The statement that ran, after the Cypher guard.")
    params: dict[str, Any] = Field(description="Its parameters.")
    caveats: list[str] = Field(description="What to know: unmeasured values left out, assumptions, cut results.")
    left_out_unmeasured: dict[str, int] = Field(
        description="Metric name -> how many matching models were left out because it was 0 or missing."
    )
    truncated: bool = Field(description="True when the row cap cut the result.")


class ModelEntry(BaseModel):
    """One model in a result."""

    model: str
    values: dict[str, Quantity] = Field(description="Metric name -> its value for this model, with its unit.")
    dataset: str | None = None
    architecture: str | None = None
    services: list[str] = Field(default_factory=list)
    device: str | None = Field(default=None, description="For an inference metric: the device of the model's best run.")
    batch_size: int | None = Field(default=None, description="For an inference metric: the batch size of that run.")
    on_pareto_front: bool | None = None


class FindModelsResult(Evidence):
    """find_models: the models that match."""

    count: int
    models: list[ModelEntry]


class RecommendResult(Evidence):
    """recommend_model: the best model for the objective under the constraints, and the runners-up."""

    objective: MetricInfo
    goal: Literal["minimize", "maximize"]
    recommended: ModelEntry | None = Field(description="None when no model with a measured value matches.")
    ranking: list[ModelEntry]
    fits: int | None = Field(
        default=None,
        description="How many models meet the constraints and have a measured objective (all, not only the "
        "ranking); None when more match than the row cap lets through.",
    )


class ParetoResult(Evidence):
    """pareto_front: the best trade-offs between a quality and a cost."""

    quality: MetricInfo
    cost: MetricInfo
    front: list[ModelEntry] = Field(description="Models no other measured model beats on both metrics.")
    dominated: list[ModelEntry] = Field(description="The other measured models.")
    chosen: ModelEntry | None = Field(
        default=None, description="The point a team would pick on the front, by `rule`; None without a front."
    )
    rule: str | None = Field(default=None, description="How `chosen` was picked, in words.")


class AskResult(BaseModel):
    """ask: the assistant's answer, the shape of ``mrm3 ask --json`` plus caveats."""

    question: str
    engine: str = Field(description="'offline' or 'llm'.")
    answer: str
    interpretation: str
    cypher: str | None
    params: dict[str, Any]
    rows: list[dict[str, Any]]
    units: dict[str, str] = Field(description="Row column -> unit, for the columns that have one.")
    caveats: list[str]
    answered: bool = Field(description="False when the assistant declined (the answer says why).")
    notes: list[str] = Field(
        default_factory=list,
        description="As in `mrm3 ask --json`: the notes the text output prints (the caveats), e.g. unmeasured values "
        "left out, a claim of the LLM that the rows do not support, a disagreement with the offline engine.",
    )


class CypherResult(BaseModel):
    """read_cypher: the rows of one guarded read-only statement."""

    cypher: str = Field(description="The statement as it ran, after the guard (a LIMIT added or lowered).")
    rows: list[dict[str, Any]]
    row_count: int
    units: dict[str, str] = Field(description="Column -> unit, guessed from the column name.")
    truncated: bool
    notes: list[str]


class PropertyEntry(BaseModel):
    """One property of a label."""

    name: str
    types: list[str]
    unit: str
    values: list[str] = Field(default_factory=list, description="Its values, when there are few.")
    minimum: float | None = None
    maximum: float | None = None


class LabelEntry(BaseModel):
    """One node label."""

    label: str
    count: int
    properties: list[PropertyEntry]


class SchemaResult(BaseModel):
    """graph_schema: what the graph holds."""

    labels: list[LabelEntry]
    relationships: list[str] = Field(description="(Start)-[:TYPE]->(End), direction as stored.")
    metrics: list[MetricInfo] = Field(description="The metric names find_models, recommend_model, pareto_front take.")
    units: str
    text: str = Field(description="The same schema as compact text.")


class Related(BaseModel):
    """A node linked to the model, with its properties."""

    name: str
    properties: dict[str, Quantity] = Field(default_factory=dict)


class Run(BaseModel):
    """A training run or an inference entry, with its device."""

    properties: dict[str, Quantity]
    device: dict[str, Quantity] = Field(default_factory=dict)
    per_inference: dict[str, Quantity] = Field(
        default_factory=dict, description="Inference totals divided by num_of_runs."
    )
    parameters: dict[str, Quantity] = Field(default_factory=dict)
    hyperparameters: dict[str, Quantity] = Field(default_factory=dict)


class ModelCard(BaseModel):
    """get_model: everything the graph holds about one model."""

    name: str
    properties: dict[str, Quantity]
    dataset: Related | None
    architecture: Related | None
    services: list[Related]
    problem_types: list[str]
    training: list[Run]
    inference: list[Run]
    notes: list[str]


Limit = Annotated[int, Field(ge=1, le=100, description="How many models to rank (1-100).")]
