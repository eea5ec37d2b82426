"""Hugging Face model cards: ``README.md`` with YAML front matter, read with ``huggingface_hub``.

:func:`read_hf_card` turns one card into a :class:`~ingest.cards.Card` whose
data is already in the graph's terms (grams, datasets, results), with one
:class:`~ingest.cards.Problem` per odd value. A card whose YAML does not parse
still becomes a model with its name and the reason, so nothing is lost and the
exit code says so. :mod:`ingest.hf_mapping` turns the data into graph rows.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ingest.cards import Card, Problem, card_hash
from ingest.mapping import property_name
from ingest.units import grams_from_card, kg_as_g_reason, number
from ingest.yaml_bounds import alias_bomb_reason, safe_loader

if TYPE_CHECKING:
    from collections.abc import Callable

    from huggingface_hub import CardData, ModelCard

logger = logging.getLogger(__name__)

FORMAT = "hf-card"
FRONT_MATTER = re.compile(rb"^\s*---[ \t]*\r?\n")
_EMPTY_FRONT_MATTER = re.compile(r"^\s*---[ \t]*\r?\n\s*---")
# AutoTrain writes "- Problem type: Binary Classification" in the card's text.
_PROBLEM_TYPE = re.compile(r"^\s*[-*]?\s*Problem type:\s*(?P<name>\S.*?)\s*$", re.MULTILINE | re.IGNORECASE)
CO2_KEYS = {
    "emissions": "emissions",
    "source": "source",
    "training_type": "training_type",
    "geographical_location": "geographical_location",
    "geographic_location": "geographical_location",
    "hardware_used": "hardware_used",
    "hardware": "hardware_used",
    "hardware used": "hardware_used",
}


def looks_like_hf_card(raw: bytes) -> bool:
    """True when ``raw`` starts with YAML front matter (``---``), as every Hub model card with metadata does (after
    a byte-order mark, which some editors write)."""
    return bool(FRONT_MATTER.match(raw[:64].removeprefix(b"\xef\xbb\xbf")))


def model_name_of(source: str) -> str:
    """The model's name for a card file: its name without ``.md``; a ``README.md`` takes its folder's name."""
    path = PurePosixPath(source.split("!")[-1].replace("\\", "/"))
    if path.stem.lower() == "readme" and path.parent.name:
        return path.parent.name
    return path.stem


def read_hf_card(source: str, raw: bytes, *, name: str | None = None) -> Card:
    """Read one Hugging Face model card.

    Args:
        source: Where the bytes came from, for messages and provenance.
        raw: The card's bytes.
        name: The model's name (default: :func:`model_name_of` the source).
    """
    from huggingface_hub import ModelCard
    from huggingface_hub.repocard import REGEX_YAML_BLOCK
    from huggingface_hub.utils import logging as hf_logging

    # huggingface_hub logs "Invalid model-index" on its own handler; the Problem below says it once, with the file.
    hf_logging.get_logger("huggingface_hub.repocard_data").setLevel(logging.ERROR)
    hf_logging.get_logger("huggingface_hub.repocard").setLevel(logging.ERROR)  # "metadata block was not found"
    name = name or model_name_of(source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return _unreadable(source, name, f"is not valid UTF-8 (byte {e.start}) - save the card as UTF-8")
    front = REGEX_YAML_BLOCK.search(text)
    if front is None and FRONT_MATTER.match(text[:64].encode()):
        empty = _EMPTY_FRONT_MATTER.match(text)
        why = "is empty" if empty else "opened by '---' is never closed by another '---'"
        return _unreadable(source, name, f"YAML front matter {why}; only the name is stored")
    if front and (bomb := alias_bomb_reason(front.group(2))):
        return _unreadable(source, name, f"{bomb}; only the name is stored")
    try:
        card = ModelCard(text, ignore_metadata_errors=True)
    except Exception as e:  # noqa: BLE001 - yaml's and huggingface_hub's errors alike mean "metadata unreadable"
        return _unreadable(
            source, name, f"YAML front matter does not parse: {_yaml_reason(e)}; only the name is stored"
        )
    return _read(source, name, card.data, card.text, functools.cache(lambda: _model_index(card)))


def read_hf_metadata(source: str, metadata: dict[str, Any], *, name: str) -> Card:
    """Read the metadata of one card that arrives already parsed (the Hub's listing gives each ``cardData``).

    The mapping is :func:`read_hf_card`'s; only the card's text is missing (no AutoTrain problem type, and no
    look at the text for a kilograms-as-grams hint).
    """
    from huggingface_hub import ModelCardData

    data = ModelCardData(**metadata, ignore_metadata_errors=True)
    index = metadata.get("model-index")
    raw_index = index if isinstance(index, list) else [index] if isinstance(index, dict) else []
    return _read(source, name, data, "", lambda: raw_index)


def _yaml_reason(error: Exception) -> str:
    """``found character '\\t' that cannot start any token (line 8, column 11)`` rather than yaml's five lines."""
    problem, mark = getattr(error, "problem", None), getattr(error, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1} of the front matter, column {mark.column + 1})"
    return " ".join(str(error).split())[:160]


def _unreadable(source: str, name: str, reason: str) -> Card:
    data = {"name": name, "format": FORMAT, "file": source, "metadataError": reason}
    return Card(source, data, (), card_hash(data), kind=FORMAT, incomplete=(Problem(source, "$", reason),))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if v is not None and str(v).strip()]


def _read(source: str, name: str, card_data: CardData, text: str, raw_index: Callable[[], list[Any]]) -> Card:
    metadata = card_data.to_dict()
    warnings: list[Problem] = []
    data: dict[str, Any] = {
        "name": name,
        "format": FORMAT,
        "file": source,
        "license": _as_list(metadata.get("license")),
        "libraryName": metadata.get("library_name"),
        "language": _as_list(metadata.get("language")),
        "tags": _as_list(metadata.get("tags")),
        "pipelineTag": metadata.get("pipeline_tag"),
        "datasets": _as_list(metadata.get("datasets")),
        "baseModels": _as_list(metadata.get("base_model")),
    }
    if match := _PROBLEM_TYPE.search(text):
        data["problemType"] = match["name"]
    if "co2_eq_emissions" in metadata:
        data["co2"] = _co2(source, metadata["co2_eq_emissions"], text, warnings)
    data["results"] = _results(source, card_data, raw_index, warnings)
    if names := [str(entry["name"]) for entry in raw_index() if isinstance(entry, dict) and "name" in entry]:
        data["hubName"] = names[0]
    return Card(source, _plain(data), tuple(warnings), card_hash(data), kind=FORMAT)


def _plain(value: Any) -> Any:
    """JSON-ready copies (YAML dates and the like become text), for hashing and for the graph."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _co2(source: str, value: Any, text: str, warnings: list[Problem]) -> dict[str, Any]:
    """The ``co2_eq_emissions`` value in every form cards use, as ``{"emissions": Mass fields, ...}``."""
    field = "co2_eq_emissions"
    if value is None:
        warnings.append(Problem(source, field, "co2_eq_emissions is empty; no emissions stored"))
        return {}
    if isinstance(value, list) and all(isinstance(item, dict) and len(item) == 1 for item in value):
        warnings.append(Problem(source, field, "is a list of one-key maps, not a mapping; read as one mapping"))
        value = {key: item_value for item in value for key, item_value in item.items()}
    if not isinstance(value, dict):
        if isinstance(value, list):
            warnings.append(Problem(source, field, f"{value!r} is neither a number nor a mapping; not stored"))
            return {}
        value = {"emissions": value}
        emissions_field = field
    else:
        emissions_field = f"{field}.emissions"
    co2: dict[str, Any] = {}
    for key, item in value.items():
        known = CO2_KEYS.get(str(key).strip().lower())
        if known is None:
            co2.setdefault("extra", {})[property_name(f"co2_{key}")] = str(item)
            warnings.append(Problem(source, f"{field}.{key}", "is not a co2_eq_emissions key; kept as written"))
        elif known != "emissions":
            if known != key:
                warnings.append(Problem(source, f"{field}.{key}", f"read as {known!r} (the card spec's key)"))
            co2[known] = str(item)
    given = [key for key in value if CO2_KEYS.get(str(key).strip().lower()) == "emissions"]
    if not given:
        warnings.append(Problem(source, field, "has no emissions value (grams); no emissions stored"))
        return co2
    published = value[given[0]]
    mass = grams_from_card(published)
    if mass is None:
        warnings.append(
            Problem(source, emissions_field, f"{published!r} is not an emissions value in grams; not stored")
        )
        co2["unreadEmissions"] = str(published)
        return co2
    co2["emissions"] = {
        "grams": mass.grams,
        "published": mass.published,
        "unit": mass.unit,
        "factor": mass.factor,
        "field": emissions_field,
    }
    if isinstance(published, str) and not _plain_number(published):  # "12.5" is 12.5 g as the spec says
        warnings.append(Problem(source, emissions_field, f"{published!r} read as {mass.grams:g} g"))
    if mass.factor == 1.0 and (reason := kg_as_g_reason(mass.grams, text)):
        co2["emissions"]["suspect"] = f"suspected kilograms given as grams: {reason}"
        warnings.append(Problem(source, emissions_field, f"{mass.grams:g} g stored as published and flagged: {reason}"))
    return co2


def _plain_number(text: str) -> bool:
    """Whether ``text`` is a number alone (no unit, no words)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _model_index(card: ModelCard) -> list[Any]:
    # huggingface_hub drops a model-index it cannot read; the raw block is read only to report and keep it.
    import yaml
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    match = REGEX_YAML_BLOCK.search(card.content)
    try:  # the card's front matter was already bounded (yaml_bounds)
        raw = yaml.load(match.group(2), Loader=safe_loader()) if match else None
    except yaml.YAMLError:
        return []
    index = raw.get("model-index") if isinstance(raw, dict) else None
    return index if isinstance(index, list) else [index] if isinstance(index, dict) else []


def _results(
    source: str, card_data: CardData, raw_index: Callable[[], list[Any]], warnings: list[Problem]
) -> list[dict[str, Any]]:
    evals = getattr(card_data, "eval_results", None)
    if evals is None:
        raw = _lenient_results(raw_index())
        if raw:
            warnings.append(
                Problem(
                    source,
                    "model-index",
                    "is not in the form huggingface_hub reads (each result needs a task and a dataset); "
                    f"its {len(raw)} metric(s) are stored without what is missing",
                )
            )
        entries = raw
    else:
        entries = [
            {
                "task": e.task_type,
                "taskName": e.task_name,
                "dataset": e.dataset_type or e.dataset_name,
                "datasetName": e.dataset_name,
                "datasetConfig": e.dataset_config,
                "split": e.dataset_split,
                "metricType": e.metric_type,
                "metricName": e.metric_name,
                "value": e.metric_value,
                "verified": e.verified,
            }
            for e in evals
        ]
    results = []
    for index, entry in enumerate(entries):
        published = entry.pop("value", None)
        where = f"model-index result {index + 1} ({entry.get('metricType')})"
        value = number(published)
        if value is None and isinstance(published, str):
            try:
                value = float(published)
            except ValueError:
                value = None
            value = value if value is not None and math.isfinite(value) else None
        if value is None:
            warnings.append(Problem(source, where, f"metric value {published!r} is not a number; kept as text"))
        results.append({**entry, "value": value, "publishedValue": str(published), "field": where})
    return results


def _lenient_results(index: list[Any]) -> list[dict[str, Any]]:
    entries = []
    for model in index:
        results = model.get("results") if isinstance(model, dict) else None
        for result in results if isinstance(results, list) else []:
            if not isinstance(result, dict):
                continue
            task: dict[str, Any] = result["task"] if isinstance(result.get("task"), dict) else {}
            dataset: dict[str, Any] = result["dataset"] if isinstance(result.get("dataset"), dict) else {}
            metrics: list[Any] = result["metrics"] if isinstance(result.get("metrics"), list) else []
            for metric in metrics:
                if isinstance(metric, dict) and metric.get("type"):
                    entries.append(
                        {
                            "task": task.get("type"),
                            "taskName": task.get("name"),
                            "dataset": dataset.get("type") or dataset.get("name"),
                            "datasetName": dataset.get("name"),
                            "datasetConfig": dataset.get("config"),
                            "split": dataset.get("split"),
                            "metricType": metric.get("type"),
                            "metricName": metric.get("name"),
                            "value": metric.get("value"),
                            "verified": metric.get("verified"),
                        }
                    )
    return entries
