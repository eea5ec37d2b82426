"""The objectives of a question: which metric to rank by, which way, and the two sides of a trade-off."""

from __future__ import annotations

from dataclasses import replace

from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.metrics import Metric, MetricCatalog
from assistant.engines.offline.read.reading import Reading
from assistant.engines.offline.read.slots import Mention, Word, overlaps
from assistant.language.vocabulary import Vocabulary


def choose_metric(
    frame: Frame, mentions: list[Mention], qwords: list[Word], catalog: MetricCatalog, vocab: Vocabulary
) -> None:
    """Pick the metric to rank or aggregate by, and the direction wanted."""
    mentions = bind_adjectives(sorted(mentions, key=lambda m: m.start), frame.reading)
    specific = [m for m in mentions if m.kind != "generic_quality"]
    generic = [m for m in mentions if m.kind == "generic_quality"]
    directed = [m for m in specific if m.want != "none"]
    candidates = directed or specific or generic
    if not candidates:
        if frame.explicit_k:  # "the top 3 models on imdb": top by quality
            frame.metric, frame.generic_metric, frame.want = catalog.preferred_quality(), True, "best"
        return
    chosen = candidates[0]
    if chosen.kind == "generic_quality":
        frame.metric = catalog.preferred_quality()
        frame.generic_metric = True
        frame.want = "worst" if chosen.want == "low" else "best"
        return
    if chosen.kind == "quality":
        frame.metric = catalog.get(chosen.key)
    else:
        frame.metric = catalog.get(chosen.key, inference=frame.inference)
    frame.want = _direction(frame, chosen, generic, qwords, vocab)
    named = any(m.key == chosen.key and m.text not in vocab.words_of("cost_words") for m in specific)
    if chosen.text in vocab.words_of("cost_words") and frame.metric is not None and not named:  # a cost assumed
        frame.notes.append(
            f"'{chosen.text}' read as the {frame.metric.label} (the cost assumed; ask for carbon, energy, time or "
            "size by name for another)"
        )


def bind_adjectives(mentions: list[Mention], reading: Reading | None) -> list[Mention]:
    """ "smallest carbon footprint": a size adjective right before another metric only gives its direction (the
    read stage found which adjective stands right before which mention: ``Reading.adjective_pairs``)."""
    pairs = reading.adjective_pairs if reading is not None else set()
    bound: list[Mention] = []
    skip: set[int] = set()
    for i, mention in enumerate(mentions):
        if i in skip:
            continue
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if (
            nxt is not None
            and mention.want in ("low", "high")
            and nxt.want == "none"
            and ((mention.start, mention.end), (nxt.start, nxt.end)) in pairs
        ):
            bound.append(replace(nxt, want=mention.want))
            skip.add(i + 1)
            continue
        bound.append(mention)
    return bound


def _direction(frame: Frame, chosen: Mention, generic: list[Mention], qwords: list[Word], vocab: Vocabulary) -> str:
    if chosen.want in ("low", "high"):
        return chosen.want
    low, high = vocab.direction_words["low"], vocab.direction_words["high"]
    for word in reversed([w.text for w in qwords if w.end <= chosen.start][-4:]):
        if word in low:
            return "worst" if word == "worst" else "low"
        if word in high:
            return "best" if word in ("best", "top") else "high"
    spans = [t.span for t in frame.thresholds]
    after = [w.text for w in qwords if w.start >= chosen.end and not overlaps((w.start, w.end), spans)][:3]
    for word in after:  # "emitted the most co2": the verb names the metric, the direction follows it
        if word in low and word != "worst":
            return "low"
        if word in high and word not in ("best", "top"):
            return "high"
    if generic:
        return "worst" if generic[0].want == "low" else "best"
    # Elsewhere in the question, but not inside a threshold ("less than 20 g" says nothing about the ranking).
    free = [w.text for w in qwords if not overlaps((w.start, w.end), spans)]
    if any(w in low for w in free) and not any(w in ("best", "top") for w in free):
        return "low"
    if any(w in high - {"most", "more"} for w in free):
        return "high" if "best" not in free and "top" not in free else "best"
    return "best"


def tradeoff(frame: Frame, mentions: list[Mention], catalog: MetricCatalog) -> None:
    """ "best accuracy for its carbon", "pareto front of MAE vs energy": two objectives, quality first."""
    objectives: list[tuple[Metric | None, bool]] = []  # (metric, stands for "the quality metric")
    if any(m.kind == "quality" for m in mentions):  # "the best R²": R² is the quality meant
        mentions = [m for m in mentions if m.kind != "generic_quality"]
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.kind == "generic_quality":
            metric, generic = catalog.preferred_quality(), True
        elif mention.kind == "quality":
            metric, generic = catalog.get(mention.key), False
        else:
            metric, generic = catalog.get(mention.key, inference=frame.inference), False
        if metric is not None and all(metric.key != m.key or metric.per != m.per for m, _ in objectives if m):
            objectives.append((metric, generic))
    if len(objectives) == 1:
        only = objectives[0][0]
        if only is not None and only.is_quality:
            other = catalog.get("carbon")
        else:
            other = catalog.preferred_quality()
        if other is None:
            return
        objectives.append((other, other.is_quality))
        frame.notes.append(f"the trade-off read as {only.label if only else 'quality'} against {other.label}")
    if not objectives:
        quality, carbon = catalog.preferred_quality(), catalog.get("carbon")
        if quality is None or carbon is None:
            return
        objectives = [(quality, True), (carbon, False)]
        frame.notes.append(f"the trade-off read as {quality.label} against {carbon.label}")
    if len(objectives) > 2:
        return  # three objectives: not a two-way front; the intent reader decides (and declines when unsure)
    objectives.sort(key=lambda o: not (o[0] is not None and o[0].is_quality))
    (first, generic), (second, _) = objectives
    frame.intent, frame.metric, frame.metric2, frame.generic_metric = "pareto", first, second, generic
