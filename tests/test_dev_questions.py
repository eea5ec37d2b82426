"""The development question set, one test per question: its gold spec is sound, and the offline engine gets it right.

Each question of tests/data/dev_questions.yaml runs through :func:`assistant.evaluation.run.evaluate`,
as ``mrm3 eval`` runs it, under its own test id. A question that should pass and fails fails the suite;
the ones that fail today are listed, with the reason, in tests/data/dev_known_failures.yaml and are
marked ``xfail(strict=True)``, so fixing one also forces updating that list.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import Settings
from assistant.engines.router import ENGINES, Assistant
from assistant.evaluation.defaults import DEFAULT_SET
from assistant.evaluation.gold import Gold, gold_answer, matches
from assistant.evaluation.run import AskFn, Question, QuestionSet, Result, evaluate, load_question_set
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from tests.conftest import MRM3_CARDS, mrm3_card_files

KNOWN_FAILURES_FILE = Path(__file__).parent / "data" / "dev_known_failures.yaml"
QUESTION_SET = load_question_set(DEFAULT_SET, {"mrm3": MRM3_CARDS})
QUESTION_IDS = [f"{q.catalog}:{q.id}" for q in QUESTION_SET.questions]
KNOWN_FAILURES: dict[str, dict[str, str]] = yaml.safe_load(KNOWN_FAILURES_FILE.read_text(encoding="utf-8"))

# The gold kinds the evaluator knows, and the modes each may produce (see assistant/evaluation/gold.py).
KIND_MODES = {
    "best": {"first", "top"},
    "count": {"all"},
    "list": {"exact", "all"},
    "value": {"all"},
    "aggregate": {"all"},
    "group_count": {"groups", "first"},
    "group_agg": {"groups", "first"},
    "group_best": {"groups", "first"},
    "decline": {"decline"},
}
# Keys gold.py reads; any other key (a typo such as "fliter") would be silently ignored by it.
SPEC_KEYS = {"kind", "metric", "order", "filter", "k", "of", "field", "agg", "group", "check", "measured_only"}
FILTER_KEYS = {
    "dataset", "architecture", "service", "problem_type", "split", "optimizer", "author", "model",
    "year", "date_from", "date_to", "device", "device_role", "hyperparameters", "where", "not",
}  # fmt: skip


def cases(engine: str) -> list[Any]:
    """One pytest param per question, the known failures of ``engine`` marked strict xfail."""
    known = KNOWN_FAILURES.get(engine) or {}
    return [
        pytest.param(
            question,
            id=test_id,
            marks=[pytest.mark.xfail(strict=True, reason=known[question.id])] if question.id in known else [],
        )
        for question, test_id in zip(QUESTION_SET.questions, QUESTION_IDS, strict=True)
    ]


def cards_of(question: Question) -> list[dict[str, Any]]:
    if question.catalog == "mrm3":
        mrm3_card_files()  # the same skip as every other test that needs the public cards
    return QUESTION_SET.catalogs[question.catalog].cards()


def test_the_known_failures_name_real_questions_of_real_engines_with_a_reason() -> None:
    ids = {q.id for q in QUESTION_SET.questions}
    assert set(KNOWN_FAILURES) <= set(ENGINES)
    for failures in KNOWN_FAILURES.values():
        assert set(failures or {}) <= ids, "a listed question is no longer in the set: remove its line"
        assert all(isinstance(reason, str) and reason.strip() for reason in (failures or {}).values())


def test_the_development_set_has_unique_ids() -> None:
    assert len({q.id for q in QUESTION_SET.questions}) == len(QUESTION_SET.questions)


# -- gold specs -------------------------------------------------------------------


def _is_scalar(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return math.isfinite(value)
    return isinstance(value, str) and value.strip() != ""


@pytest.mark.parametrize("question", QUESTION_SET.questions, ids=QUESTION_IDS)
def test_the_gold_spec_gives_a_well_formed_answer_from_the_cards(question: Question) -> None:
    spec = dict(question.gold)
    cards = cards_of(question)
    assert spec["kind"] in KIND_MODES, f"the evaluator knows no gold kind {spec['kind']!r}"
    assert set(spec) <= SPEC_KEYS, f"keys the evaluator ignores: {set(spec) - SPEC_KEYS}"
    flt = spec.get("filter") or {}
    assert set(flt) <= FILTER_KEYS, f"filter keys the evaluator ignores: {set(flt) - FILTER_KEYS}"
    gold: Gold = gold_answer(spec, cards)
    assert gold.mode in KIND_MODES[spec["kind"]]
    if gold.mode == "decline":
        assert gold.values == () and gold.groups == ()
        return
    chosen = [c for c in cards if matches(c, flt)]
    assert chosen, "the filter selects no card, so the gold answer says nothing"
    if gold.mode == "groups":
        assert gold.groups, "no group has a value"
        for group, values in gold.groups:
            assert _is_scalar(group) and values and all(_is_scalar(v) for v in values), (group, values)
        return
    assert gold.values and all(_is_scalar(v) for v in gold.values), gold.values
    if spec["kind"] == "best" and spec.get("metric") != "dataset_size":
        assert set(gold.values) <= {c["name"] for c in chosen}, "a winner outside the filtered cards"
    if gold.mode == "top":
        assert len(gold.values) == int(spec["k"])
    if spec["kind"] == "count":
        assert isinstance(gold.values[0], int) and gold.values[0] >= 0


# -- answers of the offline engine --------------------------------------------------


class DevRunner:
    """Runs one question at a time through ``evaluate``, loading its catalog only when the graph lacks it."""

    def __init__(self, graph: Graph, settings: Settings, engine: str) -> None:
        self.graph = graph
        self.settings = settings
        self.engine = engine
        self._assistant: Assistant | None = None

    def _progress(self, line: str) -> None:
        # A catalog was (re)loaded: the cached schema belongs to the graph before it.
        if line.startswith("Loading catalog"):
            self._assistant = None

    def _make_asker(self) -> AskFn:
        if self._assistant is None:
            self._assistant = Assistant(self.settings, self.graph, schema_cache=SchemaCache(self.graph))
        return functools.partial(self._assistant.ask, engine=self.engine)

    def run(self, question: Question) -> Result:
        catalog = QUESTION_SET.catalogs[question.catalog]
        single = QuestionSet(QUESTION_SET.path, {question.catalog: catalog}, [question])
        report = evaluate(single, self.graph, self._make_asker, engine=self.engine, load=True, progress=self._progress)
        (result,) = report.results
        return result


@pytest.fixture(scope="module")
def offline_runner(session_graph: Graph, settings: Settings) -> Iterator[DevRunner]:
    yield DevRunner(session_graph, settings, "offline")


@pytest.mark.parametrize("question", cases("offline"))
def test_the_offline_engine_answers_the_development_question(offline_runner: DevRunner, question: Question) -> None:
    cards = cards_of(question)
    result = offline_runner.run(question)
    assert result.correct, (
        f"{question.question!r}: answered={result.answered} error={result.error!r}\n"
        f"answer: {result.text[:400]}\ngold: {gold_answer(dict(question.gold), cards)}"
    )
