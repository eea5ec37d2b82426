"""Conditions read from a question: filters from entity links, GPU counts, measured or not, groups, unknown names.

Helpers of :mod:`assistant.engines.offline.plan.understanding`; each returns what it found
and never guesses: a word where a name belongs that names nothing in the graph
is reported as unknown, so the engine can decline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from assistant.engines.offline.read.function_words import ABOVE, BELOW, NUMBER_WORDS
from assistant.engines.offline.read.link_rules import entity_positions
from assistant.engines.offline.read.metrics import MetricCatalog
from assistant.engines.offline.read.slots import Mention, Span, Threshold, Word, overlaps
from assistant.language.entity_linking import EntityLink
from assistant.language.vocabulary import Vocabulary, find_phrases

FILTER_KINDS = {
    ("Dataset", "name"): "dataset",
    ("ModelArchitecture", "type"): "architecture",
    ("ModelArchitecture", "explainability"): "explainability",
    ("Service", "name"): "service",
    ("ProblemType", "name"): "problem_type",
    ("Parameters", "splitType"): "split",
    ("Parameters", "optimizer"): "optimizer",
    ("Model", "author"): "author",
    ("Model", "name"): "model",
    ("BaseModel", "name"): "base_model",
    ("EvaluationResult", "dataset"): "evaluated_on",
    ("EvaluationResult", "datasetName"): "evaluated_on",  # "flores101-devtest": the name beside the type
    ("EvaluationResult", "datasetConfig"): "evaluated_config",
    ("EvaluationResult", "split"): "evaluated_split",
    ("EvaluationResult", "task"): "evaluated_task",
    ("Model", "license"): "license",
    ("Model", "libraryName"): "library",
    ("Model", "pipelineTag"): "pipeline_tag",
    ("Model", "language"): "language",
    ("Model", "tags"): "tag",
    ("Model", "format"): "format",
    ("ModelTraining", "location"): "location",
}
# Words that name a metric of the model-index results: the metric chooser reads them, they filter nothing.


@dataclass
class Filter:
    """Models must have one of ``values`` at ``label.property``."""

    kind: str
    label: str
    property: str
    values: list[Any]
    mention: str = ""
    role: str = ""
    """For devices: ``training``, ``inference`` or ``any``."""
    negated: bool = False
    """Models must NOT have any of ``values`` ("not on kitti", "except umu")."""


def device_role(question: str, link: EntityLink, vocab: Vocabulary) -> str:
    before = question[: link.start].lower()
    window = " ".join(before.split()[-5:])
    if vocab.cue("device_trained_before").search(window):
        return "training"
    if vocab.cue("device_run_before").search(window):
        return "inference"
    after = question[link.end : link.end + 14].lower()
    if vocab.cue("device_trained_after").match(after):
        return "training"  # "H100-trained models"
    return ""


def filters_from_links(question: str, links: list[EntityLink], vocab: Vocabulary) -> list[Filter]:
    filters: dict[tuple[str, str, str], Filter] = {}
    last: tuple[EntityLink, Filter] | None = None  # the device link before, and the filter it went to
    for link in links:
        if link.label == "Device":
            kind, role = "device", device_role(question, link, vocab)
        elif link.label == "Hyperparameters":
            kind, role = f"hyper:{link.property}", ""
        elif link.label == "Dataset" and vocab.cue("evaluated_before").search(question[: link.start].lower()):
            kind, role = "evaluated_on", ""  # "evaluated on glue": the model-index results, not the training data
        elif link.label == "Dataset" and vocab.cue("trained_before").search(question[: link.start].lower()):
            kind, role = "dataset", "training"  # "trained on imdb": said so, never read as evaluated on
        else:
            kind, role = FILTER_KINDS.get((link.label, link.property), f"other:{link.label}.{link.property}"), ""
        negated = bool(vocab.cue("negated_before").search(question[: link.start].lower()))
        key = (kind, link.property, role + ("!" if negated else ""))
        found = filters.get(key)
        if kind == "device" and not role and last is not None and _listed_after(question, last[0], link, vocab):
            found = last[1]  # "benchmarked on the pi or the jetson": either device, in the pi's filter
        if found is None:
            found = filters[key] = Filter(kind, link.label, link.property, [link.value], link.mention, role, negated)
        elif link.value not in found.values:
            found.values.append(link.value)
            if link.mention not in found.mention:
                found.mention += f", {link.mention}"
        last = (link, found) if kind == "device" else last
    return list(filters.values())


def _listed_after(question: str, before: EntityLink, link: EntityLink, vocab: Vocabulary) -> bool:
    """Whether ``link`` follows the device ``before`` as the next item of one list ("the pi or the jetson")."""
    return before.end <= link.start and bool(vocab.cue("device_list_joiner").match(question[before.end : link.start]))


def gpu_thresholds(lower: str, catalog: MetricCatalog, used: list[Span]) -> list[Threshold]:
    metric = catalog.get("gpus")
    if metric is None:
        return []
    found = []
    cue = catalog.vocabulary.cue
    for pattern, op, value in ((cue("multi_gpu"), ">=", 2.0), (cue("no_gpu"), "=", 0.0), (cue("with_gpu"), ">=", 1.0)):
        for match in pattern.finditer(lower):
            if not overlaps(match.span(), used):
                found.append(Threshold(metric, op, value, match.group(), match.span()))
                used.append(match.span())
    for match in cue("gpu_count").finditer(lower):
        if overlaps(match.span(), used):
            continue
        raw = match.group("n")
        n = NUMBER_WORDS.get(raw) or (1 if raw == "single" else int(raw))
        found.append(Threshold(metric, "=", float(n), match.group(), match.span()))
        used.append(match.span())
    return found


# "how many models have co2 emissions data", "report their CO2": having a value is having a measured one.


def sign_thresholds(
    lower: str, mentions: list[Mention], catalog: MetricCatalog, inference: bool
) -> tuple[list[Threshold], set[Mention]]:
    """ "a negative R²" -> R² < 0, "positive" -> > 0, "non-negative" -> >= 0: a sign before a metric is a bound."""
    found: list[Threshold] = []
    consumed: set[Mention] = set()
    cue = catalog.vocabulary.cue
    for mention in mentions:
        if mention.kind not in ("quantity", "quality"):
            continue
        metric = catalog.get(mention.key, inference=inference)
        before = lower[max(0, mention.start - 20) : mention.start]
        sign = next((op for name, op in _SIGNS if cue(name).search(before)), None)
        if metric is None or sign is None:
            continue
        said = f"{before.split()[-1]} {mention.text}" if before.split() else mention.text
        found.append(Threshold(metric, sign, 0.0, said, (mention.start, mention.end)))
        consumed.add(mention)
    return found, consumed


_SIGNS = (("sign_non_negative_before", ">="), ("sign_negative_before", "<"), ("sign_positive_before", ">"))
"""The sign cues, the most specific first ("non-negative" holds "negative")."""


def measured_filters(
    lower: str, mentions: list[Mention], catalog: MetricCatalog, inference: bool, *, counting: bool = False
) -> tuple[list[Threshold], set[Mention]]:
    """ "no measured carbon", "energy not recorded" -> unmeasured; "with measured carbon" -> measured."""
    found: list[Threshold] = []
    consumed: set[Mention] = set()
    cue = catalog.vocabulary.cue
    for mention in mentions:
        metric = catalog.get(mention.key, inference=inference) if mention.kind == "quantity" else None
        if metric is None or not metric.measured:
            continue
        before, after = lower[max(0, mention.start - 30) : mention.start], lower[mention.end : mention.end + 30]
        clause = re.split(r"[,;?]|\band\b|\bbut\b", before)[-1] + " | " + re.split(r"[,;?]|\band\b|\bbut\b", after)[0]
        negated_measure = cue("negation").search(clause) and cue("measure_word").search(clause)
        if cue("unmeasured_before").search(before) or cue("unmeasured_after").search(after) or negated_measure:
            op = "unmeasured"
        elif (
            cue("measured_near").search(before)
            or cue("measured_near").search(after)
            or (counting and cue("having_before").search(before))
        ):
            op = "measured"
        else:
            continue
        found.append(Threshold(metric, op, 0.0, f"{op} {metric.label}", (mention.start, mention.end)))
        if op == "unmeasured" or mention.want == "none" and not cue("ranked_before").search(before):
            consumed.add(mention)  # "the lowest average measured carbon" still ranks by the carbon
    return found, consumed


def group_of(qwords: list[Word], vocab: Vocabulary, used: list[Span]) -> tuple[str | None, bool]:
    """The grouping asked for ("per dataset"), and whether the question asks *which* group."""
    texts = [w.text for w in qwords]
    nouns = {p: key for key, phrases in vocab.group_nouns.items() for p in phrases}
    for i, j, phrase in find_phrases(texts, nouns):
        if overlaps((qwords[i].start, qwords[j - 1].end), used):
            continue
        before = texts[max(0, i - 3) : i]
        while before and before[-1] in vocab.words_of("group_roles"):  # "which training hardware": the hardware
            before = before[:-1]
        joined = " ".join(before)
        if any(joined.endswith(m) or f"{m} the" in joined or f"{m} each" in joined for m in vocab.group_markers):
            return nouns[phrase], False
        if texts[j : j + 1] and texts[j] in vocab.words_of("effect_verbs"):  # "how does the dataset affect ..."
            return nouns[phrase], False
        if before[-1:] in (["which"], ["what"]) or joined.endswith("which of the") or joined.endswith("on which"):
            return nouns[phrase], True
    return None, False


def unknown_terms(
    qwords: list[Word], links: list[EntityLink], used: list[Span], vocab: Vocabulary, known: frozenset[str]
) -> list[str]:
    """Words where a name is expected ("on imagenet") that name nothing the graph has.

    Misspellings of words the vocabulary knows ("modle") are not unknown.
    """
    texts = [w.text for w in qwords]
    linked = [(link.start, link.end) for link in links]
    unknown = []
    for k in entity_positions(texts, vocab):
        if not 0 <= k < len(qwords):
            continue
        word = qwords[k]
        if overlaps((word.start, word.end), linked + used) or word.text in known:
            continue
        if not word.text.isalpha() or len(word.text) < 3:
            continue
        unknown.append(word.text)
    return list(dict.fromkeys(unknown))


def known_words(vocab: Vocabulary, catalog: MetricCatalog) -> frozenset[str]:
    """Every word the vocabulary gives a meaning to."""
    known: set[str] = set(vocab.stop_words) | set(vocab.metric_words)
    groups: list[tuple[str, ...]] = [
        *vocab.intents.values(), *vocab.aggregates.values(), *vocab.group_nouns.values(),
        *vocab.lookup_fields.values(), vocab.group_markers, vocab.inference_cues, vocab.training_cues,
        vocab.tradeoff_cues, vocab.per_sample_cues, vocab.lineage_cues,
        vocab.write_words, tuple(u.lower() for u in vocab.units), tuple(vocab.count_units),
    ]  # fmt: skip
    for phrases in groups:
        for phrase in phrases:
            known.update(phrase.split())
    for direction in vocab.direction_words.values():
        known.update(direction)
    for comparison in vocab.comparison_words.values():
        for phrase in comparison:
            known.update(phrase.split())
    for phrase in [*catalog.quality_phrases(), *catalog.hyperparameter_phrases()]:
        known.update(phrase.split())
    for phrases in vocab.filter_nouns.values():  # "license": known, and placed only by a filter of its kind
        for phrase in phrases:
            known.update(phrase.split())
    return frozenset(known)


_HYPER_VALUE = (
    r"\s*(?:=|:|of|is|equal to|equals|set to|at)?\s*(?P<num>-?\d+(?:\.\d+)?(?:e-?\d+)?)(?![\d.])\b"
    rf"(?!\s*(?:or|and)\s+(?:{ABOVE}|{BELOW})\b)"
    r"(?!\s*\+)"
)


def hyper_filters(lower: str, catalog: MetricCatalog, used: list[Span]) -> list[Filter]:
    """Numeric hyperparameter conditions: "n_neighbors of 5", "learning rate 0.001"."""
    found = []
    said = [(name, name) for name in catalog.hyperparameters]
    said += [(phrase, name) for phrase, name in catalog.vocabulary.hyperparameter_words.items()
             if name in catalog.hyperparameters and " " in phrase]  # "max sequence length of 128"  # fmt: skip
    for words_said, name in said:
        parts = [re.escape(p) for p in re.split(r"[_\s]+", words_said.lower()) if p]
        if not parts or len("".join(parts)) < 3:
            continue
        pattern = re.compile(r"\b" + r"[\s_-]*".join(parts) + r"\b" + _HYPER_VALUE)
        for match in pattern.finditer(lower):
            if overlaps(match.span(), used):
                continue
            raw = match.group("num")
            value: float | int = float(raw) if any(c in raw for c in ".e") else int(raw)
            found.append(Filter(f"hyper:{name}", "Hyperparameters", name, [value], match.group()))
            used.append(match.span())
    return found


def ignored_words(qwords: list[Word], links: list[EntityLink], used: list[Span], known: frozenset[str]) -> list[str]:
    """Content words the vocabulary and the graph give no meaning to ("chess")."""
    spans = [(link.start, link.end) for link in links] + used
    found = []
    for word in qwords:
        text = word.text
        if len(text) < 4 or not text.isalpha() or text in known or overlaps((word.start, word.end), spans):
            continue
        found.append(text)
    return list(dict.fromkeys(found))


def corrected_words(
    qwords: list[Word], links: list[EntityLink], known: frozenset[str], question: str = ""
) -> list[Word]:
    """Misspelt vocabulary words put right ("enviromentally", "acurate", "mnay"); names are left to the linker.

    One slip is fixed ("modle", "latncy"); a four-letter word only when its letters are swapped ("mnay"), so
    "base" never becomes "best". A word inside a longer token ("Base" in "BertBase-umu") belongs to a name.
    """
    spans = [(link.start, link.end) for link in links]
    fixed = []
    for word in qwords:
        text = word.text
        if (
            len(text) >= 4
            and text.isalpha()
            and text not in known
            and not overlaps((word.start, word.end), spans)
            and not _inside_token(question, word)
        ):
            text = _closest_known(text, known) or text
        fixed.append(Word(text, word.start, word.end))
    return fixed


def _inside_token(question: str, word: Word) -> bool:
    before = question[word.start - 1] if 0 < word.start <= len(question) else " "
    after = question[word.end] if word.end < len(question) else " "
    return before.isalnum() or before in "-_" or after.isalnum() or after in "-_"


def _closest_known(text: str, known: frozenset[str]) -> str | None:
    # Four letters: a letter missing, extra or swapped ("larg", "wich", "mnay"), never another ("base" -> "best").
    for candidate, _, _ in process.extract(text, known, scorer=OSA.distance, score_cutoff=1, limit=None):
        if len(text) >= 5 or len(candidate) != len(text) or sorted(candidate) == sorted(text):
            return str(candidate)
    if len(text) >= 7:
        close = process.extractOne(text, known, scorer=fuzz.ratio, score_cutoff=88.0)
        return str(close[0]) if close is not None else None
    return None


def drop_metric_overlaps(links: list[EntityLink], mentions: list[Mention]) -> list[EntityLink]:
    """Metric phrases win over values inside them ("mean euclidean distance error" is no weights=distance)."""
    kept = []
    for link in links:
        clash = [m for m in mentions if link.start < m.end and m.start < link.end]
        if any(len(m.text.split()) > 1 or link.label == "Hyperparameters" for m in clash):
            continue
        kept.append(link)
    return kept


def is_write_request(texts: list[str], vocab: Vocabulary) -> bool:
    head = texts[:4]
    if " ".join(texts).startswith(("what ", "which ", "how ", "who ", "when ")):
        return False
    return any(i < 3 and w in head for i, w in enumerate(head) for w in vocab.write_words if " " not in w) and (
        "data set" not in " ".join(texts)
    )
