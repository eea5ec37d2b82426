"""find_models, recommend_model and pareto_front: typed arguments -> the offline engine's query plan -> results.

The arguments become a :class:`~assistant.engines.offline.plan.Frame` (filters
on graph values, numeric conditions, an objective), which the offline engine
answers with the statements, Cypher guard, row cap and timeout it uses for
questions: per-inference carbon and energy, unmeasured (0) values left out of
rankings and counted, the plan in words.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assistant.answers.answer import Answer
from assistant.cypher.execution import run_guarded
from assistant.engines.offline.engine import OfflineEngine
from assistant.engines.offline.explain.comparisons import choice_rule, chosen_point
from assistant.engines.offline.plan.frame import ALL, Frame
from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.slots import Threshold
from assistant.errors import InvalidArgumentError
from assistant.graph.connection import Graph, to_plain
from assistant.mcp_server.metrics import ToolMetric, ToolMetrics
from assistant.mcp_server.names import resolve
from assistant.mcp_server.schemas import (
    Evidence,
    Filters,
    FindModelsResult,
    ModelEntry,
    Objective,
    ParetoResult,
    RecommendResult,
)

_ROLES = {"auto": "", "training": "training", "inference": "inference"}
# The dataset, architecture and services of the models in a result (one round trip).
DETAILS = (
    "UNWIND $names AS model_name MATCH (m:Model {name: model_name})\n"
    "OPTIONAL MATCH (m)-[:TRAINED_ON]->(d:Dataset)\nOPTIONAL MATCH (m)-[:UTILIZES]->(a:ModelArchitecture)\n"
    "OPTIONAL MATCH (m)-[:PROVIDES]->(s:Service)\n"
    "RETURN m.name AS model, collect(DISTINCT d.name) AS datasets, collect(DISTINCT a.type) AS architectures, "
    "collect(DISTINCT s.name) AS services"
)


class TypedTools:
    """The typed tools over one graph, answered by its offline engine.

    Args:
        graph: The graph, reached with the read-only account.
        engine: The offline engine of that graph.
        timeout_s: Time limit of each statement.
        row_cap: Most rows a statement returns.
    """

    def __init__(self, graph: Graph, engine: OfflineEngine, *, timeout_s: float, row_cap: int) -> None:
        self.graph = graph
        self.engine = engine
        self.timeout_s = timeout_s
        self.row_cap = row_cap

    def metrics(self) -> ToolMetrics:
        """The metrics of the graph as it is now."""
        _, catalog = self.engine.plan_context()
        return ToolMetrics(catalog)

    def find_models(self, filters: Filters) -> FindModelsResult:
        """The models matching ``filters``, with the values their conditions name."""
        metrics = self.metrics()
        frame, notes = self._frame("find_models", "list", filters, metrics)
        chosen = [metrics.get(c.metric) for c in filters.conditions]
        answer = self._answer(frame, notes)
        entries = self._entries(answer.rows, chosen)
        return FindModelsResult(**_evidence(answer, metrics, chosen), count=len(entries), models=entries)

    def recommend_model(self, objective: Objective, constraints: Filters, limit: int) -> RecommendResult:
        """The best ``limit`` models by ``objective`` under ``constraints``, best first."""
        metrics = self.metrics()
        target = metrics.get(objective.metric, argument="objective.metric")
        goal = objective.goal or ("maximize" if target.metric.better == "higher" else "minimize")
        frame, notes = self._frame("recommend_model", "rank", constraints, metrics)
        frame.metric, frame.k, frame.explicit_k = target.metric, ALL, True
        frame.want = "high" if goal == "maximize" else "low"
        frame.inference = target.metric.scope == "inference"
        answer = self._answer(frame, notes)
        fits = None if answer.truncated else len(answer.rows)  # cut at the row cap: no count to give
        answer = replace(answer, rows=answer.rows[:limit])
        bounds = [metrics.get(c.metric) for c in constraints.conditions]
        ranking = self._entries(answer.rows[:limit], [target])
        if ranking and bounds:
            self._add_bound_values(ranking, frame, bounds)
        chosen = [target, *bounds]
        return RecommendResult(
            **_evidence(answer, metrics, chosen),
            objective=target.info(),
            goal=goal,
            recommended=ranking[0] if ranking else None,
            ranking=ranking,
            fits=fits,
        )

    def pareto_front(self, quality_metric: str, cost_metric: str, filters: Filters) -> ParetoResult:
        """Every measured model on a quality and a cost, split into the Pareto front and the rest."""
        metrics = self.metrics()
        quality = metrics.get(quality_metric, kind="quality", argument="quality_metric")
        cost = metrics.get(cost_metric, kind="cost", argument="cost_metric")
        frame, notes = self._frame("pareto_front", "pareto", filters, metrics)
        frame.metric, frame.metric2, frame.k = quality.metric, cost.metric, ALL
        answer = self._answer(frame, notes)
        entries = self._entries(answer.rows, [quality, cost])
        picked = chosen_point([r for r in answer.rows if r.get("on_pareto_front")], quality.metric, cost.metric)
        chosen = next((e for e in entries if picked and e.model == picked[0]["model"]), None)
        return ParetoResult(
            **_evidence(answer, metrics, [quality, cost]),
            quality=quality.info(),
            cost=cost.info(),
            front=[e for e in entries if e.on_pareto_front],
            dominated=[e for e in entries if not e.on_pareto_front],
            chosen=chosen,
            rule=choice_rule(quality.metric, cost.metric, picked[1]) if picked else None,
        )

    def _frame(self, tool: str, intent: str, filters: Filters, metrics: ToolMetrics) -> tuple[Frame, list[str]]:
        """The plan's filters and conditions; names resolved against the graph, notes for names read as others."""
        frame = Frame(question=f"{tool} {filters.model_dump_json(exclude_defaults=True)}", intent=intent, k=ALL)
        notes = []
        for kind in ("dataset", "service", "architecture", "device"):
            name = getattr(filters, kind)
            if name is None:
                continue
            found = resolve(self.graph, kind, name, timeout_s=self.timeout_s)
            role = _ROLES[filters.device_role] if kind == "device" else ""
            frame.filters.append(Filter(kind, found.label, found.property, [found.value], name, role))
            if found.note:
                notes.append(found.note)
        if filters.device is None and filters.device_role != "auto":
            raise InvalidArgumentError("device_role is set but no device is - give the device it is about")
        for i, condition in enumerate(filters.conditions):
            metric = metrics.get(condition.metric, argument=f"conditions[{i}].metric").metric
            said = f"{condition.metric} {condition.op} {condition.value:g}"
            frame.thresholds.append(Threshold(metric, condition.op, condition.value, said, (0, 0)))
        return frame, notes

    def _answer(self, frame: Frame, notes: list[str]) -> Answer:
        frame.notes.extend(notes)
        answer = self.engine.answer_plan(frame)
        if not answer.answered and answer.cypher is None:
            raise InvalidArgumentError(answer.text.splitlines()[0])  # the plan itself was declined
        return answer

    def _add_bound_values(self, ranking: list[ModelEntry], ranked: Frame, bounds: list[ToolMetric]) -> None:
        """The values the constraints' conditions bound, beside the objective (the rank statement returns only it).

        Read with the same conditions, so only values that satisfy them come back; values of inference metrics
        (a model's runs) are not shown.
        """
        names = [entry.model for entry in ranking]
        frame = Frame(question="values of the ranked models", intent="list", k=ALL)
        frame.filters = [Filter("model", "Model", "name", names, "ranked models")] + [
            f for f in ranked.filters if f.kind != "model"
        ]
        frame.thresholds = list(ranked.thresholds)
        rows = self.engine.answer_plan(frame).rows
        by_model = {str(row.get("model")): row for row in rows}
        for entry in ranking:
            row = by_model.get(entry.model, {})
            entry.values.update({m.name: m.value(row[m.metric.column]) for m in bounds if m.metric.column in row})

    def _entries(self, rows: list[dict[str, Any]], chosen: list[ToolMetric]) -> list[ModelEntry]:
        """Each row's model with the values of ``chosen`` metrics it holds, its dataset, architecture, services."""
        names = [str(row["model"]) for row in rows if row.get("model") is not None]
        details = {}
        if names:
            found = run_guarded(self.graph, DETAILS, {"names": names}, row_cap=len(names), timeout_s=self.timeout_s)
            details = {row["model"]: to_plain(row) for row in found.rows}
        entries = []
        for row in rows:
            if row.get("model") is None:
                continue
            detail = details.get(row["model"], {})
            values = {m.name: m.value(row[m.metric.column]) for m in chosen if m.metric.column in row}
            entries.append(
                ModelEntry(
                    model=str(row["model"]),
                    values=values,
                    dataset=(detail.get("datasets") or [None])[0],
                    architecture=(detail.get("architectures") or [None])[0],
                    services=sorted(detail.get("services") or []),
                    device=row.get("device"),
                    batch_size=row.get("batch_size"),
                    on_pareto_front=row.get("on_pareto_front"),
                )
            )
        return entries


def _evidence(answer: Answer, metrics: ToolMetrics, chosen: list[ToolMetric]) -> dict[str, Any]:
    """The fields every typed result shares, from the engine's answer."""
    columns = metrics.by_column(chosen)
    return Evidence(
        answer=answer.text,
        interpretation=answer.interpretation,
        cypher=answer.cypher,
        params=to_plain(answer.params),
        caveats=answer.caveats,
        left_out_unmeasured={columns.get(c, c): n for c, n in answer.left_out_unmeasured.items()},
        truncated=answer.truncated,
    ).model_dump()
