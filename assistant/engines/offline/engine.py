"""The offline question engine: a question in, an :class:`~assistant.answers.answer.Answer` out, no LLM.

Typical use::

    engine = OfflineEngine(graph, SchemaCache(graph), settings)
    answer = engine.answer("Which model has the lowest carbon footprint on lumos5g?")
    print(answer.text, answer.cypher)

Per question: link entities against the cached schema's values, read an
intent with slots, build parameterized Cypher, run it through the Cypher guard
(:func:`assistant.cypher.execution.run_guarded`), and explain the rows. Nothing is
introspected per question; the schema comes from the :class:`SchemaCache`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.answers.answer import Answer
from assistant.answers.provenance import sources_text
from assistant.config import Settings
from assistant.cypher.execution import Execution, run_guarded
from assistant.engines.offline.comparing import compare
from assistant.engines.offline.compile import evaluations, resolving, statements
from assistant.engines.offline.compile.cypher_builder import Narrowed, Statement
from assistant.engines.offline.explain import comparisons, explain
from assistant.engines.offline.explain.asked_unit import in_asked_unit
from assistant.engines.offline.explain.interpretation import interpretation
from assistant.engines.offline.intent_answers import GROUPED, WITHOUT_METRIC, mixed_datasets, mixed_scales, rank_notes
from assistant.engines.offline.plan.frame import ALL
from assistant.engines.offline.plan.graph_fit import missing_for
from assistant.engines.offline.plan.settle import account_for_everything, settle_other_values
from assistant.engines.offline.plan.understanding import Frame, known_words, understand
from assistant.engines.offline.read.closest import closest_values
from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.follow_up import standalone_follow_up
from assistant.engines.offline.read.metrics import Metric, MetricCatalog
from assistant.engines.offline.read.reading import read_question
from assistant.engines.offline.resolution import quality_metric, resolve_datasets, resolve_devices, resolve_models
from assistant.engines.offline.value_notes import note_flagged, note_suspect
from assistant.errors import AssistantError
from assistant.graph.connection import Graph, to_plain
from assistant.graph.introspect import SchemaCache
from assistant.graph.schema import GraphSchema
from assistant.language.vocabulary import Vocabulary, load_vocabulary

# The typed plan (pydantic, about 0.1 s to import) loads only when an LLM or an agent hands one in.
if TYPE_CHECKING:
    from assistant.plan.model import PlanChoices, QueryPlan

logger = logging.getLogger(__name__)

ENGINE = "offline"
_NEEDS_ROWS = frozenset({"rank", "compare", "group_best", "aggregate", "group_agg", "pareto"})
FUZZY_NOTE_BELOW = 0.8  # links scoring less are stated as assumptions


class OfflineEngine:
    """Deterministic natural language -> Cypher over whatever catalog the graph holds.

    Args:
        graph: The graph to question.
        schema_cache: Its schema, read once and shared.
        settings: Row cap and query timeout.
        vocabulary: Word meanings; ``prompts/vocabulary.yaml`` when omitted.
    """

    name = ENGINE

    def __init__(
        self, graph: Graph, schema_cache: SchemaCache, settings: Settings, vocabulary: Vocabulary | None = None
    ) -> None:
        self.graph = graph
        self.schema_cache = schema_cache
        self.settings = settings
        self.vocabulary = vocabulary or load_vocabulary(cache_dir=settings.home / "cache")
        self._lock = threading.Lock()
        self._context: tuple[GraphSchema, MetricCatalog, frozenset[str]] | None = None

    def _prepared(self) -> tuple[GraphSchema, MetricCatalog, frozenset[str]]:
        schema = self.schema_cache.get()
        with self._lock:
            if self._context is None or self._context[0] is not schema:
                catalog = MetricCatalog(schema, self.vocabulary)
                self._context = (schema, catalog, known_words(self.vocabulary, catalog))
            return self._context

    def plan_context(self) -> tuple[GraphSchema, MetricCatalog]:
        """The schema and metrics questions are read against, for callers that build a :class:`Frame` themselves."""
        schema, catalog, _ = self._prepared()
        return schema, catalog

    def answer_plan(self, frame: Frame) -> Answer:
        """Answer a plan built by the caller (the MCP server's typed tools): same statements, guard and caveats."""
        schema, catalog, _ = self._prepared()
        return _Run(self, frame.question, schema, catalog).answer(frame)

    def plan_choices(self) -> PlanChoices:
        """What a typed plan may name in the graph as it is now (metrics, entity kinds, groups ...)."""
        from assistant.engines.offline.from_plan import plan_choices

        schema, catalog, _ = self._prepared()
        return plan_choices(schema, catalog, self.vocabulary)

    def frame_for(self, plan: QueryPlan, question: str) -> Frame:
        """The engine's plan for a typed plan filled by an LLM or an agent.

        Raises:
            InvalidPlanError: The plan names what the graph does not offer; the message lists what it does.
        """
        from assistant.engines.offline.from_plan import frame_from_plan

        schema, catalog, known = self._prepared()
        frame = frame_from_plan(plan, question, schema, catalog, self.vocabulary)
        frame.reading = read_question(question, schema, catalog, self.vocabulary, known)  # the unit asked ...
        return frame

    def standalone(self, question: str, previous: str) -> str | None:
        """``question`` as a standalone question when it follows up ``previous`` ("and on umu?"), else None."""
        schema, catalog, _ = self._prepared()
        return standalone_follow_up(question, previous, schema, catalog, self.vocabulary)

    def read(self, question: str) -> Frame:
        """The plan this engine reads from ``question``, before any statement runs (nothing is resolved yet)."""
        schema, catalog, known = self._prepared()
        if not schema.node_counts.get("Model"):
            return Frame(question, "decline", decline_reason="empty")
        reading = read_question(question, schema, catalog, self.vocabulary, known)
        frame = understand(reading, catalog, self.vocabulary)
        frame.notes += reading.fixes
        used = {value for flt in frame.filters for value in flt.values}
        for link in reading.links:
            if link.score < FUZZY_NOTE_BELOW and link.value in used:  # links the plan dropped need no note
                frame.notes.append(f"read {link.mention!r} as {link.value}")
        settle_other_values(frame)
        return frame

    def answer(self, question: str) -> Answer:
        """Answer one question from the graph, or decline honestly.

        Raises:
            GraphUnavailableError: The graph server cannot be reached.
        """
        started = time.perf_counter()
        schema, catalog, _ = self._prepared()
        answer = _Run(self, question, schema, catalog).answer(self.read(question))
        logger.debug("answered %r in %.1f ms", question, (time.perf_counter() - started) * 1000)
        return answer

    def closest(self, terms: list[str]) -> dict[str, list[str]]:
        """For each term the graph lacks, the graph values nearest to it."""
        schema, _, _ = self._prepared()
        return {term: closest_values(schema, term) for term in terms}


class _Run:
    """One question being answered: runs statements and collects the evidence."""

    def __init__(self, engine: OfflineEngine, question: str, schema: GraphSchema, catalog: MetricCatalog) -> None:
        self.engine, self.question = engine, question
        self.schema, self.catalog = schema, catalog
        self.main: Execution | None = None
        self.main_params: dict[str, Any] = {}
        self.caveats: list[str] = []
        self.left_out: dict[str, int] = {}
        self.chart: dict[str, Any] | None = None
        self.unmeasured_examples: dict[str, list[str]] = {}

    def has(self, label: str, prop: str) -> bool:
        if not prop:  # has("TRAINED_ON", ""): the relationship type
            return label in self.schema.relationship_types
        return self.schema.has_property(label, prop)

    def execute(self, statement: Statement, *, main: bool = True) -> list[dict[str, Any]]:
        if statement.narrowed is not None and (rows := _from_head(self, statement.narrowed, main)) is not None:
            return rows
        settings = self.engine.settings
        execution = run_guarded(
            self.engine.graph,
            statement.cypher,
            statement.params,
            schema=self.schema,
            row_cap=settings.row_cap,
            timeout_s=settings.query_timeout_s,
        )
        if main:
            self.main, self.main_params = execution, statement.params
            if execution.truncated:
                self.caveats.extend(execution.notes)
        return [to_plain(row) for row in execution.rows]

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        self.main = self.main and replace(self.main, rows=rows)

    def answer(self, frame: Frame) -> Answer:
        try:
            if frame.intent != "decline" and (problems := evaluations.unsupported(frame, frame.metric)):
                frame.intent, frame.decline_reason, frame.problems = "decline", "problems", problems
            resolve_models(self, frame)
            if frame.decline_reason not in ("write", "empty", "models"):
                account_for_everything(frame, self.closest)
            if frame.intent != "decline":
                resolve_devices(self, frame)
                resolve_datasets(self, frame)
            if frame.intent == "decline":
                return self.decline(frame)
            text = self.dispatch(frame) + in_asked_unit(
                frame, self.main.rows if self.main else [], self.engine.vocabulary
            )
            note_suspect(self, frame)
            note_flagged(self, frame)
            if self.main is not None and self.has("Provenance", "property"):  # where each shown value came from
                text += sources_text(self.main.rows, lambda c, p: self.execute(Statement(c, p), main=False))
        except _Declined:
            return self.decline(frame)
        except AssistantError as e:
            if type(e).__name__ == "GraphUnavailableError":
                raise
            logger.warning("offline engine failed on %r: %s", self.question, e)
            return Answer(
                self.question, ENGINE, f"I could not answer that from the graph: {e}", answered=False, caveats=[str(e)]
            )
        caveats = [f"Assumption: {note}" for note in dict.fromkeys(frame.notes)] + self.caveats
        main = self.main
        # A ranking or aggregate over nothing answers nothing: say so instead of a confident empty answer.
        answered = not (frame.intent in _NEEDS_ROWS and main is not None and not main.rows)
        return Answer(
            question=self.question,
            engine=ENGINE,
            text=text + "".join(f"\nNote: {c}" for c in caveats),
            cypher=main.cypher if main else None,
            params=self.main_params,
            rows=[to_plain(r) for r in main.rows] if main else [],
            caveats=caveats,
            truncated=bool(main and main.truncated),
            answered=answered,
            interpretation=interpretation(frame),
            pareto=self.chart,
            left_out_unmeasured=self.left_out,
        )

    def decline(self, frame: Frame) -> Answer:
        examples = explain.example_questions(self.schema, self.catalog.describe())
        text = explain.decline_text(frame, examples)
        return Answer(
            self.question,
            ENGINE,
            text,
            answered=False,
            caveats=list(dict.fromkeys(frame.notes)),
            interpretation=interpretation(frame),
        )

    def closest(self, terms: list[str]) -> dict[str, list[str]]:
        """For each term the graph lacks, the graph values nearest to it."""
        return {term: closest_values(self.schema, term) for term in terms}

    def dispatch(self, frame: Frame) -> str:
        if missing := missing_for(frame, self.has, self.catalog):
            frame.decline_reason, frame.missing_metric = "metric", missing
            raise _Declined
        intent = frame.intent  # graph_fit may have read a lookup as a ranking of model-index results
        if intent in WITHOUT_METRIC:
            return WITHOUT_METRIC[intent](self, frame)
        metric = frame.metric if frame.metric is not None and not frame.generic_metric else quality_metric(self, frame)
        if metric is None:
            frame.decline_reason, frame.missing_metric = "metric", frame.missing_metric or "quality metric"
            raise _Declined
        frame.metric = metric
        if problems := evaluations.unsupported(frame, metric):
            frame.decline_reason, frame.problems = "problems", problems
            raise _Declined
        if intent == "pareto" and frame.metric2 is not None:
            return _pareto(self, frame, metric, frame.metric2)
        if intent == "dominance":
            return _dominance(self, frame, metric)
        if intent == "compare":
            return compare(self, frame, metric)
        if intent in GROUPED:
            statement, explained = GROUPED[intent]
            rows = self.execute(statement(frame, metric))
            self.note_unmeasured(frame, metric)
            mixed = mixed_datasets(self, frame, metric, "grouped") if frame.group != "dataset" else []
            self.caveats.extend(mixed + mixed_scales(self, frame, metric))
            return explained(frame, metric, rows)
        if (text := _from_results(self, frame, metric)) is not None:  # "most accurate on imdb"
            return text
        rows = self.execute(statements.rank(frame, metric, has=self.has))
        self.note_unmeasured(frame, metric)
        self.caveats.extend(evaluations.scale_notes(metric, rows) + rank_notes(self, frame, metric))
        return explain.rank_text(frame, metric, rows, frame.k)

    def note_unmeasured(self, frame: Frame, metric: Metric) -> None:
        # a score's 0 with a std of 0: counted only where the ingest marked one (a count reads every model)
        if not (metric.measured or metric.zero_unmeasured):
            return
        rows = self.execute(statements.unmeasured(frame, metric), main=False)
        if rows and rows[0].get("not_measured"):
            self.left_out[metric.column] = int(rows[0]["not_measured"])
            self.unmeasured_examples[metric.column] = [str(n) for n in rows[0].get("examples") or []]
        caveat = explain.unmeasured_text(metric, rows[0] if rows else None)
        if caveat:
            self.caveats.append(caveat)


def _from_results(run: _Run, frame: Frame, metric: Metric) -> str | None:
    """A ranking read from the cards' model-index results, or None when the training values rank."""
    has = run.has
    results = evaluations.ranked(
        frame, metric, run.catalog, has("EvaluationResult", "metric"), run.execute, has("EvaluationResult", "flagged")
    )
    if results is None:
        return None
    run.caveats.extend(evaluations.result_notes(metric, results))
    return explain.rank_text(frame, metric, results, frame.k) + evaluations.result_sources(metric, results)


def _from_head(run: _Run, narrowed: Narrowed, main: bool) -> list[dict[str, Any]] | None:
    """The rows of a ranking read from the head of its value's index, or None when they may not be the whole
    ranking's (they do not fill its limit)."""
    probe = run.execute(narrowed.probe, main=False)
    if not probe:
        return None
    head = narrowed.statement
    rows = run.execute(replace(head, params={**head.params, "cutoff": probe[0]["value"]}), main=main)
    return rows if len(rows) >= narrowed.needed else None


def _pareto(run: _Run, frame: Frame, first: Metric, second: Metric) -> str:
    rows = run.execute(statements.pareto(frame, first, second))
    for metric in (first, second):
        run.note_unmeasured(frame, metric)
    front = [r for r in rows if r.get("on_pareto_front")]
    picked = comparisons.chosen_point(front, first, second) if frame.choice else None
    run.chart = {
        "x": second.column, "y": first.column, "x_better": second.better, "y_better": first.better,
        "front": [r["model"] for r in front], "name": "model",
        "unmeasured": [n for m in (first, second) for n in run.unmeasured_examples.get(m.column, [])],
    }  # fmt: skip
    if picked:
        run.chart |= {"chosen": picked[0]["model"], "rule": comparisons.choice_rule(first, second, picked[1])}
    return comparisons.pareto_text(frame, first, second, rows, picked)


def _dominance(run: _Run, frame: Frame, metric: Metric) -> str:
    """The models better than the reference on every metric, on its dataset unless the question names one."""
    found = run.execute(resolving.find_models(frame.reference or ""), main=False)
    exact = [r["model"] for r in found if str(r["model"]).lower() == (frame.reference or "").lower()]
    names = exact or [r["model"] for r in found]
    if len(names) != 1:
        frame.decline_reason, frame.model_fragments = "models", [frame.reference or ""]
        frame.closest = run.closest(frame.model_fragments)
        raise _Declined
    reference = frame.reference = names[0]
    if frame.filter("dataset") is None:  # "on the same dataset unless the question says otherwise"
        datasets = run.execute(resolving.datasets_of(reference), main=False)
        frame.filters.append(Filter("dataset", "Dataset", "name", [r["dataset"] for r in datasets], reference))
    second = frame.metric2
    statement = statements.pareto(frame, metric, second) if second else None
    rows = run.execute(statement or statements.rank(frame, metric, k=ALL, has=run.has))
    for m in [metric, *([second] if second else [])]:
        run.note_unmeasured(frame, m)
    text = comparisons.dominance_text(frame, [metric, *([second] if second else [])], rows, reference)
    run.show_rows(rows)  # the answer's rows: the reference, then the models that beat it
    return text


class _Declined(AssistantError):
    """The question turned out to need something the graph does not have."""
