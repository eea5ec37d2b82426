"""The MCP server: the tools (names are a contract), their descriptions and annotations, resources, errors.

Built on the official MCP Python SDK's FastMCP. Every tool is read-only and
idempotent; its inputs and outputs are typed (:mod:`assistant.mcp_server.schemas`),
so the client sees a JSON schema both ways. A failure is a tool error of one
readable line, never a traceback: a refused statement gives the guard's
reason, an unknown metric the allowed ones, a name the graph lacks the closest
values. Blocking graph work runs in a worker thread, so the server keeps
answering while a statement runs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.types import ContentBlock, ToolAnnotations
from pydantic import Field, ValidationError

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.mcp_server import descriptions as text
from assistant.mcp_server.catalog import UNITS, Catalog
from assistant.mcp_server.schemas import (
    ARCHITECTURE,
    CONDITIONS,
    DATASET,
    DEVICE,
    DEVICE_ROLE,
    SERVICE,
    AskResult,
    Condition,
    CypherResult,
    DeviceRole,
    Filters,
    FindModelsResult,
    Limit,
    ModelCard,
    Objective,
    ParetoResult,
    RecommendResult,
    SchemaResult,
)
from assistant.plan.model import PlanEntity, QueryPlan

logger = logging.getLogger(__name__)

T = TypeVar("T")

NAME = "mrm3-assistant"
TOOLS = ("ask", "find_models", "recommend_model", "pareto_front", "get_model", "graph_schema", "read_cypher")
GRAPH_MODEL_DOC = Path(__file__).resolve().parents[2] / "docs" / "graph-model.md"
MAX_ERROR = 2000  # one line still; long enough for the list of allowed metrics of a big catalog


def one_line(message: str) -> str:
    """A message as one line of at most ``MAX_ERROR`` characters."""
    joined = " ".join(message.split())
    return joined if len(joined) <= MAX_ERROR else joined[: MAX_ERROR - 3] + "..."


def argument_errors(tool: str, error: ValidationError) -> str:
    """Pydantic's report on bad arguments, as one line naming each argument and what is wrong."""
    parts = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(p) for p in problem["loc"] if p != f"{tool}Arguments") or "arguments"
        parts.append(f"{where}: {problem['msg']}")
    return f"Invalid arguments for {tool} - " + "; ".join(parts)


class Mrm3MCP(FastMCP):
    """FastMCP whose tool errors are one readable line, and which refuses arguments a tool does not take."""

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        tool = self._tool_manager.get_tool(name)
        if tool is not None:
            unknown = sorted(set(arguments) - set(tool.parameters.get("properties", {})))
            if unknown:
                taken = ", ".join(tool.parameters.get("properties", {})) or "none"
                raise ToolError(f"Invalid arguments for {name} - unknown: {', '.join(unknown)} (it takes: {taken})")
        try:
            result: Sequence[ContentBlock] | dict[str, Any] = await super().call_tool(name, arguments)
        except ToolError as e:
            raise ToolError(one_line(_reason(name, e))) from e
        return result


def _reason(tool: str, error: ToolError) -> str:
    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.title.endswith("Arguments"):  # FastMCP's model of the arguments
        return argument_errors(tool, cause)
    if isinstance(cause, AssistantError):
        return str(cause)
    if cause is None:
        return str(error)  # e.g. an unknown tool
    logger.error("tool %s failed", tool, exc_info=cause)
    return f"{tool} failed unexpectedly ({type(cause).__name__}) - see the server's log on stderr"


def _read_only(title: str, *, open_world: bool = False) -> ToolAnnotations:
    return ToolAnnotations(
        title=title, readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=open_world
    )


async def _in_thread(work: Callable[[], T]) -> T:
    return await asyncio.to_thread(work)


def build_server(
    settings: Settings, *, catalog: Catalog | None = None, host: str = "127.0.0.1", port: int = 8000
) -> Mrm3MCP:
    """The MCP server over the graph ``settings`` describe.

    Args:
        settings: Graph, row cap, time limits, LLM.
        catalog: The tools' work; one for ``settings`` when omitted.
        host: Address of the streamable-http transport.
        port: Its port.
    """
    work = catalog or Catalog(settings)
    server = Mrm3MCP(NAME, instructions=text.INSTRUCTIONS, host=host, port=port, log_level="WARNING")

    @server.tool(description=text.ASK, annotations=_read_only("Ask the catalog", open_world=settings.llm_configured))
    async def ask(question: Annotated[str, Field(min_length=1, description=text.QUESTION)]) -> AskResult:
        return await _in_thread(functools.partial(work.ask, question))

    @server.tool(description=text.FIND_MODELS, annotations=_read_only("Find models"))
    async def find_models(
        dataset: Annotated[str | None, Field(description=DATASET)] = None,
        service: Annotated[str | None, Field(description=SERVICE)] = None,
        architecture: Annotated[str | None, Field(description=ARCHITECTURE)] = None,
        device: Annotated[str | None, Field(description=DEVICE)] = None,
        device_role: Annotated[DeviceRole, Field(description=DEVICE_ROLE)] = "auto",
        conditions: Annotated[list[Condition] | None, Field(description=CONDITIONS)] = None,
    ) -> FindModelsResult:
        filters = Filters(
            dataset=dataset, service=service, architecture=architecture, device=device,
            device_role=device_role, conditions=conditions or [],
        )  # fmt: skip
        return await _in_thread(functools.partial(work.find_models, filters))

    @server.tool(description=text.RECOMMEND, annotations=_read_only("Recommend a model"))
    async def recommend_model(
        objective: Annotated[Objective, Field(description=text.OBJECTIVE)],
        constraints: Annotated[Filters | None, Field(description=text.CONSTRAINTS)] = None,
        limit: Limit = 5,
    ) -> RecommendResult:
        return await _in_thread(functools.partial(work.recommend_model, objective, constraints or Filters(), limit))

    @server.tool(description=text.PARETO, annotations=_read_only("Pareto front of a quality and a cost"))
    async def pareto_front(
        quality_metric: Annotated[str, Field(description=text.QUALITY_METRIC)],
        cost_metric: Annotated[str, Field(description=text.COST_METRIC)],
        filters: Annotated[Filters | None, Field(description=text.FILTERS)] = None,
    ) -> ParetoResult:
        return await _in_thread(functools.partial(work.pareto_front, quality_metric, cost_metric, filters or Filters()))

    @server.tool(description=text.ANSWER_PLAN, annotations=_read_only("Answer a typed query plan"))
    async def answer_plan(
        plan: Annotated[QueryPlan, Field(description=text.PLAN)],
        question: Annotated[str, Field(description=text.PLAN_QUESTION)] = "",
    ) -> AskResult:
        return await _in_thread(functools.partial(work.answer_plan, plan, question or "typed plan"))

    @server.tool(description=text.COMPARE_MODELS, annotations=_read_only("Compare models"))
    async def compare_models(
        models: Annotated[list[str], Field(min_length=2, description=text.MODELS)],
        metric: Annotated[str, Field(min_length=1, description=text.COMPARE_METRIC)],
    ) -> AskResult:
        entities = [PlanEntity(kind="model", value=m) for m in models]
        plan = QueryPlan(answer="compare", metric=metric, entities=entities)
        return await _in_thread(functools.partial(work.answer_plan, plan, f"compare {', '.join(models)} by {metric}"))

    @server.tool(description=text.WHAT_IF_REGION, annotations=_read_only("A training on other grids"))
    async def what_if_region(
        model: Annotated[str, Field(min_length=1, description=text.MODEL_NAME)],
        regions: Annotated[list[str], Field(min_length=1, description=text.REGIONS)],
        ask: Annotated[Literal["amount", "least", "saving"], Field(description=text.REGION_ASK)] = "amount",
    ) -> AskResult:
        entities = [PlanEntity(kind="model", value=model)]
        plan = QueryPlan(answer="what_if", entities=entities, regions=regions, region_ask=ask)
        said = f"what would training {model} emit in {', '.join(regions)}"
        return await _in_thread(functools.partial(work.answer_plan, plan, said))

    @server.tool(description=text.GET_MODEL, annotations=_read_only("One model's card"))
    async def get_model(name: Annotated[str, Field(min_length=1, description=text.MODEL_NAME)]) -> ModelCard:
        return await _in_thread(functools.partial(work.get_model, name))

    @server.tool(description=text.GRAPH_SCHEMA, annotations=_read_only("Graph schema"))
    async def graph_schema() -> SchemaResult:
        return await _in_thread(work.graph_schema)

    @server.tool(description=text.READ_CYPHER, annotations=_read_only("Read-only Cypher"))
    async def read_cypher(
        query: Annotated[str, Field(min_length=1, description=text.QUERY)],
        params: Annotated[dict[str, Any] | None, Field(description=text.PARAMS)] = None,
    ) -> CypherResult:
        return await _in_thread(functools.partial(work.read_cypher, query, params))

    _resources(server, work)
    return server


def _resources(server: Mrm3MCP, work: Catalog) -> None:
    @server.resource("mrm3://units", name="units", description="Units of the graph's values.", mime_type="text/plain")
    def units() -> str:
        return UNITS

    @server.resource(
        "mrm3://schema", name="schema", description="The live graph schema as text.", mime_type="text/plain"
    )
    async def schema() -> str:
        return (await _in_thread(work.graph_schema)).text

    if GRAPH_MODEL_DOC.is_file():  # in a clone or an editable install; a wheel does not ship docs/

        @server.resource(
            "mrm3://docs/graph-model",
            name="graph-model",
            description="The MRM3 graph model: labels, relationships, properties, units, 'not measured' zeros.",
            mime_type="text/markdown",
        )
        def graph_model() -> str:
            return GRAPH_MODEL_DOC.read_text(encoding="utf-8")
