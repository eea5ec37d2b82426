"""What a model-written statement does, read from its tokens: literals, inference totals, aggregates, factors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.cypher.lexer import LexError, Token, tokenize

# A variable bound to an inference entry: by its label, or as the start of INFERENCE_ON / the end of its reverse.
_INFERENCE_VARS = (
    re.compile(r"\(\s*(\w+)\s*:\s*`?ModelInference`?\b"),
    re.compile(r"\(\s*(\w+)\s*(?::[^)]*)?\)\s*-\s*\[\s*\w*\s*:\s*`?INFERENCE_ON`?[^\]]*\]\s*->"),
    re.compile(r"<-\s*\[\s*\w*\s*:\s*`?INFERENCE_ON`?[^\]]*\]\s*-\s*\(\s*(\w+)\b"),
)
_TOTALS = ("energyConsumption", "carbonFootprint")
_AGGREGATES = ("avg", "sum", "min", "max", "count")
_MEASURE = re.compile(r"\.`?(carbonFootprint|energyConsumption\w*)`?")
_DIVIDED = re.compile(r"/\s*\(?\s*(?:toFloat\s*\(\s*)?\w+\.`?num_of_runs", re.IGNORECASE)
_NEGATION = re.compile(r"\bNOT\b|<>|!=", re.IGNORECASE)
_PREDICATE_START = re.compile(r"\b(?:AND|OR|XOR|WHERE|MATCH|WITH|RETURN)\b", re.IGNORECASE)
_NEGATION_REACH = 80
"""How far before a value a NOT may stand and still be about it ("NOT d.name IN ['umu']")."""


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
    unmeasured_aggregated: tuple[str, ...] = ()
    """Carbon or energy properties an avg, min or sum reads without leaving out the 0 values (not measured)."""
    all_numbers: tuple[float, ...] = ()
    """Every number literal (bounds included)."""

    def negates(self, value: str) -> bool:
        """Whether the predicate holding the literal ``value`` has a NOT, ``<>`` or ``!=`` (it excludes the value)."""
        for match in re.finditer(rf"(['\"]){re.escape(value)}\1", self.cypher, re.IGNORECASE):
            before = self.cypher[max(0, match.start() - _NEGATION_REACH) : match.start()]
            predicate = _PREDICATE_START.split(before)[-1]
            if _NEGATION.search(predicate):
                return True
        return False


def read_statement(cypher: str) -> StatementFacts:
    """The facts of ``cypher`` (a statement that does not lex gives what its text shows)."""
    try:
        tokens = tokenize(cypher)
    except LexError:
        tokens = []
    variables = {v for pattern in _INFERENCE_VARS for v in pattern.findall(cypher)}
    totals = tuple(sorted({f"{v}.{p}" for v in variables for p in _TOTALS if re.search(rf"\b{v}\.`?{p}\b", cypher)}))
    return StatementFacts(
        cypher=cypher,
        literals=tuple(_unquoted(t.text) for t in tokens if t.kind == "string"),
        numbers=tuple(_numbers(tokens, scaling_only=True)),
        functions=frozenset(
            t.value.lower()
            for t, after in zip(tokens, tokens[1:], strict=False)
            if t.kind == "name" and t.value.lower() in _AGGREGATES and after.text == "("
        ),
        inference_totals=totals,
        divides_by_runs=bool(_DIVIDED.search(cypher)),
        mentions_runs="num_of_runs" in cypher,
        ordered_or_bounded_totals=any(_used_for_order_or_bound(cypher, total) for total in totals),
        scaled_totals=not _DIVIDED.search(cypher) and any(_scaled(cypher, total) for total in totals),
        unmeasured_aggregated=_unmeasured_aggregated(cypher),
        all_numbers=tuple(_numbers(tokens, scaling_only=False)),
    )


def _numbers(tokens: list[Token], *, scaling_only: bool) -> list[float]:
    """The number literals (only those multiplied or divided by, with ``scaling_only``)."""
    found = []
    for i, token in enumerate(tokens):
        if token.kind != "number":
            continue
        around = {tokens[i - 1].text if i else "", tokens[i + 1].text if i + 1 < len(tokens) else ""}
        if scaling_only and not around & {"*", "/"}:
            continue
        try:
            found.append(float(token.value))
        except ValueError:
            continue
    return found


def _arguments(cypher: str, start: int) -> str:
    """The text inside the parentheses that open at ``start`` (to the end when they never close)."""
    depth = 0
    for i in range(start, len(cypher)):
        depth += {"(": 1, ")": -1}.get(cypher[i], 0)
        if depth == 0:
            return cypher[start + 1 : i]
    return cypher[start + 1 :]


def _unmeasured_aggregated(cypher: str) -> tuple[str, ...]:
    """The carbon or energy properties an avg, min or sum reads while nothing leaves their 0 values out."""
    found = []
    for match in re.finditer(r"\b(?:avg|min|sum)\s*(\()", cypher, re.IGNORECASE):
        for prop in _MEASURE.findall(_arguments(cypher, match.start(1))):
            kept_out = rf"\.`?{prop}`?\s*(?:>|<>|!=)\s*0(?:\.0*)?\b|\.`?{prop}`?\s*>=?\s*0*\.?0*[1-9]"
            if not re.search(kept_out, cypher) and prop not in found:
                found.append(prop)
    return tuple(found)


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
