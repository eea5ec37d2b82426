"""The LLM question engine: GraphCypherQAChain with our schema, examples, guard and repair.

langchain-neo4j's ``GraphCypherQAChain`` generates the Cypher and runs it, but
against :class:`GuardedGraph`, a ``GraphStore`` whose ``query`` sends every
statement through :func:`assistant.cypher.execution.run_guarded` (read-only guard,
schema check with arrow correction, row cap, READ transaction with a
timeout). A refused statement never reaches the server, so
``allow_dangerous_requests=True`` only silences the chain's warning about a
risk the guard removes.

The prompt carries the live schema (with values and ranges), the values the
question mentions (entity linking) and the few most similar examples. A
statement that fails the schema check or the server goes back to the model
with the error for ``Settings.repair_attempts`` corrected attempts. The chain
returns the rows directly; the answer step then runs the chain's own QA chain
with facts found in the rows (unmeasured zeros, in the statement's sort
direction; truncation; for a trade-off question, the Pareto front) and falls
back to a summary of the rows when the model refuses to answer them.

Every answer carries its ``interpretation``: the standalone question the
engine asked the graph and the Cypher it ran.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_neo4j import GraphCypherQAChain
from langchain_neo4j.graphs.graph_document import GraphDocument
from langchain_neo4j.graphs.graph_store import GraphStore

from assistant.answers.answer import Answer
from assistant.answers.flags import FLAGGABLE_LABELS, FLAGGED_VALUES, flags_for
from assistant.answers.pareto import front_fact, trade_off
from assistant.answers.provenance import sources_text
from assistant.answers.row_facts import measurement_caveats, refuses_to_answer, summarize_rows
from assistant.answers.suspect import SUSPECT_PROPERTY, SUSPECT_VALUES, suspects_for
from assistant.config import Settings
from assistant.cypher.execution import Execution, run_guarded
from assistant.engines.llm.client import build_llm, call_llm, load_prompt, read_prompt
from assistant.engines.llm.examples import ExampleSelector, format_examples
from assistant.engines.llm.ordering import sort_order
from assistant.errors import CypherSchemaError, LLMUnavailableError, QueryError, UnsafeCypherError
from assistant.graph.connection import Graph, to_plain
from assistant.graph.introspect import SchemaCache, schema_text
from assistant.graph.schema import GraphSchema
from assistant.language.entity_linking import EntityLink, link_entities
from assistant.language.vocabulary import find_phrases, load_vocabulary, words
from ingest.flags import FLAG_PROPERTY

logger = logging.getLogger(__name__)

ENGINE = "llm"
# Rows shown to the answer model; the user still gets every row.
MAX_PROMPT_ROWS = 50
NO_LINKS = "(none found: use only values that the schema lists)"
# Values that only bloat the prompt: file paths, and model names copied onto run nodes.
PROMPT_HIDDEN_VALUES = frozenset({"path", "model"})
# What small models wrap a statement in despite the prompt: fences and a "Cypher:" label.
_WRAPPING = re.compile(r"^\s*(?:```[a-zA-Z]*\s*)?(?:cypher\s*:?\s+)?|\s*(?:```\s*)?$", re.IGNORECASE)


def asks_trade_off(question: str, cues: tuple[str, ...]) -> bool:
    """Whether ``question`` asks for a trade-off (one of the vocabulary's ``tradeoff_cues``)."""
    return bool(find_phrases(words(question), cues))


def prompt_schema(schema: GraphSchema) -> str:
    """The schema as Cypher-prompt text, without values that carry no meaning."""
    trimmed = {
        label: {name: replace(i, values=()) if name in PROMPT_HIDDEN_VALUES else i for name, i in props.items()}
        for label, props in schema.node_properties.items()
    }
    return schema_text(replace(schema, node_properties=trimmed))


class GuardedGraph(GraphStore):
    """The chain's graph: every ``query`` passes the Cypher guard before it runs.

    One instance serves one question; it records the statements the chain
    tried and the executions that ran.
    """

    def __init__(self, graph: Graph, schema: GraphSchema, settings: Settings) -> None:
        self._graph = graph
        self._schema = schema
        self._settings = settings
        self.attempts: list[str] = []
        self.executions: list[Execution] = []

    @property
    def get_schema(self) -> str:
        """The schema as prompt text."""
        return schema_text(self._schema)

    @property
    def get_structured_schema(self) -> dict[str, Any]:
        """The schema in langchain-neo4j's structured form."""
        return {
            "node_props": {
                label: [{"property": p.name, "type": "/".join(p.types)} for p in props.values()]
                for label, props in self._schema.node_properties.items()
            },
            "rel_props": {},
            "relationships": [{"start": p.start, "type": p.type, "end": p.end} for p in self._schema.relationships],
            "metadata": {"constraint": [], "index": []},
        }

    def query(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Guard ``query``, then run it read-only with the row cap and timeout.

        Raises:
            UnsafeCypherError: The guard refused it; nothing ran.
            CypherSchemaError: It names what the graph does not have.
            QueryError: The server rejected or failed it.
        """
        query = _WRAPPING.sub("", query)
        self.attempts.append(query)
        execution = run_guarded(
            self._graph,
            query,
            params,
            schema=self._schema,
            row_cap=self._settings.row_cap,
            timeout_s=self._settings.query_timeout_s,
        )
        self.executions.append(execution)
        return execution.rows

    def refresh_schema(self) -> None:
        """Nothing to do: the schema comes from the :class:`SchemaCache`."""

    def add_graph_documents(self, graph_documents: list[GraphDocument], include_source: bool = False) -> None:
        """Refused: questions never write."""
        raise UnsafeCypherError("Refused: the question engine is read-only")


def _last(store: GuardedGraph) -> str:
    return store.attempts[-1].strip() if store.attempts else "(none)"


def interpretation(question: str, cypher: str | None, *, ran: bool = True) -> str:
    """What the LLM engine understood: the question it asked the graph and its Cypher."""
    lines = [f"asked the graph: {question}"]
    if cypher:
        lines.append(f"Cypher{'' if ran else ' (not run)'}: {' '.join(cypher.split())}")
    return "\n".join(lines)


def format_links(links: Sequence[EntityLink]) -> str:
    """Linked values as prompt lines: ``- "lumos" -> Dataset.name = 'lumos5g'``."""
    if not links:
        return NO_LINKS
    return "\n".join(f'- "{link.mention}" -> {link.label}.{link.property} = {link.value!r}' for link in links)


class CypherQA:
    """Answer questions with an LLM writing guarded Cypher.

    Args:
        settings: LLM endpoint, row cap, timeout and repair attempts.
        graph: The graph to question.
        schema_cache: Where the live schema comes from.
        llm: The chat model; built from ``settings`` when omitted.
        selector: The few-shot example selector; the library in ``prompts/`` when omitted.
    """

    name = ENGINE

    def __init__(
        self,
        settings: Settings,
        graph: Graph,
        schema_cache: SchemaCache,
        *,
        llm: BaseChatModel | None = None,
        selector: ExampleSelector | None = None,
    ) -> None:
        self.settings = settings
        self.graph = graph
        self.schema_cache = schema_cache
        self.llm = llm if llm is not None else build_llm(settings)
        self.selector = selector if selector is not None else ExampleSelector.from_file()
        self.cypher_prompt = load_prompt("cypher.txt")
        self.answer_prompt = load_prompt("answer.txt")
        self.repair_note = read_prompt("repair.txt")
        # A question that asks for a trade-off (the vocabulary's tradeoff_cues): its answer marks the Pareto front.
        self.tradeoff_cues = load_vocabulary(cache_dir=settings.home / "cache").tradeoff_cues

    def build_chain(self, store: GuardedGraph) -> GraphCypherQAChain:
        """The GraphCypherQAChain over ``store``, returning rows and the statement it ran."""
        return GraphCypherQAChain.from_llm(
            self.llm,
            graph=store,
            cypher_prompt=self.cypher_prompt,
            qa_prompt=self.answer_prompt,
            # The chain would cut the rows at 10; the guard already caps them.
            top_k=self.settings.row_cap,
            return_direct=True,
            return_intermediate_steps=True,
            # Safe here: GuardedGraph.query refuses everything but one read-only statement.
            allow_dangerous_requests=True,
        )

    def prompt_inputs(self, question: str, schema: GraphSchema) -> dict[str, str]:
        """What the Cypher prompt is filled with for ``question``."""
        return {
            "query": question,
            "schema": prompt_schema(schema),
            "linked_values": format_links(link_entities(question, schema)),
            "examples": format_examples(self.selector.select(question, labels=schema.node_properties)),
            "repair": "",
        }

    def answer(self, question: str, *, asked: str | None = None) -> Answer:
        """Answer a standalone ``question``.

        Args:
            question: The question Cypher is written for.
            asked: What the user typed, when ``question`` is its standalone rewrite.

        Returns:
            The answer; ``answered`` is False when the statement was refused
            or still failed after the repair attempts.

        Raises:
            LLMUnavailableError: The model cannot be reached.
            GraphUnavailableError: The graph server cannot be reached.
        """
        asked = asked or question
        standalone = question if question != asked else None
        schema = self.schema_cache.get()
        inputs = self.prompt_inputs(question, schema)
        tries = 1 + max(0, self.settings.repair_attempts)
        caveats: list[str] = []
        last_error: Exception | None = None
        last_cypher = "(none)"
        for attempt in range(1, tries + 1):
            store = GuardedGraph(self.graph, schema, self.settings)
            chain = self.build_chain(store)
            try:
                call_llm(self.settings, functools.partial(chain.invoke, inputs))
            except UnsafeCypherError as e:
                # A refused statement is not repaired: the user is told what was refused.
                logger.info("refused generated cypher: %s", e)
                reason = str(e).removeprefix("Refused: ")
                return Answer(
                    question=asked,
                    engine=ENGINE,
                    text=f"I did not run the statement the model wrote: the Cypher guard refused it ({reason}).",
                    caveats=[f"Refused statement, nothing ran: {reason}", f"The refused statement: {_last(store)}"],
                    standalone_question=standalone,
                    answered=False,
                    interpretation=interpretation(question, _last(store), ran=False),
                )
            except (CypherSchemaError, QueryError) as e:
                last_error = e
                last_cypher = _last(store)
                logger.info("attempt %d/%d failed: %s", attempt, tries, e)
                inputs["repair"] = self.repair_note.format(cypher=last_cypher, error=e)
                continue
            execution = store.executions[-1]
            if attempt > 1:
                caveats.append(f"The first statement failed ({last_error}); the model corrected it.")
            return self._explain(chain, question, asked, standalone, execution, caveats)
        return Answer(
            question=asked,
            engine=ENGINE,
            text=(
                f"I could not answer this from the graph: the generated Cypher failed {tries} "
                f"time{'s' if tries != 1 else ''}. Last error: {last_error}"
            ),
            caveats=[
                f"Generated Cypher failed {tries} times: {last_error}",
                f"The last statement tried: {last_cypher}",
            ],
            standalone_question=standalone,
            answered=False,
            interpretation=interpretation(question, last_cypher, ran=False),
        )

    def _explain(
        self,
        chain: GraphCypherQAChain,
        question: str,
        asked: str,
        standalone: str | None,
        execution: Execution,
        caveats: list[str],
    ) -> Answer:
        rows = execution.rows
        facts = measurement_caveats(rows, order=sort_order(execution.cypher))
        if self.schema_cache.get().has_property("ModelTraining", SUSPECT_PROPERTY):
            facts += suspects_for(rows, execution.cypher, self.graph.read(SUSPECT_VALUES, {}))
        schema = self.schema_cache.get()
        if any(schema.has_property(label, FLAG_PROPERTY) for label in FLAGGABLE_LABELS):
            facts += flags_for(rows, execution.cypher, self.graph.read(FLAGGED_VALUES, {}))
        if execution.truncated:
            facts.append(f"Only the first {len(rows)} rows are shown; there may be more.")
        # "LIMIT added" is routine; arrow corrections and lowered limits are worth knowing.
        notes = [n for n in execution.notes if not n.startswith("no LIMIT given") and "there may be more" not in n]
        caveats = [*caveats, *facts, *notes]
        pareto = trade_off(rows) if asks_trade_off(question, self.tradeoff_cues) else None
        # The front is part of the answer, not a caveat: the model is told it, the user sees it marked.
        told = [*facts, front_fact(pareto, rows)] if pareto else facts
        plain_rows = [to_plain(row) for row in rows[:MAX_PROMPT_ROWS]]
        values = {
            "question": question,
            "cypher": execution.cypher,
            "row_count": str(len(rows)),
            "rows": json.dumps(plain_rows, ensure_ascii=False, default=str),
            "notes": "\n".join(f"- {fact}" for fact in told) or "- none",
        }
        try:
            text = str(call_llm(self.settings, functools.partial(chain.qa_chain.invoke, values))).strip()
        except LLMUnavailableError as e:
            logger.warning("answer step failed: %s", e)
            text = ""
            caveats.append(f"The LLM could not write the explanation ({e}); this summary is built from the rows.")
        model_text: str | None = text
        if not text or (rows and refuses_to_answer(text)):
            text, model_text = summarize_rows(rows, told), None
        if self.schema_cache.get().has_property("Provenance", "property"):  # where each shown value came from
            text += sources_text(rows, self.graph.read)
        return Answer(
            question=asked,
            engine=ENGINE,
            text=text,
            cypher=execution.cypher.strip(),
            rows=rows,
            caveats=caveats,
            truncated=execution.truncated,
            standalone_question=standalone,
            interpretation=interpretation(question, execution.cypher.strip()),
            pareto=pareto,
            model_text=model_text,
        )
