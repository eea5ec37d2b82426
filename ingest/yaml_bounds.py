"""A bound on what a card's YAML front matter may cost before it is expanded.

YAML aliases let 600 bytes stand for a billion values ("each level repeats the one below nine times"): expanding
them is what ``yaml.safe_load`` does, and it took 12 s and 1 GB for one card. The front matter is composed
first - composing keeps each aliased node once, so it costs what the text costs - and the size it would expand
to is counted over that graph, each shared node counted once per use. A front matter over the bound is refused
in one line and never expanded.
"""

from __future__ import annotations

import re

MAX_EXPANDED_NODES = 25_000
"""More values than any real card's metadata holds (the largest card beside the repository, a model-index of
MTEB results, has 6,141); the card loader took 1.5 s for 10,000 values and 6.3 s for 30,000."""
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\[\]{}]+")
_CHARS_PER_VALUE = 2  # "[a,a,a]": a value and a comma


def alias_bomb_reason(front_matter: str) -> str | None:
    """Why ``front_matter`` must not be expanded, or None when it is safe to load: through its aliases (an alias
    bomb) or by its own length (90,000 tags), it stands for more values than the bound."""
    aliased = bool(_ALIAS.search(front_matter))
    if not aliased and len(front_matter) <= MAX_EXPANDED_NODES * _CHARS_PER_VALUE:
        return None  # too short to hold that many values
    import yaml

    try:
        node = yaml.compose(front_matter, Loader=safe_loader())
    except yaml.YAMLError:
        return None  # the loader reports the syntax error itself
    expanded = _expanded_size(node) if node is not None else 0
    if expanded <= MAX_EXPANDED_NODES:
        return None
    if aliased:
        return (
            f"YAML front matter would expand to more than {MAX_EXPANDED_NODES:,} values through its aliases "
            "(an alias bomb?); refused before expanding it"
        )
    return f"YAML front matter holds more than {MAX_EXPANDED_NODES:,} values, more than any real card's; refused"


def safe_loader() -> type:
    """libyaml's safe loader when it is there (0.2 s to compose 0.8 MB, where the pure-Python one takes seconds),
    else PyYAML's own."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _expanded_size(root: object) -> int:
    """The number of nodes ``root`` stands for once every alias is replaced by a copy (shared nodes memoised)."""
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the current path: meeting one again is an alias to itself (endless)
    # Post-order without recursion: a node's size is 1 + its children's sizes (an alias shares the node it names).
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node, yaml)
        if children_done or not children:
            open_nodes.discard(id(node))
            sizes[id(node)] = min(1 + sum(sizes.get(id(c), 0) for c in children), 10 * MAX_EXPANDED_NODES)
            continue
        if id(node) in open_nodes:
            return 10 * MAX_EXPANDED_NODES  # a recursive alias: no finite expansion
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: object, yaml: object) -> list[object]:
    value = getattr(node, "value", None)
    if isinstance(node, yaml.MappingNode):  # type: ignore[attr-defined]
        return [part for pair in value for part in pair]  # type: ignore[union-attr]
    if isinstance(node, yaml.SequenceNode):  # type: ignore[attr-defined]
        return list(value)  # type: ignore[arg-type]
    return []
