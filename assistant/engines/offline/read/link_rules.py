"""Which entity links a question keeps: a fuzzy link never changes a number or a code, a function word or a
model name links only to itself, a link must not swallow a condition's number, and a plain word that is only
part of a value ("server" of smd-server-machine) links only where a name belongs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.engines.offline.read.closest import exact_value
from assistant.engines.offline.read.function_words import AUXILIARIES, DETERMINERS, PREPOSITIONS
from assistant.engines.offline.read.slots import Span, Word, overlaps
from assistant.graph.schema import GraphSchema
from assistant.language.entity_linking import EntityLink, link_entities
from assistant.language.vocabulary import Vocabulary

METRIC_NAME_PROPERTIES = {("EvaluationResult", "metric"), ("EvaluationResult", "metricName")}


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def trusted_links(links: list[EntityLink], vocabulary: Vocabulary, question: str = "") -> list[EntityLink]:
    """The links a fuzzy match may make: same numbers and codes, no function word, exact model names; never
    a Provenance value (file names and fields are no filters) nor a model-index metric name, which the metric
    reader places (or the question declines, naming it). Words side by side name one value together."""
    return _one_name(question, [
        link
        for link in links
        if link.label != "Provenance"
        and (link.label, link.property) not in METRIC_NAME_PROPERTIES
        and _same_numbers(link)
        and _not_a_function_word(link, vocabulary)
        and _whole_enough(link)
        and (link.label != "Model" or link.mention.lower() == str(link.value).lower())
    ])  # fmt: skip


def _one_name(question: str, links: list[EntityLink]) -> list[EntityLink]:
    """ "A100 40GB" is one device: of the values "A100" links to, only those "40GB" links to as well."""
    spans: dict[tuple[str, str, int, int], set[str]] = {}
    for link in links:
        spans.setdefault((link.label, link.property, link.start, link.end), set()).add(str(link.value))

    def agrees(link: EntityLink) -> bool:
        for (label, prop, start, end), values in spans.items():
            if (label, prop) != (link.label, link.property) or (start, end) == (link.start, link.end):
                continue
            between = question[end : link.start] if end <= link.start else question[link.end : start]
            if question and not between.strip(" -") and str(link.value) not in values:
                return False
        return True

    return [link for link in links if agrees(link)]


def _same_numbers(link: EntityLink) -> bool:
    """A fuzzy link may fix letters, never numbers or codes: "cifar10" is not cifar100, "resnet50" not ResNet18,
    "H100" not the A100 (a word with a digit must stand in the value as written; its numbers in the value's, in
    order, whole: "V100" is "1 v100 GPU")."""
    said = re.findall(r"\d+", link.mention)
    numbers = iter(re.findall(r"\d+", str(link.value)))
    if not all(number in numbers for number in said):  # in order, each whole: "A100 80GB" in "A100-SXM4-80GB"
        return False
    value = _squashed(str(link.value))
    return all(_squashed(word) in value for word in re.findall(r"[\w-]*\d[\w-]*", link.mention))


def _not_a_function_word(link: EntityLink, vocabulary: Vocabulary) -> bool:
    """ "Out of every model" names no split type: a function word links only to itself, and never to the
    free-text metadata of Hugging Face cards ("all models": not the evaluation split named "all")."""
    said = link.mention.lower()
    if said not in vocabulary.stop_words:
        return True
    metadata = link.label == "EvaluationResult" or (link.label == "Model" and link.property != "name")
    return said == str(link.value).lower() and not metadata


def placed_partial_links(
    links: list[EntityLink], qwords: list[Word], vocab: Vocabulary, known: frozenset[str] = frozenset()
) -> tuple[list[EntityLink], list[str]]:
    """A word that is only part of a value ("server" of smd-server-machine, "mnist" of fashion-mnist) links only
    where a name belongs ("on mnist", "the mnist models"), and the answer says which value it was read as."""
    positions = set(entity_positions([w.text for w in qwords], vocab))
    kept, notes = [], []
    for link in links:
        said, value = _squashed(link.mention), _squashed(str(link.value))
        aliased = link.mention.lower() in vocab.aliases  # "roberta", "knn": the vocabulary's own shorthand
        if link.label == "Hyperparameters" or aliased or not said or said == value or said not in value:
            kept.append(link)
            continue
        indices = {i for i, w in enumerate(qwords) if link.start <= w.start and w.end <= link.end}
        one_word = len(indices) == 1 and link.mention.isalpha()
        if one_word and _beside_unknown(qwords, indices, links, known):
            continue  # "object detection": "detection" is part of a name the graph lacks, not "anomaly detection"
        if not one_word:  # "EPYC 75F3", "random forest", "Raspberry Pi": a name, written in part
            kept.append(link)
        elif indices & positions or not link.mention.islower():  # "on mnist", "MNIST": maybe another name; say so
            kept.append(link)
            notes.append(f"read {link.mention!r} as {link.value} (nothing in the graph is named exactly that)")
    return kept, notes


def _beside_unknown(qwords: list[Word], indices: set[int], links: list[EntityLink], known: frozenset[str]) -> bool:
    linked = [(link.start, link.end) for link in links]
    for i in (min(indices) - 1, max(indices) + 1):
        if 0 <= i < len(qwords):
            word = qwords[i]
            if word.text.isalpha() and word.text not in known and not overlaps((word.start, word.end), linked):
                return True
    return False


def swallows_number(question: str, link: EntityLink, conditions: list[Span]) -> bool:
    """A link across the number of a condition ("5 neighbors" is no KNeighbors link)."""
    if link.label == "Hyperparameters":
        return False
    return any(re.search(r"\d", question[link.start : link.end]) and overlaps((link.start, link.end), [span])
               for span in conditions)  # fmt: skip


def question_links(question: str, schema: GraphSchema, vocabulary: Vocabulary) -> list[EntityLink]:
    """The graph values a question names, as far as they can be trusted, with language names read as the
    codes cards give ("portuguese": language pt) instead of the datasets whose names contain the word."""
    links = trusted_links(link_entities(question, schema, vocabulary=vocabulary), vocabulary, question)
    links = [_named_model(question, link, schema) for link in links]
    named = _language_links(question, links, schema, vocabulary)
    formats = schema.node_properties.get("Model", {}).get("format")
    if formats and "hf-card" in formats.values:  # "all HF cards": the models read from Hugging Face cards
        for match in vocabulary.cue("hf_cards").finditer(question):
            named.append(EntityLink("Model", "format", "hf-card", match.group(), 1.0, match.start(), match.end()))
    spans = [(link.start, link.end) for link in named]
    return sorted([*named, *(link for link in links if not overlaps((link.start, link.end), spans))],
                  key=lambda link: link.start)  # fmt: skip


def _language_links(
    question: str, links: list[EntityLink], schema: GraphSchema, vocabulary: Vocabulary
) -> list[EntityLink]:
    """Language names the cards' ``language`` codes hold; nothing to do on a graph without languages."""
    info = schema.node_properties.get("Model", {}).get("language")
    codes = set(info.values) if info else set()
    if not codes:
        return []
    named = []
    for match in re.finditer(r"(?<![\w/.-])[A-Za-z]+(?![\w/.-])", question):  # a word, not part of a name
        word = match.group().lower()
        name = word if word in vocabulary.language_names else _misspelt_language(word, vocabulary)
        code = vocabulary.language_names.get(name) if name else None
        if code not in codes:
            continue
        exact = any(link.score >= 0.99 and overlaps((link.start, link.end), [match.span()]) for link in links)
        if name == word or not exact:  # "Slovenia" is a place, never a misspelt "slovene"
            score = 1.0 if name == word else 0.75  # a misspelt name scores low: the answer says how it was read
            named.append(EntityLink("Model", "language", code, match.group(), score, match.start(), match.end()))
    return named


def _misspelt_language(word: str, vocabulary: Vocabulary) -> str | None:
    """ "portugese" is portuguese: one edit away, for words of six letters or more."""
    if len(word) < 6:
        return None
    from rapidfuzz.distance import OSA

    near = [name for name in vocabulary.language_names if OSA.distance(word, name) == 1]
    return near[0] if len(near) == 1 else None


def _named_model(question: str, link: EntityLink, schema: GraphSchema) -> EntityLink:
    """ "the model codecarbon" is the model named so (a CodeCarbon project), not the format of every log."""
    if link.label != "Model" or link.property == "name":
        return link
    if not re.search(r"\bmodels?\s+(?:named\s+|called\s+)?$", question[: link.start].lower()):
        return link
    name = exact_value(schema, "Model", "name", link.mention)
    return link if name is None else EntityLink("Model", "name", name, link.mention, link.score, link.start, link.end)


def _whole_enough(link: EntityLink) -> bool:
    """A card's free metadata (evaluation task, split, license, tags ...) links only when named whole: "languages"
    is not the task natural-language-inference. An evaluation dataset may be named by a whole part ("imdb" for
    mteb/imdb); the names of models, datasets, devices and services keep the linker's own rules."""
    said, value = _squashed(link.mention), _squashed(str(link.value))
    if link.label == "Dataset" and re.search(r"[\d-]", link.mention) and len(said) * 2 < len(value):
        return False  # "gpt-4" is not cnmoro/GPT4-500k-Augmented-PTBR-Clean: a code names most of a dataset
    metadata = link.label == "EvaluationResult" or (link.label == "Model" and link.property != "name")
    if not metadata or said == value:
        return True
    parts = [_squashed(p) for p in re.split(r"[/_\-\s.]+", str(link.value))]
    return link.property == "dataset" and _squashed(link.mention) in parts


def entity_positions(texts: list[str], vocab: Vocabulary) -> Iterator[int]:
    """Where a name is expected: after "on"/"for"/"by" ..., around "dataset"/"models", in "did X make"."""
    kinds, before_name = vocab.words_of("kind_nouns"), vocab.words_of("kind_nouns_before_name")
    for i, word in enumerate(texts):
        for prep in PREPOSITIONS:
            parts = prep.split()
            if texts[i : i + len(parts)] == parts:
                k = i + len(parts)
                while k < len(texts) and texts[k] in DETERMINERS:
                    k += 1
                yield k
        if word in kinds:
            yield i - 1
            if word in before_name:
                yield i + 1
        if word in AUXILIARIES and i + 2 < len(texts) and texts[i + 2] in vocab.words_of("make_verbs"):
            yield i + 1
