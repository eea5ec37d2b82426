"""A sign is a bound: "a negative R²" asks for R² < 0, never for the ranking by R² (a silent error once).

Gold from the card files (tests/card_facts.py), the engine on the real graph with the 22 MRM3 cards. And a
decline never names, as the closest value, the very value it says the graph lacks.
"""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.engines.offline.explain.explain import decline_text
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from tests.card_facts import cards

pytest_plugins = ("tests.llm_fixtures",)


def r_squared() -> dict[str, float]:
    """Model name -> its mean R², from the card files (a mean and a std both 0 is not measured)."""
    found = {}
    for card in cards():
        r2 = card["training"].get("evaluationMetrics", {}).get("r_squared", {})
        if r2.get("mean") is not None and not (r2.get("mean") == 0 and r2.get("std") == 0):
            found[card["name"]] = r2["mean"]
    return found


@pytest.mark.parametrize(
    ("question", "keep"),
    [
        ("Which models have a negative R²?", lambda v: v < 0),
        ("which models have an R² below zero", lambda v: v < 0),
        ("models with a positive r squared", lambda v: v > 0),
        ("list the models with a non-negative R2", lambda v: v >= 0),
    ],
    ids=["negative", "below zero", "positive", "non-negative"],
)
def test_a_sign_before_a_metric_is_a_bound_at_zero(
    question: str, keep: object, cards_graph: Graph, settings: Settings
) -> None:
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    expected = {name for name, value in r_squared().items() if keep(value)}  # type: ignore[operator]
    assert expected and {row["model"] for row in answer.rows} == expected, answer.text
    assert "R²" in answer.interpretation and " 0" in answer.interpretation


def test_a_decline_never_names_the_absent_value_as_its_own_closest() -> None:
    frame = Frame("What hardware was used to train tucano-1b1?", "decline", decline_reason="absent")
    frame.absent = ["tucano-1b1"]
    frame.closest = {"tucano-1b1": ["tucano-1b1 (model)", "tucano-1b1-mntp (model)"]}
    text = decline_text(frame, [])
    assert "is not in the graph" not in text
    assert "'tucano-1b1' is a model in the graph, but I could not tell how this question uses it" in text
