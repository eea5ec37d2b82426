"""Numeric conditions read from a question: bounds, ranges and their units.

"under 5 mJ", "at least 2 g CO2", "5 g or more", "between 1 and 5 g",
"from 10 to 20 ms", "more than 100 estimators". Units are case-sensitive SI
symbols ("mJ" is a millijoule, "MJ" a megajoule; see ``units`` in
``prompts/vocabulary.yaml``); numbers may carry thousands separators
("20,000 J"). Bounds say whether they are inclusive: "under" and "less than"
are strict, "at most", "up to", "or less" and both ends of "between" are not.

:func:`read_thresholds` returns the conditions with their metric, the metric
mentions they used up, assumptions made, and problems that must stop the
question (a unit that could mean two things).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.engines.offline.read.function_words import ABOVE, BELOW, INCLUSIVE_BOUNDS, MULTIPLIERS
from assistant.engines.offline.read.metrics import Metric, MetricCatalog
from assistant.engines.offline.read.slots import Mention, Span, Threshold, Word, overlaps
from assistant.language.vocabulary import Vocabulary

NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:e[-+]?\d+)?|-?\.\d+"
_UNIT = r"(?:\s*(?P<mult{i}>thousand|million|billion)\b)?(?:\s*(?P<unit{i}>%|[A-Za-zµ][A-Za-z0-9µ²]*))?"
_RANGE = re.compile(
    rf"(?:\b(?:between|from|in the range(?: of)?)\s+(?P<num1>{NUMBER}){_UNIT.format(i=1)}"
    rf"\s*(?:and|to|-|–)\s*(?P<num2>{NUMBER}){_UNIT.format(i=2)}"
    rf"|(?<![\w.])(?P<num3>{NUMBER})(?![eE][-+]?\d){_UNIT.format(i=3)}\s*(?:to|-|–)\s*(?P<num4>{NUMBER})"
    rf"(?:\s*(?P<mult4>thousand|million|billion)\b)?\s*(?P<unit4>%|[A-Za-zµ][A-Za-z0-9µ²]*))"
    r"(?P<exclusive>,?\s*(?:\(?\s*(?:both\s+)?(?:exclusive|excluded|not included)\)?))?",
    re.IGNORECASE,
)
_POSTFIX = re.compile(
    rf"(?<![\w.])(?P<num1>{NUMBER}){_UNIT.format(i=1)}(?P<gap>(?:\s+(?!or\b|and\b)[A-Za-z0-9²]+){{0,3}}?)"
    rf"\s*(?:(?:or|and)\s+(?P<post>{ABOVE}|{BELOW})\b|(?P<plus>\+)(?!\d))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Bound:
    op: str
    value: float
    number: str
    unit: str
    """The unit the metric is read from (for a range: the last one written)."""
    span: Span
    unit_at: int
    """Where the unit word starts (-1 without one)."""
    at: int
    own_unit: str = ""
    """A range end's own unit ("140 mg" in "from 140 mg to 1 g")."""


def _factor(vocab: Vocabulary, unit: str) -> float:
    spec, _ = vocab.unit(unit) if unit else (None, [])
    return spec.factor if spec is not None else 1.0


def number_value(raw: str) -> float:
    """ "20,000" -> 20000.0: commas are thousands separators (they group by three digits)."""
    return float(raw.replace(",", ""))


def _prefix_regex(vocab: Vocabulary) -> re.Pattern[str]:
    words_alt = "|".join(
        re.escape(w) for w in sorted(vocab.comparison_words["lt"] + vocab.comparison_words["gt"], key=len, reverse=True)
    )
    return re.compile(
        rf"(?<![\w<>=])(?P<cmp>{words_alt}|<=|>=|<|>|=)\s*(?:of\s+|than\s+)?(?P<num1>{NUMBER}){_UNIT.format(i=1)}",
        re.IGNORECASE,
    )


def _value(match: re.Match[str], i: int) -> float:
    return number_value(match.group(f"num{i}")) * MULTIPLIERS.get((match.group(f"mult{i}") or "").lower(), 1.0)


def _bounds(text: str, vocab: Vocabulary, used: list[Span]) -> list[list[_Bound]]:
    """Each condition of ``text`` as one bound, or two for a range, in question order."""
    found: list[list[_Bound]] = []
    taken = list(used)
    lt = set(vocab.comparison_words["lt"]) | {"<", "<="}
    for match in _RANGE.finditer(text):
        if overlaps(match.span(), taken):
            continue
        a, b = (1, 2) if match.group("num1") else (3, 4)
        if b == 4 and vocab.unit(match.group("unit4"))[0] is None:
            continue  # "1e-3 or less" is no range: "A to B" needs a unit after B
        unit = match.group(f"unit{b}") or match.group(f"unit{a}") or ""
        # "from 140 mg to 1 g": each end in its own unit, else in the unit written once.
        ends = sorted(
            ((_value(match, i), match.group(f"num{i}"), match.group(f"unit{i}") or unit) for i in (a, b)),
            key=lambda end: end[0] * _factor(vocab, end[2]),
        )
        strict = bool(match.group("exclusive"))
        span = match.span()
        found.append(
            [_Bound(">" if strict else ">=", ends[0][0], ends[0][1], unit, span, -1, match.start(), ends[0][2]),
             _Bound("<" if strict else "<=", ends[1][0], ends[1][1], unit, span, -1, match.start(), ends[1][2])]
        )  # fmt: skip
        taken.append(span)
    for match in vocab.cue("setting_equals").finditer(text):
        span = match.span("num1")
        if not overlaps(span, taken):
            found.append([_Bound("=", number_value(match.group("num1")), match.group("num1"), "", span, -1, span[0])])
            taken.append(span)
    for match in _prefix_regex(vocab).finditer(text):
        if overlaps(match.span("num1"), taken):
            continue
        cmp_word = match.group("cmp").lower()
        strict = cmp_word not in INCLUSIVE_BOUNDS
        op = ("<" if strict else "<=") if cmp_word in lt else (">" if strict else ">=")
        if cmp_word in ("<", ">", "=", "<=", ">="):
            op = cmp_word
        unit = match.group("unit1") or ""
        unit_at = match.start("unit1") if unit else -1
        found.append([_Bound(op, _value(match, 1), match.group("num1"), unit, match.span(), unit_at, match.start())])
        taken.append(match.span())
    for match in _POSTFIX.finditer(text):
        if overlaps(match.span("num1"), taken):
            continue
        below = bool(match.group("post")) and re.fullmatch(BELOW, match.group("post"), re.IGNORECASE) is not None
        unit = match.group("unit1") or ""
        bound = _Bound("<=" if below else ">=", _value(match, 1), match.group("num1"), unit, match.span(), -1,
                       match.start())  # fmt: skip
        found.append([bound])
        taken.append(match.span())
    return sorted(found, key=lambda bounds: bounds[0].at)


def bound_numbers(text: str, vocab: Vocabulary) -> list[Span]:
    """Where the numbers of conditions are, so that no entity link swallows one ("at most 5 neighbors")."""
    spans = []
    for bounds in _bounds(text, vocab, []):
        spans.append(bounds[0].span)
    return spans


def read_thresholds(
    text: str, qwords: list[Word], mentions: list[Mention], catalog: MetricCatalog, vocab: Vocabulary,
    used: list[Span], inference: bool,
) -> tuple[list[Threshold], set[Mention], list[str], list[str]]:  # fmt: skip
    """Numeric conditions, the metric mentions they consumed, assumptions made, and problems.

    The metric comes from the unit ("1 g" -> carbon, "5 ms" -> latency, "100
    estimators" -> the n_estimators hyperparameter), else from the nearest
    metric named before the number, else after it. A number whose metric
    cannot be told is left unread (the engine then says so).
    """
    found: list[Threshold] = []
    consumed: set[Mention] = set()
    notes: list[str] = []
    problems: list[str] = []
    for bounds in _bounds(text, vocab, used):
        first = bounds[0]
        unit_spec, candidates = vocab.unit(first.unit) if first.unit else (None, [])
        if candidates:
            meanings = " or ".join(candidates)
            problems.append(f"the unit {first.unit!r} could be {meanings}: write it in its exact case (e.g. mJ or MJ)")
            used.append(first.span)
            continue
        context = f"{text[max(0, first.at - 30) : first.at]} {text[first.span[1] : first.span[1] + 20]}".lower()
        metric, factor, unit_used = _threshold_metric(
            first.unit, unit_spec, first.at, mentions, consumed, catalog, vocab, inference, context
        )
        if metric is None:
            continue
        span = first.span
        if not unit_used and first.unit_at >= 0:  # "under 5 models": the word after the number is no unit
            span = (first.span[0], first.unit_at)
        said = text[span[0] : span[1]].strip()
        consumed.update(m for m in mentions if overlaps((m.start, m.end), [span]))  # "100 estimators"
        for bound in bounds:
            value = bound.value
            if bound.own_unit and bound.own_unit != first.unit and unit_used:
                value *= _factor(vocab, bound.own_unit) / factor  # the end's own unit, in the range's unit
            if metric.is_quality and first.unit != "%" and value > 1 and _fraction_metric(metric):
                value /= 100.0
                notes.append(f"read {bound.number} as {value:g} ({metric.label} is a fraction in the graph)")
            found.append(Threshold(metric, bound.op, value * factor, said, span, first.unit if unit_used else ""))
        used.append(span)
    return found, consumed, notes, problems


def _fraction_metric(metric: Metric) -> bool:
    return metric.better == "higher" and metric.key.lower() in {
        "accuracy", "f1", "precision", "recall", "auc", "roc_auc", "balanced_accuracy", "r_squared", "r2",
    }  # fmt: skip


def _threshold_metric(
    unit: str, spec: object, at: int, mentions: list[Mention], consumed: set[Mention], catalog: MetricCatalog,
    vocab: Vocabulary, inference: bool, context: str,
) -> tuple[Metric | None, float, bool]:  # fmt: skip
    """The metric a threshold is about, the unit factor, and whether the unit word belonged to it."""
    free = [m for m in mentions if m not in consumed and m.kind in ("quantity", "quality", "generic_quality")]
    before = sorted((m for m in free if m.end <= at), key=lambda m: at - m.end)
    after = sorted((m for m in free if m.start >= at), key=lambda m: m.start - at)
    lower_unit = unit.lower()
    if lower_unit in vocab.count_units:
        return catalog.get(vocab.count_units[lower_unit]), 1.0, True
    hyper = catalog.hyperparameter_named(lower_unit) if unit else None
    if hyper is not None:  # "more than 100 estimators"
        return hyper, 1.0, True
    if spec is not None:
        quantities, factor = spec.quantities, spec.factor  # type: ignore[attr-defined]
        for mention in before[:1] + after[:1] + before[1:] + after[1:]:
            if mention.key in quantities:
                if mention.want == "none":  # "smallest ... under 50 MB" still ranks by size
                    consumed.add(mention)
                return catalog.get(mention.key, inference=inference), factor, True
            if mention.kind in ("quality", "generic_quality") and "quality" in quantities:
                consumed.add(mention)
                return _quality(catalog, mention), factor, True
        if "quality" not in quantities:
            key = quantities[0]
            if "fit_time" in quantities and re.search(r"\bfit", context) and catalog.get("fit_time"):
                key = "fit_time"  # "fit times above 10 s"
            elif "train_time" in quantities and re.search(r"\btrain", context):
                key = "train_time"  # "trains in under 60 s"
            return catalog.get(key, inference=inference), factor, True
    nearest = before[:1] or after[:1]
    if not nearest:
        return None, 1.0, False
    mention = nearest[0]
    consumed.add(mention)
    if mention.kind == "quantity":
        return catalog.get(mention.key, inference=inference), 1.0, False
    return _quality(catalog, mention), 1.0, False


def _quality(catalog: MetricCatalog, mention: Mention) -> Metric | None:
    if mention.kind == "quality":
        return catalog.get(mention.key)
    return catalog.preferred_quality()
