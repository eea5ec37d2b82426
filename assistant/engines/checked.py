"""The LLM engine held to the offline standard: plan first, raw Cypher verified, both cross-checked.

1. **Plan first.** The LLM fills the typed plan (:mod:`assistant.engines.llm.planner`); the offline engine's
   compiler writes the Cypher and its explainer the answer, with all its caveats and "understood as".
2. **Raw Cypher as the fallback**, when the model says the plan cannot express the question or its plan is
   refused twice: langchain-neo4j's ``GraphCypherQAChain`` (:mod:`assistant.engines.llm.chain`), and every
   answer is verified (:mod:`assistant.verify`) before it is shown: coverage, filters, domain rules, grounding.
3. **Cross-check.** The offline engine answers the same question; when the two disagree, both are shown.

The question is read once by the offline engine (names, aggregates, absent terms): the checks reuse that
reading, they do not read the question a second way.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.answers.answer import Answer
from assistant.answers.row_facts import summarize_rows
from assistant.engines.llm.chain import CypherQA, format_links
from assistant.engines.llm.planner import Planner, PlanOutcome
from assistant.engines.offline.engine import OfflineEngine
from assistant.engines.offline.from_plan import entity_sources
from assistant.engines.offline.plan.frame import ALL, Frame
from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.function_words import NUMBER_WORDS
from assistant.language.entity_linking import link_entities
from assistant.verify import checks
from assistant.verify.checks import Problem
from assistant.verify.crosscheck import disagreement
from assistant.verify.facts import Bound, NamedValue, QuestionFacts
from assistant.verify.statement import StatementFacts, read_statement

logger = logging.getLogger(__name__)

ENGINE = "llm"
# Kinds of names a sentence's claims are checked for (service or split words are plain English too).
CLAIM_KINDS = frozenset({"model", "dataset", "architecture", "device", "base_model", "evaluated_on"})
_BLOCKING = frozenset({"absent", "filter", "domain"})
"""Problems that mean the rows answer another question; grounding problems leave the rows right."""
_METHOD_WORDS = {"tools": "a tool call", "json_schema": "structured output"}


def question_facts(frame: Frame, offline: OfflineEngine) -> tuple[QuestionFacts, dict[str, str]]:
    """The offline engine's reading of a question as facts to check against, and the names sentences may claim."""
    schema, _ = offline.plan_context()
    named = [NamedValue(f.kind, tuple(str(v) for v in f.values), f.mention, f.negated) for f in frame.filters]
    named += [NamedValue("model", (fragment,), fragment) for fragment in frame.model_fragments]
    every: dict[str, str] = {}
    claims: dict[str, str] = {}
    for kind, pairs in entity_sources(schema).items():
        for label, prop in pairs:
            info = schema.node_properties.get(label, {}).get(prop)
            for value in info.values if info else ():
                text = str(value)
                if len(text) >= 3 and not text.replace(".", "").isdigit():
                    every.setdefault(text.lower(), text)
                    if kind in CLAIM_KINDS:
                        claims.setdefault(text.lower(), text)
    absent = list(frame.absent)
    if not frame.filter("model") and not frame.model_fragments:  # "a translation service": a name the graph lacks
        # ... but not a number word the reader could not place ("mae of two models"), nor a value the graph holds.
        unknown = [t for t in frame.unknown_terms if t.lower() not in NUMBER_WORDS and t.lower() not in every]
        absent += [t for t in unknown if t not in absent]
    facts = QuestionFacts(frame.question, named, offline.closest(absent), frame.agg, every, _bounds(frame))
    return facts, claims


def _bounds(frame: Frame) -> list[Bound]:
    """The question's numeric conditions, as read (an inference batch size or a GPU count is a bound too)."""
    found = []
    for threshold in frame.thresholds:
        if threshold.op in ("measured", "unmeasured"):
            continue
        numbers = re.findall(r"-?\d+(?:[.,]\d+)*(?:e-?\d+)?", threshold.said)
        number = float(numbers[0].replace(",", "")) if numbers else threshold.value
        found.append(Bound(threshold.said, threshold.value, number))
    return found


class CheckedLLM:
    """The LLM engine: the model fills the plan; raw Cypher only as a verified fallback.

    Args:
        qa: The raw-Cypher chain (GraphCypherQAChain over the guarded graph) and its model.
        offline: The offline engine: the compiler and explainer of plans, the reader of questions, the cross-check.
    """

    name = ENGINE

    def __init__(self, qa: CypherQA, offline: OfflineEngine) -> None:
        self.qa = qa
        self.offline = offline
        self.planner = Planner(qa.settings, qa.llm)
        self.units = offline.vocabulary.units

    @property
    def llm(self) -> Any:
        """The chat model (follow-ups are rewritten with it)."""
        return self.qa.llm

    def answer(self, question: str, *, asked: str | None = None) -> Answer:
        """Answer a standalone ``question``: from the model's plan, else from its verified Cypher.

        Raises:
            LLMUnavailableError: The model cannot be reached.
            GraphUnavailableError: The graph server cannot be reached.
        """
        asked = asked or question
        reading = self.offline.read(question)
        facts, claims = question_facts(reading, self.offline)
        reference = self.offline.answer(question)
        why_raw = ""
        if self.planner.enabled:
            schema, _ = self.offline.plan_context()
            outcome: PlanOutcome[Frame] = self.planner.plan(
                question,
                self.offline.plan_choices(),
                format_links(link_entities(question, schema)),
                lambda plan: self.offline.frame_for(plan, question),
            )
            if outcome.checked is not None:
                return self._planned(outcome.checked, question, asked, facts, reading, reference)
            if outcome.cannot:
                why_raw = f"the model said the plan cannot express it ({outcome.cannot})"
            elif outcome.unsupported:
                why_raw = f"{outcome.errors[-1]} - set MRM3_LLM_PLAN=off for a model without tool calling"
            else:
                why_raw = f"the model's plan was refused twice ({outcome.errors[-1]})"
        raw = self.qa.answer(question, asked=asked)
        if why_raw:
            raw.caveats.insert(0, f"Answered from the model's own Cypher because {why_raw}.")
        if not raw.answered:
            return raw
        return self._verified(raw, facts, claims, reading, reference)

    def _planned(
        self, frame: Frame, question: str, asked: str, facts: QuestionFacts, reading: Frame, reference: Answer
    ) -> Answer:
        """The answer the project's compiler and explainer give for the model's plan, checked against the reading."""
        problems = [*_plan_filter_problems(frame, facts), *checks.aggregate(facts, _as_statement(frame), [])]
        dropped = [t for t in facts.absent if t not in frame.absent]
        frame.absent += dropped  # a name the graph lacks is reported whatever the plan did
        answer = self.offline.answer_plan(frame)
        answer.engine, answer.question = ENGINE, asked
        answer.standalone_question = question if question != asked else None
        method = _METHOD_WORDS.get(self.qa.settings.llm_plan, "a plan")
        notes = [f"The LLM filled the typed plan ({method}); the application wrote the Cypher and this answer."]
        notes += [f"The plan left out '{t}', which the question names." for t in dropped]
        _add_notes(answer, notes)
        if problems and answer.answered:
            return _flagged(answer, problems, reference, whose="plan")
        if answer.answered and frame.intent == reading.intent:  # another reading answers another question
            _cross_check(answer, reference, reading)
        return answer

    def _verified(
        self, raw: Answer, facts: QuestionFacts, claims: dict[str, str], reading: Frame, reference: Answer
    ) -> Answer:
        """The raw-Cypher answer after every check; a flagged sentence is never shown as fact."""
        statement = read_statement(raw.cypher or "")
        sentence = raw.model_text or ""
        problems, notes = checks.coverage(facts, statement)
        raw.caveats += notes
        problems += [
            *self._really_wrong(checks.filters(facts, statement, raw.params), reading, raw.rows),
            *checks.bounds(facts, statement),
            *checks.per_inference(facts, statement, sentence, raw.rows),
            *checks.aggregate(facts, statement, raw.rows),
            *checks.unmeasured_in_aggregate(statement),
            *checks.unit(facts, statement, sentence, self.units),
        ]
        if sentence:
            claim_facts = QuestionFacts(facts.question, facts.named, facts.absent, facts.aggregate, claims)
            problems += checks.grounding(claim_facts, statement, sentence, raw.rows, self.units)
        if not problems:
            raw.interpretation += "\nchecked: the statement keeps the question's names, and the numbers and names "
            raw.interpretation += "of the answer are in the rows"
            _cross_check(raw, reference, reading, statement.numbers)
            return raw
        return _flagged(raw, problems, reference)

    def _really_wrong(self, problems: list[Problem], reading: Frame, rows: list[dict[str, Any]]) -> list[Problem]:
        """The filter problems that stand once the graph is asked.

        A value the statement drops is no problem when every model in the rows has it anyway (the statement named
        the models instead); a model name it adds is none when the question describes that model (its dataset,
        architecture ... are the ones the question names: "the random forest trained on umu with k-fold").
        """
        names = sorted({str(r["model"]) for r in rows if isinstance(r.get("model"), str)})
        described = [f for f in reading.filters if f.kind != "model"]
        kept = []
        for problem in problems:
            flt = _filter_of(problem, reading)
            if flt is not None and names and set(names) <= self._models_with([flt], names):
                continue
            if problem.added is not None and _describes(reading.question, problem.added):
                continue
            if (
                problem.added is not None
                and described
                and problem.added in self._models_with(described, [problem.added])
            ):
                continue
            kept.append(problem)
        return kept

    def _models_with(self, filters: list[Filter], names: list[str]) -> set[str]:
        """Which of the models ``names`` have every value of ``filters`` (asked of the graph)."""
        frame = Frame(question="the models that have the values", intent="list", k=ALL)
        frame.filters = [*filters, Filter("model", "Model", "name", list(names), "the models")]
        return {str(r.get("model")) for r in self.offline.answer_plan(frame).rows}


def _describes(question: str, name: str) -> bool:
    """Whether the question names two or more parts of a model's name ("xgb on umu, kfold": XGBRegressor-umu-KFold)."""
    words = set(re.findall(r"[a-z0-9]+", question.lower()))
    parts = [p for p in re.split(r"[-_ ]+", name.lower()) if len(p) >= 3]
    return len(parts) >= 2 and sum(p in words for p in parts) >= 2


def _filter_of(problem: Problem, reading: Frame) -> Filter | None:
    """The reading's filter behind a "drops" problem (not a model name: those are the rows' own)."""
    value = problem.dropped
    if value is None or value.kind == "model":
        return None
    return next(
        (f for f in reading.filters if f.kind == value.kind and tuple(map(str, f.values)) == value.values), None
    )


def _plan_filter_problems(frame: Frame, facts: QuestionFacts) -> list[Problem]:
    """The plan against the question's reading: values it drops, values it adds, an exclusion turned round."""
    chosen = [(str(v).lower(), f.negated) for f in frame.filters for v in f.values if str(v)]
    chosen += [(m.lower(), False) for m in frame.model_fragments if m]
    problems = []
    named_values: set[str] = set()
    for value in facts.named:
        lowered = [v.lower() for v in value.values if v]
        named_values.update(lowered)
        matching = [negated for c, negated in chosen if any(v == c or v in c or c in v for v in lowered)]
        shown = " or ".join(value.values)
        if not matching:
            problems.append(Problem("filter", f"the question names {value.kind} {shown}, which the plan drops"))
        elif value.negated not in matching:
            turned = "excludes" if value.negated else "asks for"
            problems.append(Problem("filter", f"the question {turned} {shown}; the plan does the opposite"))
    for flt in frame.filters:
        for value in flt.values:
            said = str(value)
            if said.lower() not in named_values and not _says(facts.question, said, flt.mention):
                problems.append(Problem("filter", f"the plan filters on {said}, which the question does not name"))
    for fragment in frame.model_fragments:
        known = fragment.lower() in named_values or _describes(facts.question, fragment)
        if not known and not _says(facts.question, fragment):
            problems.append(
                Problem("filter", f"the plan asks about model {fragment!r}, which the question does not name")
            )
    return problems


def _says(question: str, *names: str) -> bool:
    """Whether the question names one of ``names`` as whole words (case aside)."""
    return any(
        name.strip() and re.search(rf"(?<![\w-]){re.escape(name.strip())}(?![\w-])", question, re.IGNORECASE)
        for name in names
    )


def _as_statement(frame: Frame) -> StatementFacts:
    """The plan's aggregate as a statement's, for the aggregate check."""
    functions = frozenset({frame.agg}) if frame.agg and frame.intent in ("aggregate", "group_agg") else frozenset()
    return StatementFacts("", (), (), functions, (), False, False, False)


def _flagged(raw: Answer, problems: list[Problem], reference: Answer, *, whose: str = "answer") -> Answer:
    """The answer when checks failed: what is wrong, the rows' own summary or the offline answer, never the claim."""
    blocking = [p for p in problems if p.kind in _BLOCKING]
    lines = [f"I can't vouch for the model's {whose}: {'; '.join(p.text for p in problems)}."]
    if blocking:
        lines.append("The rows below answer another question than the one asked.")
    else:
        lines.append(f"What the rows hold: {summarize_rows(raw.rows)}")
    if reference.answered:
        lines.append(f"The offline engine's answer ({reference.interpretation}):\n{reference.text}")
    raw.text = "\n".join(lines)
    raw.caveats = [f"Not verified: {p.text}" for p in problems] + raw.caveats
    raw.answered = not blocking
    return raw


def _cross_check(answer: Answer, reference: Answer, reading: Frame, scales: tuple[float, ...] = ()) -> None:
    """Compare with the offline engine's answer; when they disagree, show both and say so."""
    if not reference.answered or not answer.rows or not reference.rows:
        return
    differs = disagreement(reading.intent, answer.rows, reference.rows, scales)
    if differs is None:
        return
    answer.text += f"\nThe offline engine answers differently ({reference.interpretation}):\n{reference.text}"
    answer.caveats.append(f"The two engines disagree: {differs}. Neither answer is preferred; check both.")


def _add_notes(answer: Answer, notes: list[str]) -> None:
    answer.caveats = [*notes, *answer.caveats]
    if answer.answered:
        answer.text += "".join(f"\nNote: {n}" for n in notes)
