"""The lookup statement: named properties of the models a question names or filters (its card, in parts)."""

from __future__ import annotations

from assistant.engines.offline.compile.cypher_builder import Statement, q
from assistant.engines.offline.compile.statements import Has, base
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.metrics import MetricCatalog

_FIELDS: dict[str, tuple[tuple[str, ...], list[tuple[str, str, str]]]] = {
    "architecture": (("ar",), [("ModelArchitecture", "type", "architecture")]),
    "dataset": (("ds",), [("Dataset", "name", "dataset")]),
    "service": (("sv",), [("Service", "name", "service")]),
    "problem_type": (("pt",), [("ProblemType", "name", "problem_type")]),
    "date": ((), [("Model", "dateCreated", "created")]),
    "size": ((), [("Model", "size", "size_bytes")]),
    "author": ((), [("Model", "author", "author")]),
    "version": ((), [("Model", "version", "version")]),
    "location": (("tr",), [("ModelTraining", "location", "training_location")]),
    "base_model": (("bm",), [("BaseModel", "name", "base_model")]),
    "language": ((), [("Model", "language", "language"), ("Model", "tags", "tags")]),
    "license": ((), [("Model", "license", "license"), ("Model", "libraryName", "library")]),
    "source": ((), [("Model", "format", "format"), ("Model", "source", "source")]),
    "optimizer": (("tr", "pa"), [("Parameters", "optimizer", "optimizer")]),
    "split": (("tr", "pa"), [("Parameters", "splitType", "split_type")]),
    "training_device": (
        ("tr", "td"),
        [
            ("Device", "processor", "training_cpu"),
            ("Device", "hardware", "training_hardware"),
            ("Device", "cores", "cores"),
            ("Device", "graphicsCard", "gpus"),
            ("Device", "gpuModel", "gpu_model"),
            ("Device", "memoryCapacity", "ram"),
        ],
    ),
    "inference_devices": (
        ("inf", "dv"),
        [
            ("Device", "processor", "device"),
            ("Device", "graphicsCard", "device_gpus"),
            ("ModelInference", "batch_size", "batch_size"),
            ("ModelInference", "latency", "latency_s"),
            ("ModelInference", "flops", "flops"),
            ("ModelInference", "num_of_runs", "runs"),
            ("ModelInference", "energyConsumption", "inference_energy_total_j"),
            ("ModelInference", "carbonFootprint", "inference_carbon_total_g"),
        ],
    ),
    "train_time": (
        ("tr",),
        [("ModelTraining", "totalTrainTime", "train_time_s"), ("ModelTraining", "fitTime", "fit_time_s")],
    ),
    "training_cost": (
        ("tr",),
        [
            ("ModelTraining", "carbonFootprint", "carbon_g"),
            ("ModelTraining", "energyConsumption", "energy_j"),
            ("ModelTraining", "totalTrainTime", "train_time_s"),
        ],
    ),
}
_VARIABLE_LABELS = {
    "m": "Model", "ds": "Dataset", "ar": "ModelArchitecture", "sv": "Service", "pt": "ProblemType",
    "tr": "ModelTraining", "pa": "Parameters", "hp": "Hyperparameters", "td": "Device", "inf": "ModelInference",
    "dv": "Device",
}  # fmt: skip
_OPTIONAL = {
    "ds": "OPTIONAL MATCH (m)-[:TRAINED_ON]->(ds:Dataset)",
    "ar": "OPTIONAL MATCH (m)-[:UTILIZES]->(ar:ModelArchitecture)",
    "sv": "OPTIONAL MATCH (m)-[:PROVIDES]->(sv:Service)",
    "pt": "OPTIONAL MATCH (m)-[:PROVIDES]->(:Service)-[:SOLUTION_FOR]->(pt:ProblemType)",
    "tr": "OPTIONAL MATCH (tr:ModelTraining)-[:TRAINS_ON]->(m)",
    "pa": "OPTIONAL MATCH (tr)-[:CONTAINS]->(pa:Parameters)",
    "hp": "OPTIONAL MATCH (tr)-[:USES]->(hp:Hyperparameters)",
    "td": "OPTIONAL MATCH (tr)-[:RUNS_ON]->(td:Device)",
    "inf": "OPTIONAL MATCH (inf:ModelInference)-[:INFERENCE_ON]->(m)",
    "dv": "OPTIONAL MATCH (inf)-[:RUNS_ON]->(dv:Device)",
    "bm": "OPTIONAL MATCH (m)-[:FINE_TUNED_FROM]->(bm:BaseModel)",
}
_DESCRIBE = ("architecture", "dataset", "service", "problem_type", "date", "size", "author", "optimizer", "split",
             "training_device", "training_cost", "metrics", "hyperparameters")  # fmt: skip
_LABEL_VARS = {"Model": "m", "Dataset": "ds", "ModelArchitecture": "ar", "Service": "sv", "ProblemType": "pt",
               "Parameters": "pa", "ModelTraining": "tr", "ModelInference": "inf", "BaseModel": "bm"}  # fmt: skip


class _Joins:
    """The OPTIONAL MATCHes a lookup needs, each once, with what it needs first."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def join(self, var: str) -> None:
        for dep in ("tr",) if var in ("pa", "hp", "td") else ("inf",) if var == "dv" else ():
            self.join(dep)
        if var not in self.order:
            self.order.append(var)


def lookup(frame: Frame, catalog: MetricCatalog, has: Has) -> Statement:
    """Properties of the named (or filtered) models: hyperparameters, devices, dates, metric values ..."""
    b = base(frame, None)
    fields = [f for f in frame.fields if f != "describe"] or []
    if "describe" in frame.fields or (not fields and frame.metric is None):
        fields = [*_DESCRIBE, *fields]
    if "metrics" in fields and "training_cost" not in fields:
        fields.append("training_cost")
    joins = _Joins()
    columns = ["m.name AS model"] + _field_columns(fields, catalog, has, joins)
    order = _metric_columns(frame, joins, columns)
    lines = [_OPTIONAL[v] for v in joins.order]
    device = frame.filter("device")
    # Runs within the question's run conditions only: "the latency of X at batch size 32" shows no batch-2 run.
    on_runs = [b.condition(t.metric.expr("inf"), t) for t in frame.thresholds if t.metric.scope == "inference"]
    if "dv" in joins.order and device is not None and device.role != "training":
        # Runs on the asked device only: "the latency of X on the jetson".
        lines = [line for line in lines if "(inf" not in line]
        conditions = [f"dv.{q(device.property)} IN {b.param('run_device', device.values)}", *on_runs]
        lines.append(
            "OPTIONAL MATCH (inf:ModelInference)-[:INFERENCE_ON]->(m), (inf)-[:RUNS_ON]->(dv:Device)\n"
            f"WHERE {' AND '.join(conditions)}"
        )
    elif "inf" in joins.order and on_runs:
        lines = [
            f"{line}\nWHERE {' AND '.join(on_runs)}" if line.startswith(_OPTIONAL["inf"]) else line for line in lines
        ]
    unique: dict[str, str] = {}
    for column in columns:
        unique.setdefault(column.rsplit(" AS ", 1)[-1], column)
    text = f"{b.match_text()}\nWITH DISTINCT m\n" + "\n".join(lines)
    text += f"\nRETURN {', '.join(unique.values())} ORDER BY {order}"
    return Statement(text.replace("\n\n", "\n"), b.params)


def _field_columns(fields: list[str], catalog: MetricCatalog, has: Has, joins: _Joins) -> list[str]:
    """The columns of the asked fields (hyperparameters, metrics, dates ...), joining what they need."""
    columns: list[str] = []
    for name in fields:
        if name == "hyperparameters" and has("Hyperparameters", "id"):
            joins.join("hp")
            columns.append("properties(hp) AS hyperparameters")
        elif name == "metrics":
            joins.join("tr")
            columns += [f"{m.expr('tr')} AS {m.column}" for m in catalog.quality.values()]
        elif name in _FIELDS:
            variables, props = _FIELDS[name]
            present = [(label, prop, col) for label, prop, col in props if has(label, prop)]
            if not present:  # a Hugging Face catalog has no Parameters: joining them would name a missing label
                continue
            for var in variables:
                joins.join(var)
            columns += [f"{_var_of(label, variables)}.{q(prop)} AS {col}" for label, prop, col in present]
    return columns


def _metric_columns(frame: Frame, joins: _Joins, columns: list[str]) -> str:
    """The asked metric's column (and the others a lookup names) added to ``columns``; the ORDER BY."""
    for extra in frame.also:
        scope_var = {"training": "tr", "quality": "tr", "model": "m", "dataset": "ds", "hyper": "hp"}.get(extra.scope)
        if scope_var is not None:
            if scope_var != "m":
                joins.join(scope_var)
            columns.append(f"{extra.expr(scope_var)} AS {extra.column}")
    metric = frame.metric
    if metric is None:
        return "model"
    var = {"training": "tr", "quality": "tr", "inference": "inf", "model": "m", "dataset": "ds", "hyper": "hp"}.get(
        metric.scope, "tr"
    )
    if var != "m":
        joins.join(var)
    if metric.scope == "training_device":
        joins.join("td")
        var = "td"
    column = f"{metric.expr(var)} AS {metric.column}"
    if column not in columns:
        columns.append(column)
    if metric.scope == "inference":
        joins.join("dv")
        columns += ["dv.processor AS device", "inf.batch_size AS batch_size"]
    return f"{metric.column} {metric.order(frame.want)}, model"


def _var_of(label: str, variables: tuple[str, ...]) -> str:
    if label == "Device":
        return "dv" if "dv" in variables else "td"
    return _LABEL_VARS.get(label, "m")
