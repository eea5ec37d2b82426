"""Workload shifting (issue 23): a training's energy priced on another country's grid, from CodeCarbon's data.

The expected figures come from the card files and CodeCarbon's data file, read here with json: the card's
energy (CPU + GPU, J) / 3,600,000 x the country's carbon_intensity (g CO2 per kWh). The MRM3 cards' own carbon
over their energy is Slovenia's published intensity.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from assistant.plan.model import PLAN_TOOL
from tests.card_facts import cards
from tests.fake_llm import FakeLLM

pytest_plugins = ("tests.llm_fixtures",)

MODEL = "XGBRegressor-umu-KFold"


def intensity(iso: str) -> float:
    spec = importlib.util.find_spec("codecarbon")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "private_infra" / "global_energy_mix.json"
    return float(json.loads(path.read_text(encoding="utf-8"))[iso]["carbon_intensity"])


def energy_j(model: str) -> float:
    card = next(c for c in cards() if c["name"] == model)
    return card["training"]["powerConsumptionCPU"] + card["training"]["powerConsumptionGPU"]


def grams(model: str, iso: str) -> float:
    return energy_j(model) / 3_600_000 * intensity(iso)


def test_how_much_a_training_would_emit_in_another_country(cards_graph: Graph, settings: Settings) -> None:
    answer = Assistant(settings, cards_graph).ask(
        f"How much CO2 would training {MODEL} emit in France?", engine="offline"
    )
    assert answer.answered
    assert f"in France ({intensity('FRA'):.4g} g CO2/kWh): {grams(MODEL, 'FRA'):.4g} g CO2" in answer.text
    assert "CodeCarbon" in answer.text and "global_energy_mix.json" in answer.text  # the data's source and year
    assert "Slovenia's published intensity" in answer.text  # where the card's own carbon was measured


def test_where_a_training_would_emit_least(cards_graph: Graph, settings: Settings) -> None:
    question = f"Where would training {MODEL} emit least: France, Germany or Slovenia?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    least = min(("FRA", "DEU", "SVN"), key=lambda iso: grams(MODEL, iso))
    assert answer.text.startswith(f"{MODEL} would emit least in {'France' if least == 'FRA' else least}")


def test_moving_a_training_from_one_grid_to_another_says_the_saving(cards_graph: Graph, settings: Settings) -> None:
    question = f"How much would moving {MODEL} from Germany to France save?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    saved = grams(MODEL, "DEU") - grams(MODEL, "FRA")
    assert f"Moving it from Germany to France would save {saved:.4g} g CO2" in answer.text


@pytest.mark.parametrize("model", ["LinearRegression-lumos5g-KFold"], ids=["unmeasured energy"])
def test_an_unmeasured_training_gets_no_estimate(model: str, cards_graph: Graph, settings: Settings) -> None:
    answer = Assistant(settings, cards_graph).ask(f"how much would {model} emit if trained in Poland", engine="offline")
    assert "NOT MEASURED" in answer.text and "g CO2/kWh)" not in answer.text


def test_the_plan_path_takes_a_what_if(cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM) -> None:
    plan = {"answer": "what_if", "entities": [{"kind": "model", "value": MODEL}], "regions": ["Germany", "France"],
            "region_ask": "saving"}  # fmt: skip
    fake_llm.enqueue_tool_call(PLAN_TOOL, plan)
    answer = Assistant(plan_settings, cards_graph).ask(f"what if {MODEL} moved from Germany to France?", engine="llm")
    saved = grams(MODEL, "DEU") - grams(MODEL, "FRA")
    assert f"would save {saved:.4g} g CO2" in answer.text
    fake_llm.enqueue_tool_call(PLAN_TOOL, {**plan, "regions": ["Atlantis"]})
    fake_llm.enqueue_tool_call(PLAN_TOOL, plan)
    Assistant(plan_settings, cards_graph).ask(f"what if {MODEL} moved from Germany to France?", engine="llm")
    assert "unknown: Atlantis" in str(fake_llm.requests[-1]["messages"][0]["content"])


def test_a_what_if_shows_its_estimates_as_rows(cards_graph: Graph, settings: Settings) -> None:
    """The estimate per grid is evidence in the rows, beside the grid's intensity and year; the lowest first."""
    question = f"Where would training {MODEL} emit least: Poland, France or Germany?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    assert [r["country"] for r in answer.rows] == ["France", "Germany", "Poland"]
    for row, iso in zip(answer.rows, ("FRA", "DEU", "POL"), strict=True):
        assert row["estimated_carbon_g"] == pytest.approx(grams(MODEL, iso))
        assert row["g_co2_per_kwh"] == pytest.approx(intensity(iso)) and row["grid_year"] > 2000


def test_a_move_said_without_would_is_priced_with_its_saving(cards_graph: Graph, settings: Settings) -> None:
    """'in France instead of Germany' is a move from Germany to France; the saving is a row value, signed."""
    answer = Assistant(settings, cards_graph).ask(
        f"Estimate the emissions saved by training {MODEL} in France instead of Germany", engine="offline"
    )
    assert answer.answered and [r["country"] for r in answer.rows] == ["Germany", "France"]
    assert answer.rows[1]["saved_carbon_g"] == pytest.approx(grams(MODEL, "DEU") - grams(MODEL, "FRA"))


def test_a_place_the_graph_holds_is_a_filter_not_a_what_if(cards_graph: Graph, settings: Settings) -> None:
    """Without a model named, 'carbon in France' is no what-if: the graph lacks France, and says so."""
    answer = Assistant(settings, cards_graph).ask("total training carbon of models in France", engine="offline")
    assert not answer.answered and "France" in answer.text


def test_where_least_in_a_terse_shape_with_lower_case_countries(cards_graph: Graph, settings: Settings) -> None:
    question = f"{MODEL} training: france, germany or norway - where does it emit least and how much?"
    answer = Assistant(settings, cards_graph).ask(question, engine="offline")
    least = min(("FRA", "DEU", "NOR"), key=lambda iso: grams(MODEL, iso))
    assert answer.answered and answer.rows[0]["estimated_carbon_g"] == pytest.approx(grams(MODEL, least))
