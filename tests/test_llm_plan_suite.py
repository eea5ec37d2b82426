"""The plan path end to end on questions of the generalisation suite, scored by the suite's gold.

tests/data/llm_plans.yaml holds the plans a competent model would fill for 36 questions of the suite's ``mrm3``
catalog, written by a helper from the question text and the allowed names alone (not from the compiler). A
scripted model returns each plan, half as a tool call and half as structured output (``response_format``),
through the real langchain-openai client; the project's compiler and explainer answer it on the real graph,
and assistant/evaluation/suite.py grades the answer against gold computed from the card files. This checks
the plumbing (schema, transport, compiler, explainer), not a model's skill.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.evaluation.outcomes import CORRECT
from assistant.evaluation.suite import load_suite, suite_outcome
from assistant.graph.connection import Graph
from assistant.plan.model import PLAN_TOOL
from tests.fake_llm import FakeLLM

pytest_plugins = ("tests.llm_fixtures",)

PLANS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "llm_plans.yaml").read_text(encoding="utf-8")
)
# A plan that says "cannot" takes the raw-Cypher way, which tests/test_llm_plan.py covers.
ANSWERABLE = [p for p in PLANS if p["plan"]["answer"] != "cannot"]
SUITE = load_suite()
QUESTIONS = {q.id: q for q in SUITE.questions}
CASES = [(p, "tools" if i % 2 == 0 else "json_schema") for i, p in enumerate(ANSWERABLE)]


def test_the_plans_are_suite_questions_of_many_categories() -> None:
    assert len(ANSWERABLE) >= 30
    for plan in PLANS:
        assert QUESTIONS[plan["id"]].question == plan["question"]
    assert len({QUESTIONS[p["id"]].category for p in ANSWERABLE}) >= 25


@pytest.mark.parametrize(
    ("entry", "method"), CASES, ids=[f"{p['id']} by {'tool call' if m == 'tools' else m}" for p, m in CASES]
)
def test_a_scripted_plan_answers_the_suite_question_correctly(
    entry: dict[str, Any], method: str, cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    if method == "tools":
        fake_llm.enqueue_tool_call(PLAN_TOOL, entry["plan"])
    else:
        fake_llm.enqueue_json(entry["plan"])
    question = QUESTIONS[entry["id"]]
    answer = Assistant(plan_settings.with_overrides(llm_plan=method), cards_graph).ask(question.question, engine="llm")
    assert len(fake_llm.requests) == 1  # the plan was accepted at once
    outcome = suite_outcome(question, SUITE.catalogs["mrm3"].cards(), answer)
    assert outcome == CORRECT, f"{outcome}: {answer.interpretation} -> {answer.text[:300]!r} (gold {question.gold})"
    # A right plan passes the checks: nothing flagged, no disagreement with the offline engine.
    assert not [c for c in answer.caveats if c.startswith(("Not verified", "The two engines disagree"))], answer.caveats
