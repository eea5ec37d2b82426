"""The schema check of the Cypher guard: every label, type and property a statement names must exist.

Relationship arrows written the wrong way round between known labels are
reversed; anything else unknown is refused with suggestions of close names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from assistant.cypher.lexer import LexError, Token, tokenize
from assistant.cypher.patterns import Hop, NodePattern, find_patterns
from assistant.errors import CypherSchemaError
from assistant.graph.schema import GraphSchema


def check_against_schema(cypher: str, schema: GraphSchema) -> tuple[str, tuple[str, ...]]:
    """Check the labels, types and properties a statement names against ``schema``.

    Relationship arrows that point the wrong way between known labels are
    reversed in the text; nothing else in the statement changes.

    Returns:
        The (possibly corrected) statement and notes on each correction.

    Raises:
        CypherSchemaError: Listing every unknown name, with suggestions.
    """
    if schema.is_empty:
        return cypher, ()
    try:
        found = find_patterns(tokenize(cypher))
    except LexError as e:
        raise CypherSchemaError(f"Cannot read the statement to check its names: {e}") from e
    problems: list[str] = []
    labels, types = schema.labels, schema.relationship_types
    for tok in found.labels:
        if tok.value not in labels:
            problems.append(f"label :{tok.value} does not exist{_suggest(tok.value, labels, ':')}")
    for tok in found.types:
        if tok.value not in types:
            problems.append(f"relationship type :{tok.value} does not exist{_suggest(tok.value, types, ':')}")
    node_labels: dict[str, set[str]] = {}
    for node in found.nodes:
        if node.var:
            node_labels.setdefault(node.var, set()).update(node.labels)
    rel_types: dict[str, set[str]] = {}
    for rel in found.rels:
        if rel.var:
            rel_types.setdefault(rel.var, set()).update(rel.types)
    for node in found.nodes:
        owner = set(node.labels) or node_labels.get(node.var or "", set())
        problems.extend(_node_property_problem(schema, node.var, owner, k) for k in node.keys)
    for rel in found.rels:
        owner = set(rel.types) or rel_types.get(rel.var or "", set())
        problems.extend(_rel_property_problem(schema, rel.var, owner, k) for k in rel.keys)
    for var, prop in found.properties:
        if var in found.aliases:
            continue  # WITH x.name AS x: the pattern's labels may no longer apply
        if var in node_labels:
            problems.append(_node_property_problem(schema, var, node_labels[var], prop))
        elif var in rel_types:
            problems.append(_rel_property_problem(schema, var, rel_types[var], prop))
    edits: list[tuple[Token, str]] = []
    notes: list[str] = []
    for hop in found.hops:
        problems.append(_check_direction(schema, hop, node_labels, edits, notes))
    unique = list(dict.fromkeys(p for p in problems if p))
    if unique:
        raise CypherSchemaError(
            f"The statement does not match the graph: {'; '.join(unique)}. "
            "Use only the labels, relationships and properties of the graph schema"
        )
    for tok, replacement in sorted(edits, key=lambda e: e[0].start, reverse=True):
        cypher = cypher[: tok.start] + replacement + cypher[tok.end :]
    return cypher, tuple(notes)


def _suggest(name: str, known: Iterable[str], prefix: str = "") -> str:
    options = sorted(known)
    lower = name.lower()
    # Prefixes first: "mae" should suggest mae_mean and mae_std.
    close = [o for o in options if o.lower() == lower]
    close += [o for o in options if o.lower().startswith(lower + "_")]
    close += difflib.get_close_matches(name, options, n=3, cutoff=0.6)
    if close:
        close = list(dict.fromkeys(close))[:3]
        return f" (did you mean {' or '.join(prefix + c for c in close)}?)"
    if options and len(options) <= 12:
        return f" (it has: {', '.join(prefix + o for o in options)})"
    return ""


def _node_property_problem(schema: GraphSchema, var: str | None, owner: set[str], prop: Token) -> str:
    # Only judge when every candidate label's properties are known.
    if not owner or any(label not in schema.node_properties for label in owner):
        return ""
    known = set().union(*(schema.properties_of(label) for label in owner))
    if prop.value in known:
        return ""
    where = "/".join(f":{label}" for label in sorted(owner))
    shown = f"{var}.{prop.value}" if var else prop.value
    return f"property {shown} does not exist on {where}{_suggest(prop.value, known)}"


def _rel_property_problem(schema: GraphSchema, var: str | None, owner: set[str], prop: Token) -> str:
    # An empty mapping means relationship properties were not introspected.
    props = schema.relationship_properties
    if not props or not owner or not owner <= schema.relationship_types:
        return ""
    known = set().union(*(set(props.get(t, {})) for t in owner))
    if prop.value in known:
        return ""
    where = "|".join(sorted(owner))
    shown = f"{var}.{prop.value}" if var else prop.value
    return f"property {shown} does not exist on [:{where}]{_suggest(prop.value, known)}"


def _labels_of(node: NodePattern, node_labels: dict[str, set[str]]) -> set[str]:
    return set(node.labels) or node_labels.get(node.var or "", set())


def _fits(schema: GraphSchema, types: set[str], start: set[str], end: set[str]) -> bool:
    """Whether some pattern of ``types`` runs from ``start`` to ``end`` (empty = any label)."""
    return any(
        p.type in types and (not start or p.start in start) and (not end or p.end in end) for p in schema.relationships
    )


def _check_direction(
    schema: GraphSchema,
    hop: Hop,
    node_labels: dict[str, set[str]],
    edits: list[tuple[Token, str]],
    notes: list[str],
) -> str:
    """Check one hop's arrow; queue a reversal or return a problem ("" if fine)."""
    rel = hop.rel
    types = set(rel.types)
    left, right = _labels_of(hop.left, node_labels), _labels_of(hop.right, node_labels)
    if rel.variable_length or not types or not types <= schema.relationship_types:
        return ""
    if not (left or right) or not (left | right) <= schema.labels:
        return ""
    forward = rel.left.text == "-" and rel.right.text == "->"
    backward = rel.left.text == "<-" and rel.right.text == "-"
    start, end = (right, left) if backward else (left, right)
    shown_type = "|".join(sorted(types))
    shown_left = "/".join(sorted(left))
    shown_right = "/".join(sorted(right))
    if _fits(schema, types, start, end) or (not (forward or backward) and _fits(schema, types, end, start)):
        return ""
    arrow = f"-[:{shown_type}]->" if forward else f"<-[:{shown_type}]-"
    if not (forward or backward):
        arrow = f"-[:{shown_type}]-"
    stated = f"({shown_left}){arrow}({shown_right})"
    if (forward or backward) and _fits(schema, types, end, start):
        edits.append((rel.left, "<-" if forward else "-"))
        edits.append((rel.right, "-" if forward else "->"))
        flipped = f"<-[:{shown_type}]-" if forward else f"-[:{shown_type}]->"
        notes.append(f"relationship direction corrected: {stated} became ({shown_left}){flipped}({shown_right})")
        return ""
    valid = ", ".join(str(p) for t in sorted(types) for p in schema.patterns_for(t))
    return f"relationship {stated} does not exist in either direction; the graph has {valid}"
