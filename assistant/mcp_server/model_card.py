"""get_model: everything the graph holds about one model, each value with its unit.

A carbon or energy of 0 reads "not measured" (MRM3's convention); an
inference entry's carbon and energy are also given per inference (its total
divided by its ``num_of_runs``). A name the graph lacks is an error naming the
closest model names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.cypher.execution import run_guarded
from assistant.errors import InvalidArgumentError
from assistant.graph.connection import Graph, to_plain
from assistant.graph.introspect import INTERNAL_PROPERTIES
from assistant.language.measurements import is_measured, is_number, unit_of
from assistant.mcp_server.metrics import quantity
from assistant.mcp_server.names import closest
from assistant.mcp_server.schemas import ModelCard, Quantity, Related, Run

MODEL = "MATCH (m:Model) WHERE m.name = $name RETURN m.name AS name, properties(m) AS props"
MODEL_ANY_CASE = "MATCH (m:Model) WHERE toLower(m.name) = toLower($name) RETURN m.name AS name LIMIT 5"
MODEL_NAMES = "MATCH (m:Model) RETURN m.name AS name"
DATASET = "MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset) WHERE m.name = $name RETURN properties(d) AS props"
ARCHITECTURE = "MATCH (m:Model)-[:UTILIZES]->(a:ModelArchitecture) WHERE m.name = $name RETURN properties(a) AS props"
SERVICES = (
    "MATCH (m:Model)-[:PROVIDES]->(s:Service) WHERE m.name = $name\n"
    "OPTIONAL MATCH (s)-[:SOLUTION_FOR]->(p:ProblemType)\n"
    "RETURN properties(s) AS props, collect(DISTINCT p.name) AS problems ORDER BY props.name"
)
TRAINING = (
    "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model) WHERE m.name = $name\n"
    "OPTIONAL MATCH (t)-[:RUNS_ON]->(d:Device)\nOPTIONAL MATCH (t)-[:CONTAINS]->(p:Parameters)\n"
    "OPTIONAL MATCH (t)-[:USES]->(h:Hyperparameters)\n"
    "RETURN properties(t) AS props, properties(d) AS device, properties(p) AS parameters, "
    "properties(h) AS hyper"
)
INFERENCE = (
    "MATCH (i:ModelInference)-[:INFERENCE_ON]->(m:Model) WHERE m.name = $name\n"
    "OPTIONAL MATCH (i)-[:RUNS_ON]->(d:Device)\n"
    "RETURN properties(i) AS props, properties(d) AS device ORDER BY d.processor, i.batch_size"
)
# Training: a GPU energy of 0 is real when the run itself was measured (trained on the CPU only).
_GPU_ENERGY = "energyConsumptionGPU"
_PER_INFERENCE = {"carbonFootprint": "carbon_per_inference", "energyConsumption": "energy_per_inference"}
# Bookkeeping of the card on the model node, and keys of the subgraph: no use to an agent.
_HIDDEN = INTERNAL_PROPERTIES | {"model"}
_UNITLESS = frozenset({"batch_size", "num_of_runs", "minAccuracy", "minLatency"})


def values(
    props: Mapping[str, Any] | None, *, measured_run: bool | None = None, units: bool = True
) -> dict[str, Quantity]:
    """Each property (bar keys and bookkeeping) with its unit; ``units=False`` for hyperparameters and devices,
    whose names say nothing of a unit ("hidden_size" is no size in bytes)."""
    shown = {}
    for key, value in sorted((props or {}).items()):
        if key in _HIDDEN:
            continue
        measured = True if key == _GPU_ENERGY and measured_run and is_number(value) else None
        unit = unit_of(key) if units and key not in _UNITLESS else ""
        shown[key] = quantity(key, value, unit, measured=measured)
    return shown


class ModelCards:
    """Reads one model's subgraph with guarded, read-only statements."""

    def __init__(self, graph: Graph, *, timeout_s: float, row_cap: int) -> None:
        self.graph = graph
        self.timeout_s = timeout_s
        self.row_cap = row_cap

    def _rows(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        execution = run_guarded(self.graph, cypher, params, row_cap=self.row_cap, timeout_s=self.timeout_s)
        return [to_plain(row) for row in execution.rows]

    def get(self, name: str) -> ModelCard:
        """The card of model ``name``.

        Raises:
            InvalidArgumentError: No model of that name; the message names the closest ones.
        """
        said = name.strip()
        notes = []
        rows = self._rows(MODEL, name=said)
        if not rows:
            same = self._rows(MODEL_ANY_CASE, name=said)
            if len(same) != 1:
                everything = [str(r["name"]) for r in self._rows(MODEL_NAMES)]
                near = closest(said, everything, limit=5)
                hint = f"closest: {', '.join(near)}" if near else "find_models lists the models"
                raise InvalidArgumentError(f"No model named {said!r} in the graph - {hint}")
            said = str(same[0]["name"])
            notes.append(f"model {name.strip()!r} read as {said!r} (case differs)")
            rows = self._rows(MODEL, name=said)
        model = rows[0]
        dataset = self._rows(DATASET, name=said)
        architecture = self._rows(ARCHITECTURE, name=said)
        services = self._rows(SERVICES, name=said)
        training = [self._training(row) for row in self._rows(TRAINING, name=said)]
        inference = [self._inference(row) for row in self._rows(INFERENCE, name=said)]
        unmeasured = [
            f"{key} of a {kind} run is 0 or missing: not measured in MRM3 cards, not zero"
            for kind, runs in (("training", training), ("inference", inference))
            for run in runs
            for key, q in run.properties.items()
            if not q.measured and key in ("carbonFootprint", "energyConsumption")
        ]
        return ModelCard(
            name=said,
            properties=values(model["props"]),
            dataset=_related(dataset[0]["props"], "name") if dataset else None,
            architecture=_related(architecture[0]["props"], "type") if architecture else None,
            services=[_related(row["props"], "name") for row in services],
            problem_types=sorted({p for row in services for p in row["problems"] if p}),
            training=training,
            inference=inference,
            notes=notes + list(dict.fromkeys(unmeasured)),
        )

    def _training(self, row: Mapping[str, Any]) -> Run:
        props = row["props"] or {}
        measured_run = any(is_measured(k, props.get(k)) for k in ("carbonFootprint", "energyConsumptionCPU"))
        return Run(
            properties=values(props, measured_run=measured_run),
            device=values(row.get("device"), units=False),
            parameters=values(row.get("parameters"), units=False),
            hyperparameters=values(row.get("hyper"), units=False),
        )

    def _inference(self, row: Mapping[str, Any]) -> Run:
        props = row["props"] or {}
        per = {}
        runs = props.get("num_of_runs")
        for key, name in _PER_INFERENCE.items():
            total = props.get(key)
            if isinstance(runs, int | float) and runs > 0 and total is not None:
                value = total / runs if is_number(total) else None
                per[name] = quantity(key, value, f"{unit_of(key)} per inference")
        return Run(properties=values(props), device=values(row.get("device"), units=False), per_inference=per)


def _related(props: Mapping[str, Any] | None, key: str) -> Related:
    props = dict(props or {})
    return Related(name=str(props.pop(key, "")), properties=values(props))
