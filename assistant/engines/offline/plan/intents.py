"""The intent of a question (rank, count, list, lookup, compare, aggregate, best or count per group, a field's
distinct values): an ordered list of small rules over the question's cues; the first that decides wins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.engines.offline.plan.frame import ALL, Frame
from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.slots import Mention
from assistant.engines.offline.read.targets import ENTITY_FIELDS, count_target
from assistant.language.vocabulary import Vocabulary, find_phrases

# Filter kinds whose values a question can compare, and the group that shows them side by side.
_COMPARABLE = {
    "architecture": "architecture", "dataset": "dataset", "service": "service", "problem_type": "problem_type",
    "split": "split", "optimizer": "optimizer", "device": "device", "author": "author",
}  # fmt: skip
_DEVICE_FIELDS = frozenset({"training_device", "inference_devices"})


def is_superlative(word: str, vocab: Vocabulary) -> bool:
    """A word in -est that ranks ("cleanest"), not one that only ends so ("forest", "latest")."""
    return word.endswith("est") and len(word) > 5 and word not in vocab.words_of("not_ranking")


def has_phrases(phrases: tuple[str, ...] | list[str], text_words: list[str]) -> list[tuple[int, int, str]]:
    return find_phrases(text_words, phrases)


@dataclass
class _Cues:
    """What the intent rules read: the question's words, its metric mentions and what the frame holds so far."""

    frame: Frame
    texts: list[str]
    masked: list[str]
    field_texts: list[str]
    vocab: Vocabulary
    which_group: bool
    mentions: list[Mention]
    joined: str = ""
    counting: bool = False
    describing: bool = False
    comparing: bool = False
    device_properties: bool = False
    aggs: list[tuple[str, int]] = field(default_factory=list)
    models: Filter | None = None
    superlative: bool = False
    target: str = "models"

    def __post_init__(self) -> None:
        frame, texts, vocab = self.frame, self.texts, self.vocab
        self.joined = " ".join(texts)
        reading = frame.reading
        how_many_units = reading is not None and reading.how_many_units
        self.counting = bool(has_phrases(vocab.intents["count"], texts)) and not how_many_units
        self.describing = bool(has_phrases(vocab.intents["describe"], texts))
        self.comparing = bool(has_phrases(vocab.intents["compare"], texts))
        self.aggs = [
            (key, i) for key, phrases in vocab.aggregates.items() for i, _, _ in has_phrases(phrases, self.masked)
        ]
        self.models = frame.filter("model")
        amount = reading is not None and reading.how_much
        if not self.aggs and amount and not self.named_models:  # "how many grams did the models emit"
            self.aggs = [("sum", 0)]
        self.superlative = frame.metric is not None and (
            frame.explicit_k
            or any(m.want != "none" for m in self.mentions)
            or _superlative_word(self.field_texts, vocab)
        )
        self.target = count_target(texts, vocab)

    @property
    def named_models(self) -> bool:
        return bool(self.models or self.frame.model_fragments)


def _read_fields(cues: _Cues) -> None:
    """The lookup fields the question names, and whether it asks a device's own properties."""
    frame, vocab = cues.frame, cues.vocab
    field_hits = [
        p for _, _, p in has_phrases([p for ps in vocab.lookup_fields.values() for p in ps], cues.field_texts)
    ]
    frame.fields = [key for key, phrases in vocab.lookup_fields.items() if any(p in phrases for p in field_hits)]
    cues.device_properties = (
        bool(frame.fields)
        and set(frame.fields) <= _DEVICE_FIELDS | {"describe"}
        and bool(
            vocab.cue("device_words").search(" ".join(cues.masked))
        )  # "1 v100 GPU" names a device, asks for no GPU count
        and not (frame.filter("model") or frame.model_fragments)
        and frame.metric is None
    )  # "how many cores does the Raspberry Pi have", "how much memory does the training machine have"
    if frame.filter("device") is not None:  # "run on the jetson" names a filter, not the field to show
        frame.fields = [f for f in frame.fields if f not in ("inference_devices", "training_device")]


def _dataset_value(frame: Frame, cues: _Cues) -> bool:
    """ "what is the size of the lumos5g dataset", "list the datasets and their sizes": the datasets ranked."""
    if not (frame.metric is not None and frame.metric.scope == "dataset" and not cues.counting and not frame.group):
        return False
    if not (frame.count_target == "datasets" or frame.filter("dataset") or cues.target == "datasets"):
        return False
    frame.intent = "rank"
    if not frame.filter("dataset") and not frame.explicit_k:
        frame.k, frame.want = ALL, "high"
    return True


def _metric_missing(frame: Frame, cues: _Cues) -> bool:
    if frame.missing_metric and frame.metric is None:
        frame.decline_reason = "metric"
        return True
    return False


def _several_models(frame: Frame, cues: _Cues) -> bool:
    if cues.models and len(cues.models.values) >= 2:
        frame.intent = "compare"
        _back_references(frame)
        return True
    return False


def _back_references(frame: Frame) -> None:
    """ "A vs B: how much more energy does the forest need": beside models named one by one, an architecture word
    points back at one of them; as a filter it would drop the other and make it look unmeasured."""
    for back in [f for f in frame.filters if f.kind == "architecture" and not f.negated]:
        frame.filters.remove(back)
        frame.notes.append(f"{back.mention or back.values[0]!r} read as one of the models named, not as a filter")


def _compared_values(frame: Frame, cues: _Cues) -> bool:
    """ "random forest or xgboost on umu", "lumos5g vs umu by average MAE": one row per compared value."""
    compared = next((f for f in frame.filters if f.kind in _COMPARABLE and len(f.values) >= 2), None)
    if not (cues.comparing and compared is not None and not frame.group and not cues.counting):
        return False
    frame.group, frame.which_group = _COMPARABLE[compared.kind], True
    frame.agg = cues.aggs[0][0] if cues.aggs else None
    frame.intent = "group_agg" if cues.aggs and frame.metric is not None else "group_best"
    if compared.kind == "device" and frame.intent == "group_best":
        frame.intent, frame.agg = "group_agg", "avg"
        frame.notes.append("compared each device by its average over all its runs")
    return True


def _counted(frame: Frame, cues: _Cues) -> bool:
    if not cues.counting:
        return False
    if cues.named_models and (frame.fields or frame.metric) and cues.target == "models":
        frame.intent = "lookup"
        return True
    # "how many models each" per split: the models in each group, never the groups in themselves (1 each).
    frame.count_target = "models" if frame.group and cues.target.rstrip("s") == frame.group else cues.target
    if cues.which_group or (frame.group and cues.vocab.cue("most_or_fewest").search(cues.joined)):
        frame.intent, frame.want = "group_count", "low" if cues.vocab.cue("fewest").search(cues.joined) else "high"
    else:
        frame.intent = "group_count" if frame.group else "count"
    return True


def _most_common_group(frame: Frame, cues: _Cues) -> bool:
    if not (frame.group and cues.which_group and cues.vocab.cue("most_models").search(cues.joined)):
        return False
    frame.intent = "group_count"
    frame.want = "low" if cues.vocab.cue("fewest").search(cues.joined) else "high"
    return True


def _named_model_lookup(frame: Frame, cues: _Cues) -> bool:
    if cues.named_models and (cues.describing or frame.fields or (frame.metric and not cues.superlative)):
        frame.intent = "lookup"
        return True
    return False


def _aggregated(frame: Frame, cues: _Cues) -> bool:
    numeric = frame.metric is not None and frame.metric.key != "date"
    aggs = cues.aggs
    if aggs and numeric and not (cues.superlative and not frame.group and aggs[0][0] in ("min", "max")):
        frame.agg = aggs[0][0]
        frame.intent = "group_agg" if frame.group else "aggregate"
        return True
    return False


def _each_models_value(frame: Frame, cues: _Cues) -> bool:
    """ "what is the weight decay of the models on sst2": each model's value."""
    if (
        frame.metric is not None
        and not cues.superlative
        and not (frame.thresholds or frame.group or cues.aggs or cues.counting)
        and any(f.kind != "model" for f in frame.filters)
        and frame.metric.scope != "dataset"
    ):
        frame.intent = "lookup"
        return True
    return False


def _ranked(frame: Frame, cues: _Cues) -> bool:
    listing = bool(has_phrases(cues.vocab.intents["list"], cues.texts)) and bool(
        frame.filters or frame.thresholds or frame.dates
    )
    if not (frame.metric is not None and (cues.superlative or frame.group or not (frame.thresholds or listing))):
        return False
    frame.intent = "group_best" if frame.group else "rank"
    if frame.group in ("device", "gpu_model") and cues.which_group and not cues.models:
        # "which device is fastest": hardware is judged on average over what ran on it.
        frame.intent, frame.agg = "group_agg", "avg"
        frame.notes.append(f"compared each {frame.group.replace('_', ' ')} by its average over all its runs")
    return True


def _fields_lookup(frame: Frame, cues: _Cues) -> bool:
    if cues.named_models or (frame.filters and _asks_fields(frame) and cues.target == "models"):
        frame.intent = "lookup"  # "what hyperparams does the lumos knn use"
        return True
    return False


def _device_properties(frame: Frame, cues: _Cues) -> bool:
    if cues.device_properties:
        frame.count_target, frame.intent, frame.fields = "devices", "list", ["device_properties"]
        return True
    return False


def _distinct_values(frame: Frame, cues: _Cues) -> bool:
    """ "who published the models", "problem type of localization": the distinct values, not the models."""
    asked = [f for f in frame.fields if f in ENTITY_FIELDS and f not in {flt.kind for flt in frame.filters}]
    if "problem_type" in asked:
        asked = ["problem_type"]  # "what type of problem": not the architecture type
    if len(asked) > 1 and "service" in asked:
        asked.remove("service")  # "which optimizers were used for tuning": "used for" names no service here
    plural = "model" in cues.texts or "models" in cues.texts
    if len(asked) == 1 and not cues.counting and not frame.metric and (not plural or asked == ["author"]):
        frame.count_target, frame.intent = ENTITY_FIELDS[asked[0]], "list"
        return True
    return False


def _chosen(frame: Frame, cues: _Cues) -> bool:
    """ "Which umu model should I deploy if it must answer within 20 ms": the best that fits (by the quality metric
    the models have, said as assumed), the runners-up and how many fit, not every model that fits."""
    reading = frame.reading
    if reading is None or not reading.asks_choice or frame.metric is not None or cues.counting:
        return False
    if not (frame.filters or frame.thresholds or frame.dates):
        return False
    frame.intent, frame.generic_metric, frame.choice, frame.want = "rank", True, True, "best"
    frame.k, frame.explicit_k = 3, True
    frame.notes.append("no objective named: the models that fit are ranked by the quality metric they have")
    return True


def _listed(frame: Frame, cues: _Cues) -> bool:
    if not (frame.thresholds or frame.filters or frame.dates or has_phrases(cues.vocab.intents["list"], cues.texts)):
        return False
    conditions = frame.filters or frame.thresholds or frame.dates
    if conditions or cues.target != "models" or cues.vocab.cue("models_word").search(cues.joined):
        frame.count_target = cues.target
        frame.intent = "list"
        return True
    return False


_INTENT_RULES: tuple[Callable[[Frame, _Cues], bool], ...] = (
    _dataset_value, _metric_missing, _several_models, _compared_values, _counted, _most_common_group,
    _named_model_lookup, _aggregated, _each_models_value, _ranked, _fields_lookup, _device_properties,
    _distinct_values, _chosen, _listed,
)  # fmt: skip
"""The intent rules, in order: the first that decides wins; none deciding leaves the question unknown."""


def choose_intent(
    frame: Frame,
    texts: list[str],
    masked: list[str],
    field_texts: list[str],
    vocab: Vocabulary,
    which_group: bool,
    mentions: list[Mention],
) -> None:
    """Decide the intent; ``masked`` is ``texts`` without the metric phrases ("mean" in "mean absolute error")."""
    cues = _Cues(frame, texts, masked, field_texts, vocab, which_group, mentions)
    if _dataset_value(frame, cues):
        return
    _read_fields(cues)
    if not any(rule(frame, cues) for rule in _INTENT_RULES[1:]):
        frame.decline_reason = "unknown"


def _asks_fields(frame: Frame) -> bool:
    return any(f not in ("describe", "dataset", "architecture", "service", "problem_type") for f in frame.fields)


def _superlative_word(texts: list[str], vocab: Vocabulary) -> bool:
    superlatives = vocab.words_of("superlatives")
    return any(w in superlatives or is_superlative(w, vocab) for w in texts)
