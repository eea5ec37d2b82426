"""Reading the project's YAML data files into validated pydantic models.

The vocabulary, the few-shot examples, the bench questions and the development
question set are data a person edits by hand. Each loader describes its file as
pydantic models and reads it with :func:`load_yaml`, so a mistake anywhere in a
file becomes one :class:`~assistant.errors.ConfigError` line naming the file, the
entry and the field, instead of a ``KeyError`` deep in the code that uses it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from assistant.errors import ConfigError

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT")

# pydantic's wording for a few error types, said the way someone editing YAML thinks of them.
_PROBLEMS = {
    "missing": "is missing",
    "extra_forbidden": "is not a known field (a typo?)",
    "unexpected_keyword_argument": "is not a known field (a typo?)",
    "model_type": "should be a mapping of fields",
    "dataclass_type": "should be a mapping of fields",
    "dict_type": "should be a mapping",
    "list_type": "should be a list",
    "tuple_type": "should be a list",
}


def _scalar_text(value: Any) -> Any:
    # YAML turns an unquoted on/off/yes/no/true/false into a boolean: the word is lost, so say how to keep it.
    if isinstance(value, bool):
        raise ValueError("YAML reads an unquoted yes/no/on/off/true/false as a boolean: put it in quotes")
    # A bare number is a fine phrase or name ("5", "2025"): keep it as the text it was written as.
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_scalar_text)]
"""A string in a data file; a bare YAML number counts as its text, a YAML boolean is an error."""

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), BeforeValidator(_scalar_text)]
"""A :data:`Text` that must say something: surrounding whitespace is dropped and nothing left is an error."""


def _none_is_blank(value: Any) -> Any:
    # A key written with nothing after it (``keywords:``) is None in YAML: the author meant "none".
    return "" if value is None else value


# pydantic runs the before-validators last to first: None becomes "" before the scalar check.
OptionalText = Annotated[
    str, StringConstraints(strip_whitespace=True), BeforeValidator(_scalar_text), BeforeValidator(_none_is_blank)
]
"""A :data:`Text` that may be left empty: a blank value is ``""``, surrounding whitespace is dropped."""


class DataModel(BaseModel):
    """Base of the data-file models: unknown fields are errors, so a misspelt key is caught, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def load_yaml(path: Path, model: type[ModelT], *, what: str, hint: str) -> ModelT:
    """Read the YAML file ``path`` and validate it into ``model``.

    Args:
        path: The file.
        model: A pydantic model, pydantic dataclass, or any type pydantic validates (``list[Example]``).
        what: What the file holds, for the message ("the vocabulary").
        hint: What to do about a broken file ("restore it from the repository").

    Raises:
        ConfigError: The file cannot be read, is not YAML, or does not fit ``model``.
    """
    return validate(read_yaml(path, what=what, hint=hint), model, path=path, hint=hint)


def read_yaml(path: Path, *, what: str, hint: str) -> Any:
    """The parsed content of the YAML file ``path``, not yet validated.

    Raises:
        ConfigError: The file cannot be read or is not YAML; the message is one line.
    """
    try:
        # libyaml's safe loader when PyYAML has it: the vocabulary in 7 ms instead of 60, paid by every `mrm3 ask`.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as e:
        raise ConfigError(f"Cannot read {what} {path} ({e.strerror or e}) - {hint}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"Cannot read {what} {path} ({_yaml_problem(e)}) - {hint}") from e
    logger.debug("read %s from %s", what, path)
    return data


def validate(data: Any, model: type[ModelT], *, path: Path, hint: str) -> ModelT:
    """Validate already-parsed ``data`` into ``model``, as :func:`load_yaml` does.

    Raises:
        ConfigError: ``data`` does not fit ``model``; the message names ``path``, the entry and the field.
    """
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as e:
        raise ConfigError(_describe(e, data, path, hint)) from e


def entry_error(path: Path, loc: Sequence[str | int], problem: str, *, hint: str, data: Any = None) -> ConfigError:
    """A :class:`ConfigError` worded like a validation error, for a check the models cannot make on their own.

    Args:
        path: The file.
        loc: Where in the file, as pydantic spells it: ``("questions", 4, "catalog")``.
        problem: What is wrong there.
        hint: What to do about it.
        data: The parsed file, so a list entry can be named by its ``id``.
    """
    return ConfigError(f"{path}: {_place(tuple(loc), data)}: {problem} - {hint}")


def _yaml_problem(error: yaml.YAMLError) -> str:
    # PyYAML's own message spans several lines with a caret drawing; keep the problem and its position.
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {error.problem}"
    return " ".join(str(error).split())


def _describe(error: ValidationError, data: Any, path: Path, hint: str) -> str:
    first = error.errors(include_url=False)[0]
    loc, kind = tuple(first["loc"]), first["type"]
    if kind in ("string_too_short", "too_short") and first.get("ctx", {}).get("min_length") == 1:
        problem = "is empty"
    else:
        # A validator's own ValueError is worded for the reader already; pydantic only prefixes it.
        problem = _PROBLEMS.get(kind, first["msg"].removeprefix("Value error, "))
    problem = " ".join(problem.split())
    more = error.error_count() - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    if kind == "missing" and len(loc) == 1 and isinstance(data, Mapping):
        return f"{path} has no '{loc[0]}' section{tail} - {hint}"
    if not loc:
        return f"{path}: the file {problem}{tail} - {hint}"
    if loc[-1] == "[key]":
        place = f"{_place(loc[:-2], data)}, key {first['input']!r}"
    else:
        place = _place(loc, data)
    return f"{path}: {place}: {problem}{tail} - {hint}"


def _place(loc: tuple[str | int, ...], data: Any) -> str:
    """Where ``loc`` is, in words: ``("questions", 4, "gold")`` -> ``questions entry 5 (id 'x'), field 'gold'``.

    The entry is a top-level list's item (``questions entry 5``), else a named
    entry of a section (``quantities.carbon``), else the section itself; what
    follows is the field, with positions in nested lists as ``item N``.
    """
    steps = _walk(loc, data)
    if not steps:
        return "the file"
    positions = [i for i, (_, is_position, _) in enumerate(steps[:2]) if is_position]
    if positions:
        end = positions[-1] + 1
    else:
        end = min(len(steps), 2)
    entry, rest = steps[:end], steps[end:]
    if len(entry) == 1 and not entry[0][1] and not rest:
        return f"section '{entry[0][0]}'"
    return ", ".join([_entry_words(entry), *_field_words(rest)])


def _walk(loc: tuple[str | int, ...], data: Any) -> list[tuple[str | int, bool, Any]]:
    """Each part of ``loc`` with whether it is a list position, and the data it leads to."""
    steps: list[tuple[str | int, bool, Any]] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping):
            # A YAML key can be a number (``5: ...``): in a mapping, a part is always a key.
            node = node.get(part, node.get(str(part)))
            steps.append((part, False, node))
        elif isinstance(part, int) and isinstance(node, Sequence) and not isinstance(node, str):
            node = node[part] if 0 <= part < len(node) else None
            steps.append((part, True, node))
        else:
            node = None
            steps.append((part, isinstance(part, int), node))
    return steps


def _entry_words(steps: list[tuple[str | int, bool, Any]]) -> str:
    # Keys join with dots ("quantities.carbon"); a position reads "entry 5", with the entry's id when it has one.
    text = ""
    for part, is_position, item in steps:
        if is_position:
            name = f" (id {item['id']!r})" if isinstance(item, Mapping) and "id" in item else ""
            text = f"{text} entry {int(part) + 1}{name}".strip()
        else:
            text = f"{text}.{part}" if text else str(part)
    return text


def _field_words(steps: list[tuple[str | int, bool, Any]]) -> list[str]:
    # Within an entry: "field 'gold.filter'", and a position in a nested list as "item 2".
    words: list[str] = []
    keys: list[str] = []
    for part, is_position, _ in steps:
        if not is_position:
            keys.append(str(part))
            continue
        if keys:
            words.append(f"field '{'.'.join(keys)}'")
            keys = []
        words.append(f"item {int(part) + 1}")
    if keys:
        words.append(f"field '{'.'.join(keys)}'")
    return words
