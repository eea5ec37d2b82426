"""A small Cypher lexer: enough structure for the guard to reason on tokens.

Strings, backtick-quoted names and comments become single tokens or vanish, so
a keyword is only ever seen where Cypher would see one. The rules are those of
the Cypher25 ANTLR lexer the embedded server uses (a backslash escapes any
character in a string, a doubled backtick escapes a backtick, block comments do
not nest), checked token for token against it by tests/test_cypher_guard.py.
Where the two may still differ, this lexer reads *more* text as code (a ``//``
comment ends at any line break; invisible and control characters are errors),
so a difference can only make the guard refuse more, never less.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["name", "quoted", "string", "number", "param", "punct"]
NAMES: frozenset[str] = frozenset({"name", "quoted"})
OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in OPENERS.items()}

# Every character str.splitlines() breaks on: ending a // comment at the
# earliest one any parser might use leaves the rest of the line as code.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_SPACES = frozenset("\t\n\r\x0b\x0c ")
_PUNCT2 = frozenset({"->", "<-", "<>", "<=", ">=", "=~", "+=", "..", "::", "||", "!="})
_PUNCT1 = frozenset("()[]{},.:;|&!%*+-/^=<>")


class LexError(ValueError):
    """The text is not a sequence of Cypher tokens; ``offset`` says where."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``text`` is the raw slice ``source[start:end]``."""

    kind: TokenKind
    text: str
    start: int
    end: int
    value: str
    """Name without backticks or ``$``; the raw text for other kinds."""
    word: str = ""
    """For unquoted names, the NFKC-normalised upper case used to match keywords."""


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def _is_space(ch: str) -> bool:
    return ch in _SPACES or unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _describe(ch: str) -> str:
    if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn"):
        return f"an invisible or control character U+{ord(ch):04X}"
    return f"an unexpected character {ch!r} (U+{ord(ch):04X})"


def _scan_string(text: str, i: int) -> int:
    quote, j, n = text[i], i + 1, len(text)
    while j < n:
        ch = text[j]
        if ch == "\\":  # escapes any character, as the server's lexer does
            j += 2
        elif ch == quote:
            return j + 1
        else:
            j += 1
    raise LexError("an unterminated string literal", i)


def _scan_backticks(text: str, i: int) -> int:
    j = i + 1
    while True:
        k = text.find("`", j)
        if k < 0:
            raise LexError("an unterminated `quoted name`", i)
        if not text.startswith("``", k):
            return k + 1
        j = k + 2


def _scan_number(text: str, i: int) -> int:
    n = len(text)
    j = i + 1
    if text[i] == "0" and j < n and text[j] in "xXoO":
        digits = "0123456789abcdefABCDEF_" if text[j] in "xX" else "01234567_"
        j += 1
        while j < n and text[j] in digits:
            j += 1
        return j
    while j < n and (text[j].isdigit() or text[j] == "_"):
        j += 1
    # "1..3" is a range, not the float "1." followed by ".3"
    if j + 1 < n and text[j] == "." and text[j + 1].isdigit():
        j += 1
        while j < n and (text[j].isdigit() or text[j] == "_"):
            j += 1
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        if k < n and text[k].isdigit():
            j = k
            while j < n and text[j].isdigit():
                j += 1
    return j


def _scan_name(text: str, i: int) -> int:
    j = i + 1
    while j < len(text) and _is_name_char(text[j]):
        j += 1
    return j


def _scan_token(text: str, i: int) -> tuple[TokenKind, int, str]:
    """Read the token starting at ``i``: its kind, end and value."""
    ch = text[i]
    if ch in "'\"":
        j = _scan_string(text, i)
        return "string", j, text[i + 1 : j - 1]
    if ch == "`":
        j = _scan_backticks(text, i)
        return "quoted", j, text[i + 1 : j - 1].replace("``", "`")
    if ch == "$":
        nxt = text[i + 1 : i + 2]
        if nxt == "`":
            j = _scan_backticks(text, i + 1)
            return "param", j, text[i + 2 : j - 1].replace("``", "`")
        if nxt and _is_name_char(nxt):
            j = _scan_name(text, i + 1)
            return "param", j, text[i + 1 : j]
        raise LexError("a '$' without a parameter name", i)
    if "0" <= ch <= "9":
        j = _scan_number(text, i)
        return "number", j, text[i:j]
    if ch.isalpha() or ch == "_":
        j = _scan_name(text, i)
        return "name", j, text[i:j]
    if text[i : i + 2] in _PUNCT2:
        return "punct", i + 2, text[i : i + 2]
    if ch in _PUNCT1:
        return "punct", i + 1, ch
    raise LexError(_describe(ch), i)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, dropping whitespace and comments.

    Raises:
        LexError: On an unterminated string, name or comment, or a character
            that cannot start a token (including invisible format characters).
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if _is_space(text[i]):
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] not in _LINE_BREAKS:
                i += 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                raise LexError("an unterminated /* comment", i)
            i = close + 2
        else:
            kind, j, value = _scan_token(text, i)
            word = unicodedata.normalize("NFKC", value).upper() if kind == "name" else ""
            tokens.append(Token(kind, text[i:j], i, j, value, word))
            i = j
    return tokens


def match_brackets(tokens: list[Token]) -> tuple[dict[int, int], list[int]]:
    """Pair up brackets and find each token's innermost enclosing bracket.

    Returns:
        ``(pairs, parent)``: ``pairs`` maps the index of each matched opening
        bracket to the index of its closing one; ``parent[i]`` is the index of
        the innermost opening bracket around token ``i``, or -1 at top level.
        Unmatched closing brackets are ignored.
    """
    pairs: dict[int, int] = {}
    parent: list[int] = []
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "punct" and tok.text in _CLOSERS and stack:
            if tokens[stack[-1]].text == _CLOSERS[tok.text]:
                pairs[stack.pop()] = i
        parent.append(stack[-1] if stack else -1)
        if tok.kind == "punct" and tok.text in OPENERS:
            stack.append(i)
    return pairs, parent
