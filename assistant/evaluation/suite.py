"""The generalisation suite: questions from templates x phrasings x slot values, over several catalogs.

``tests/data/generalisation/templates.yaml`` holds the intents, their
phrasings and gold specs; :mod:`assistant.evaluation.suite_slots` reads slot
values from each catalog's cards; :mod:`assistant.evaluation.suite_gold`
computes each question's gold from the same cards; and
:func:`suite_outcome` grades an answer with the three outcomes of
:mod:`assistant.evaluation.outcomes`. ``mrm3 eval --suite generalisation``
runs it.

The ``hf`` catalog (real Hugging Face cards and CodeCarbon logs, kept outside
the repository in ``../shared/hf``, or ``$MRM3_SHARED_DIR/hf``) has intents of
its own (``family: hf``), whose slot values and gold come from
:mod:`assistant.evaluation.suite_hf` and
:mod:`assistant.evaluation.suite_hf_slots`; when those files are absent the catalog
is left out and :attr:`QuestionSet.skipped` says why.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answers.answer import Answer
from assistant.errors import ConfigError
from assistant.evaluation import suite_hf, suite_hf_slots
from assistant.evaluation.defaults import SUITES
from assistant.evaluation.outcomes import outcome_of
from assistant.evaluation.run import Card, Catalog, Question, QuestionSet
from assistant.evaluation.suite_gold import SuiteGold, gold_of
from assistant.evaluation.suite_slots import PROVIDERS as MRM3_PROVIDERS

if TYPE_CHECKING:
    from assistant.graph.connection import Graph

PROVIDERS = {**MRM3_PROVIDERS, **suite_hf_slots.PROVIDERS}
"""Provider name -> provider, of both families of catalogs."""
REPO = Path(__file__).resolve().parents[2]

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


def shared_dir() -> Path:
    """Where third-party test files live outside the repository: ``$MRM3_SHARED_DIR``, else ``../shared``."""
    return Path(os.environ.get("MRM3_SHARED_DIR") or REPO.parent / "shared")


@dataclass(frozen=True)
class HFCatalog(Catalog):
    """Hugging Face model cards (``path``, a folder of ``*.md``) and CodeCarbon logs attached to model names.

    Its cards are the plain dicts of :func:`assistant.evaluation.suite_hf.read_catalog`.
    """

    logs: tuple[tuple[str, Path], ...] = ()

    def cards(self) -> list[Card]:
        """The models of the card files and logs (for gold answers)."""
        assert self.path is not None
        if not self.path.is_dir():
            raise ConfigError(f"The cards of catalog {self.name!r} are not at {self.path}")
        return suite_hf.read_catalog(self.path, dict(self.logs))

    def load_into(self, graph: Graph) -> None:
        """Replace the graph's content with the cards, then each log with ``--model NAME``.

        The cards whose YAML does not parse are expected (their models keep the name only); a rejected file is not.
        """
        from ingest.ingester import ingest_paths
        from ingest.writer import reset

        assert self.path is not None
        reset(graph)
        reports = [ingest_paths(graph, [self.path])]
        reports += [ingest_paths(graph, [log], model=name) for name, log in self.logs]
        for report in reports:
            if report.rejected:
                raise ConfigError(f"Catalog {self.name!r} did not load: {report.rejected[0]}")


def family(catalog: Catalog) -> str:
    """Which intents a catalog takes: ``hf`` (Hugging Face cards) or ``mrm3`` (MRM3 cards and the samples)."""
    return "hf" if isinstance(catalog, HFCatalog) else "mrm3"


def _catalogs(spec: dict[str, Any]) -> tuple[dict[str, Catalog], dict[str, str]]:
    """The catalogs of ``spec``, and those left out (name -> why)."""
    from ingest.mrm3_examples import mrm3_cards_dir

    catalogs: dict[str, Catalog] = {}
    skipped: dict[str, str] = {}
    for name, source in spec.items():
        if "sample" in source:
            catalogs[name] = Catalog(name, sample=dict(source["sample"]))
        elif "hf" in source:
            base = shared_dir() / "hf"
            cards = base / source["hf"]["cards"]
            logs = tuple((model, base / file) for model, file in (source["hf"].get("logs") or {}).items())
            missing = [p for p in (cards, *(log for _, log in logs)) if not p.exists()]
            if missing:
                skipped[name] = (
                    f"the real Hugging Face cards and CodeCarbon logs are not at {base} ({missing[0]} is missing; "
                    "third-party files kept outside the repository - set MRM3_SHARED_DIR to the folder holding hf/)"
                )
                continue
            catalogs[name] = HFCatalog(name, path=cards, logs=logs)
        else:  # the only card folder the suite uses: the 22 public MRM3 cards that ship with the package
            catalogs[name] = Catalog(name, path=mrm3_cards_dir())
    return catalogs, skipped


def suite_gold(spec: dict[str, Any], cards: list[Card]) -> SuiteGold:
    """The gold of one spec: ``hf_*`` kinds from :mod:`~assistant.evaluation.suite_hf`, the others from
    :mod:`~assistant.evaluation.suite_gold`."""
    if str(spec["kind"]).startswith("hf_"):
        fields = suite_hf.gold_of(spec, cards)
        return SuiteGold(
            fields["mode"],
            tuple(fields.get("values", ())),
            universe=tuple(fields.get("universe", ())),
            scales=tuple(fields.get("scales", ())),
            max_rows=int(fields.get("max_rows", 0)),
        )
    return gold_of(spec, cards)


def expand(templates: dict[str, Any], catalog: str, cards: list[Card], kind: str = "mrm3") -> list[Question]:
    """Every question of ``templates`` over one catalog's cards (the intents of its ``kind`` of catalog)."""
    questions = []
    for intent, spec in templates["intents"].items():
        if spec.get("family", "mrm3") != kind:
            continue
        args = spec["slots"].get("args") or {}
        slot_values = PROVIDERS[spec["slots"]["provider"]](cards, **args)
        if not slot_values:
            continue  # the intent does not apply to this catalog
        for i, phrasing in enumerate(spec["phrasings"]):
            slots = {**slot_values[i % len(slot_values)], **(phrasing.get("vars") or {})}
            text, said = _fill(phrasing["text"], slots)
            gold = _substitute(spec["gold"], said)
            suite_gold(gold, cards)  # a template that selects nothing fails here, not in the middle of a run
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
    catalogs, skipped = _catalogs(templates["catalogs"])
    questions: list[Question] = []
    for catalog_name, catalog in catalogs.items():
        try:
            questions += expand(templates, catalog_name, catalog.cards(), family(catalog))
        except (KeyError, ValueError, TypeError) as e:
            raise ConfigError(f"{path}: the templates fail on catalog {catalog_name!r}: {e!r}") from e
    return QuestionSet(path, catalogs, questions, skipped)


def suite_outcome(question: Question, cards: list[Card], answer: Answer) -> str:
    """Grade one answer of the suite (a :data:`~assistant.evaluation.run.Grader`)."""
    return outcome_of(answer, suite_gold(dict(question.gold), cards))
