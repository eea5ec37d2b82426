"""Execution accuracy of a question engine over a question set, against gold from the cards.

A question set is YAML::

    catalogs:
      mrm3: {cards: ../../ingest/mrm3_cards}   # card files, relative to the set file
      sample: {sample: {count: 48, seed: 42}}         # the project's sample catalog
    questions:
      - {id: carbon-lumos, catalog: mrm3, category: rank,
         question: "Which model has the lowest carbon footprint on lumos5g?",
         gold: {kind: best, metric: carbon, order: min, filter: {dataset: lumos5g}}}

Gold answers are computed from the cards by :mod:`assistant.evaluation.gold`,
never copied by hand.

What "the answer rows hold the gold values" means here:

- The cells of an answer are all scalar values of its rows (lists and maps,
  such as a hyperparameter map, are flattened).
- A string matches a cell that is equal ignoring case; a number matches a
  numeric cell equal within a relative 1e-6 (dates match as ISO strings).
- ``first``: the first row holds one of the gold values (ties at the top all
  count); rankings must put the winner first, not merely somewhere.
- ``top``: the first k rows together hold all k gold values (top-k questions).
- ``all``: the rows hold every gold value (counts, aggregates, looked-up fields).
- ``exact``: the rows hold every gold value and there are as many rows as
  values (lists: nothing missing, nothing extra).
- ``groups``: for every group, one row holds the group and its gold value.
- ``decline``: the engine must decline (``answered`` false); a declined
  answer to any other question is wrong.
"""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from assistant.answers.answer import Answer
from assistant.data_files import (
    DataModel,
    NonEmptyText,
    Text,
    entry_error,
    read_yaml,
    validate,
)
from assistant.errors import AssistantError, ConfigError
from assistant.evaluation.gold import gold_answer
from assistant.evaluation.matching import REL_TOL as REL_TOL
from assistant.evaluation.matching import same as same
from assistant.evaluation.matching import score
from assistant.evaluation.outcomes import CORRECT, DECLINED, OUTCOMES, SILENTLY_WRONG, is_decline

if TYPE_CHECKING:
    # Type only: `mrm3 eval --help` (and `mrm3 --help`) need not load the driver.
    from assistant.graph.connection import Graph

logger = logging.getLogger(__name__)

Card = dict[str, Any]
AskFn = Callable[[str], Answer]
Grader = Callable[["Question", list[Card], Answer], str]
"""Gives a question's outcome (one of :data:`~assistant.evaluation.outcomes.OUTCOMES`) from the cards and the answer."""


@dataclass(frozen=True)
class Catalog:
    """Where a question set's cards come from: card files or the sample generator."""

    name: str
    path: Path | None = None
    sample: Mapping[str, Any] | None = None

    def cards(self) -> list[Card]:
        """The card dicts (for gold answers)."""
        if self.sample is not None:
            from ingest.sample import generate_cards

            return generate_cards(self.sample.get("count"), self.sample.get("seed", 42))
        assert self.path is not None
        if not self.path.exists():
            raise ConfigError(f"The cards of catalog {self.name!r} are not at {self.path} - pass --catalog NAME=PATH")
        files = [self.path] if self.path.is_file() else sorted(self.path.rglob("*.json"))
        return [json.loads(f.read_text(encoding="utf-8")) for f in files]

    def load_into(self, graph: Graph) -> None:
        """Replace the graph's content with this catalog (deletes everything first)."""
        from ingest.ingester import ingest_paths
        from ingest.sample import write_catalog
        from ingest.writer import reset

        reset(graph)
        if self.sample is not None:
            with tempfile.TemporaryDirectory() as tmp:
                write_catalog(Path(tmp), self.sample.get("count"), self.sample.get("seed", 42))
                report = ingest_paths(graph, [Path(tmp)])
        else:
            assert self.path is not None
            report = ingest_paths(graph, [self.path])
        if not report.ok:
            raise ConfigError(f"Catalog {self.name!r} did not load cleanly: {report.rejected[0]}")


@dataclass(frozen=True)
class Question:
    """One question with its gold spec."""

    id: str
    catalog: str
    category: str
    question: str
    gold: Mapping[str, Any]


@dataclass(frozen=True)
class QuestionSet:
    """Catalogs and the questions about them."""

    path: Path
    catalogs: dict[str, Catalog]
    questions: list[Question]
    skipped: dict[str, str] = field(default_factory=dict)
    """Catalogs left out, with why (a suite's catalog whose files are not on this machine)."""


class SampleSpec(DataModel):
    """A catalog made by the sample generator: how many cards, from which seed."""

    count: int | None = Field(default=None, ge=1)
    seed: int = 42


class CatalogSpec(DataModel):
    """An entry of ``catalogs``: card files (relative to the set file) or the sample generator."""

    cards: NonEmptyText | None = None
    sample: SampleSpec | None = None

    @field_validator("sample", mode="before")
    @classmethod
    def _bare_sample_is_default(cls, value: Any) -> Any:
        # ``sample:`` with nothing after it means the generator's defaults.
        return {} if value is None else value

    @model_validator(mode="after")
    def _one_source(self) -> CatalogSpec:
        if (self.cards is None) == (self.sample is None):
            raise ValueError("needs exactly one of 'cards' (a path) and 'sample' (count, seed)")
        return self


class GoldSpec(DataModel):
    """A gold spec: its ``kind`` picks how :mod:`assistant.evaluation.gold` reads the other fields."""

    # The other fields depend on the kind; gold_answer() checks them when it computes the answer.
    model_config = ConfigDict(extra="allow")

    kind: NonEmptyText


class QuestionSpec(DataModel):
    """An entry of ``questions``."""

    id: NonEmptyText
    catalog: NonEmptyText
    category: NonEmptyText
    question: NonEmptyText
    gold: GoldSpec


class QuestionSetFile(DataModel):
    """The shape of a question set file."""

    catalogs: dict[Text, CatalogSpec]
    questions: list[QuestionSpec]


def load_question_set(path: Path, overrides: Mapping[str, Path] | None = None) -> QuestionSet:
    """Read a question set file.

    Args:
        path: The YAML (or JSON) file.
        overrides: Catalog name -> card path, replacing the file's paths.

    Raises:
        ConfigError: The file is missing or malformed; the message names the entry and the field.
    """
    hint = "check its format"
    data = read_yaml(path, what="the question set", hint=hint)
    spec = validate(data, QuestionSetFile, path=path, hint=hint)
    catalogs = {}
    for name, source in spec.catalogs.items():
        if overrides and name in overrides:
            catalogs[name] = Catalog(name, path=Path(overrides[name]))
        elif source.sample is not None:
            catalogs[name] = Catalog(name, sample=source.sample.model_dump())
        else:
            assert source.cards is not None  # CatalogSpec holds cards or sample
            catalogs[name] = Catalog(name, path=(path.parent / source.cards).resolve())
    for index, q in enumerate(spec.questions):
        if q.catalog not in catalogs:
            # A cross-reference between sections, which the per-entry models cannot see.
            problem = f"catalog {q.catalog!r} is not declared - declare it under 'catalogs'"
            raise entry_error(path, ("questions", index, "catalog"), problem, hint=hint, data=data)
    questions = [Question(q.id, q.catalog, q.category, q.question, q.gold.model_dump()) for q in spec.questions]
    return QuestionSet(path, catalogs, questions)


@dataclass
class Result:
    """One question's outcome."""

    question: Question
    correct: bool
    ms: float
    answered: bool
    text: str = ""
    error: str | None = None
    outcome: str = ""


@dataclass
class Report:
    """Outcomes of a whole question set."""

    engine: str
    results: list[Result] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of correct answers, 0..1."""
        return sum(r.correct for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def median_ms(self) -> float:
        """Median time per question in milliseconds."""
        return statistics.median(r.ms for r in self.results) if self.results else 0.0

    def by_category(self) -> dict[str, tuple[int, int]]:
        """Category -> (correct, total)."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.results:
            counts[r.question.category][0] += int(r.correct)
            counts[r.question.category][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(counts.items())}

    def outcomes_by(self, key: Callable[[Result], str]) -> dict[str, dict[str, int]]:
        """Group name (``key`` of each result) -> {outcome: count, ..., "total": n}."""
        counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*OUTCOMES, "total"), 0))
        for r in self.results:
            counts[key(r)][r.outcome] += 1
            counts[key(r)]["total"] += 1
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict[str, Any]:
        """The stable ``mrm3 eval --json`` shape (``outcomes`` and what follows it were added later)."""
        return {
            "engine": self.engine,
            "questions": len(self.results),
            "correct": sum(r.correct for r in self.results),
            "accuracy": round(self.accuracy, 4),
            "median_ms": round(self.median_ms, 1),
            "categories": {
                name: {"correct": c, "total": t, "accuracy": round(c / t, 4)}
                for name, (c, t) in self.by_category().items()
            },
            "failures": [
                {
                    "id": r.question.id,
                    "category": r.question.category,
                    "question": r.question.question,
                    "answered": r.answered,
                    "error": r.error,
                }
                for r in self.results
                if not r.correct
            ],  # fmt: skip
            "outcomes": {o: sum(r.outcome == o for r in self.results) for o in OUTCOMES},
            "catalog_outcomes": self.outcomes_by(lambda r: r.question.catalog),
            "category_outcomes": self.outcomes_by(lambda r: r.question.category),
            "results": [
                {
                    "id": r.question.id,
                    "catalog": r.question.catalog,
                    "category": r.question.category,
                    "question": r.question.question,
                    "outcome": r.outcome,
                    "answer": r.text,
                    "error": r.error,
                }
                for r in self.results
            ],  # fmt: skip
        }


def catalog_matches(graph: Graph, cards: list[Card]) -> bool:
    """Whether the graph holds exactly the models of ``cards``."""
    rows = graph.read("MATCH (m:Model) RETURN m.name AS name")
    return {r["name"] for r in rows} == {c["name"] for c in cards}


def evaluate(
    question_set: QuestionSet,
    graph: Graph,
    make_asker: Callable[[], AskFn],
    *,
    engine: str,
    load: bool = False,
    progress: Callable[[str], None] | None = None,
    grade: Grader | None = None,
) -> Report:
    """Answer every question of the set and score it against its gold.

    Args:
        question_set: The questions and their catalogs.
        graph: Where the catalogs are (or get loaded).
        make_asker: Returns a function answering one question; called once per
            catalog, after it is in the graph (so schema caches start fresh).
        engine: Engine name, for the report.
        load: Replace the graph's content with each catalog that it does not hold.
        progress: Called with a status line per catalog.
        grade: How a question's outcome is decided; default :func:`dev_outcome`
            (gold specs of :mod:`assistant.evaluation.gold`).

    Raises:
        ConfigError: A catalog is not in the graph and ``load`` is false.
    """
    report = Report(engine)
    for name, catalog in question_set.catalogs.items():
        questions = [q for q in question_set.questions if q.catalog == name]
        if not questions:
            continue
        cards = catalog.cards()
        if not catalog_matches(graph, cards):
            if not load:
                raise ConfigError(
                    f"The graph does not hold catalog {name!r} ({len(cards)} cards) - rerun with --load "
                    "(it replaces everything in the graph) or ingest exactly those cards"
                )
            if progress:
                progress(f"Loading catalog {name!r} ({len(cards)} cards) into the graph")
            catalog.load_into(graph)
        ask = make_asker()
        for q in questions:
            report.results.append(_run_one(q, cards, ask, grade or dev_outcome))
        if progress:
            done = [r for r in report.results if r.question.catalog == name]
            progress(f"{name}: {sum(r.correct for r in done)}/{len(done)} correct")
    return report


def dev_outcome(question: Question, cards: list[Card], answer: Answer) -> str:
    """A development-set question's outcome: its spec's gold (:mod:`assistant.evaluation.gold`) and :func:`score`."""
    gold = gold_answer(dict(question.gold), cards)
    if score(answer, gold):
        return CORRECT
    logger.info("wrong: %s %r -> %s (gold %s)", question.id, question.question, answer.rows[:3], gold)
    return DECLINED if is_decline(answer) else SILENTLY_WRONG


def _run_one(question: Question, cards: list[Card], ask: AskFn, grade: Grader) -> Result:
    started = time.perf_counter()
    error = None
    try:
        answer = ask(question.question)
    except AssistantError as e:
        # The user sees one line saying why: a decline, graded like one.
        error = str(e)
        answer = Answer(question.question, "", error, answered=False)
    except Exception as e:  # noqa: BLE001 - one engine bug must not end the whole benchmark
        logger.exception("the engine failed on %s: %r", question.id, question.question)
        ms = (time.perf_counter() - started) * 1000
        return Result(question, False, ms, False, error=f"{type(e).__name__}: {e}", outcome=DECLINED)
    ms = (time.perf_counter() - started) * 1000
    outcome = grade(question, cards, answer)
    text = "" if error else answer.text
    return Result(question, outcome == CORRECT, ms, answer.answered, text, error=error, outcome=outcome)
