"""What a model-written statement does, read from its tokens: literals, inference totals, aggregates, factors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.cypher.lexer import LexError, tokenize

_INFERENCE_VAR = re.compile(r"\(\s*(\w+)\s*:\s*`?ModelInference`?\b")
_TOTALS = ("energyConsumption", "carbonFootprint")
_AGGREGATES = ("avg", "sum", "min", "max", "count")
_DIVIDED = re.compile(r"/\s*\(?\s*(?:toFloat\s*\(\s*)?\w+\.`?num_of_runs", re.IGNORECASE)


@dataclass(frozen=True)
class StatementFacts:
    """The parts of a statement the domain and filter checks read."""

    cypher: str
    literals: tuple[str, ...]
    """Its string literals, unquoted."""
    numbers: tuple[float, ...]
    """Its number literals."""
    functions: frozenset[str]
    """The aggregate functions it calls (lower case)."""
    inference_totals: tuple[str, ...]
    """``var.property`` reads of an inference entry's energy or carbon total."""
    divides_by_runs: bool
    """It divides by ``num_of_runs`` (the per-inference value)."""
    mentions_runs: bool
    """It names ``num_of_runs`` at all (returns the run count beside a total, say)."""
    ordered_or_bounded_totals: bool
    """An inference total is sorted on, compared or aggregated."""


def read_statement(cypher: str) -> StatementFacts:
    """The facts of ``cypher`` (a statement that does not lex gives what the text shows)."""
    try:
        tokens = tokenize(cypher)
    except LexError:
        tokens = []
    literals = tuple(_unquoted(t.text) for t in tokens if t.kind == "string")
    numbers = []
    for t in tokens:
        if t.kind == "number":
            try:
                numbers.append(float(t.value))
            except ValueError:
                continue
    functions = frozenset(
        t.value.lower()
        for t, after in zip(tokens, tokens[1:], strict=False)
        if t.kind == "name" and t.value.lower() in _AGGREGATES and after.text == "("
    )
    variables = set(_INFERENCE_VAR.findall(cypher))
    totals = tuple(sorted({f"{v}.{p}" for v in variables for p in _TOTALS if re.search(rf"\b{v}\.`?{p}\b", cypher)}))
    return StatementFacts(
        cypher=cypher,
        literals=literals,
        numbers=tuple(numbers),
        functions=functions,
        inference_totals=totals,
        divides_by_runs=bool(_DIVIDED.search(cypher)),
        mentions_runs="num_of_runs" in cypher,
        ordered_or_bounded_totals=any(_used_for_order_or_bound(cypher, total) for total in totals),
    )


def _unquoted(text: str) -> str:
    """A string literal's value: the quotes off, backslash escapes read."""
    body = text[1:-1] if len(text) > 1 else text
    return re.sub(r"\\(.)", r"\1", body)


def _used_for_order_or_bound(cypher: str, total: str) -> bool:
    var, prop = total.split(".")
    ref = rf"\b{var}\.`?{prop}`?"
    patterns = (
        rf"ORDER\s+BY[^;]*{ref}",
        rf"{ref}\s*(?:<|>|<=|>=)\s*\d",
        rf"\b(?:min|max|avg|sum)\s*\(\s*{ref}",
    )
    if any(re.search(p, cypher, re.IGNORECASE | re.DOTALL) for p in patterns):
        return True
    alias = re.search(rf"{ref}\s+AS\s+(\w+)", cypher, re.IGNORECASE)
    return bool(alias and re.search(rf"ORDER\s+BY[^;]*\b{alias.group(1)}\b", cypher, re.IGNORECASE | re.DOTALL))
