"""The guard every Cypher statement passes before it runs.

It refuses anything but one read-only statement, checks the names it uses
against the graph schema (fixing reversed relationship arrows), and caps the
rows it returns. It works on tokens from ``cypher_lexer`` and never asks the
server: the embedded server ignores READ access mode, and its EXPLAIN calls
every statement a write.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.cypher.lexer import NAMES, LexError, Token, line_col, match_brackets, tokenize
from assistant.cypher.schema_check import check_against_schema
from assistant.errors import UnsafeCypherError
from assistant.graph.schema import GraphSchema

logger = logging.getLogger(__name__)

# A longer variable-length path, or a longer literal range(), is refused before it runs.
MAX_PATH_HOPS = 6
MAX_RANGE = 1_000_000
MAX_STATEMENT_CHARS = 20_000
DEFAULT_ROW_CAP = 1000

# Refused wherever they appear as a keyword, subqueries included. This covers
# writes, schema and admin commands, file and network access (LOAD CSV),
# batching (IN TRANSACTIONS, PERIODIC COMMIT), graph switching (USE) and the
# EXPLAIN/PROFILE prefixes the engines add themselves.
FORBIDDEN_KEYWORDS = frozenset(
    {"CREATE", "MERGE", "DELETE", "DETACH", "NODETACH", "SET", "REMOVE", "INSERT"}
    | {"DROP", "FOREACH", "LOAD", "ALTER", "RENAME", "GRANT", "DENY", "REVOKE"}
    | {"START", "STOP", "USE", "SHOW", "TERMINATE", "TRANSACTIONS", "PERIODIC"}
    | {"ENABLE", "DEALLOCATE", "REALLOCATE", "EXPLAIN", "PROFILE"}
)
START_KEYWORDS = ("MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL")
ALLOWED_PROCEDURES = (
    "db.labels",
    "db.relationshipTypes",
    "db.propertyKeys",
    "db.schema.visualization",
    "db.schema.nodeTypeProperties",
    "db.schema.relTypeProperties",
)
# apoc has functions that write, read files or run Cypher; genai calls the network.
DENIED_FUNCTION_NAMESPACES = ("apoc", "dbms", "db", "genai")
_SEMICOLON_AT = "';' at "
_READ_ONLY = "only read-only Cypher (MATCH ... RETURN) is allowed"
_ALLOWED_LOWER = frozenset(p.lower() for p in ALLOWED_PROCEDURES)


@dataclass(frozen=True)
class GuardedQuery:
    """A statement that passed the guard, ready to run."""

    cypher: str
    """The statement to run: LIMIT possibly added, arrows possibly reversed."""
    limit_added: bool
    row_cap: int
    notes: tuple[str, ...]
    """Human-readable notes on what the guard changed."""


def guard(cypher: str, schema: GraphSchema | None = None, row_cap: int = DEFAULT_ROW_CAP) -> GuardedQuery:
    """Check one statement and make it safe to run.

    Args:
        cypher: One Cypher statement; a single trailing ``;`` is dropped.
        schema: The graph's schema; when given and not empty, names are
            checked against it and reversed relationship arrows are fixed.
        row_cap: The most rows the final RETURN may produce.

    Returns:
        The statement to run, with notes on what changed.

    Raises:
        UnsafeCypherError: The statement is not a single read-only query.
        CypherSchemaError: It names labels, types or properties the graph lacks.
    """
    if row_cap < 1:
        raise ValueError(f"row_cap must be at least 1, not {row_cap}")
    check_read_only(cypher)
    text = _strip_semicolon(cypher)
    notes: list[str] = []
    if schema is not None and not schema.is_empty:
        text, schema_notes = check_against_schema(text, schema)
        notes.extend(schema_notes)
    text, limit_added, limit_notes = _cap_rows(text, row_cap)
    notes.extend(limit_notes)
    logger.debug("guarded cypher: %s (notes: %s)", text, notes)
    return GuardedQuery(text, limit_added, row_cap, tuple(notes))


def check_read_only(cypher: str) -> None:
    """Refuse anything but one read-only Cypher statement.

    Raises:
        UnsafeCypherError: With one line saying what was refused and why.
    """
    if len(cypher) > MAX_STATEMENT_CHARS:
        raise UnsafeCypherError(
            f"Refused: the statement is {len(cypher):,} characters long; the limit is {MAX_STATEMENT_CHARS:,}"
        )
    _check_tokens(cypher, _lex(cypher))


def _lex(cypher: str) -> list[Token]:
    try:
        return tokenize(cypher)
    except LexError as e:
        raise UnsafeCypherError(
            f"Refused: the statement contains {e} {_at(cypher, e.offset)}; send one complete Cypher statement"
        ) from e


def _at(text: str, offset: int, before: str = "") -> str:
    line, col = line_col(text, offset)
    return f"({before}line {line}, column {col})"


def _is_key(tokens: Sequence[Token], i: int, parent: list[int]) -> bool:
    """Whether the name at ``i`` is a property (``n.set``) or a map key (``{set: 1}``)."""
    prev = tokens[i - 1].text if i > 0 else ""
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    in_map = parent[i] >= 0 and tokens[parent[i]].text == "{"
    # Only after something that can own a property: "1.SET" needs no exemption.
    owner = tokens[i - 2] if i > 1 else None
    lookup = prev == "." and owner is not None and owner.kind not in ("number", "string")
    return lookup or (nxt == ":" and prev in ("{", ",") and in_map)


def _qualified_name(tokens: Sequence[Token], i: int) -> tuple[str, int]:
    """Read ``a.b.c`` (parts possibly backticked) from ``i``; return it and the index after."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].kind in NAMES:
        parts.append(tokens[i].value)
        if i + 2 < len(tokens) and tokens[i + 1].text == "." and tokens[i + 2].kind in NAMES:
            i += 2
        else:
            i += 1
            break
    return ".".join(parts), i


def _check_tokens(text: str, tokens: list[Token]) -> None:
    for k, tok in enumerate(tokens):
        if tok.text == ";" and k != len(tokens) - 1:
            raise UnsafeCypherError(
                f"Refused: more than one statement {_at(text, tok.start, _SEMICOLON_AT)}; send one statement at a time"
            )
    code = tokens[:-1] if tokens and tokens[-1].text == ";" else tokens
    if not code:
        raise UnsafeCypherError(
            "Refused: the statement is empty; send one read-only Cypher statement (MATCH ... RETURN)"
        )
    _, parent = match_brackets(code)
    call_targets: set[int] = set()
    for i, tok in enumerate(code):
        if tok.kind != "name" or _is_key(code, i, parent):
            continue
        if tok.word in FORBIDDEN_KEYWORDS:
            raise UnsafeCypherError(f"Refused: the statement contains {tok.word} {_at(text, tok.start)}; {_READ_ONLY}")
        nxt = code[i + 1] if i + 1 < len(code) else None
        if tok.word == "CALL" and (nxt is None or nxt.text not in ("{", "(")):
            name, _ = _qualified_name(code, i + 1)
            call_targets.add(i + 1)
            if name.lower() not in _ALLOWED_LOWER:
                raise UnsafeCypherError(
                    f"Refused: the statement calls procedure {name or '(none)'} "
                    f"{_at(text, tok.start)}; only these read procedures may be called: "
                    f"{', '.join(ALLOWED_PROCEDURES)}"
                )
    for i, tok in enumerate(code):
        starts_name = tok.kind in NAMES and (i == 0 or code[i - 1].text != ".")
        if not starts_name or i in call_targets:
            continue
        name, after = _qualified_name(code, i)
        if after < len(code) and code[after].text == "(" and "." in name:
            if name.split(".", 1)[0].strip().lower() in DENIED_FUNCTION_NAMESPACES:
                raise UnsafeCypherError(
                    f"Refused: the statement calls function {name} {_at(text, tok.start)}; "
                    "apoc.*, dbms.*, db.* and genai.* functions are not allowed"
                )
    _check_runaways(text, code, parent)
    _check_cartesian(text, code, parent)
    first = code[0]
    second = code[1].word if len(code) > 1 else ""
    if first.word not in START_KEYWORDS or (first.word == "OPTIONAL" and second != "MATCH"):
        raise UnsafeCypherError(
            f"Refused: the statement starts with {first.text!r} {_at(text, first.start)}; "
            "it must start with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL"
        )


def _check_runaways(text: str, code: list[Token], parent: list[int]) -> None:
    """Refuse what would run away on the server: unbounded or long paths, huge ranges.

    The embedded server keeps computing a statement after the client gave up
    on it (measured), so these are stopped before they run.
    """
    for i, tok in enumerate(code):
        opener = parent[i]
        in_relationship = (
            tok.text == "*" and opener > 0 and code[opener].text == "[" and code[opener - 1].text in ("-", "<-", "<")
        )
        if in_relationship and not _in_shortest_path(code, parent, opener):
            upper = _path_upper_bound(code, i + 1)
            if upper is None or upper > MAX_PATH_HOPS:
                shown = "no upper bound" if upper is None else f"up to {upper} hops"
                raise UnsafeCypherError(
                    f"Refused: the variable-length relationship {_at(text, tok.start)} has {shown}; "
                    f"give at most {MAX_PATH_HOPS} hops, e.g. [*1..3]"
                )
        if tok.word == "RANGE" and i + 3 < len(code) and code[i + 1].text == "(":
            low, high = _integer(code[i + 2].text), None
            if code[i + 3].text == ",":
                high = _integer(code[i + 4].text) if i + 4 < len(code) else None
            if low is not None and high is not None and high - low > MAX_RANGE:
                raise UnsafeCypherError(
                    f"Refused: range() {_at(text, tok.start)} would make {high - low:,} values; "
                    f"the limit is {MAX_RANGE:,}"
                )


_CLAUSES = frozenset(
    {"MATCH", "OPTIONAL", "WHERE", "WITH", "UNWIND", "RETURN", "ORDER", "CALL", "UNION", "SKIP", "LIMIT"}
)
_SCOPE_BREAKS = frozenset({"WITH", "UNWIND", "RETURN", "CALL", "UNION"})


def _check_cartesian(text: str, code: list[Token], parent: list[int]) -> None:
    """Refuse a cartesian product of unanchored patterns (``MATCH (a), (b), (c)``).

    Within consecutive MATCH clauses (up to a WITH, UNWIND or RETURN), a
    pattern that shares no variable with the patterns before it and has no
    inline property map multiplies the rows by a whole label.
    ``MATCH (a:Model {name: 'x'}), (b:Model {name: 'y'})`` stays allowed.
    """
    groups: list[list[list[int]]] = [[]]
    in_match = False
    for i, tok in enumerate(code):
        if parent[i] == -1 and tok.kind == "name" and tok.word in _CLAUSES:
            in_match = tok.word in ("MATCH", "OPTIONAL")
            if tok.word == "MATCH":
                groups[-1].append([])
            elif tok.word in _SCOPE_BREAKS:
                groups.append([])
            continue
        if in_match and groups[-1]:
            if parent[i] == -1 and tok.text == ",":
                groups[-1].append([])
            else:
                groups[-1][-1].append(i)
    for group in groups:
        parts = [(part, _pattern_variables(code, part)) for part in group if part]
        # Join the parts that share variables; two unanchored islands make a product of whole labels.
        islands: list[tuple[set[str], bool, int]] = []  # variables, anchored, first token
        for part, names in parts:
            anchored = any(code[k].text == "{" for k in part)
            joined = [isl for isl in islands if isl[0] & names]
            for isl in joined:
                islands.remove(isl)
            islands.append(
                (
                    names.union(*(isl[0] for isl in joined)),
                    anchored or any(isl[1] for isl in joined),
                    min([part[0], *(isl[2] for isl in joined)]),
                )
            )
        loose = sorted(first for _, anchored, first in islands if not anchored)
        if len(loose) > 1:
            at = loose[-1]
            raise UnsafeCypherError(
                f"Refused: the pattern {_at(text, code[at].start)} shares no variable with the other patterns: "
                "a cartesian product that multiplies the rows by whole labels; connect it with a relationship "
                "or anchor it with a property map such as {name: '...'}"
            )


def _pattern_variables(code: list[Token], part: list[int]) -> set[str]:
    """Node, relationship and path variables named in one pattern."""
    found = set()
    for k in part:
        if code[k].kind != "name" or k + 1 >= len(code):
            continue
        after = code[k + 1].text
        if (code[k - 1].text in ("(", "[") and after in (":", ")", "{", "]", "*")) or after == "=":
            found.add(code[k].text)
    return found


def _in_shortest_path(code: list[Token], parent: list[int], opener: int) -> bool:
    """Whether a pattern sits inside shortestPath(...) (a breadth-first search that stops at the first path)."""
    while opener > 0:
        if code[opener].text == "(" and code[opener - 1].word in ("SHORTESTPATH", "ALLSHORTESTPATHS"):
            return True
        opener = parent[opener]
    return False


def _path_upper_bound(code: list[Token], j: int) -> int | None:
    """The most hops of ``*``, ``*n``, ``*n..``, ``*..m`` or ``*n..m`` starting at token ``j`` (None: unbounded)."""
    low = _integer(code[j].text) if j < len(code) else None
    if low is not None:
        j += 1
    if j < len(code) and code[j].text == "..":
        return _integer(code[j + 1].text) if j + 1 < len(code) else None
    return low


def _strip_semicolon(cypher: str) -> str:
    tokens = tokenize(cypher)
    if tokens and tokens[-1].text == ";":
        return cypher[: tokens[-1].start] + cypher[tokens[-1].end :]
    return cypher


def _cap_rows(text: str, row_cap: int) -> tuple[str, bool, tuple[str, ...]]:
    """Make the final RETURN produce at most ``row_cap`` rows."""
    tokens = tokenize(text)
    _, parent = match_brackets(tokens)

    def top_word(i: int) -> str:
        keyword = parent[i] == -1 and (i == 0 or tokens[i - 1].text != ".")
        return tokens[i].word if keyword else ""

    top = [i for i in range(len(tokens)) if parent[i] == -1]
    if any(top_word(i) == "UNION" for i in top):
        return text, False, ("UNION statement: no LIMIT added; the row cap still applies",)
    returns = [i for i in top if top_word(i) == "RETURN"]
    if not returns:
        return text, False, ()
    tail = [i for i in top if i > returns[-1]]
    limit = next((i for i in tail if top_word(i) == "LIMIT"), None)
    if limit is None:
        end = tokens[-1].end
        note = f"no LIMIT given: LIMIT {row_cap} added"
        return f"{text[:end]} LIMIT {row_cap}{text[end:]}", True, (note,)
    expr: list[Token] = []
    for i in tail:
        if i > limit:
            if top_word(i) in ("SKIP", "OFFSET"):
                break
            expr.append(tokens[i])
    value = _integer(expr[0].text) if len(expr) == 1 and expr[0].kind == "number" else None
    if value is not None:
        if value > row_cap:
            note = f"LIMIT {value} lowered to the row cap {row_cap}"
            return f"{text[: expr[0].start]}{row_cap}{text[expr[0].end :]}", False, (note,)
    return text, False, ()


def _integer(text: str) -> int | None:
    """The value of an integer literal (``1000``, ``1_000``, ``0x3E8``, ``0o1750``), else None."""
    try:
        return int(text, 0)
    except ValueError:
        return int(text) if text.isdecimal() else None  # "010": base 0 refuses leading zeros
