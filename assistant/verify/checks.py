"""The checks of a model-written statement and sentence, each a small function returning problems in words.

- coverage: names in the question that the graph lacks;
- filters: a value the question names that the statement does not constrain, or a value it filters on that the
  question never names;
- domain rules: inference totals presented as per inference, the aggregate asked vs the one used, the unit asked
  vs the column's, unconverted;
- grounding: numbers and names of the sentence not in the rows, and a first place the rows give another model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.language.measurements import number
from assistant.language.vocabulary import Unit
from assistant.verify.facts import NamedValue, QuestionFacts
from assistant.verify.grounding import NUMBER, first_named, number_found, ungrounded
from assistant.verify.statement import StatementFacts
from assistant.verify.words import per_inference_phrases, says, verify_words


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model's answer."""

    kind: str
    """``absent``, ``filter``, ``domain`` or ``grounding``."""
    text: str
    dropped: NamedValue | None = None
    """For a filter the statement drops: the value the question names."""
    added: str | None = None
    """For a value the statement adds: that value as the graph stores it."""


def coverage(facts: QuestionFacts, statement: StatementFacts | None = None) -> tuple[list[Problem], list[str]]:
    """Names in the question that the graph does not hold, with the closest values (never the name itself).

    Returns:
        Problems for the names a statement leaves out (it answered over everything instead), and notes for the
        names it kept (its empty answer is then right, and the note says why).
    """
    problems, notes = [], []
    for term, near in facts.absent.items():
        others = [v for v in near if v.split(" (")[0].lower() != term.lower()]
        closest = f" (closest: {', '.join(others)})" if others else ""
        said = f"'{term}' is not in the graph{closest}"
        if statement is not None and term.lower() in statement.cypher.lower():
            notes.append(said)
        else:
            problems.append(Problem("absent", said))
    return problems, notes


def filters(facts: QuestionFacts, statement: StatementFacts, params: Mapping[str, Any] | None = None) -> list[Problem]:
    """A value the question names that the statement drops, or a value it filters on that the question never names."""
    text = statement.cypher.lower() + " " + " ".join(str(v).lower() for v in (params or {}).values())
    problems = []
    named: set[str] = set()
    for value in facts.named:
        named.update(v.lower() for v in value.values)
        shown = " or ".join(value.values)
        if not any(v.lower() in text for v in (*value.values, value.mention) if v):
            said = f"the question names {value.kind} {shown}, which the statement drops"
            problems.append(Problem("filter", said, dropped=value))
            continue
        kept = [v for v in value.values if any(v.lower() == lit.lower() for lit in statement.literals)]
        if kept and all(statement.negates(v) != value.negated for v in kept):
            turned = "excludes" if value.negated else "asks for"
            problems.append(Problem("filter", f"the question {turned} {shown}; the statement does the opposite"))
    question = facts.question.lower()
    for literal in statement.literals:
        stored = facts.graph_values.get(literal.lower())
        if stored is None or literal.lower() in named or literal.lower() in question:
            continue
        said = f"the statement filters on {stored}, which the question does not name"
        problems.append(Problem("filter", said, added=stored))
    return problems


def bounds(facts: QuestionFacts, statement: StatementFacts) -> list[Problem]:
    """A numeric condition of the question ("R² of at least 0.95") that the statement does not hold, in the graph's
    unit or as said."""
    problems = []
    for bound in facts.bounds:
        kept = any(
            math.isclose(n, bound.value, rel_tol=1e-6, abs_tol=1e-12)
            or math.isclose(n, bound.number, rel_tol=1e-6, abs_tol=1e-12)
            for n in statement.all_numbers
        )
        if not kept:
            problems.append(Problem("filter", f"the question's condition {bound.said!r} is not in the statement"))
    return problems


def per_inference(
    facts: QuestionFacts, statement: StatementFacts, sentence: str, rows: list[dict[str, Any]]
) -> list[Problem]:
    """An inference entry's energy or carbon total shown or used as a per-inference value."""
    if not statement.inference_totals or statement.divides_by_runs:
        return []
    words = verify_words()
    phrases = per_inference_phrases(words)
    per_one = says(facts.question, phrases) or says(sentence, phrases)
    if statement.scaled_totals:  # "a million predictions": the total times a count of inferences
        return [Problem("domain", f"{', '.join(statement.inference_totals)} is an inference entry's total over its "
                        "num_of_runs runs; the statement scales it as if it were one inference's value"
                        + _per_run_example(rows))]  # fmt: skip
    if statement.mentions_runs:  # the total with its run count: the sentence may divide it itself
        if not (per_one and _shows_a_total(sentence, rows)):
            return []
    elif not per_one and (says(facts.question, words.totals) or not statement.ordered_or_bounded_totals):
        return []
    totals = ", ".join(statement.inference_totals)
    said = (
        f"{totals} is an inference entry's total over its num_of_runs runs; the statement does not divide it "
        "by num_of_runs, so it is not a value per inference"
    )
    return [Problem("domain", said + _per_run_example(rows))]


def _per_run_example(rows: list[dict[str, Any]]) -> str:
    """ " (the rows: 0.0715 over 1,000 runs, 7.15e-05 per run)" for the first row with a total and its runs."""
    for row in rows:
        runs = next((float(v) for k, v in row.items() if "run" in k.lower() and _is_number(v) and v), None)
        total = next((float(v) for k, v in row.items() if "run" not in k.lower() and _is_number(v) and v), None)
        if runs and total is not None:
            return f" (the rows: {number(total)} over {number(runs)} runs is {number(total / runs)} per run)"
    first = next((float(v) for row in rows for v in row.values() if _is_number(v) and v), None)
    return f" (the rows give {number(first)}, a total)" if first is not None else ""


def _shows_a_total(sentence: str, rows: list[dict[str, Any]]) -> bool:
    """Whether a number of the sentence is a row's undivided value rather than that value per run."""
    totals = [float(v) for row in rows for k, v in row.items() if _is_number(v) and "run" not in k.lower()]
    per_run = [
        float(v) / float(r)
        for row in rows
        for k, v in row.items()
        for rk, r in row.items()
        if _is_number(v) and _is_number(r) and "run" in rk.lower() and "run" not in k.lower() and r
    ]
    for match in NUMBER.finditer(sentence):
        raw = match.group("num")
        if number_found(raw, 1.0, totals) and not number_found(raw, 1.0, per_run):
            return True
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def aggregate(facts: QuestionFacts, statement: StatementFacts, rows: list[dict[str, Any]]) -> list[Problem]:
    """The aggregate the question asks (average, total) against the one the statement computes."""
    asked = facts.aggregate
    if asked is None:
        asked = next((agg for agg, ws in verify_words().aggregates.items() if says(facts.question, ws)), None)
    used = statement.functions & {"avg", "sum"}
    if asked not in ("avg", "sum") or not used or asked in used:
        return []
    names = {"avg": "an average (avg)", "sum": "a total (sum)"}
    other = sorted(used)[0]
    first = next((v for row in rows[:1] for v in row.values() if _is_number(v)), None)
    shown = f", so {number(first)} is {names[other].split(' (')[0]}" if first is not None else ""
    return [Problem("domain", f"the question asks for {names[asked]}, the statement computes {names[other]}{shown}")]


def unmeasured_in_aggregate(statement: StatementFacts) -> list[Problem]:
    """An average, minimum or total over carbon or energy that lets the unmeasured zeros in."""
    if not statement.unmeasured_aggregated:
        return []
    props = ", ".join(statement.unmeasured_aggregated)
    said = f"the statement aggregates {props} without leaving out the 0 values, which mean not measured (> 0 needed)"
    return [Problem("domain", said)]


def asked_unit(question: str, units: Mapping[str, Unit]) -> tuple[str, Unit] | None:
    """The unit the question asks its answer in ("in minutes", "how many kWh"), when it is not a graph unit."""
    leads = "|".join(re.escape(w) for w in sorted(verify_words().asked_unit_lead, key=len, reverse=True))
    for match in re.finditer(rf"\b(?:{leads})\s+(?P<unit>[A-Za-zµ]+)\b(?!\s*\d)", question, re.IGNORECASE):
        said = match.group("unit")
        spec = units.get(said) or units.get(said.lower())
        if spec is not None and not math.isclose(spec.factor, 1.0):
            return said, spec
    return None


def unit(facts: QuestionFacts, statement: StatementFacts, sentence: str, units: Mapping[str, Unit]) -> list[Problem]:
    """A unit asked that differs from the graph's, not converted by the statement, and shown as if it were."""
    found = asked_unit(facts.question, units)
    if found is None:
        return []
    said, spec = found
    converted = any(
        math.isclose(n, spec.factor, rel_tol=1e-6) or math.isclose(n * spec.factor, 1.0, rel_tol=1e-6)
        for n in statement.numbers
    )
    if converted:
        return []
    shown_in_unit = any(
        (m.group("unit") or "").lower() in (said.lower(), said.lower().rstrip("s")) for m in NUMBER.finditer(sentence)
    )
    if not shown_in_unit:
        return []
    return [
        Problem(
            "domain",
            f"the question asks for {said}; the statement returns the graph's unit unconverted (no factor "
            f"{spec.factor:g}), yet the sentence gives its numbers in {said}",
        )
    ]


def grounding(
    facts: QuestionFacts,
    statement: StatementFacts,
    sentence: str,
    rows: list[dict[str, Any]],
    units: Mapping[str, Unit],
) -> list[Problem]:
    """Numbers and names the rows do not hold, and a first place the rows give another model."""
    unmeasured = says(sentence, verify_words().unmeasured) is not None
    claims = ungrounded(
        sentence,
        rows,
        facts.question,
        facts.graph_values,
        units,
        zero_is_unmeasured=unmeasured,
        plain_codes=verify_words().plain_codes,
        allowed_names=[v for named in facts.named for v in named.values],
        converted=statement.numbers,
    )
    problems = [Problem("grounding", f"the sentence {c.reason}") for c in claims]
    ordered = re.search(r"\bORDER\s+BY\b", statement.cypher, re.IGNORECASE)
    if ordered and len(rows) > 1 and says(sentence, verify_words().ranking):
        first = first_named(sentence, rows, facts.graph_values)
        top = first_named(" ".join(str(v) for v in rows[0].values() if isinstance(v, str)), rows, facts.graph_values)
        if first is not None and top is not None and first.lower() != top.lower():
            problems.append(Problem("grounding", f"the sentence puts {first} first; the rows rank {top} first"))
    return problems
