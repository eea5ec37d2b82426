"""Question understanding: an intent with its slots, from words, links and the vocabulary.

:func:`understand` returns a :class:`Frame`: what is asked (rank, count, list,
aggregate, lookup, compare, best per group, group with most), about which
metric and in which direction, under which filters and thresholds. When it
cannot tell, the frame's intent is ``decline`` with the reason; it never
guesses silently: every assumption lands in ``Frame.notes``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from assistant.engines.offline.plan.conditions import (
    Filter,
    corrected_words,
    drop_metric_overlaps,
    filters_from_links,
    gpu_thresholds,
    group_of,
    hyper_filters,
    ignored_words,
    is_write_request,
    known_words,
    measured_filters,
    unknown_terms,
)
from assistant.engines.offline.plan.frame import ALL, Frame
from assistant.engines.offline.plan.intents import choose_intent, has_phrases, is_superlative
from assistant.engines.offline.plan.lineage import lineage_filters, without_lineage_cues
from assistant.engines.offline.plan.objectives import bind_adjectives, choose_metric, tradeoff
from assistant.engines.offline.plan.targets import count_target
from assistant.engines.offline.read.coverage import name_like_terms, unplaced_numbers
from assistant.engines.offline.read.link_rules import placed_partial_links, swallows_number
from assistant.engines.offline.read.metrics import MetricCatalog
from assistant.engines.offline.read.slots import (
    HOW_MANY_UNITS,
    Mention,
    Span,
    Threshold,
    Word,
    metric_mentions,
    overlaps,
    question_words,
    read_dates,
    read_k,
)
from assistant.engines.offline.read.thresholds import bound_numbers, read_thresholds
from assistant.language.entity_linking import EntityLink
from assistant.language.vocabulary import Vocabulary

__all__ = ["Filter", "Frame", "known_words", "understand"]

_SPEED_WORDS = frozenset({"fast", "faster", "fastest", "quick", "quicker", "quickest", "speediest", "slow", "slower",
                          "slowest", "snappiest", "longest", "shortest"})  # fmt: skip
_MODEL_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[-_/.][A-Za-z0-9]+){2,}\b")

logger = logging.getLogger(__name__)


@dataclass
class _Question:
    """One question while it is read: its words and links, what is placed so far, and the frame being filled."""

    question: str
    links: list[EntityLink]
    catalog: MetricCatalog
    vocab: Vocabulary
    known: frozenset[str]
    frame: Frame
    lower: str = ""
    ids: list[Span] = field(default_factory=list)
    """Where model-like names ("KNeighborsRegressor-lumos5g-KFold") are."""
    qwords: list[Word] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    hyper_spans: list[Span] = field(default_factory=list)
    link_spans: list[Span] = field(default_factory=list)
    used: list[Span] = field(default_factory=list)
    """Spans some reader placed."""
    mentions: list[Mention] = field(default_factory=list)
    consumed: set[Mention] = field(default_factory=set)
    accounted: list[Span] = field(default_factory=list)
    usable: list[Mention] = field(default_factory=list)
    partial_notes: list[str] = field(default_factory=list)
    inference_cue: bool = False
    training_cue: bool = False
    which_group: bool = False


def understand(
    question: str, links: list[EntityLink], catalog: MetricCatalog, vocab: Vocabulary, known: frozenset[str]
) -> Frame:
    """Read one question into a :class:`Frame`.

    Args:
        question: The user's question.
        links: Its entity links (:func:`assistant.language.entity_linking.link_entities`).
        catalog: The graph's metrics.
        vocab: The vocabulary.
        known: Every word with a meaning (:func:`known_words`).
    """
    q = _Question(question, links, catalog, vocab, known, Frame(question, "decline"))
    if not _read_words(q):
        return q.frame
    _read_conditions(q)
    _read_names(q)
    if _read_objective(q):
        return q.frame
    _read_intent(q)
    logger.debug("frame: %s", q.frame)
    return q.frame


def _read_words(q: _Question) -> bool:
    """Words, links and filters; False for a question that asks to change the graph."""
    question, vocab, frame = q.question, q.vocab, q.frame
    q.lower = question.lower()
    q.ids = [m.span() for m in _MODEL_ID.finditer(question)]
    # A model name's parts ("lumos5g" in "KNeighborsRegressor-lumos5g-LeaveOneGroupOut") are no filters of their own.
    links = [link for link in q.links if link.label == "Model" or not any(
        a <= link.start and link.end <= b and (a, b) != (link.start, link.end) for a, b in q.ids)]  # fmt: skip
    q.qwords = corrected_words(question_words(question), links, q.known, question)
    q.texts = [w.text for w in q.qwords]
    links, q.partial_notes = placed_partial_links(links, q.qwords, vocab, q.known)
    if is_write_request([w.text for w in question_words(question)], vocab):
        frame.decline_reason = "write"
        return False
    links = drop_metric_overlaps(links, metric_mentions(q.qwords, q.catalog, vocab, []))
    conditions = bound_numbers(question, vocab)
    links = [link for link in links if not swallows_number(question, link, conditions)]
    hyper = hyper_filters(q.lower, q.catalog, q.hyper_spans)
    # A hyperparameter name wins over a value inside it ("n_neighbors" is no KNeighbors link).
    q.links = [link for link in links if not overlaps((link.start, link.end), q.hyper_spans)]
    q.link_spans = [(link.start, link.end) for link in q.links]
    q.used = list(q.link_spans) + q.hyper_spans
    frame.dates = read_dates(question)
    q.used += [d.span for d in frame.dates]
    q.inference_cue = bool(has_phrases(vocab.inference_cues, q.texts) or has_phrases(vocab.per_sample_cues, q.texts))
    q.training_cue = bool(has_phrases(vocab.training_cues, q.texts))
    run_batch = q.catalog.get("batch_size", inference=True)
    runs: list[Threshold] = []
    if q.inference_cue and run_batch is not None and run_batch.scope == "inference":
        # "inference runs with batch size 64": the runs' batch size, not a training hyperparameter of that name
        runs = [Threshold(run_batch, "=", float(f.values[0]), f.mention, _span_of(q.lower, f.mention))
                for f in hyper if f.property == "batch_size"]  # fmt: skip
        hyper = [f for f in hyper if f.property != "batch_size"]
    frame.filters = lineage_filters(question, filters_from_links(question, q.links, vocab) + hyper, q.texts, vocab)
    frame.thresholds = runs
    return True


def _read_conditions(q: _Question) -> None:
    """Metric mentions, thresholds, measured or not, and how many are asked for."""
    question, vocab, frame, catalog = q.question, q.vocab, q.frame, q.catalog
    dates = [d.span for d in frame.dates]
    mentions = metric_mentions(q.qwords, catalog, vocab, q.link_spans + q.hyper_spans + dates)
    mentions = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in q.ids)]  # inside a model name
    if q.qwords and q.qwords[0].text == "compute":  # "Compute the average ...": a verb, not the FLOPs
        mentions = [m for m in mentions if m.start != q.qwords[0].start]
    q.mentions = mentions
    inference_only = q.inference_cue and not q.training_cue
    thresholds, q.consumed, notes, problems = read_thresholds(
        question, q.qwords, mentions, catalog, vocab, q.used, inference_only
    )
    counting = bool(has_phrases(vocab.intents["count"], q.texts)) and not re.search(HOW_MANY_UNITS, q.lower)
    measured, consumed_measured = measured_filters(q.lower, mentions, catalog, inference_only, counting=counting)
    runs = frame.thresholds
    frame.thresholds = thresholds + gpu_thresholds(q.lower, catalog, q.used) + measured + runs
    dataset_size = catalog.get("dataset_size")
    if dataset_size is not None and count_target(q.texts, vocab) == "datasets":  # "datasets larger than 1 MB"
        frame.thresholds = [replace(t, metric=dataset_size) if t.metric.key == "size" else t for t in frame.thresholds]
    q.consumed |= consumed_measured
    frame.notes += notes + q.partial_notes
    frame.problems += problems
    q.used += [(m.start, m.end) for m in mentions]
    k, k_span = read_k(question, q.used)
    if k is not None and k_span is not None:
        frame.k, frame.explicit_k = k, True
        q.used.append(k_span)
    elif re.match(r"\s*(?:please\s+)?(?:rank|sort|order)\b", q.lower) or re.search(
        r"\branked\b|\ball\b.*\bby\b", q.lower
    ):
        frame.k = ALL  # "rank the models by energy": every one, not the top five


def _read_names(q: _Question) -> None:
    """Model names, and the words and names nothing placed: unknown, ignored, absent, numbers with no meaning."""
    question, frame = q.question, q.frame
    frame.model_fragments = [
        m.group() for m in _MODEL_ID.finditer(question) if not overlaps(m.span(), q.link_spans + q.used)
    ]
    frame.unknown_terms = unknown_terms(q.qwords, q.links, q.used, q.vocab, q.known)
    q.accounted = q.used + [(m.start, m.end) for m in q.mentions] + [m.span() for m in _MODEL_ID.finditer(question)]
    ignored = ignored_words(q.qwords, q.links, q.accounted, q.known)
    frame.ignored_words = [w for w in ignored if w not in frame.unknown_terms]
    frame.absent = [term for term, _ in name_like_terms(question, q.accounted, q.known)]
    numbered_names, unplaced = unplaced_numbers(question, q.accounted)
    terms = frame.absent + [name for name in numbered_names if name not in frame.absent]
    frame.absent = [t for t in terms if not any(t != other and t in other for other in terms)]  # "Raspberry Pi 5"
    frame.problems += [f"I could not tell what the number in {ctx!r} refers to" for ctx in unplaced]


def _read_objective(q: _Question) -> bool:
    """The metric, its direction, the grouping; True when the question is a trade-off (the frame is complete)."""
    frame, vocab, catalog, texts = q.frame, q.vocab, q.catalog, q.texts
    free = [m for m in q.mentions if m not in q.consumed]
    missing = [m for m in free if m.kind == "missing"]
    usable = [m for m in free if m.kind != "missing"]
    if missing and not any(m.kind != "generic_quality" for m in usable):
        frame.missing_metric = missing[0].text
        usable = []
    threshold_keys = {t.metric.key for t in frame.thresholds}
    if any(m.key not in threshold_keys for m in usable):
        # "less than 0.01 kg of CO2": the CO2 belongs to the threshold, not to the ranking.
        usable = [m for m in usable if m.key not in threshold_keys or m.kind == "generic_quality"]
    frame.group, q.which_group = group_of(q.qwords, vocab, q.used)
    frame.which_group = q.which_group
    if q.training_cue and not q.inference_cue:
        # "quickest model to train": speed words are about training time here.
        usable = [replace(m, key="train_time") if m.text in _SPEED_WORDS else m for m in usable]
    q.usable = usable
    frame.inference = _is_inference(frame, usable, texts, vocab, q.inference_cue, q.training_cue)
    if q.inference_cue != q.training_cue:
        frame.device_role = "inference" if q.inference_cue else "training"
    choose_metric(frame, usable, q.qwords, catalog, vocab)
    if has_phrases(vocab.per_sample_cues, texts) and frame.metric is not None and frame.metric.per == "inference":
        frame.metric = catalog.per_sample(frame.metric)  # "energy per sample"
    bound = bind_adjectives(sorted(usable, key=lambda m: m.start), q.question)  # "longest wall-clock time": one
    if has_phrases(vocab.tradeoff_cues, texts) or _two_objectives(frame, bound, texts):
        tradeoff(frame, usable, catalog)
        if frame.intent == "pareto":
            return True
    _dataset_itself(q)
    return False


def _dataset_itself(q: _Question) -> None:
    """ "which dataset is the largest": the dataset's own size, not its models'."""
    frame = q.frame
    if frame.metric is None or frame.metric.key != "size":
        return
    plural_models = "model" in q.texts or "models" in q.texts
    named_dataset = frame.filter("dataset") is not None or count_target(q.texts, q.vocab) == "datasets"
    the_dataset = re.search(
        r"\b(?:the|this|that)\s+\S+\s+(?:dataset|data set)\b|\bdataset\s+\S+\s+(?:is|has)\b", q.lower
    )
    if (frame.group == "dataset" and q.which_group and not plural_models) or (
        named_dataset and (not plural_models or the_dataset)
    ):
        frame.metric, frame.group, frame.which_group = q.catalog.get("dataset_size"), None, False
        q.which_group = False


def _read_intent(q: _Question) -> None:
    """What is returned, then the other metrics a lookup names, and a superlative nothing placed."""
    frame, catalog = q.frame, q.catalog
    mention_spans = [(m.start, m.end) for m in q.mentions] + [(link.start, link.end) for link in q.links]
    masked = ["" if overlaps((w.start, w.end), mention_spans) else w.text for w in q.qwords]  # "SumPubmed": no sum
    conditions = [t.span for t in frame.thresholds] + [d.span for d in frame.dates] + q.hyper_spans
    field_texts = without_lineage_cues(
        ["" if overlaps((w.start, w.end), conditions) else w.text for w in q.qwords], q.vocab
    )
    choose_intent(frame, q.texts, masked, field_texts, q.vocab, q.which_group, q.mentions)
    if frame.intent == "lookup" and frame.metric is not None:
        for mention in q.usable:
            other = catalog.get(mention.key, inference=frame.inference) if mention.kind != "generic_quality" else None
            if other is not None and other.key != frame.metric.key and other not in frame.also:
                frame.also.append(other)  # "the carbon and energy of X"
    if frame.intent in ("list", "lookup", "count", "group_count"):
        spans = mention_spans + q.accounted
        lost = [w.text for w in q.qwords if is_superlative(w.text) and not overlaps((w.start, w.end), spans)]
        if lost:  # "cleanest XGBoost model" must not become a plain list of XGBoost models
            frame.problems.append(f"I could not tell what {lost[0]!r} ranks by")


def _two_objectives(frame: Frame, mentions: list[Mention], texts: list[str]) -> bool:
    """ "the best R² for the least energy": two metrics and a superlative, and no model named, ask for a trade-off."""
    keys = {m.key for m in mentions if m.kind in ("quantity", "quality")}
    if not any(m.kind == "quality" for m in mentions) and any(m.kind == "generic_quality" for m in mentions):
        keys.add("quality")  # "greenest and most accurate"
    superlative = any(w in ("best", "least", "most", "lowest", "highest", "top") or is_superlative(w) for w in texts)
    if len(keys) == 2 and superlative and not frame.filter("model") and not frame.group:
        names = " and ".join(sorted(keys))
        frame.notes.append(f"two metrics ({names}) with 'best'/'least' read as their trade-off")
        return True
    return False


def _span_of(lower: str, said: str) -> Span:
    at = lower.find(said.lower())
    return (at, at + len(said)) if at >= 0 else (0, 0)


def _is_inference(
    frame: Frame, mentions: list[Mention], texts: list[str], vocab: Vocabulary, inference: bool, training: bool
) -> bool:
    device = frame.filter("device")
    if device is not None and device.role == "" and training != inference:
        device.role = "training" if training else "inference"
    if any(m.key in ("latency", "flops", "batch_size", "inference_time") for m in mentions):
        return True
    if device is not None and device.role == "inference":
        return True
    return inference and not training
