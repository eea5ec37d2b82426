"""Slot values for the generalisation suite, read from a catalog's cards.

Each provider takes the cards (and the template's ``args``) and returns a list
of slot dicts; an empty list means the intent does not apply to the catalog
(no accuracy metric on regression cards, for example). Values are chosen from
the data so that answers are not trivial: thresholds fall between the models'
values, names in the "absent" slots are checked against every value of the
catalog. Like the gold, providers know nothing of the engines.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from assistant.evaluation.suite_gold import Card, beats, group_averages, runs_of, squash, value_of

Slots = list[dict[str, Any]]
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip

# Names an ML engineer might ask about; each is used only where the catalog holds nothing like it.
ABSENT_POOLS = {
    "dataset": ("librispeech", "coco2017", "squad-v2", "wikitext-103", "openimages-v7"),
    "device": ("Raspberry Pi 4", "Jetson Nano", "Raspberry Pi 5", "Jetson Orin", "H100", "Apple M2"),
    "architecture": ("ResNet18", "LightGBM", "GPT-2", "CatBoostRegressor", "Transformer-XL", "SVR"),
    "service": ("image classification", "speech recognition", "machine translation", "object detection"),
    "author": ("SensorLab", "Google DeepMind", "OpenAI", "Hugging Face"),
    "problem_type": ("classification", "clustering", "ranking", "segmentation"),
}


def device_alias(device: dict[str, Any]) -> str:
    """What a user calls a device: "AMD EPYC 75F3 32-Core Processor" -> "EPYC 75F3", "... Pi 4 Model B (...)" -> "Raspberry Pi 4"."""  # noqa: E501
    text = re.sub(r"\(.*?\)", " ", str(device.get("CPU", "")))
    text = re.sub(r"\bModel [A-Z]\b|\bProcessor\b|\bCPU @.*|\b\d+-Core\b", " ", text)
    text = re.sub(r"^\s*(AMD|Intel|NVIDIA)\s+", "", text)
    return " ".join(text.split())


def _datasets(cards: list[Card]) -> Counter[str]:
    return Counter(str((c.get("dataset") or {}).get("name")) for c in cards)


def _devices(cards: list[Card]) -> list[str]:
    aliases = {device_alias(r["device"]) for c in cards for r in runs_of(c) if r.get("device")}
    return sorted(aliases)


def nothing(cards: list[Card]) -> Slots:
    """One empty slot: the question names nothing."""
    return [{}]


def datasets(cards: list[Card], max_models: int | None = None) -> Slots:
    """Every dataset (with at most ``max_models`` models), most used first."""
    counts = _datasets(cards)
    return [{"dataset": name} for name, n in counts.most_common() if max_models is None or n <= max_models]


def measured_datasets(cards: list[Card], quantity: str, least: int = 2) -> Slots:
    """Datasets where at least ``least`` models have a measured ``quantity``."""
    measured = Counter(str(c["dataset"]["name"]) for c in cards if value_of(c, quantity) is not None)
    return [{"dataset": name} for name, n in measured.most_common() if n >= least]


def metric_datasets(cards: list[Card], metrics: list[str]) -> Slots:
    """Datasets whose models report one of ``metrics``, the metrics taking turns."""
    found: Slots = []
    for name, _ in _datasets(cards).most_common():
        on = [c for c in cards if c["dataset"]["name"] == name]
        metric = metrics[len(found) % len(metrics)]
        if len(on) >= 2 and all(value_of(c, f"metric:{metric}") is not None for c in on):
            label = {"f1": "F1", "mae": "MAE", "rmse": "RMSE"}.get(metric, metric)
            found.append({"dataset": name, "quantity": f"metric:{metric}", "metric": label})
    return found


def inference_devices(cards: list[Card], quantity: str) -> Slots:
    """Inference devices where at least two models have ``quantity``."""
    return [
        {"device": alias}
        for alias in _devices(cards)
        if sum(value_of(c, quantity, alias) is not None for c in cards) >= 2
    ]


def run_devices(cards: list[Card]) -> Slots:
    """Inference devices all of whose entries are real runs (a latency), so "runs" has one meaning."""
    return [
        {"device": alias}
        for alias in _devices(cards)
        if all(r.get("latency") is not None for c in cards for r in runs_of(c, alias))
    ]


def _values(cards: list[Card], quantity: str) -> list[float]:
    return sorted({v for c in cards if (v := value_of(c, quantity)) is not None})


def _between(values: list[float], share: float) -> float:
    """A number between two neighbouring values, about ``share`` of the way up the sorted values."""
    i = min(max(1, round(share * len(values))), len(values) - 1)
    low, high = values[i - 1], values[i]
    return math.sqrt(low * high) if low > 0 else (low + high) / 2


def limits(cards: list[Card], quantity: str) -> Slots:
    """Thresholds at a third and two thirds of the models' values."""
    values = _values(cards, quantity)
    if len(values) < 4:
        return []
    return [{"limit": _between(values, share)} for share in (0.5, 0.33, 0.67)]


def ranges(cards: list[Card], quantity: str) -> Slots:
    """Ranges around the middle of the models' values."""
    values = _values(cards, quantity)
    if len(values) < 5:
        return []
    return [{"low": _between(values, 0.25), "high": _between(values, 0.75)},
            {"low": _between(values, 0.15), "high": _between(values, 0.5)}]  # fmt: skip


def hyperparameter_values(cards: list[Card], name: str) -> Slots:
    """Values of a numeric hyperparameter that models hold, neither the smallest nor the largest."""
    values = _values(cards, f"hyper:{name}")
    return [{"value": int(v) if float(v).is_integer() else v} for v in values[1:-1]]


def _date_text(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}" if day.day == 1 else day.isoformat()


def date_cutoffs(cards: list[Card]) -> Slots:
    """Cut-off days splitting the models: the first of a month in the middle, or a day when all share a month."""
    days = sorted(date.fromisoformat(str(c["dateCreated"])) for c in cards)
    found: Slots = []
    for share in (0.5, 0.3):
        middle = days[int(share * len(days))]
        cut = middle.replace(day=1)
        if not days[0] < cut:
            cut = middle
        if days[0] < cut <= days[-1] and not any(s["date_from"] == cut.isoformat() for s in found):
            before = (cut - timedelta(days=1)).isoformat()
            found.append({"cutoff": _date_text(cut), "date_from": cut.isoformat(), "date_to": before})
    return found


def month_ranges(cards: list[Card]) -> Slots:
    """Spans of three or four months within one year that hold some models but not all."""
    days = sorted(date.fromisoformat(str(c["dateCreated"])) for c in cards)
    found: Slots = []
    for year in sorted({d.year for d in days}):
        for first, last in ((3, 6), (2, 4), (9, 11)):
            start, end = date(year, first, 1), date(year, last + 1, 1) - timedelta(days=1)
            inside = sum(start <= d <= end for d in days)
            if 0 < inside < len(days):
                found.append({"month_a": MONTHS[first - 1], "month_b": MONTHS[last - 1], "year": year,
                              "date_from": start.isoformat(), "date_to": end.isoformat()})  # fmt: skip
    return found


def dataset_size_limits(cards: list[Card]) -> Slots:
    """Dataset-size thresholds between the datasets' sizes."""
    sizes = sorted({float(c["dataset"]["size"]) for c in cards if c.get("dataset", {}).get("size")})
    if len(sizes) < 3:
        return []
    return [{"limit": _between(sizes, share)} for share in (0.5, 0.33, 0.67)]


def models(cards: list[Card]) -> Slots:
    """A spread of model names."""
    names = sorted(c["name"] for c in cards)
    step = max(1, len(names) // 6)
    return [{"model": name} for name in names[::step]]


def carbon_models(cards: list[Card]) -> Slots:
    """Models with measured and with unmeasured training carbon, taking turns."""
    measured = sorted(c["name"] for c in cards if value_of(c, "train_carbon") is not None)
    unmeasured = sorted(c["name"] for c in cards if value_of(c, "train_carbon") is None)
    slots: Slots = []
    for i in range(max(len(measured), len(unmeasured))):
        slots += [{"model": group[i]} for group in (measured, unmeasured) if i < len(group)]
    return slots


def pareto_datasets(cards: list[Card]) -> Slots:
    """Datasets with at least three models that have measured carbon and a headline metric."""
    found: Slots = []
    for name, _ in _datasets(cards).most_common():
        on = [c for c in cards if c["dataset"]["name"] == name and value_of(c, "train_carbon") is not None]
        for metric, order, label in (("mae", "min", "MAE"), ("accuracy", "max", "accuracy")):
            if len(on) >= 3 and all(value_of(c, f"metric:{metric}") is not None for c in on):
                found.append({"dataset": name, "quantity": f"metric:{metric}", "order": order, "metric": label})
    return found


def services(cards: list[Card]) -> Slots:
    """Every service."""
    return [{"service": s} for s in sorted({str(c["service"]["name"]) for c in cards if c.get("service")})]


def _catalog_words(cards: list[Card], kind: str) -> list[str]:
    if kind == "device":
        return [f"{r['device'].get('CPU')} {r['device'].get('GPUModel', '')}" for c in cards for r in runs_of(c)] + [
            f"{c['training']['device'].get('CPU')} {c['training']['device'].get('GPUModel', '')}" for c in cards
        ]
    keys: dict[str, Callable[[Card], Any]] = {
        "dataset": lambda c: c["dataset"]["name"],
        "architecture": lambda c: c["architecture"]["type"],
        "service": lambda c: c["service"]["name"],
        "author": lambda c: c.get("author"),
        "problem_type": lambda c: c.get("problemType"),
        "model": lambda c: c["name"],
    }
    return [str(keys[kind](c)) for c in cards]


def absent(cards: list[Card], kind: str) -> Slots:
    """Names of ``kind`` that the catalog does not hold, nor anything containing or contained in them."""
    held = {squash(word) for word in _catalog_words(cards, kind)}
    if kind == "model":
        pool = [_absent_model_name(c, held) for c in sorted(cards, key=lambda c: c["name"])[::8]]
    else:
        pool = list(ABSENT_POOLS[kind])
    return [{"name": n} for n in pool if not any(squash(n) in h or h in squash(n) for h in held)]


def _absent_model_name(card: Card, held: set[str]) -> str:
    """A name shaped like the catalog's, that it does not hold: another number or another split."""
    name = str(card["name"])
    if re.search(r"-\d{3}$", name):
        return re.sub(r"-\d{3}$", "-999", name)
    for split in ("LeaveOneGroupOut", "KFold", "Random", "Holdout"):
        other = re.sub(r"-[A-Za-z]+$", f"-{split}", name)
        if squash(other) not in held:
            return other
    return name + "-v2"


# Grids a team would move a training to (CodeCarbon's country names), taking turns in the what-if questions.
COUNTRIES = ("France", "Germany", "Poland", "Sweden", "India", "Spain", "Norway", "Australia")
QUALITY = (("mae", "min", "MAE"), ("rmse", "min", "RMSE"), ("accuracy", "max", "accuracy"), ("f1", "max", "F1"))


def dominated_models(cards: list[Card]) -> Slots:
    """Models that another model of their dataset beats on both a quality metric and training carbon."""
    found: Slots = []
    for metric, order, label in QUALITY:
        on = [(f"metric:{metric}", order), ("train_carbon", "min")]
        for card in sorted(cards, key=lambda c: c["name"]):
            rivals = [c for c in cards if c["dataset"]["name"] == card["dataset"]["name"]]
            if any(beats(other, card, on) for other in rivals):
                found.append({"model": card["name"], "dataset": card["dataset"]["name"], "quantity": on[0][0],
                              "order": order, "metric": label})  # fmt: skip
    return found[:: max(1, len(found) // 6)]


def measured_pairs(cards: list[Card], quantity: str) -> Slots:
    """Pairs of models with different measured ``quantity``: ``low`` has the smaller value, ``high`` the larger."""
    measured = sorted((v, c["name"]) for c in cards if (v := value_of(c, quantity)) is not None)
    pairs = [(measured[i], measured[-1 - i]) for i in range(len(measured) // 2) if measured[i][0] < measured[-1 - i][0]]
    return [{"low": low[1], "high": high[1]} for low, high in pairs]


def grouping_facets(cards: list[Card], quantity: str) -> Slots:
    """Facets (architecture, dataset, service) with at least two groups holding a measured ``quantity``."""
    words = {"architecture": "architecture", "dataset": "dataset", "service": "service"}
    return [{"by": by, "group": word} for by, word in words.items() if len(group_averages(cards, by, quantity)) >= 2]


def capped_choices(cards: list[Card]) -> Slots:
    """A dataset, quality metric and training-carbon cap that rules out the most accurate model but not all."""
    found: Slots = []
    for metric, order, label in QUALITY:
        for name, _ in _datasets(cards).most_common():
            scored = [(m, v, c) for c in cards if c["dataset"]["name"] == name
                      and (m := value_of(c, f"metric:{metric}")) is not None
                      and (v := value_of(c, "train_carbon")) is not None]  # fmt: skip
            if len(scored) < 3:
                continue
            best = (min if order == "min" else max)(scored, key=lambda t: t[0])
            below = sorted(v for _, v, _ in scored if v < best[1])
            if below:
                cap = math.sqrt(below[-1] * best[1])
                found.append({"dataset": name, "quantity": f"metric:{metric}", "order": order, "metric": label,
                              "limit": cap})  # fmt: skip
    return found


def energy_models(cards: list[Card]) -> Slots:
    """Models with a measured training energy, each with grids to move it to (countries taking turns)."""
    names = sorted(c["name"] for c in cards if value_of(c, "train_energy") is not None)
    step = max(1, len(names) // 6)
    slots: Slots = []
    for i, name in enumerate(names[::step]):
        a, b, c = (COUNTRIES[(i + k) % len(COUNTRIES)] for k in range(3))
        slots.append({"model": name, "country": a, "country_a": a, "country_b": b, "country_c": c,
                      "countries": [a, b, c]})  # fmt: skip
    return slots


PROVIDERS: dict[str, Callable[..., Slots]] = {
    f.__name__: f
    for f in (nothing, datasets, measured_datasets, metric_datasets, inference_devices, run_devices, limits, ranges,
              hyperparameter_values, date_cutoffs, month_ranges, dataset_size_limits, models, carbon_models,
              pareto_datasets, services, absent, dominated_models, measured_pairs, grouping_facets, capped_choices,
              energy_models)
}  # fmt: skip
"""Provider name (as templates write it) -> provider."""
