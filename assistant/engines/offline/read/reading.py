"""The question read once into a :class:`Reading`: words, links, filters, dates, numbers with units, metric
mentions, k, model names, what nothing placed, and the cues later stages ask about.

Nothing after this stage looks at the question's text: the plan's readers take the Reading (and the few
text facts they need are cues computed here, such as :attr:`Reading.names_the_dataset`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.engines.offline.read.conditions import (
    Filter,
    corrected_words,
    drop_metric_overlaps,
    filters_from_links,
    gpu_thresholds,
    hyper_filters,
    ignored_words,
    is_write_request,
    measured_filters,
    sign_thresholds,
    unknown_terms,
)
from assistant.engines.offline.read.coverage import (
    fixed_condition_words,
    joined_words,
    name_like_terms,
    unplaced_numbers,
)
from assistant.engines.offline.read.lineage import lineage_filters
from assistant.engines.offline.read.link_rules import placed_partial_links, question_links, swallows_number
from assistant.engines.offline.read.metrics import MetricCatalog
from assistant.engines.offline.read.slots import (
    DateRange,
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
from assistant.engines.offline.read.targets import count_target
from assistant.engines.offline.read.thresholds import bound_numbers, read_thresholds
from assistant.graph.schema import GraphSchema
from assistant.language.entity_linking import EntityLink
from assistant.language.grid import Grid, load_grids
from assistant.language.vocabulary import Vocabulary, find_phrases

MODEL_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[-_/.][A-Za-z0-9]+){2,}\b")
"""A model-like name ("KNeighborsRegressor-lumos5g-KFold")."""


@dataclass
class Reading:
    """One question, read: what every later stage takes instead of its text.

    Attributes:
        question: The question as asked (kept for the answer; later stages never scan it).
        text: The question after the condition words' fixes: what was read.
        fixes: Condition words corrected before reading ("udner" read as "under").
        links: Every entity link of the question, before the readers kept some (their scores make notes).
        write_request: The question asks to change the graph.
        words: The question's words (misspellings of known words corrected), with their positions.
        kept_links: The links the readers kept (not inside a model name, a number or a hyperparameter).
        filters: Conditions on graph values (from the kept links, hyperparameters, lineage cues).
        thresholds: Numeric conditions (bounds with units, GPU counts, measured or not, inference batch sizes).
        dates: Creation-date ranges.
        mentions: Metric mentions ("greenest", "MAE", "latency").
        consumed: Mentions a threshold used.
        k: How many are asked for ("top 3"), when the question says; ``rank_all`` for "rank the models by ...".
        model_fragments: Model-like names no link placed.
        unknown_terms, ignored_words, absent: Words and names nothing placed.
        notes, problems: Assumptions read, and what stops the question from being answered as asked.
        adjective_pairs: A direction adjective and the mention it directs ("smallest carbon footprint").
    """

    question: str
    text: str = ""
    fixes: list[str] = field(default_factory=list)
    links: list[EntityLink] = field(default_factory=list)
    write_request: bool = False
    words: list[Word] = field(default_factory=list)
    kept_links: list[EntityLink] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    consumed: set[Mention] = field(default_factory=set)
    hyper_spans: list[Span] = field(default_factory=list)
    used: list[Span] = field(default_factory=list)
    """Spans some reader placed."""
    accounted: list[Span] = field(default_factory=list)
    k: int | None = None
    rank_all: bool = False
    spread: bool = False
    """The question asks for a metric's std ("the std of the rmse"), not its mean."""
    model_fragments: list[str] = field(default_factory=list)
    unknown_terms: list[str] = field(default_factory=list)
    ignored_words: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    inference_cue: bool = False
    training_cue: bool = False
    adjective_pairs: set[tuple[Span, Span]] = field(default_factory=set)
    names_the_dataset: bool = False
    """ "the lumos5g dataset", "dataset X is": the dataset itself, not its models."""
    how_many_units: bool = False
    """ "how many grams": an amount, not a count."""
    how_much: bool = False
    """ "how many grams ... all models", "how much ... together": an amount over several models."""
    asked_unit: str | None = None
    """The unit the answer is asked in ("in kWh")."""
    says_codecarbon: bool = False
    says_per_run: bool = False
    """ "per run", "average", "mean"."""
    says_inference: bool = False
    """ "inference", "benchmark", "deploy", "serve", "latency"."""
    says_co2_source: bool = False
    countries: list[Grid] = field(default_factory=list)
    region_ask: str = "amount"
    """A what-if's ask: ``amount``, ``least`` ("where would X emit least") or ``saving`` ("moving X from A to B")."""
    """Countries named in a what-if ("how much would X emit in France"), with their grids, in the question's order."""
    asks_device_choice: bool = False
    """ "Which device should X run on": X's inference runs compared per device."""
    asks_choice: bool = False
    """ "Which model should I deploy", "recommend a model": the best that fits, not a list."""
    dominance_reference: str | None = None
    """A model named right after "than", "beat" or "outperform": the one the others must beat."""
    filter_nouns_said: dict[str, str] = field(default_factory=dict)
    """Filter kind -> the noun the question says for it ("license"), longest phrase first."""

    @property
    def texts(self) -> list[str]:
        """The words' texts, lower case."""
        return [w.text for w in self.words]

    def joined(self, words: list[str]) -> list[str]:
        """``words`` joined where they stand next to each other in the question ("speech recognition")."""
        return joined_words(self.question, words)


def read_question(
    question: str,
    schema: GraphSchema | None,
    catalog: MetricCatalog,
    vocab: Vocabulary,
    known: frozenset[str],
    *,
    links: list[EntityLink] | None = None,
) -> Reading:
    """Read ``question`` once: every later stage takes the result, never the text.

    Args:
        question: The question as asked.
        schema: The graph's schema (its values are what names link to).
        catalog: The graph's metrics.
        vocab: The vocabulary.
        known: Every word with a meaning.
        links: The question's links to graph values, when the caller has them; else they are found in ``schema``.
    """
    fixed, fixes = fixed_condition_words(question, known, vocab.words_of("condition_words"))
    fixed = vocab.cue("zero_bound").sub(lambda m: m.group(0)[: -len("zero")] + "0", fixed)  # "below zero": 0
    fixed = _expanded_places(fixed, vocab.place_abbreviations, schema, fixes)
    if links is None:
        links = question_links(fixed, schema, vocab) if schema is not None else []
    reading = Reading(question, fixed, fixes=fixes, links=links)
    if not _read_words(reading, fixed, catalog, vocab, known):
        return reading
    _read_conditions(reading, fixed, catalog, vocab)
    taken = [(link.start, link.end) for link in reading.kept_links]
    spans = [m.span() for m in vocab.cue("spread").finditer(fixed) if not overlaps(m.span(), taken)]
    reading.spread, reading.used = bool(spans), reading.used + spans
    _read_names(reading, fixed, vocab, known)
    _read_cues(reading, fixed, vocab)
    return reading


def _read_words(r: Reading, text: str, catalog: MetricCatalog, vocab: Vocabulary, known: frozenset[str]) -> bool:
    """Words, links and filters; False for a question that asks to change the graph."""
    lower = text.lower()
    ids = [m.span() for m in MODEL_ID.finditer(text)]
    # A model name's parts ("lumos5g" in "KNeighborsRegressor-lumos5g-LeaveOneGroupOut") are no filters of their own.
    links = [link for link in r.links if link.label == "Model" or not any(
        a <= link.start and link.end <= b and (a, b) != (link.start, link.end) for a, b in ids)]  # fmt: skip
    r.words = corrected_words(question_words(text), links, known, text)
    links, partial_notes = placed_partial_links(links, r.words, vocab, known)
    r.notes = partial_notes  # added after the thresholds' notes (see _read_conditions)
    if is_write_request([w.text for w in question_words(text)], vocab):
        r.write_request = True
        return False
    links = drop_metric_overlaps(links, metric_mentions(r.words, catalog, vocab, []))
    conditions = bound_numbers(text, vocab)
    links = [link for link in links if not swallows_number(text, link, conditions)]
    _read_countries(r, text, vocab, links)  # before anything reads "France" as a name the graph lacks
    hyper = hyper_filters(lower, catalog, r.hyper_spans)
    # A hyperparameter name wins over a value inside it ("n_neighbors" is no KNeighbors link).
    r.kept_links = [link for link in links if not overlaps((link.start, link.end), r.hyper_spans + r.used)]
    r.used = [(link.start, link.end) for link in r.kept_links] + r.hyper_spans + r.used
    r.dates = read_dates(text)
    r.used += [d.span for d in r.dates]
    texts = r.texts
    r.inference_cue = bool(find_phrases(texts, vocab.inference_cues) or find_phrases(texts, vocab.per_sample_cues))
    r.training_cue = bool(find_phrases(texts, vocab.training_cues))
    run_batch = catalog.get("batch_size", inference=True)
    if r.inference_cue and run_batch is not None and run_batch.scope == "inference":
        # "inference runs with batch size 64": the runs' batch size, not a training hyperparameter of that name
        r.thresholds = [Threshold(run_batch, "=", float(f.values[0]), f.mention, _span_of(lower, f.mention))
                        for f in hyper if f.property == "batch_size"]  # fmt: skip
        hyper = [f for f in hyper if f.property != "batch_size"]
    r.filters = lineage_filters(text, filters_from_links(text, r.kept_links, vocab) + hyper, texts, vocab)
    return True


def _read_conditions(r: Reading, text: str, catalog: MetricCatalog, vocab: Vocabulary) -> None:
    """Metric mentions, thresholds, measured or not, and how many are asked for."""
    lower = text.lower()
    ids = [m.span() for m in MODEL_ID.finditer(text)]
    link_spans = [(link.start, link.end) for link in r.kept_links]
    mentions = metric_mentions(r.words, catalog, vocab, link_spans + r.hyper_spans + [d.span for d in r.dates])
    mentions = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in ids)]  # inside a model name
    if r.words and r.words[0].text == "compute":  # "Compute the average ...": a verb, not the FLOPs
        mentions = [m for m in mentions if m.start != r.words[0].start]
    r.mentions = mentions
    inference_only = r.inference_cue and not r.training_cue
    thresholds, r.consumed, notes, problems = read_thresholds(
        text, r.words, mentions, catalog, vocab, r.used, inference_only
    )
    counting = bool(find_phrases(r.texts, vocab.intents["count"])) and not vocab.cue("how_many_units").search(lower)
    measured, consumed_measured = measured_filters(lower, mentions, catalog, inference_only, counting=counting)
    free = [m for m in mentions if m not in r.consumed and m not in consumed_measured]
    signs, consumed_signs = sign_thresholds(lower, free, catalog, inference_only)
    consumed_measured |= consumed_signs
    r.thresholds = thresholds + gpu_thresholds(lower, catalog, r.used) + measured + signs + r.thresholds
    dataset_size = catalog.get("dataset_size")
    if dataset_size is not None and count_target(r.texts, vocab) == "datasets":  # "datasets larger than 1 MB"
        r.thresholds = [replace(t, metric=dataset_size) if t.metric.key == "size" else t for t in r.thresholds]
    r.consumed |= consumed_measured
    r.notes = notes + r.notes
    r.problems += problems
    r.used += [(m.start, m.end) for m in mentions]
    k, k_span = read_k(text, r.used)
    if k is not None and k_span is not None:
        r.k = k
        r.used.append(k_span)
    else:
        r.rank_all = bool(vocab.cue("rank_all_start").match(lower) or vocab.cue("rank_all").search(lower))


def _read_names(r: Reading, text: str, vocab: Vocabulary, known: frozenset[str]) -> None:
    """Model names, and the words and names nothing placed: unknown, ignored, absent, numbers with no meaning."""
    link_spans = [(link.start, link.end) for link in r.kept_links]
    r.model_fragments = [m.group() for m in MODEL_ID.finditer(text) if not overlaps(m.span(), link_spans + r.used)]
    r.unknown_terms = unknown_terms(r.words, r.kept_links, r.used, vocab, known)
    r.accounted = r.used + [(m.start, m.end) for m in r.mentions] + [m.span() for m in MODEL_ID.finditer(text)]
    ignored = ignored_words(r.words, r.kept_links, r.accounted, known)
    r.ignored_words = [w for w in ignored if w not in r.unknown_terms]
    absent = [term for term, _ in name_like_terms(text, r.accounted, known, vocab.words_of("capitalised_names"))]
    numbered_names, unplaced = unplaced_numbers(text, r.accounted)
    terms = absent + [name for name in numbered_names if name not in absent]
    r.absent = [t for t in terms if not any(t != other and t in other for other in terms)]  # "Raspberry Pi 5"
    r.problems += [f"I could not tell what the number in {ctx!r} refers to" for ctx in unplaced]


def _read_cues(r: Reading, text: str, vocab: Vocabulary) -> None:
    """The few facts of the text that the plan and the explanation ask about later."""
    lower = text.lower()
    ordered = sorted(r.mentions, key=lambda m: m.start)
    adjectives, gap = vocab.words_of("direction_adjectives"), vocab.cue("adjective_gap")
    r.adjective_pairs = {
        ((a.start, a.end), (b.start, b.end)) for a in ordered for b in ordered
        if a.start < b.start and a.text in adjectives and gap.fullmatch(text[a.end : b.start])
    }  # fmt: skip
    r.names_the_dataset = bool(vocab.cue("the_dataset").search(lower))
    r.how_many_units = bool(vocab.cue("how_many_units").search(lower))
    amount = r.how_many_units or vocab.cue("how_much").search(lower)
    r.how_much = bool(amount and vocab.cue("several_models").search(lower))
    asked = vocab.cue("asked_unit").search(text)
    r.asked_unit = asked.group("unit") if asked else None
    r.says_codecarbon = bool(vocab.cue("codecarbon").search(text))
    r.says_per_run = bool(vocab.cue("per_run").search(text))
    r.says_inference = bool(vocab.cue("inference_words").search(text))
    r.says_co2_source = bool(vocab.cue("co2_source").search(text))
    r.asks_choice = bool(vocab.cue("choice").search(text))
    r.asks_device_choice = bool(vocab.cue("device_choice").search(text))
    r.filter_nouns_said = _filter_nouns(lower, vocab.filter_nouns)
    named = _named_models(r.kept_links, text)
    beats, current = vocab.cue("beats_before"), vocab.cue("current_model_before")
    compares = bool(vocab.cue("compares_to_current").search(text))
    r.dominance_reference = next(
        (said for at, said in sorted(named) if beats.search(lower[:at]) or (compares and current.search(lower[:at]))),
        None,
    )
    vague = vocab.cue("vague_reference").search(lower)
    if vague and not any(at > vague.start() for at, _ in named):  # "faster than the KNN one": which model?
        said = text[vague.start("said") : vague.end("said")]
        r.problems.append(f"{said!r} does not name one model - give the name of the model to compare with")


def _read_countries(r: Reading, text: str, vocab: Vocabulary, links: list[EntityLink]) -> None:
    """Countries a what-if names ("would ... emit in France"): only after a what-if cue, so a plain question never
    loads the grid data. A weaker cue ("X's training carbon in France", "estimate ... in India") counts when the
    question names a model and the graph holds no such place (then "models trained in France" is a filter)."""
    weak = bool(_named_models(links, text)) and bool(vocab.cue("what_if_weak").search(text))
    if not (vocab.cue("what_if").search(text) or weak):
        return
    grids = load_grids()
    found: list[tuple[int, Grid, Span]] = []
    for grid in grids.by_iso.values():
        for pattern in (rf"(?i)\b{re.escape(grid.country)}\b", rf"\b{re.escape(grid.iso)}\b"):
            match = re.search(pattern, text)
            if match and not overlaps(match.span(), [s for _, _, s in found] + _place_links(links)):
                found.append((match.start(), grid, match.span()))
                break
    found.sort(key=lambda item: item[0])
    r.countries = [grid for _, grid, _ in found]
    if vocab.cue("moving_from").search(text) and len(r.countries) == 2:
        r.region_ask = "saving"
    elif vocab.cue("instead_of").search(text) and len(r.countries) == 2:
        r.region_ask, r.countries = "saving", r.countries[::-1]
    elif vocab.cue("where_least").search(text) and len(r.countries) > 1:
        r.region_ask = "least"
    r.used += [span for _, _, span in found]


def _expanded_places(text: str, abbreviations: dict[str, str], schema: GraphSchema | None, fixes: list[str]) -> str:
    """ "trained in the US": a place's abbreviation, as written (never the word "us"), read as its name - unless
    the graph itself holds the abbreviation as a value (a card located "USA")."""
    for short, name in abbreviations.items():
        pattern = rf"(?<![\w-]){re.escape(short)}(?![\w-])"
        # the schema's values are looked through only for a question that says the abbreviation
        if re.search(pattern, text) and not (schema is not None and _holds_value(schema, short)):
            text = re.sub(pattern, name, text)
            fixes.append(f"read {short!r} as {name!r}")
    return text


def _holds_value(schema: GraphSchema, value: str) -> bool:
    """Whether some property of the graph holds ``value`` as one of its values (as sampled by the schema)."""
    return any(
        value in (str(v) for v in info.values)
        for properties in schema.node_properties.values()
        for info in properties.values()
        if info.values
    )


def _named_models(links: list[EntityLink], text: str) -> list[tuple[int, str]]:
    """Where the question names a model, and the words: a link to a model, or a model-like name."""
    named = [(link.start, link.mention) for link in links if link.label == "Model"]
    return named + [(m.start(), m.group()) for m in MODEL_ID.finditer(text)]


def _place_links(links: list[EntityLink]) -> list[Span]:
    """Where the question names a place the graph holds (a location or country value): a filter, not a what-if."""
    return [(link.start, link.end) for link in links if link.property in ("location", "country", "countryCode")]


def _filter_nouns(lower: str, filter_nouns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Filter kind -> the noun the question says for it; the longest phrase first ("pipeline tag" names a service)."""
    said: dict[str, str] = {}
    for phrase, kind in sorted(((p, k) for k, ps in filter_nouns.items() for p in ps), key=lambda pk: -len(pk[0])):
        found = re.search(rf"\b{re.escape(phrase)}\b", lower)
        if found:
            said.setdefault(kind, phrase)
            lower = lower[: found.start()] + " " * len(phrase) + lower[found.end() :]
    return said


def _span_of(lower: str, said: str) -> Span:
    at = lower.find(said.lower())
    return (at, at + len(said)) if at >= 0 else (0, 0)
