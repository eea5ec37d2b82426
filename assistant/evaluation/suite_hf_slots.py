"""Slot values of the Hugging Face catalog's templates, read from its models (see :mod:`.suite_hf`).

Like the gold, these know nothing of the engines (nothing of ``assistant``,
``ingest`` or ``prompts`` is imported but the gold module itself): values are
chosen from the data so that answers are not trivial, and names in the
"absent" slots are checked against everything the catalog holds.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from assistant.evaluation.suite_hf import (
    ACCURACY_TYPES,
    COUNTRY_ALIASES,
    HFCard,
    base_matches,
    hardware_matches,
    passing,
    squash,
)

Slots = list[dict[str, Any]]

ABSENT_POOLS = {
    "base": ("meta-llama/Llama-2-7b-hf", "mistralai/Mistral-7B-v0.1", "t5-small", "distilgpt2"),
    "license": ("gpl-3.0", "cc-by-nc-4.0", "llama2", "bsd-3-clause"),
    "task": ("object-detection", "automatic-speech-recognition", "text-to-image", "image-segmentation"),
    "eval_dataset": ("librispeech_asr", "imagenet-1k", "gsm8k", "ms_marco", "wmt16"),
    "country": ("France", "Japan", "Brazil", "India"),
    "library": ("keras", "timm", "spacy", "sklearn"),
}


def _measured(cards: list[HFCard]) -> list[HFCard]:
    return [c for c in cards if c["carbon"] is not None]


def tasks(cards: list[HFCard], least: int = 2) -> Slots:
    """Pipeline tags with at least ``least`` measured models, most measured first."""
    counts = Counter(str(c["task"]) for c in _measured(cards) if c["task"])
    return [{"task": t, "task_words": t.replace("-", " ")} for t, n in counts.most_common() if n >= least]


def bases(cards: list[HFCard]) -> Slots:
    """Base models, by their full id and without their organisation: the most used first, then those whose name
    is a card's name too or begins another base's name ("gpt2" of "gpt2-xl": a prefix is no match), then those
    with an organisation, then the rest."""
    ids = {b for c in cards for b in c["bases"]}
    shorts = [i.rsplit("/", 1)[-1].lower() for i in ids]

    names = {c["name"].lower() for c in cards}

    def order(base: str) -> tuple[int, bool, bool, str]:
        short = base.rsplit("/", 1)[-1].lower()
        used = sum(base in c["bases"] for c in cards)
        trap = short in names or any(s != short and s.startswith(short) for s in shorts)
        return (-min(used, 2), not trap, "/" not in base, base.lower())

    slots = []
    for base in sorted(ids, key=order):
        short = base.rsplit("/", 1)[-1]
        same = {c["name"] for c in cards if any(base_matches(b, short) for b in c["bases"])} == {
            c["name"] for c in cards if base in c["bases"]
        }
        slots.append({"base": base, "base_short": short if same else base})
    return slots


def values_of(
    cards: list[HFCard], field: str, least: int = 1, most: int | None = None, skip: tuple[str, ...] = ()
) -> Slots:
    """Values of ``licenses`` or ``library`` held by ``least`` to ``most`` models, most held first, but ``skip``."""
    counts: Counter[str] = Counter()
    for c in cards:
        counts.update(c[field] if isinstance(c[field], list) else [c[field]] if c[field] else [])
    key = {"licenses": "license", "library": "library"}[field]
    return [
        {key: v}
        for v, n in counts.most_common()
        if n >= least and (most is None or n <= most) and v.lower() not in skip
    ]


def _stat(values: list[float], stat: str) -> float:
    return sum(values) if stat == "total" else sum(values) / len(values)


def _telling(cards: list[HFCard], where: dict[str, Any], apart: str | None) -> bool:
    """Whether the group's ``apart`` statistic (``total`` or ``average``) is more than the 1% tolerance of the
    answers away from the same statistic over every measured model: else an answer that drops the filter would
    pass."""
    if apart is None:
        return True
    group = [c["carbon"] for c in passing(_measured(cards), where)]
    every = [c["carbon"] for c in _measured(cards)]
    return bool(group) and abs(_stat(group, apart) - _stat(every, apart)) > 0.01 * abs(_stat(every, apart))


def countries(cards: list[HFCard], apart: str | None = None) -> Slots:
    """Countries of the measured models' locations (the part after the last comma; a location without a comma
    must be a country the catalog names elsewhere too, not a city), most models first."""
    found: Counter[str] = Counter()
    for c in _measured(cards):
        if c["location"]:
            found[c["location"].rsplit(",", 1)[-1].strip()] += 1
    slots = []
    for place, _ in found.most_common():
        if place == "Barcelona":  # a city: its country is not written
            continue
        if _telling(cards, {"country": place}, apart):
            said = "the US" if COUNTRY_ALIASES.get(place.lower()) == "united states" else place
            slots.append({"country": place, "country_said": said})
    return slots


HARDWARE_NAMES = ("A100", "A100 80GB", "A100 40GB", "A40", "P100", "V100", "TPU", "RTX 3060")


def hardware(cards: list[HFCard], apart: str | None = None) -> Slots:
    """Short hardware names (``HARDWARE_NAMES``) that some measured model's hardware matches."""
    return [
        {"hardware": h}
        for h in HARDWARE_NAMES
        if any(hardware_matches(c["hardware"], h) for c in _measured(cards)) and _telling(cards, {"hardware": h}, apart)
    ]


def eval_datasets(cards: list[HFCard], least: int = 2) -> Slots:
    """``model-index`` datasets where at least ``least`` models have an accuracy, most models first."""
    counts: Counter[str] = Counter()
    for c in cards:
        counts.update({r["dataset"] for r in c["results"] if r["value"] is not None and r["metric"] in ACCURACY_TYPES})
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"dataset": d, "dataset_short": d.rsplit("/", 1)[-1]} for d, n in ranked if n >= least]


def _between(values: list[float], share: float) -> float:
    i = min(max(1, round(share * len(values))), len(values) - 1)
    low, high = values[i - 1], values[i]
    return math.sqrt(low * high) if low > 0 else (low + high) / 2


def carbon_limits(cards: list[HFCard], shares: tuple[float, ...] = (0.5, 0.33, 0.67)) -> Slots:
    """Thresholds between two neighbouring measured values, ``share`` of the way up them, one per share."""
    values = sorted({c["carbon"] for c in _measured(cards)})
    if len(values) < 4:
        return []
    return [{"limit": _between(values, share)} for share in shares]


def carbon_models(cards: list[HFCard]) -> Slots:
    """Models to look up, measured ones of every kind (CodeCarbon only, a text with a unit, grams that look like
    kilograms, a large value) taking turns with unmeasured ones (``TBD``, no co2 at all, an unparsable card)."""
    measured = _measured(cards)
    picks = [
        next((c for c in measured if c["source"] == "codecarbon"), None),
        next((c for c in cards if not c["has_co2"] and c["parsed"] and c["results"]), None),
        next((c for c in measured if isinstance(c["published_carbon"], str)), None),
        next((c for c in cards if not c["parsed"]), None),
        next((c for c in measured if c["carbon"] >= 1000 and c["source"] == "card"), None),
        next((c for c in measured if c["carbon"] < 1 and c["location"]), None),
        next((c for c in cards if c["has_co2"] and c["carbon"] is None), None),
    ]
    names = [c["name"] for c in picks if c]
    return [{"model": n} for n in dict.fromkeys(names)]


def _held(cards: list[HFCard], kind: str) -> list[str]:
    if kind == "base":
        return [b for c in cards for b in c["bases"]] + [c["name"] for c in cards]
    if kind == "license":
        return [lic for c in cards for lic in c["licenses"]]
    if kind == "task":
        tasks = [str(c["task"]) for c in cards if c["task"]] + [str(r["task"]) for c in cards for r in c["results"]]
        return tasks + [t for c in cards for t in c["tags"]]
    if kind == "eval_dataset":
        evaluated = [r["dataset"] for c in cards for r in c["results"]]
        return evaluated + [d for c in cards for d in c["datasets"] + c["tags"]]
    if kind == "country":
        places = [c["location"] for c in cards if c["location"]]
        return places + [r["country"] for c in cards for r in c["runs"] if r["country"]]
    if kind == "library":
        return [str(c["library"]) for c in cards if c["library"]] + [t for c in cards for t in c["tags"]]
    if kind == "model":
        return [c["name"] for c in cards]
    raise ValueError(f"unknown kind {kind!r}")


def absent(cards: list[HFCard], kind: str) -> Slots:
    """Names of ``kind`` the catalog does not hold, nor anything containing or contained in them."""
    held = {squash(w) for w in _held(cards, kind)}
    if kind == "model":
        numbered = [c["name"] for c in cards if re.search(r"-\d{6,}$", c["name"])]
        pool = [re.sub(r"-\d+$", "-999", name) for name in numbered[::8]]
    else:
        pool = list(ABSENT_POOLS[kind])
    # A held word of 4 characters or more inside the name counts too ("hellaswag" is in "hellaswag_pt").
    return [{"name": n} for n in pool if not any(squash(n) in h or (len(h) >= 4 and h in squash(n)) for h in held)]


def nothing(cards: list[HFCard]) -> Slots:
    """One empty slot: the question names nothing."""
    return [{}]


PROVIDERS: dict[str, Callable[..., Slots]] = {
    f"hf_{f.__name__}": f
    for f in (tasks, bases, values_of, countries, hardware, eval_datasets, carbon_limits, carbon_models, absent,
              nothing)
}  # fmt: skip
"""Provider name (as templates write it, ``hf_`` first) -> provider."""
