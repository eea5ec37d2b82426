"""What a model-written statement does, read from its tokens: literals, inference totals, aggregates, factors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.cypher.lexer import LexError, tokenize

_INFERENCE_VAR = re.compile(r"\(\s*(\w+)\s*:\s*`?ModelInference`?\b")
_TOTALS = ("energyConsumption", "carbonFootprint")
_AGGREGATES = ("avg", "sum", "min", "max", "count")
_MEASURES = r"`?(?:carbonFootprint|energyConsumption\w*)`?"
_AGGREGATED_MEASURE = re.compile(rf"\b(?:avg|min|sum)\s*\([^()]*\.{_MEASURES}", re.IGNORECASE)
_EXCLUDES_ZEROS = re.compile(rf"\.{_MEASURES}\s*(?:>|<>|!=)\s*0(?:\.0*)?\b|\.{_MEASURES}\s*>=?\s*\d*\.?\d*[1-9]")
_DIVIDED = re.compile(r"/\s*\(?\s*(?:toFloat\s*\(\s*)?\w+\.`?num_of_runs", re.IGNORECASE)


@dataclass(frozen=True)
class StatementFacts:
    """The parts of a statement the domain and filter checks read."""

    cypher: str
    literals: tuple[str, ...]
    """Its string literals, unquoted."""
    numbers: tuple[float, ...]
    """The number literals it multiplies or divides by (a unit conversion: ``latency * 1000``)."""
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
    scaled_totals: bool = False
    """An inference total is multiplied by a number (as if it were one inference's value), not divided by its runs."""
    aggregates_measured: bool = False
    """avg, min or sum over a carbon or energy property."""
    excludes_zeros: bool = False
    """A carbon or energy property is compared with > 0 (or <> 0): unmeasured values left out."""


def read_statement(cypher: str) -> StatementFacts:
    """The facts of ``cypher`` (a statement that does not lex gives what the text shows)."""
    try:
        tokens = tokenize(cypher)
    except LexError:
        tokens = []
    literals = tuple(_unquoted(t.text) for t in tokens if t.kind == "string")
    numbers = []
    for before, t, after in zip([None, *tokens[:-1]], tokens, [*tokens[1:], None], strict=True):
        scales = (before is not None and before.text in "*/") or (after is not None and after.text in "*/")
        if t.kind == "number" and scales:
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
        scaled_totals=not _DIVIDED.search(cypher) and any(_scaled(cypher, total) for total in totals),
        aggregates_measured=bool(_AGGREGATED_MEASURE.search(cypher)),
        excludes_zeros=bool(_EXCLUDES_ZEROS.search(cypher)),
    )


def _scaled(cypher: str, total: str) -> bool:
    var, prop = total.split(".")
    ref = rf"\b{var}\.`?{prop}`?"
    return bool(re.search(rf"{ref}\s*\*|\*\s*{ref}", cypher))


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
