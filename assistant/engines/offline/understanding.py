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
from dataclasses import replace

from assistant.engines.offline.conditions import (
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
from assistant.engines.offline.coverage import name_like_terms, unplaced_numbers
from assistant.engines.offline.lineage import lineage_filters, without_lineage_cues
from assistant.engines.offline.link_rules import placed_partial_links, swallows_number
from assistant.engines.offline.metrics import MetricCatalog
from assistant.engines.offline.objectives import bind_adjectives, choose_metric, tradeoff
from assistant.engines.offline.plan import ALL, Frame
from assistant.engines.offline.slots import (
    HOW_MANY_UNITS,
    Mention,
    Span,
    Threshold,
    metric_mentions,
    overlaps,
    question_words,
    read_dates,
    read_k,
)
from assistant.engines.offline.targets import ENTITY_FIELDS, count_target
from assistant.engines.offline.thresholds import bound_numbers, read_thresholds
from assistant.language.entity_linking import EntityLink
from assistant.language.vocabulary import Vocabulary, find_phrases

__all__ = ["Filter", "Frame", "known_words", "understand"]

# Filter kinds whose values a question can compare, and the group that shows them side by side.
_COMPARABLE = {
    "architecture": "architecture", "dataset": "dataset", "service": "service", "problem_type": "problem_type",
    "split": "split", "optimizer": "optimizer", "device": "device", "author": "author",
}  # fmt: skip
_SPEED_WORDS = frozenset({"fast", "faster", "fastest", "quick", "quicker", "quickest", "speediest", "slow", "slower",
                          "slowest", "snappiest", "longest", "shortest"})  # fmt: skip
_MODEL_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[-_/.][A-Za-z0-9]+){2,}\b")

logger = logging.getLogger(__name__)


def _has(phrases: tuple[str, ...] | list[str], text_words: list[str]) -> list[tuple[int, int, str]]:
    return find_phrases(text_words, phrases)


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
    lower = question.lower()
    ids = [m.span() for m in _MODEL_ID.finditer(question)]
    # A model name's parts ("lumos5g" in "KNeighborsRegressor-lumos5g-LeaveOneGroupOut") are no filters of their own.
    links = [link for link in links if link.label == "Model" or not any(
        a <= link.start and link.end <= b and (a, b) != (link.start, link.end) for a, b in ids)]  # fmt: skip
    qwords = corrected_words(question_words(question), links, known, question)
    texts = [w.text for w in qwords]
    links, partial_notes = placed_partial_links(links, qwords, vocab, known)
    frame = Frame(question, "decline")
    if is_write_request([w.text for w in question_words(question)], vocab):
        frame.decline_reason = "write"
        return frame
    links = drop_metric_overlaps(links, metric_mentions(qwords, catalog, vocab, []))
    conditions = bound_numbers(question, vocab)
    links = [link for link in links if not swallows_number(question, link, conditions)]
    hyper_spans: list[Span] = []
    hyper = hyper_filters(lower, catalog, hyper_spans)
    # A hyperparameter name wins over a value inside it ("n_neighbors" is no KNeighbors link).
    links = [link for link in links if not overlaps((link.start, link.end), hyper_spans)]
    link_spans: list[Span] = [(link.start, link.end) for link in links]
    used: list[Span] = list(link_spans) + hyper_spans
    frame.dates = read_dates(question)
    used += [d.span for d in frame.dates]
    inference_cue = bool(_has(vocab.inference_cues, texts) or _has(vocab.per_sample_cues, texts))
    run_batch = catalog.get("batch_size", inference=True)
    if inference_cue and run_batch is not None and run_batch.scope == "inference":
        # "inference runs with batch size 64": the runs' batch size, not a training hyperparameter of that name
        runs = [Threshold(run_batch, "=", float(f.values[0]), f.mention, _span_of(lower, f.mention))
                for f in hyper if f.property == "batch_size"]  # fmt: skip
        hyper = [f for f in hyper if f.property != "batch_size"]
    else:
        runs = []
    frame.filters = lineage_filters(question, filters_from_links(question, links, vocab) + hyper, texts, vocab)
    training_cue = bool(_has(vocab.training_cues, texts))
    mentions = metric_mentions(qwords, catalog, vocab, link_spans + hyper_spans + [d.span for d in frame.dates])
    mentions = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in ids)]  # inside a model name
    if qwords and qwords[0].text == "compute":  # "Compute the average ...": a verb, not the FLOPs
        mentions = [m for m in mentions if m.start != qwords[0].start]
    thresholds, consumed, notes, problems = read_thresholds(
        question, qwords, mentions, catalog, vocab, used, inference_cue and not training_cue
    )
    counting = bool(_has(vocab.intents["count"], texts)) and not re.search(HOW_MANY_UNITS, lower)
    measured, consumed_measured = measured_filters(
        lower, mentions, catalog, inference_cue and not training_cue, counting=counting
    )
    frame.thresholds = thresholds + gpu_thresholds(lower, catalog, used) + measured + runs
    dataset_size = catalog.get("dataset_size")
    if dataset_size is not None and count_target(texts, vocab) == "datasets":  # "datasets larger than 1 MB"
        frame.thresholds = [replace(t, metric=dataset_size) if t.metric.key == "size" else t for t in frame.thresholds]
    consumed |= consumed_measured
    frame.notes += notes + partial_notes
    frame.problems += problems
    used += [m_span for m_span in ((m.start, m.end) for m in mentions)]
    k, k_span = read_k(question, used)
    if k is not None and k_span is not None:
        frame.k, frame.explicit_k = k, True
        used.append(k_span)
    elif re.match(r"\s*(?:please\s+)?(?:rank|sort|order)\b", lower) or re.search(r"\branked\b|\ball\b.*\bby\b", lower):
        frame.k = ALL  # "rank the models by energy": every one, not the top five
    frame.model_fragments = [
        m.group() for m in _MODEL_ID.finditer(question) if not overlaps(m.span(), link_spans + used)
    ]
    frame.unknown_terms = unknown_terms(qwords, links, used, vocab, known)
    frame.ignored_words = [
        w
        for w in ignored_words(
            qwords,
            links,
            used + [(m.start, m.end) for m in mentions] + [m.span() for m in _MODEL_ID.finditer(question)],
            known,
        )
        if w not in frame.unknown_terms
    ]
    accounted = used + [(m.start, m.end) for m in mentions] + [m.span() for m in _MODEL_ID.finditer(question)]
    frame.absent = [term for term, _ in name_like_terms(question, accounted, known)]
    numbered_names, unplaced = unplaced_numbers(question, accounted)
    terms = frame.absent + [name for name in numbered_names if name not in frame.absent]
    frame.absent = [t for t in terms if not any(t != other and t in other for other in terms)]  # "Raspberry Pi 5"
    frame.problems += [f"I could not tell what the number in {ctx!r} refers to" for ctx in unplaced]
    free = [m for m in mentions if m not in consumed]
    missing = [m for m in free if m.kind == "missing"]
    usable = [m for m in free if m.kind != "missing"]
    if missing and not any(m.kind != "generic_quality" for m in usable):
        frame.missing_metric = missing[0].text
        usable = []
    threshold_keys = {t.metric.key for t in frame.thresholds}
    if any(m.key not in threshold_keys for m in usable):
        # "less than 0.01 kg of CO2": the CO2 belongs to the threshold, not to the ranking.
        usable = [m for m in usable if m.key not in threshold_keys or m.kind == "generic_quality"]
    frame.group, which_group = group_of(qwords, vocab, used)
    frame.which_group = which_group
    if training_cue and not inference_cue:
        # "quickest model to train": speed words are about training time here.
        usable = [replace(m, key="train_time") if m.text in _SPEED_WORDS else m for m in usable]
    frame.inference = _is_inference(frame, usable, texts, vocab, inference_cue, training_cue)
    if inference_cue != training_cue:
        frame.device_role = "inference" if inference_cue else "training"
    choose_metric(frame, usable, qwords, catalog, vocab)
    if _has(vocab.per_sample_cues, texts) and frame.metric is not None and frame.metric.per == "inference":
        frame.metric = catalog.per_sample(frame.metric)  # "energy per sample"
    bound = bind_adjectives(sorted(usable, key=lambda m: m.start), question)  # "longest wall-clock time": one
    if _has(vocab.tradeoff_cues, texts) or _two_objectives(frame, bound, texts):
        tradeoff(frame, usable, catalog)
        if frame.intent == "pareto":
            return frame
    plural_models = "model" in texts or "models" in texts
    if (
        frame.metric is not None
        and frame.metric.key == "size"
        and frame.group == "dataset"
        and which_group
        and not plural_models
    ) or (
        frame.metric is not None
        and frame.metric.key == "size"
        and (frame.filter("dataset") is not None or count_target(texts, vocab) == "datasets")
        and (
            not plural_models
            or re.search(r"\b(?:the|this|that)\s+\S+\s+(?:dataset|data set)\b|\bdataset\s+\S+\s+(?:is|has)\b", lower)
        )
    ):
        # "which dataset is the largest": the dataset's own size, not its models'.
        frame.metric, frame.group, frame.which_group = catalog.get("dataset_size"), None, False
        which_group = False
    mention_spans = [(m.start, m.end) for m in mentions] + [(link.start, link.end) for link in links]
    masked = ["" if overlaps((w.start, w.end), mention_spans) else w.text for w in qwords]  # "SumPubmed": no sum
    conditions = [t.span for t in frame.thresholds] + [d.span for d in frame.dates] + hyper_spans
    field_texts = without_lineage_cues(
        ["" if overlaps((w.start, w.end), conditions) else w.text for w in qwords], vocab
    )
    _choose_intent(frame, texts, masked, field_texts, vocab, which_group, mentions)
    if frame.intent == "lookup" and frame.metric is not None:
        for mention in usable:
            other = catalog.get(mention.key, inference=frame.inference) if mention.kind != "generic_quality" else None
            if other is not None and other.key != frame.metric.key and other not in frame.also:
                frame.also.append(other)  # "the carbon and energy of X"
    if frame.intent in ("list", "lookup", "count", "group_count"):
        spans = mention_spans + accounted
        lost = [w.text for w in qwords if _is_superlative(w.text) and not overlaps((w.start, w.end), spans)]
        if lost:  # "cleanest XGBoost model" must not become a plain list of XGBoost models
            frame.problems.append(f"I could not tell what {lost[0]!r} ranks by")
    logger.debug("frame: %s", frame)
    return frame


_DEVICE_FIELDS = frozenset({"training_device", "inference_devices"})
_DEVICE_WORDS = re.compile(r"\b(?:cores?|memory|ram|gpus?|graphics cards?|processors?|cpus?)\b")
_NOT_RANKING = frozenset({"interest", "interested", "request", "requests", "forest", "forests", "honest", "test",
                          "tests", "latest", "biggest", "largest", "smallest"})  # fmt: skip


def _is_superlative(word: str) -> bool:
    return word.endswith("est") and len(word) > 5 and word not in _NOT_RANKING


def _two_objectives(frame: Frame, mentions: list[Mention], texts: list[str]) -> bool:
    """ "the best R² for the least energy": two metrics and a superlative, and no model named, ask for a trade-off."""
    keys = {m.key for m in mentions if m.kind in ("quantity", "quality")}
    if not any(m.kind == "quality" for m in mentions) and any(m.kind == "generic_quality" for m in mentions):
        keys.add("quality")  # "greenest and most accurate"
    superlative = any(w in ("best", "least", "most", "lowest", "highest", "top") or _is_superlative(w) for w in texts)
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


def _choose_intent(
    frame: Frame,
    texts: list[str],
    masked: list[str],
    field_texts: list[str],
    vocab: Vocabulary,
    which_group: bool,
    mentions: list[Mention],
) -> None:
    """Decide the intent; ``masked`` is ``texts`` without the metric phrases ("mean" in "mean absolute error")."""
    joined = " ".join(texts)
    counting = bool(_has(vocab.intents["count"], texts)) and not re.search(HOW_MANY_UNITS, frame.question.lower())
    if frame.metric is not None and frame.metric.scope == "dataset" and not counting and not frame.group:
        if frame.count_target == "datasets" or frame.filter("dataset") or count_target(texts, vocab) == "datasets":
            frame.intent = "rank"  # "what is the size of the lumos5g dataset", "list the datasets and their sizes"
            if not frame.filter("dataset") and not frame.explicit_k:
                frame.k, frame.want = ALL, "high"
            return
    describing = bool(_has(vocab.intents["describe"], texts))
    comparing = bool(_has(vocab.intents["compare"], texts))
    field_hits = [p for _, _, p in _has([p for ps in vocab.lookup_fields.values() for p in ps], field_texts)]
    frame.fields = [key for key, phrases in vocab.lookup_fields.items() if any(p in phrases for p in field_hits)]
    device_properties = (
        bool(frame.fields)
        and set(frame.fields) <= _DEVICE_FIELDS | {"describe"}
        and bool(_DEVICE_WORDS.search(" ".join(masked)))  # "1 v100 GPU" names a device, asks for no GPU count
        and not (frame.filter("model") or frame.model_fragments)
        and frame.metric is None
    )  # "how many cores does the Raspberry Pi have", "how much memory does the training machine have"
    if frame.filter("device") is not None:  # "run on the jetson" names a filter, not the field to show
        frame.fields = [f for f in frame.fields if f not in ("inference_devices", "training_device")]
    aggs = [(key, i) for key, phrases in vocab.aggregates.items() for i, _, _ in _has(phrases, masked)]
    models = frame.filter("model")
    lowered = frame.question.lower()
    amount = re.search(HOW_MANY_UNITS + r"|\bhow much\b", lowered) and re.search(r"\b(models|all|together)\b", lowered)
    if not aggs and amount and not (models or frame.model_fragments):  # "how many grams did the models emit"
        aggs = [("sum", 0)]
    superlative = frame.metric is not None and (
        frame.explicit_k or any(m.want != "none" for m in mentions) or _superlative_word(field_texts, vocab)
    )
    if frame.missing_metric and frame.metric is None:
        frame.decline_reason = "metric"
        return
    if models and len(models.values) >= 2:
        frame.intent = "compare"
        return
    compared = next((f for f in frame.filters if f.kind in _COMPARABLE and len(f.values) >= 2), None)
    if comparing and compared is not None and not frame.group and not counting:
        # "random forest or xgboost on umu", "lumos5g vs umu by average MAE": one row per compared value.
        frame.group, frame.which_group = _COMPARABLE[compared.kind], True
        frame.agg = aggs[0][0] if aggs else None
        frame.intent = "group_agg" if aggs and frame.metric is not None else "group_best"
        if compared.kind == "device" and frame.intent == "group_best":
            frame.intent, frame.agg = "group_agg", "avg"
            frame.notes.append("compared each device by its average over all its runs")
        return
    target = count_target(texts, vocab)
    if counting and (models or frame.model_fragments) and (frame.fields or frame.metric) and target == "models":
        frame.intent = "lookup"
        return
    if counting:
        frame.count_target = target
        if which_group or (frame.group and re.search(r"\b(most|fewest|least|largest number)\b", joined)):
            frame.intent, frame.want = "group_count", "low" if re.search(r"\b(fewest|least)\b", joined) else "high"
        else:
            frame.intent = "group_count" if frame.group else "count"
        return
    popular = (  # "the most (fine-tuned) models"
        r"\b(most|fewest|least)\s+(?:[\w-]+\s+){0,2}(models|entries|cards)\b|\bmost (common|used|popular|frequent)"
        r"|\bmost often"
    )
    if frame.group and which_group and re.search(popular, joined):
        frame.intent = "group_count"
        frame.want = "low" if re.search(r"\b(fewest|least)\b", joined) else "high"
        return
    if (models or frame.model_fragments) and (describing or frame.fields or (frame.metric and not superlative)):
        frame.intent = "lookup"
        return
    numeric = frame.metric is not None and frame.metric.key != "date"
    if aggs and numeric and not (superlative and not frame.group and aggs[0][0] in ("min", "max")):
        frame.agg = aggs[0][0]
        frame.intent = "group_agg" if frame.group else "aggregate"
        return
    listing = bool(_has(vocab.intents["list"], texts)) and bool(frame.filters or frame.thresholds or frame.dates)
    if (
        frame.metric is not None
        and not superlative
        and not (frame.thresholds or frame.group or aggs or counting)
        and any(f.kind != "model" for f in frame.filters)
        and frame.metric.scope != "dataset"
    ):  # "what is the weight decay of the models on sst2": each model's value
        frame.intent = "lookup"
        return
    if frame.metric is not None and (superlative or frame.group or not (frame.thresholds or listing)):
        frame.intent = "group_best" if frame.group else "rank"
        if frame.group in ("device", "gpu_model") and which_group and not models:
            # "which device is fastest": hardware is judged on average over what ran on it.
            frame.intent, frame.agg = "group_agg", "avg"
            frame.notes.append(f"compared each {frame.group.replace('_', ' ')} by its average over all its runs")
        return
    if models or frame.model_fragments or (frame.filters and _asks_fields(frame) and target == "models"):
        frame.intent = "lookup"  # "what hyperparams does the lumos knn use"
        return
    if device_properties:
        frame.count_target, frame.intent, frame.fields = "devices", "list", ["device_properties"]
        return
    asked = [f for f in frame.fields if f in ENTITY_FIELDS and f not in {flt.kind for flt in frame.filters}]
    if "problem_type" in asked:
        asked = ["problem_type"]  # "what type of problem": not the architecture type
    if len(asked) > 1 and "service" in asked:
        asked.remove("service")  # "which optimizers were used for tuning": "used for" names no service here
    plural = "model" in texts or "models" in texts
    if len(asked) == 1 and not counting and not frame.metric and (not plural or asked == ["author"]):
        # "who published the models", "problem type of localization": the distinct values, not the models
        frame.count_target, frame.intent = ENTITY_FIELDS[asked[0]], "list"
        return
    if frame.thresholds or frame.filters or frame.dates or _has(vocab.intents["list"], texts):
        if frame.filters or frame.thresholds or frame.dates or target != "models" or re.search(r"\bmodels?\b", joined):
            frame.count_target = target
            frame.intent = "list"
            return
    frame.decline_reason = "unknown"


def _asks_fields(frame: Frame) -> bool:
    return any(f not in ("describe", "dataset", "architecture", "service", "problem_type") for f in frame.fields)


def _superlative_word(texts: list[str], vocab: Vocabulary) -> bool:
    superlatives = {"best", "worst", "top", "most", "least", "lowest", "highest", "minimum", "maximum", "min", "max"}
    return any(w in superlatives or _is_superlative(w) for w in texts)
