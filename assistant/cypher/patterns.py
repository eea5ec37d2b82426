"""Find the graph names a Cypher statement uses: labels, types, properties, hops.

This is not a parser. It reads node patterns ``(v:Label {key: ...})``,
relationship patterns ``-[v:TYPE|OTHER*1..3 {key: ...}]->``, label predicates
``v:Label``, property accesses ``v.prop`` and map projections ``v {.prop}``
from tokens, which is all the schema check needs. Anything it cannot read it
skips, so an odd statement is checked less, never refused for its shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.cypher.lexer import NAMES, Token, match_brackets

# A name before "(" is a function (count(n), collect(m {.name})) unless it is
# one of these keywords, after which "(" opens a node pattern. A function such
# as any(x IN ...) read as a node is harmless: it does not have a node's shape.
_PATTERN_LEADS = frozenset(
    {"MATCH", "WHERE", "AND", "OR", "XOR", "NOT", "WHEN", "THEN", "ELSE", "RETURN", "WITH"}
    | {"DISTINCT", "IN", "CASE", "UNWIND", "BY", "SHORTEST", "PATHS", "GROUPS", "ANY", "ALL"}
)
_LABEL_OPERATORS = frozenset({":", "|", "&"})


@dataclass(frozen=True)
class NodePattern:
    """``(var:Label {key: ...})``; ``labels`` is empty when they are not plain names."""

    var: str | None
    labels: tuple[str, ...]
    keys: tuple[Token, ...]


@dataclass(frozen=True)
class RelPattern:
    """``left[var:TYPE ...]right`` where ``left`` is ``-``/``<-`` and ``right`` ``-``/``->``."""

    var: str | None
    types: tuple[str, ...]
    keys: tuple[Token, ...]
    left: Token
    right: Token
    variable_length: bool


@dataclass(frozen=True)
class Hop:
    """One relationship pattern with the node patterns on either side."""

    left: NodePattern
    rel: RelPattern
    right: NodePattern


@dataclass
class Patterns:
    """Everything the schema check looks at in one statement."""

    nodes: list[NodePattern] = field(default_factory=list)
    rels: list[RelPattern] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)
    labels: list[Token] = field(default_factory=list)
    """Every node label named, in patterns and in ``v:Label`` predicates."""
    types: list[Token] = field(default_factory=list)
    """Every relationship type named."""
    properties: list[tuple[str, Token]] = field(default_factory=list)
    """``(var, property)`` for ``var.prop`` and ``var {.prop}``."""
    aliases: set[str] = field(default_factory=set)
    """Names bound by ``AS``, which may no longer hold what a pattern matched."""


class _Reader:
    def __init__(self, tokens: list[Token]) -> None:
        self.t = tokens
        self.pairs, self.parent = match_brackets(tokens)
        self.out = Patterns()
        self.pattern_maps: set[int] = set()

    def text(self, i: int) -> str:
        return self.t[i].text if 0 <= i < len(self.t) and self.t[i].kind == "punct" else ""

    def is_name(self, i: int) -> bool:
        return 0 <= i < len(self.t) and self.t[i].kind in NAMES

    def is_map_key(self, i: int) -> bool:
        """Whether the name at ``i`` is a key in ``{key: value}``."""
        return (
            self.text(i + 1) == ":"
            and i > 0
            and self.text(i - 1) in ("{", ",")
            and self.parent[i] >= 0
            and self.t[self.parent[i]].text == "{"
        )

    def label_expression(self, i: int) -> tuple[list[Token], bool, int]:
        """Read ``:A:B``, ``:A|B``, ``:A&!B`` from the ":" at ``i``.

        Returns the names, whether they are plain (no ``!`` or ``%``), and the
        index after the expression.
        """
        names: list[Token] = []
        plain, expect_name = True, True
        while i < len(self.t):
            punct = self.text(i)
            if expect_name and punct in (":", "|", "&", "!"):
                plain = plain and punct != "!"
            elif expect_name and self.is_name(i):
                names.append(self.t[i])
                expect_name = False
            elif expect_name and punct == "%":
                plain, expect_name = False, False
            elif not expect_name and punct in _LABEL_OPERATORS:
                expect_name = True
            else:
                break
            i += 1
        return names, plain, i

    def map_keys(self, i: int) -> tuple[Token, ...]:
        """The ``key`` names of the ``{key: value, ...}`` opening at ``i``."""
        self.pattern_maps.add(i)
        close = self.pairs.get(i, i)
        return tuple(
            self.t[k] for k in range(i + 1, close) if self.parent[k] == i and self.is_name(k) and self.is_map_key(k)
        )

    def node(self, i: int) -> tuple[NodePattern, int] | None:
        if self.text(i) != "(" or i not in self.pairs:
            return None
        if i > 0 and self.is_name(i - 1) and self.t[i - 1].word not in _PATTERN_LEADS:
            return None
        close, j = self.pairs[i], i + 1
        var: str | None = None
        if self.is_name(j) and self.t[j].word != "WHERE":
            var, j = self.t[j].value, j + 1
        labels: list[Token] = []
        plain = True
        if self.text(j) == ":":
            labels, plain, j = self.label_expression(j)
        keys: tuple[Token, ...] = ()
        if self.text(j) == "{" and j in self.pairs:
            keys, j = self.map_keys(j), self.pairs[j] + 1
        if j < close and self.t[j].word == "WHERE":
            j = close
        if j != close:
            return None
        names = tuple(t.value for t in labels) if plain else ()
        return NodePattern(var, names, keys), close + 1

    def rel(self, i: int) -> tuple[RelPattern, int] | None:
        left = self.text(i)
        if left not in ("-", "<-"):
            return None
        j, plain, varlen = i + 1, True, False
        var: str | None = None
        types: list[Token] = []
        keys: tuple[Token, ...] = ()
        if self.text(j) == "[" and j in self.pairs:
            close, k = self.pairs[j], j + 1
            if self.is_name(k) and self.t[k].word != "WHERE":
                var, k = self.t[k].value, k + 1
            if self.text(k) == ":":
                types, plain, k = self.label_expression(k)
            if self.text(k) == "*":
                varlen, k = True, k + 1
                while k < close and (self.t[k].kind == "number" or self.text(k) == ".."):
                    k += 1
            if self.text(k) == "{" and k in self.pairs:
                keys, k = self.map_keys(k), self.pairs[k] + 1
            if k < close and self.t[k].word == "WHERE":
                k = close
            if k != close:
                return None
            j = close + 1
        if self.text(j) not in ("-", "->"):
            return None
        names = tuple(t.value for t in types) if plain else ()
        return RelPattern(var, names, keys, self.t[i], self.t[j], varlen), j + 1

    def chains(self) -> None:
        seen: set[int] = set()
        for i in range(len(self.t)):
            if i in seen or (found := self.node(i)) is None:
                continue
            left, j = found
            self.out.nodes.append(left)
            while (rel := self.rel(j)) is not None:
                self.out.rels.append(rel[0])
                if (right := self.node(rel[1])) is None:
                    break
                seen.add(rel[1])
                self.out.nodes.append(right[0])
                self.out.hops.append(Hop(left, rel[0], right[0]))
                left, j = right

    def label_uses(self) -> None:
        i = 0
        while i < len(self.t):
            prev = i - 1
            if self.text(i) == ":" and (
                self.text(prev) in ("(", "[") or (self.is_name(prev) and not self.is_map_key(prev))
            ):
                names, _, end = self.label_expression(i)
                bracket = self.parent[i]
                in_rel = bracket >= 0 and self.text(bracket) == "[" and self.text(bracket - 1) in ("-", "<-")
                (self.out.types if in_rel else self.out.labels).extend(names)
                i = max(end, i + 1)
            else:
                i += 1

    def property_uses(self) -> None:
        t = self.t
        for i in range(len(t) - 1):
            if t[i].word == "AS" and self.is_name(i + 1):
                self.out.aliases.add(t[i + 1].value)
            # [x IN list | ...], any(x IN list WHERE ...): x is a new variable
            if self.is_name(i) and t[i + 1].word == "IN" and self.text(i - 1) in ("[", "("):
                self.out.aliases.add(t[i].value)
        for i in range(len(t) - 2):
            if self.is_name(i) and self.text(i + 1) == "." and self.is_name(i + 2):
                if self.text(i - 1) != "." and self.text(i + 3) != "(":
                    self.out.properties.append((t[i].value, t[i + 2]))
            elif self.is_name(i) and self.text(i + 1) == "{" and i + 1 not in self.pattern_maps:
                for k in range(i + 2, self.pairs.get(i + 1, i + 1)):
                    if (
                        self.parent[k] == i + 1
                        and self.text(k) == "."
                        and self.text(k - 1) in ("{", ",")
                        and self.is_name(k + 1)
                    ):
                        self.out.properties.append((t[i].value, t[k + 1]))


def find_patterns(tokens: list[Token]) -> Patterns:
    """Collect the labels, types, properties and hops named in ``tokens``."""
    reader = _Reader(tokens)
    reader.chains()
    reader.label_uses()
    reader.property_uses()
    return reader.out
