"""Read how a model-written statement orders its rows, so the caveats follow the sort direction.

Only the final ``ORDER BY`` counts (the one after the last top-level
``RETURN``): an ``ORDER BY`` inside ``WITH`` orders an intermediate result.
Its first key is mapped to a returned column, by alias (``ORDER BY
training_carbon_g``) or by the expression the alias names (``ORDER BY
t.carbonFootprint`` for ``t.carbonFootprint AS training_carbon_g``).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answers.row_facts import SortOrder
from assistant.cypher.lexer import LexError, Token, match_brackets, tokenize

_DIRECTIONS = {"ASC": False, "ASCENDING": False, "DESC": True, "DESCENDING": True}
_CLAUSE_ENDS = frozenset({"SKIP", "LIMIT", "OFFSET", "UNION", "ORDER"})


def _top_level(tokens: Sequence[Token]) -> list[int]:
    """Indices of the tokens outside any bracket."""
    _, parent = match_brackets(list(tokens))
    return [i for i, p in enumerate(parent) if p == -1]


def _split_items(tokens: Sequence[Token], start: int, end: int) -> list[list[Token]]:
    """The comma-separated items of ``tokens[start:end]`` (commas inside brackets do not split)."""
    items: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens[start:end]:
        if tok.kind == "punct" and tok.text in "([{":
            depth += 1
        elif tok.kind == "punct" and tok.text in ")]}":
            depth -= 1
        if depth == 0 and tok.kind == "punct" and tok.text == ",":
            items.append([])
        else:
            items[-1].append(tok)
    return [item for item in items if item]


def _text(tokens: Sequence[Token]) -> str:
    return "".join(t.text for t in tokens).lower()


def return_columns(tokens: Sequence[Token], start: int, end: int) -> dict[str, str]:
    """The ``RETURN`` items between ``start`` and ``end``: expression text (no spaces, lower case) -> column."""
    columns: dict[str, str] = {}
    for item in _split_items(tokens, start, end):
        if item[0].word == "DISTINCT":
            item = item[1:]
        if len(item) >= 3 and item[-2].word == "AS":
            columns[_text(item[:-2])] = item[-1].value
        elif item:
            columns[_text(item)] = "".join(t.text for t in item)
    return columns


def sort_order(cypher: str) -> SortOrder | None:
    """How ``cypher`` orders its result rows, or ``None`` when it does not (or cannot be read).

    >>> sort_order("MATCH (t:ModelTraining) RETURN t.carbonFootprint AS c ORDER BY t.carbonFootprint DESC")
    SortOrder(column='c', descending=True, key='t.carbonFootprint')
    """
    try:
        tokens = tokenize(cypher)
    except LexError:
        return None
    top = _top_level(tokens)
    returns = [i for i in top if tokens[i].word == "RETURN"]
    if not returns:
        return None
    ret = returns[-1]
    after = [i for i in top if i > ret]
    order = next(
        (i for i in after if tokens[i].word == "ORDER" and i + 1 < len(tokens) and tokens[i + 1].word == "BY"), None
    )
    if order is None:
        return None
    columns = return_columns(tokens, ret + 1, order)
    end = next((i for i in after if i > order + 1 and tokens[i].word in _CLAUSE_ENDS), len(tokens))
    keys = _split_items(tokens, order + 2, end)
    if not keys:
        return None
    key = keys[0]
    descending = False
    if key[-1].word in _DIRECTIONS:
        descending = _DIRECTIONS[key[-1].word]
        key = key[:-1]
    expression = _text(key)
    by_alias = {column.lower(): column for column in columns.values()}
    column = by_alias.get(expression) or columns.get(expression)
    return SortOrder(column=column, descending=descending, key=cypher[key[0].start : key[-1].end])
