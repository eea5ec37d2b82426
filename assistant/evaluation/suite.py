"""The generalisation suite: questions from templates x phrasings x slot values, over several catalogs.

``tests/data/generalisation/templates.yaml`` holds the intents, their
phrasings and gold specs; :mod:`assistant.evaluation.suite_slots` reads slot
values from each catalog's cards; :mod:`assistant.evaluation.suite_gold`
computes each question's gold from the same cards; and
:func:`suite_outcome` grades an answer with the three outcomes of
:mod:`assistant.evaluation.outcomes`. ``mrm3 eval --suite generalisation``
runs it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.answers.answer import Answer
from assistant.errors import ConfigError
from assistant.evaluation.defaults import SUITES
from assistant.evaluation.outcomes import outcome_of
from assistant.evaluation.run import Card, Catalog, Question, QuestionSet
from assistant.evaluation.suite_gold import gold_of
from assistant.evaluation.suite_slots import PROVIDERS

# Unit -> its size in graph units (g CO2, J, s, bytes). Case matters: mJ is not MJ.
UNITS: dict[str, Decimal] = {
    "ug": Decimal("1e-6"), "mg": Decimal("1e-3"), "g": Decimal(1), "kg": Decimal(1000), "t": Decimal("1e6"),
    "mJ": Decimal("1e-3"), "J": Decimal(1), "kJ": Decimal(1000), "MJ": Decimal("1e6"), "Wh": Decimal(3600),
    "kWh": Decimal("3.6e6"),
    "us": Decimal("1e-6"), "ms": Decimal("1e-3"), "s": Decimal(1), "min": Decimal(60),
    "kB": Decimal(1000), "MB": Decimal("1e6"), "GB": Decimal("1e9"), "MiB": Decimal(2**20),
}  # fmt: skip
# `{name:FAMILY}` picks the unit of the family that a person would write the number in ("38 kB", not "0.000038 GB").
FAMILIES = {
    "mass": ("ug", "mg", "g", "kg"),
    "energy": ("mJ", "J", "kJ", "MJ"),
    "time": ("us", "ms", "s"),
    "bytes": ("kB", "MB", "GB"),
}
_SHOWN = {"ug": "µg", "us": "µs"}
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+)(,?))?\}")


def render(value: float, unit: str, separators: bool = False) -> tuple[str, float]:
    """``value`` (graph units) in ``unit``, 2 significant digits: the text and the exact number it says.

    >>> render(0.0123, "mJ")
    ('12', 1.2e-05)
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} in a template - one of {sorted(UNITS)}")
    scaled = Decimal(repr(value)) / UNITS[unit]
    digits = scaled.adjusted()
    rounded = scaled.quantize(Decimal(1).scaleb(digits - 1)).normalize()
    text = f"{rounded:,f}" if separators else f"{rounded:f}"
    return text, float(rounded * UNITS[unit])


def _fill(text: str, slots: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The question text, and the slot values as the text says them (rounded thresholds)."""
    said = dict(slots)

    def one(match: re.Match[str]) -> str:
        name, unit, separators = match.group(1), match.group(2), bool(match.group(3))  # {name:UNIT,}
        if name not in slots:
            raise ValueError(f"{{{name}}} in {text!r} has no slot value")
        if not unit:
            return str(slots[name])
        value = float(slots[name])
        if unit in FAMILIES:
            fitting = [u for u in FAMILIES[unit] if Decimal(repr(value)) >= UNITS[u]]
            chosen = fitting[-1] if fitting else FAMILIES[unit][0]
            shown, said[name] = render(value, chosen, separators)
            return f"{shown} {_SHOWN.get(chosen, chosen)}"
        shown, said[name] = render(value, unit, separators)
        return shown

    return _PLACEHOLDER.sub(one, text), said


def _substitute(spec: Any, values: dict[str, Any]) -> Any:
    if isinstance(spec, str) and spec.startswith("$"):
        return values[spec[1:]]
    if isinstance(spec, dict):
        return {k: _substitute(v, values) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_substitute(v, values) for v in spec]
    return spec


def _catalogs(spec: dict[str, Any]) -> dict[str, Catalog]:
    from ingest.mrm3_examples import mrm3_cards_dir

    catalogs = {}
    for name, source in spec.items():
        if "sample" in source:
            catalogs[name] = Catalog(name, sample=dict(source["sample"]))
        else:  # the only card folder the suite uses: the 22 public MRM3 cards that ship with the package
            catalogs[name] = Catalog(name, path=mrm3_cards_dir())
    return catalogs


def expand(templates: dict[str, Any], catalog: str, cards: list[Card]) -> list[Question]:
    """Every question of ``templates`` over one catalog's cards."""
    questions = []
    for intent, spec in templates["intents"].items():
        args = spec["slots"].get("args") or {}
        slot_values = PROVIDERS[spec["slots"]["provider"]](cards, **args)
        if not slot_values:
            continue  # the intent does not apply to this catalog
        for i, phrasing in enumerate(spec["phrasings"]):
            slots = {**slot_values[i % len(slot_values)], **(phrasing.get("vars") or {})}
            text, said = _fill(phrasing["text"], slots)
            gold = _substitute(spec["gold"], said)
            gold_of(gold, cards)  # a template that selects nothing fails here, not in the middle of a run
            questions.append(Question(f"{catalog}:{intent}:{i + 1}-{phrasing['style']}", catalog, intent, text, gold))
    return questions


def load_suite(name: str = "generalisation", path: Path | None = None) -> QuestionSet:
    """The suite's questions over its catalogs (gold specs of :mod:`assistant.evaluation.suite_gold`).

    Raises:
        ConfigError: No suite of that name, or its templates are broken.
    """
    from assistant.data_files import read_yaml

    if path is None and name not in SUITES:
        raise ConfigError(f"No question suite {name!r} - one of: {', '.join(SUITES)}")
    path = path or SUITES[name]
    templates = read_yaml(path, what="the suite templates", hint="check its format")
    catalogs = _catalogs(templates["catalogs"])
    questions: list[Question] = []
    for catalog_name, catalog in catalogs.items():
        try:
            questions += expand(templates, catalog_name, catalog.cards())
        except (KeyError, ValueError, TypeError) as e:
            raise ConfigError(f"{path}: the templates fail on catalog {catalog_name!r}: {e!r}") from e
    return QuestionSet(path, catalogs, questions)


def suite_outcome(question: Question, cards: list[Card], answer: Answer) -> str:
    """Grade one answer of the suite (a :data:`~assistant.evaluation.run.Grader`)."""
    return outcome_of(answer, gold_of(dict(question.gold), cards))
