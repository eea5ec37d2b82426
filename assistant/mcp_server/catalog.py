"""What the MCP tools do, without MCP: one read-only connection to the graph, and a method per tool.

Every statement runs through the Cypher guard, with the read-only account, the
row cap and the time limit of ``mrm3 query``. The connection is made on first
use (starting the embedded server when needed, as the other commands do) and
made again, once, when the server went away between two calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from assistant.answers.answer import Answer
from assistant.config import Settings
from assistant.cypher.execution import run_guarded
from assistant.engines.router import Assistant
from assistant.errors import GraphUnavailableError
from assistant.graph.connection import Graph, connect, to_plain
from assistant.graph.introspect import INTERNAL_PROPERTIES, MAX_SHOWN_VALUES, schema_text
from assistant.language.measurements import unit_of
from assistant.mcp_server.metrics import ToolMetrics
from assistant.mcp_server.model_card import ModelCards
from assistant.mcp_server.schemas import (
    AskResult,
    CypherResult,
    Filters,
    FindModelsResult,
    LabelEntry,
    ModelCard,
    Objective,
    ParetoResult,
    PropertyEntry,
    RecommendResult,
    SchemaResult,
)
from assistant.mcp_server.typed_tools import TypedTools
from assistant.plan.model import QueryPlan

logger = logging.getLogger(__name__)

T = TypeVar("T")

UNITS = (
    "carbon in g CO2, energy in J, time in s, sizes in bytes; inference carbon and energy per inference "
    "(an entry's total / its num_of_runs); a carbon or energy of 0 means NOT MEASURED in MRM3 cards"
)


def units_of(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Column -> unit, for the columns of ``rows`` whose name tells one."""
    columns = dict.fromkeys(column for row in rows for column in row)
    return {column: unit for column in columns if (unit := unit_of(column))}


class Catalog:
    """The tools' work over the graph ``settings`` describe.

    Args:
        settings: Where the graph is, row cap, time limits, the LLM (for ``ask``).
        connect_graph: How to connect; :func:`assistant.graph.connection.connect` with the read-only account.
    """

    def __init__(self, settings: Settings, connect_graph: Callable[[Settings], Graph] | None = None) -> None:
        self.settings = settings
        self._connect = connect_graph or (lambda s: connect(s, read_only=True))
        self._lock = threading.Lock()
        self._graph: Graph | None = None
        self._assistant: Assistant | None = None

    def open(self) -> Graph:
        """The connection, made (and the embedded server started) when there is none."""
        with self._lock:
            if self._graph is None:
                self._graph = self._connect(self.settings)
                self._assistant = Assistant(self.settings, self._graph)
            return self._graph

    def close(self) -> None:
        """Close the connection (the embedded server keeps running)."""
        with self._lock:
            if self._graph is not None:
                self._graph.close()
            self._graph, self._assistant = None, None

    def _assistant_now(self) -> Assistant:
        self.open()
        assert self._assistant is not None
        return self._assistant

    def run(self, work: Callable[[], T]) -> T:
        """``work()``, once more on a new connection when the graph server went away."""
        try:
            return work()
        except GraphUnavailableError as e:
            logger.warning("graph server unavailable (%s); connecting again", e)
            self.close()
            return work()

    def _typed(self) -> TypedTools:
        graph = self.open()
        engine = self._assistant_now().offline_engine()
        return TypedTools(graph, engine, timeout_s=self.settings.query_timeout_s, row_cap=self.settings.row_cap)

    # -- the tools --------------------------------------------------------------

    def ask(self, question: str) -> AskResult:
        """The assistant's answer to a question in plain language."""
        return _ask_result(self.run(lambda: self._assistant_now().ask(question)))

    def answer_plan(self, plan: QueryPlan, question: str) -> AskResult:
        """The answer to a typed plan an agent filled: checked, compiled and explained by the offline engine.

        Raises:
            InvalidPlanError: The plan names what the graph does not offer (the message lists what it does).
        """

        def work() -> Answer:
            engine = self._assistant_now().offline_engine()
            return engine.answer_plan(engine.frame_for(plan, question))

        return _ask_result(self.run(work))

    def find_models(self, filters: Filters) -> FindModelsResult:
        return self.run(lambda: self._typed().find_models(filters))

    def recommend_model(self, objective: Objective, constraints: Filters, limit: int) -> RecommendResult:
        return self.run(lambda: self._typed().recommend_model(objective, constraints, limit))

    def pareto_front(self, quality_metric: str, cost_metric: str, filters: Filters) -> ParetoResult:
        return self.run(lambda: self._typed().pareto_front(quality_metric, cost_metric, filters))

    def get_model(self, name: str) -> ModelCard:
        settings = self.settings

        def work() -> ModelCard:
            cards = ModelCards(self.open(), timeout_s=settings.query_timeout_s, row_cap=settings.row_cap)
            return cards.get(name)

        return self.run(work)

    def graph_schema(self) -> SchemaResult:
        return self.run(self._schema)

    def _schema(self) -> SchemaResult:
        assistant = self._assistant_now()
        schema = assistant.schema_cache.get()
        labels = []
        for label in sorted(schema.node_properties):
            props = [
                PropertyEntry(
                    name=info.name,
                    types=list(info.types),
                    unit=unit_of(info.name) if label not in ("Hyperparameters", "Device") else "",
                    values=list(info.values) if 0 < len(info.values) <= MAX_SHOWN_VALUES else [],
                    minimum=info.minimum,
                    maximum=info.maximum,
                )
                for info in schema.node_properties[label].values()
                if info.name not in INTERNAL_PROPERTIES
            ]
            labels.append(LabelEntry(label=label, count=schema.node_counts.get(label, 0), properties=props))
        _, catalog = assistant.offline_engine().plan_context()
        return SchemaResult(
            labels=labels,
            relationships=[str(p) for p in schema.relationships],
            metrics=ToolMetrics(catalog).infos(),
            units=UNITS,
            text=schema_text(schema),
        )

    def read_cypher(self, query: str, params: dict[str, Any] | None) -> CypherResult:
        settings = self.settings

        def work() -> CypherResult:
            execution = run_guarded(
                self.open(), query, params, row_cap=settings.row_cap, timeout_s=settings.query_timeout_s
            )
            rows = [to_plain(row) for row in execution.rows]
            return CypherResult(
                cypher=execution.cypher,
                rows=rows,
                row_count=len(rows),
                units=units_of(rows),
                truncated=execution.truncated,
                notes=list(execution.notes),
            )

        return self.run(work)


def _ask_result(answer: Answer) -> AskResult:
    """An answer in the ``ask`` tool's shape (``mrm3 ask --json`` plus params, units and notes)."""
    rows = answer.as_json()["rows"]
    return AskResult(
        question=answer.question,
        engine=answer.engine,
        answer=answer.text,
        interpretation=answer.interpretation,
        cypher=answer.cypher,
        params=to_plain(answer.params),
        rows=rows,
        units=units_of(rows),
        caveats=answer.caveats,
        answered=answer.answered,
        notes=answer.caveats,
    )
