"""The generalisation suite's own gold (assistant/evaluation/suite_gold.py), checked by hand on card files.

Each expected number below was worked out from the card JSON by hand, not by the code under test.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.answers.answer import Answer
from assistant.evaluation import suite_gold
from assistant.evaluation.outcomes import CORRECT, DECLINED, SILENTLY_WRONG, outcome_of
from assistant.evaluation.suite import render
from assistant.evaluation.suite_gold import SuiteGold, compare, gold_of, pareto_front, value_of
from assistant.evaluation.suite_slots import absent, device_alias
from tests.conftest import MRM3_CARDS, mrm3_card_files

CARDS = [json.loads(p.read_text(encoding="utf-8")) for p in mrm3_card_files()]


def card(name: str) -> dict[str, Any]:
    return next(c for c in CARDS if c["name"] == name)


def test_energy_per_inference_is_the_total_over_num_of_runs() -> None:
    # lumos/RandomForestRegressor-KFoldSplit-results.json: energy_consumption 0.13222799999988638 J, num_of_runs 1000.
    rf = card("RandomForestRegressor-lumos5g-KFold")
    assert value_of(rf, "energy_per_inference") == pytest.approx(0.000132228, rel=1e-9)
    assert value_of(rf, "energy_per_inference") != pytest.approx(0.132228)  # the total is not per inference
    # carbon_footprint 8.48462999999271e-06 g over the same 1000 runs; per sample also divides by batch_size 2.
    assert value_of(rf, "carbon_per_inference") == pytest.approx(8.48463e-09, rel=1e-9)
    assert value_of(rf, "energy_per_sample") == pytest.approx(0.000066114, rel=1e-9)
    # latency is per request already: 0.034095717 s.
    assert value_of(rf, "latency") == pytest.approx(0.034095717)


def test_per_inference_ranks_by_runs_not_totals() -> None:
    def one(name: str, energy: float, runs: int) -> dict[str, Any]:
        device = {"CPU": "Raspberry Pi 4 Model B", "GPU": 0, "RAM": "4G", "numCores": 4}
        run = {"device": device, "batch_size": 1, "latency": 0.1, "energy_consumption": energy, "num_of_runs": runs}
        return {"name": name, "inference": [run]}

    # A: 2 J over 1000 runs = 0.002 J each; B: 1 J over 20 runs = 0.05 J each. B has the lower total, A wins.
    cards = [one("A", 2.0, 1000), one("B", 1.0, 20)]
    spec = {"kind": "best", "quantity": "energy_per_inference", "order": "min", "where": {"device": "Raspberry Pi 4"}}
    assert gold_of(spec, cards) == SuiteGold("first", ("A",))
    # "under 5 mJ per inference": only A (0.002 J < 0.005 J).
    condition = {"quantity": "energy_per_inference", "op": "<", "value": 0.005}
    under = {"kind": "names", "where": {"conditions": [condition]}}
    assert gold_of(under, cards).values == ("A",)


def test_unmeasured_zeros_never_win_and_are_reported_as_not_measured() -> None:
    # lumos5g: LinearRegression and XGBRegressor have carbonFootprint 0.0; KNeighbors 1.8678 g, RandomForest 2.4301 g.
    greenest = {"kind": "best", "quantity": "train_carbon", "order": "min", "where": {"dataset": "lumos5g"}}
    assert gold_of(greenest, CARDS).values == ("KNeighborsRegressor-lumos5g-KFold",)
    lookup = {"kind": "value", "quantity": "train_carbon", "model": "LinearRegression-lumos5g-KFold"}
    assert gold_of(lookup, CARDS) == SuiteGold("unmeasured")
    # The average leaves the unmeasured out: (1.8677849575000185 + 2.43012693) / 2.
    average = {"kind": "average", "quantity": "train_carbon", "where": {"dataset": "lumos5g"}}
    assert gold_of(average, CARDS).values == pytest.approx((2.148955943750009,))


@pytest.mark.parametrize(
    ("op", "expected"),
    [(">", 6), (">=", 9), ("<", 2), ("<=", 5)],
    ids=["more than 100 excludes 100", "at least 100 includes it", "fewer than 100", "at most 100"],
)
def test_hyperparameter_bounds(op: str, expected: int) -> None:
    # n_estimators in the MRM3 cards: 50 x2 (XGB spring, winter), 100 x3, 250 x5, 400 x1 (RF lumos5g).
    spec = {"kind": "names", "where": {"conditions": [{"quantity": "hyper:n_estimators", "op": op, "value": 100}]}}
    assert len(gold_of(spec, CARDS).values) == expected


def test_between_is_inclusive_at_both_ends() -> None:
    assert compare(1.0, "between", [1.0, 2.0]) and compare(2.0, "between", [1.0, 2.0])
    assert not compare(2.0001, "between", [1.0, 2.0]) and not compare(None, "<", 1.0)


def test_dates_are_inclusive_month_ranges() -> None:
    since = {"kind": "names", "where": {"date_from": "2024-11-22"}}
    assert len(gold_of(since, CARDS).values) == 11  # the umu cards
    before = {"kind": "names", "where": {"date_to": "2024-11-21"}}
    assert len(gold_of(before, CARDS).values) == 11  # logatec and lumos5g


def test_pareto_front_keeps_the_non_dominated() -> None:
    # (carbon, mae): c is dominated by a (more carbon, worse mae); a and b trade off; d ties a and is not better.
    points = [("a", 1.0, 5.0), ("b", 2.0, 3.0), ("c", 3.0, 6.0), ("d", 1.0, 5.0)]
    assert pareto_front(points, "min", "min") == {"a", "b", "d"}
    assert pareto_front([("x", 1.0, 0.9), ("y", 2.0, 0.95), ("z", 2.0, 0.8)], "min", "max") == {"x", "y"}


def test_counts_of_distinct_things() -> None:
    assert gold_of({"kind": "count", "of": "datasets"}, CARDS).values == (4,)
    assert gold_of({"kind": "count", "of": "architectures"}, CARDS).values == (4,)
    assert gold_of({"kind": "count", "of": "devices"}, CARDS).values == (1,)


@pytest.mark.parametrize(
    ("value", "unit", "separators", "text", "said"),
    [
        (0.005, "mJ", False, "5", 0.005),
        (5e6, "MJ", False, "5", 5e6),
        (20000.0, "J", True, "20,000", 20000.0),
        (0.01234, "ms", False, "12", 0.012),
        (7.2e6, "kWh", False, "2", 7.2e6),
    ],
    ids=["mJ is a thousandth", "MJ is a million", "thousands separators", "rounded to 2 digits", "kWh is 3.6 MJ"],
)
def test_thresholds_are_written_in_the_unit_and_the_gold_uses_what_is_written(
    value: float, unit: str, separators: bool, text: str, said: float
) -> None:
    shown, number = render(value, unit, separators)
    assert shown == text
    assert number == pytest.approx(said)


def test_absent_names_are_absent_from_the_catalog() -> None:
    devices = [s["name"] for s in absent(CARDS, "device")]
    assert "Raspberry Pi 4" in devices  # the MRM3 cards ran on one AMD EPYC only
    models = [s["name"] for s in absent(CARDS, "model")]
    assert models and not set(models) & {c["name"] for c in CARDS}
    assert device_alias({"CPU": "AMD EPYC 75F3 32-Core Processor"}) == "EPYC 75F3"
    assert device_alias({"CPU": "Raspberry Pi 4 Model B (ARM Cortex-A72)"}) == "Raspberry Pi 4"


ABSENT = SuiteGold("decline", terms=("librispeech",))


def _answer(rows: list[dict[str, Any]] | None = None, text: str = "", answered: bool = True) -> Answer:
    return Answer("q", "offline", text, rows=rows or [], answered=answered)


@pytest.mark.parametrize(
    ("answer", "gold", "outcome"),
    [
        (_answer(text="'librispeech' is not in the graph", answered=False), ABSENT, CORRECT),
        (_answer(text="I can't answer that", answered=False), ABSENT, DECLINED),
        (_answer([{"model": "A"}]), ABSENT, SILENTLY_WRONG),
        (_answer([{"model": "B"}, {"model": "A"}]), SuiteGold("first", ("A",)), SILENTLY_WRONG),
        (_answer([{"model": "A"}, {"model": "B"}]), SuiteGold("first", ("A",)), CORRECT),
        (_answer([{"model": "A"}, {"model": "B"}]), SuiteGold("names", ("A",), universe=("A", "B")), SILENTLY_WRONG),
        (_answer([{"n": 12.05}]), SuiteGold("value", (12.0,)), CORRECT),
        (_answer([{"n": 12000.0}]), SuiteGold("value", (12.0,)), SILENTLY_WRONG),
        (_answer([{"carbon_g": 0.0}], text="carbon: 0 g CO2"), SuiteGold("unmeasured"), SILENTLY_WRONG),
        (_answer([{"carbon_g": 0.0}], text="carbon was not measured"), SuiteGold("unmeasured"), CORRECT),
        (_answer(text="X is not in the graph"), SuiteGold("first", ("A",)), DECLINED),
    ],
    ids=[
        "a decline naming the absent term is correct",
        "a decline not naming it is only declined",
        "answering what should be declined is silently wrong",
        "a ranking with the wrong winner first",
        "a ranking with the winner first",
        "a list with an extra model",
        "a number within 1%",
        "a number off by a factor of 1000",
        "an unmeasured 0 shown as a value",
        "an unmeasured value said so",
        "saying a name is absent is a decline",
    ],
)
def test_outcomes(answer: Answer, gold: SuiteGold, outcome: str) -> None:
    assert outcome_of(answer, gold) == outcome


def test_the_suite_gold_imports_nothing_of_the_assistant() -> None:
    tree = ast.parse(Path(suite_gold.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith(("assistant", "ingest", "prompts"))], imported
    assert MRM3_CARDS.exists()
