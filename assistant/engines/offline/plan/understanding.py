"""Question understanding: the typed plan (:class:`Frame`) filled from a :class:`Reading`.

:func:`understand` returns a :class:`Frame`: what is asked (rank, count, list,
aggregate, lookup, compare, best per group, group with most), about which
metric and in which direction, under which filters and thresholds. When it
cannot tell, the frame's intent is ``decline`` with the reason; it never
guesses silently: every assumption lands in ``Frame.notes``. It takes the
question as read (:mod:`assistant.engines.offline.read.reading`), never its text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from assistant.engines.offline.plan.frame import ALL, Frame
from assistant.engines.offline.plan.intents import choose_intent, has_phrases, is_superlative
from assistant.engines.offline.plan.objectives import bind_adjectives, choose_metric, tradeoff
from assistant.engines.offline.read.conditions import Filter, group_of, known_words
from assistant.engines.offline.read.lineage import without_lineage_cues
from assistant.engines.offline.read.metrics import Metric, MetricCatalog
from assistant.engines.offline.read.reading import Reading
from assistant.engines.offline.read.slots import Mention, overlaps
from assistant.engines.offline.read.targets import count_target
from assistant.language.vocabulary import Vocabulary

__all__ = ["Filter", "Frame", "known_words", "understand"]

logger = logging.getLogger(__name__)


@dataclass
class _Plan:
    """One question while its plan is filled: the reading, and what the objective readers chose."""

    reading: Reading
    catalog: MetricCatalog
    vocab: Vocabulary
    frame: Frame
    usable: list[Mention] = field(default_factory=list)
    which_group: bool = False


def understand(reading: Reading, catalog: MetricCatalog, vocab: Vocabulary) -> Frame:
    """Fill the typed plan of a question from its reading.

    Args:
        reading: The question, read (:func:`assistant.engines.offline.read.reading.read_question`).
        catalog: The graph's metrics.
        vocab: The vocabulary.
    """
    frame = Frame(reading.text, "decline", reading=reading)
    if reading.write_request:
        frame.decline_reason = "write"
        return frame
    _place_readings(frame, reading)
    p = _Plan(reading, catalog, vocab, frame)
    if _read_objective(p):
        return frame
    _read_intent(p)
    logger.debug("frame: %s", frame)
    return frame


def _place_readings(frame: Frame, reading: Reading) -> None:
    """What the read stage found, into the plan: filters, conditions, dates, k, names nothing placed."""
    frame.filters = list(reading.filters)
    frame.thresholds = list(reading.thresholds)
    frame.dates = list(reading.dates)
    frame.notes += reading.notes
    frame.problems += reading.problems
    if reading.k is not None:
        frame.k, frame.explicit_k = reading.k, True
    elif reading.rank_all:
        frame.k = ALL  # "rank the models by energy": every one, not the top five
    frame.model_fragments = list(reading.model_fragments)
    frame.unknown_terms = list(reading.unknown_terms)
    frame.ignored_words = list(reading.ignored_words)
    frame.absent = list(reading.absent)


def _read_objective(p: _Plan) -> bool:
    """The metric, its direction, the grouping; True when the question is a trade-off (the frame is complete)."""
    frame, vocab, catalog, r = p.frame, p.vocab, p.catalog, p.reading
    if r.countries and _what_if(frame, r, catalog):
        return True
    texts = r.texts
    free = [m for m in r.mentions if m not in r.consumed]
    missing = [m for m in free if m.kind == "missing"]
    usable = [m for m in free if m.kind != "missing"]
    if missing and not any(m.kind != "generic_quality" for m in usable):
        frame.missing_metric = missing[0].text
        usable = []
    usable = _cost_named(usable, vocab)
    threshold_keys = {t.metric.key for t in frame.thresholds}
    if any(m.key not in threshold_keys for m in usable):
        # "less than 0.01 kg of CO2": the CO2 belongs to the threshold, not to the ranking.
        usable = [m for m in usable if m.key not in threshold_keys or m.kind == "generic_quality"]
    frame.group, p.which_group = group_of(r.words, vocab, r.used)
    frame.which_group = p.which_group
    if r.training_cue and not r.inference_cue:
        # "quickest model to train": speed words are about training time here.
        speed = vocab.words_of("speed_words")
        usable = [replace(m, key="train_time") if m.text in speed else m for m in usable]
    p.usable = usable
    frame.inference = _is_inference(frame, usable, r.inference_cue, r.training_cue)
    if r.dominance_reference is not None and missing:  # "better F1 and lower carbon than X": every metric counts
        frame.missing_metric = missing[0].text
        return True
    adjectives = vocab.words_of("quality_adjectives")
    if r.dominance_reference is not None and _dominance(frame, usable, r.dominance_reference, catalog, adjectives):
        return True
    if r.inference_cue != r.training_cue:
        frame.device_role = "inference" if r.inference_cue else "training"
    choose_metric(frame, usable, r.words, catalog, vocab)
    if r.spread:  # "the std of the rmse": the spread the card gives beside the mean, or said to be missing
        _spread_of(frame)
    if has_phrases(vocab.per_sample_cues, texts) and frame.metric is not None and frame.metric.per == "inference":
        frame.metric = catalog.per_sample(frame.metric)  # "energy per sample"
    if r.asks_device_choice and (frame.filter("model") or frame.model_fragments) and _device_choice(frame, catalog):
        return True
    bound = bind_adjectives(sorted(usable, key=lambda m: m.start), r)  # "longest wall-clock time": one
    if has_phrases(vocab.tradeoff_cues, texts) or _two_objectives(frame, bound, texts, vocab):
        tradeoff(frame, usable, catalog)
        if frame.intent == "pareto":
            frame.choice = r.asks_choice  # "which should I use for accuracy and carbon": a point of the front
            return True
    _dataset_itself(p)
    return False


def _cost_named(usable: list[Mention], vocab: Vocabulary) -> list[Mention]:
    """ "cheapest to run, energy-wise", "least expensive in training time": a cost word beside a cost named by name
    is that cost's direction, not a second objective."""
    words = vocab.words_of("cost_words")
    costs = [m for m in usable if m.text in words or m.text.split()[0] in words]
    named = [m for m in usable if m.kind == "quantity" and m not in costs]
    directed = [m for m in usable if m not in costs and m.want != "none"]  # "cheapest and fastest": two objectives
    if not costs or not named or directed:
        return usable
    want = costs[0].want if costs[0].want != "none" else "low"
    return [replace(m, want=want) if m in named and m.want == "none" else m for m in usable if m not in costs]


def _device_choice(frame: Frame, catalog: MetricCatalog) -> bool:
    """ "Which device should X run on", "on which device is X fastest": X's inference runs per device, the best
    first, by the metric named (per inference) or, when none is, the energy per inference (said as assumed)."""
    metric = frame.metric if frame.metric is not None and frame.metric.scope == "inference" else None
    if metric is None:
        metric = catalog.get("energy", inference=True)
        if metric is None or metric.scope != "inference":
            return False
        frame.notes.append(f"no objective named: the devices are compared by {metric.label}")
    frame.intent, frame.metric, frame.inference = "group_agg", metric, True
    frame.group, frame.which_group, frame.agg, frame.device_role = "device", True, "avg", "inference"
    return True


def _what_if(frame: Frame, reading: Reading, catalog: MetricCatalog) -> bool:
    """ "How much would training X emit in France", "where would X emit least: France, Germany or Slovenia",
    "moving X from Germany to France": X's training energy priced on those grids."""
    energy = catalog.get("energy")
    if energy is None or energy.scope != "training":
        return False
    frame.intent, frame.metric, frame.k = "what_if", energy, ALL
    frame.regions = [grid.iso for grid in reading.countries]
    frame.region_ask = reading.region_ask
    return True


def _dominance(
    frame: Frame, usable: list[Mention], reference: str, catalog: MetricCatalog, adjectives: tuple[str, ...]
) -> bool:
    """ "faster and more accurate than X", "beat X on MAE and training time": the models better than X on each
    metric named (a generic "more accurate" is the quality metric the models have, or the one named beside it:
    "more accurate by RMSE")."""
    metrics: list[Metric] = []
    named_quality = any(m.kind == "quality" and m.text.lower() not in adjectives for m in usable)
    usable = [m for m in usable if not (named_quality and m.text.lower() in adjectives)]
    for mention in sorted(usable, key=lambda m: m.start):
        if mention.kind == "generic_quality":
            metric = catalog.preferred_quality()
            if metric is not None:
                frame.notes.append(f"'{mention.text}' read as the {metric.label} ({metric.better} is better)")
        elif mention.kind == "quality":
            metric = catalog.get(mention.key)
        else:
            inference = mention.role == "inference" or (mention.role != "training" and frame.inference)
            metric = catalog.get(mention.key, inference=inference or mention.key == "latency")
        if metric is not None and metric not in metrics:
            metrics.append(metric)
    lowered = reference.lower()
    others = [m for m in frame.model_fragments if m.lower() != lowered] + [
        v for f in frame.filters if f.kind == "model" for v in f.values if str(v).lower() != lowered
    ]
    if not metrics or others:  # "how much less carbon did A emit than B": a comparison of the two
        return False
    if len(metrics) > 2:  # never drop a metric the question names
        labels = ", ".join(m.label for m in metrics)
        frame.problems.append(f"I compare models with {reference} on two metrics at a time ({labels} were named)")
        return True
    frame.intent, frame.reference, frame.k = "dominance", reference, ALL
    frame.metric = metrics[0]
    frame.metric2 = metrics[1] if len(metrics) > 1 else None
    frame.model_fragments = [m for m in frame.model_fragments if m.lower() != lowered]
    for flt in [f for f in frame.filters if f.kind == "model"]:
        flt.values = [v for v in flt.values if str(v).lower() != lowered and lowered not in flt.mention.lower()]
    frame.filters = [f for f in frame.filters if f.kind != "model" or f.values]
    return True


def _dataset_itself(p: _Plan) -> None:
    """ "which dataset is the largest": the dataset's own size, not its models'."""
    frame, texts = p.frame, p.reading.texts
    if frame.metric is None or frame.metric.key != "size" or p.reading.asks_choice:
        return  # "need something lightweight for X, what do you suggest": a model is chosen, by its size
    plural_models = "model" in texts or "models" in texts
    named_dataset = frame.filter("dataset") is not None or count_target(texts, p.vocab) == "datasets"
    if (frame.group == "dataset" and p.which_group and not plural_models) or (
        named_dataset and (not plural_models or p.reading.names_the_dataset)
    ):
        frame.metric, frame.group, frame.which_group = p.catalog.get("dataset_size"), None, False
        p.which_group = False


def _spread_of(frame: Frame) -> None:
    """The asked metric's std instead of its mean; a problem when the graph keeps none for it."""
    metric = frame.metric
    if metric is None or not metric.spread:
        what = metric.label if metric is not None else "that metric"
        frame.problems.append(f"the graph keeps no standard deviation of {what} (MRM3 cards give one per metric)")
        return
    frame.metric = replace(
        metric,
        key=f"{metric.key}_std",
        label=f"std of {metric.label}",
        prop=metric.spread,
        better="lower",
        spread="",
        zero_unmeasured=False,
    )


def _comparable_extras(frame: Frame) -> None:
    """A comparison's other metrics that rank like the first (a model's value each); the others are said, not
    compared (a dataset's size, a score only model-index results hold per dataset)."""
    kept = [m for m in frame.also if m.scope in ("training", "quality", "inference", "model") and not m.results_only]
    for metric in frame.also:
        if metric not in kept:
            why = "only model-index results hold it, per dataset" if metric.results_only else "it is no model's value"
            frame.notes.append(f"{metric.label} is not compared ({why}): ask for it on its own")
    frame.also = kept


def _read_intent(p: _Plan) -> None:
    """What is returned, then the other metrics a lookup names, and a superlative nothing placed."""
    frame, catalog, r = p.frame, p.catalog, p.reading
    mention_spans = [(m.start, m.end) for m in r.mentions] + [(link.start, link.end) for link in r.kept_links]
    masked = ["" if overlaps((w.start, w.end), mention_spans) else w.text for w in r.words]  # "SumPubmed": no sum
    conditions = [t.span for t in frame.thresholds] + [d.span for d in frame.dates] + r.hyper_spans
    field_texts = without_lineage_cues(
        ["" if overlaps((w.start, w.end), conditions) else w.text for w in r.words], p.vocab
    )
    choose_intent(frame, r.texts, masked, field_texts, p.vocab, p.which_group, r.mentions)
    if frame.intent in ("lookup", "compare") and frame.metric is not None:
        for mention in p.usable:
            other = catalog.get(mention.key, inference=frame.inference) if mention.kind != "generic_quality" else None
            before = " ".join(w.text for w in r.words if w.end <= mention.start).lower()
            if p.vocab.cue("negated_before").search(before):  # "on RMSE, not MAE": MAE is not asked for
                continue
            if other is not None and other.key != frame.metric.key and other not in frame.also:
                frame.also.append(other)  # "the carbon and energy of X", "compare A and B on RMSE and carbon"
        if frame.intent == "compare":
            _comparable_extras(frame)
    if frame.intent in ("list", "lookup", "count", "group_count"):
        spans = mention_spans + r.accounted
        lost = [w.text for w in r.words if is_superlative(w.text, p.vocab) and not overlaps((w.start, w.end), spans)]
        if lost:  # "cleanest XGBoost model" must not become a plain list of XGBoost models
            frame.problems.append(f"I could not tell what {lost[0]!r} ranks by")


def _two_objectives(frame: Frame, mentions: list[Mention], texts: list[str], vocab: Vocabulary) -> bool:
    """ "the best R² for the least energy", "speed vs accuracy": two metrics and a superlative or a "versus", and no
    model named, ask for a trade-off."""
    keys = {m.key for m in mentions if m.kind in ("quantity", "quality")}
    if not any(m.kind == "quality" for m in mentions) and any(m.kind == "generic_quality" for m in mentions):
        keys.add("quality")  # "greenest and most accurate"
    cues = (*vocab.words_of("trade_off_superlatives"), *vocab.words_of("trade_off_versus"))
    superlative = any(w in cues or is_superlative(w, vocab) for w in texts)
    if len(keys) == 2 and superlative and not frame.filter("model") and not frame.group:
        names = " and ".join(sorted(keys))
        frame.notes.append(f"two metrics ({names}) set against each other read as their trade-off")
        return True
    return False


def _is_inference(frame: Frame, mentions: list[Mention], inference: bool, training: bool) -> bool:
    device = frame.filter("device")
    if device is not None and device.role == "" and training != inference:
        device.role = "training" if training else "inference"
    if any(m.key in ("latency", "flops", "batch_size", "inference_time") for m in mentions):
        return True
    if device is not None and device.role == "inference":
        return True
    return inference and not training
