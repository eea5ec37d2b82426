"""Three outcomes per question: correct, declined, or silently wrong.

- ``declined``: the answer says it could not answer (``Answer.answered`` is
  false, or its text says it cannot answer or that a name is not in the graph).
  Honest, but not an answer.
- ``silently_wrong``: answered with rows that do not hold the gold, or answered
  a question that should have been declined. The outcome users must never meet.
- ``correct``: the rows hold the gold; for a question whose gold is a decline,
  the engine declined and named the absent term.

Rows are matched the way :mod:`assistant.evaluation.run` matches them (every
scalar cell of every row, text case-insensitive), with numbers equal within a
relative :data:`REL_TOL`, since an answer may round what it computed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.answers.answer import Answer
from assistant.evaluation.matching import holds
from assistant.evaluation.suite_gold import SuiteGold, squash

CORRECT = "correct"
DECLINED = "declined"
SILENTLY_WRONG = "silently_wrong"
OUTCOMES = (CORRECT, DECLINED, SILENTLY_WRONG)

REL_TOL = 0.01
"""Numbers in rows match gold within 1% (answers may round; a factor of ``num_of_runs`` is far outside)."""

_DECLINE_TEXT = re.compile(
    r"not in the graph|(can ?not|can't|could not|couldn't|unable to) (answer|understand|find)|"
    r"did not understand|didn't understand|don't know|do not know|does not hold|doesn't hold|no such",
    re.IGNORECASE,
)
_UNMEASURED_TEXT = re.compile(r"not measured|unmeasured|no measurement|was not metered|not recorded", re.IGNORECASE)


def _said(answer: Answer) -> str:
    return " ".join([answer.text or "", *answer.caveats, answer.interpretation or ""])


def is_decline(answer: Answer) -> bool:
    """Whether the answer declines: not answered, or its text says it cannot answer or a name is absent."""
    return not answer.answered or bool(_DECLINE_TEXT.search(answer.text or ""))


def names_term(answer: Answer, terms: Iterable[str]) -> bool:
    """Whether the answer's words name one of ``terms`` (spacing, hyphens and case ignored)."""
    said = squash(_said(answer))
    return any(squash(term) in said for term in terms)


def _names_shown(answer: Answer, universe: Iterable[str]) -> set[str]:
    # A trade-off answer's rows hold every measured model and mark the front apart (Answer.pareto).
    if answer.pareto and isinstance(answer.pareto.get("front"), list):
        return {str(name) for name in answer.pareto["front"]}
    return {name for name in universe if holds(answer.rows, name, 0.0)}


def rows_hold(answer: Answer, gold: SuiteGold) -> bool:
    """Whether an answered question's rows hold the gold of a non-decline question."""
    rows = answer.rows
    if gold.max_rows and gold.mode in ("value", "count") and len(rows) > gold.max_rows:
        return False  # a list of every model holds one model's value by chance: not an answer to a sum or count
    if gold.mode == "first":
        return bool(rows) and any(holds(rows[:1], v, 0.0) for v in gold.values)
    if gold.mode == "names":
        return _names_shown(answer, gold.universe) == set(gold.values)
    if gold.mode == "value":
        return bool(gold.values) and all(
            holds(rows, v, REL_TOL) or (isinstance(v, float) and any(holds(rows, v / s, REL_TOL) for s in gold.scales))
            for v in gold.values
        )
    if gold.mode == "count":
        return holds(rows, gold.values[0], 0.0)
    if gold.mode == "unmeasured":
        return bool(_UNMEASURED_TEXT.search(_said(answer)))
    raise ValueError(f"unknown gold mode {gold.mode!r}")


def outcome_of(answer: Answer, gold: SuiteGold) -> str:
    """One of :data:`OUTCOMES` for an answer against a suite gold."""
    declined = is_decline(answer)
    if gold.mode == "decline":
        if not declined:
            return SILENTLY_WRONG
        return CORRECT if names_term(answer, gold.terms) else DECLINED
    if declined:
        return DECLINED
    return CORRECT if rows_hold(answer, gold) else SILENTLY_WRONG
