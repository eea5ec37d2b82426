"""The offline engine over Hugging Face cards and CodeCarbon logs: never silently wrong on the new data.

A carbon value flagged ``carbonFootprintSuspect`` (kilograms in the grams field) is
named, with its reason, by every answer that shows, ranks or sums it; a model with
several datasets is ranked once. The project's synthetic cards run on any clone;
the real ones in ../shared/hf skip, saying why, when absent.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant.answers.suspect import SUSPECT_VALUES, suspect_caveats, suspects_shown
from assistant.config import Settings
from assistant.engines.offline.engine import OfflineEngine
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from ingest.ingester import ingest_paths
from tests.conftest import REPO
from tests.fake_llm import FakeLLM
from tests.hf_facts import hf_front_matters

# fake_llm, llm_settings
pytest_plugins = ("tests.llm_fixtures",)

HF_DATA = REPO / "tests" / "data" / "hf"
SHARED_HF = Path(os.environ.get("MRM3_SHARED_DIR", REPO.parent / "shared")) / "hf"
FLAGGED = "synthetic-mapping"  # 0.5 in the grams field, "0.5 kg CO2eq" in its text; two datasets


def _engine(graph: Graph, settings: Settings, *paths: Path) -> OfflineEngine:
    ingest_paths(graph, list(paths))
    return OfflineEngine(graph, SchemaCache(graph), settings)


@pytest.fixture
def hf_engine(empty_graph: Graph, settings: Settings) -> OfflineEngine:
    return _engine(empty_graph, settings, HF_DATA / "cards")


@pytest.mark.parametrize(
    "question",
    [
        "Which model has the lowest carbon footprint?",
        "Which model has the highest carbon footprint?",
        "List the models with a carbon footprint under 100 g",
        "List the models with a carbon footprint over 100 g",
        "What is the average carbon footprint?",
        "Which model has the lowest carbon footprint on example/synthetic-answers?",
        f"What is the carbon footprint of {FLAGGED}?",
    ],
    ids=[
        "a ranking that puts the flagged value first names it",
        "a descending ranking that may miss the flagged value names it",
        "a threshold list that includes it names it",
        "a threshold list it may wrongly miss names it",
        "an average that sums it names it",
        "a ranking on one of its datasets names it",
        "a lookup of its value names it",
    ],
)
def test_every_answer_using_a_flagged_carbon_value_names_the_model_and_the_reason(
    hf_engine: OfflineEngine, question: str
) -> None:
    answer = hf_engine.answer(question)
    assert answer.answered, answer.text
    flagged = [c for c in answer.caveats if c.startswith(f"{FLAGGED}'s training carbon footprint")]
    assert len(flagged) == 1, answer.caveats
    assert "suspected kilograms given as grams" in flagged[0] and "0.5 kg" in flagged[0]
    assert flagged[0] in answer.text


@pytest.mark.parametrize(
    "question",
    ["How many models are there?", "What is the carbon footprint of synthetic-scalar?"],
    ids=["a count reads no carbon", "a lookup of another model does not show the flagged one"],
)
def test_answers_that_do_not_use_the_flagged_value_carry_no_flag(hf_engine: OfflineEngine, question: str) -> None:
    answer = hf_engine.answer(question)
    assert not [c for c in answer.caveats if "flagged" in c], answer.caveats


def test_a_ranking_lists_a_model_with_several_datasets_once_with_all_of_them(hf_engine: OfflineEngine) -> None:
    answer = hf_engine.answer("Rank the models by carbon footprint")
    names = Counter(r["model"] for r in answer.rows)
    assert names and max(names.values()) == 1, answer.rows
    row = next(r for r in answer.rows if r["model"] == FLAGGED)
    assert set(row["dataset"].split(", ")) == {"example/synthetic-questions", "example/synthetic-answers"}
    assert answer.text.count(f"{FLAGGED} ") + answer.text.count(f"{FLAGGED}:") <= 2  # the ranking and the caveat


def test_a_graph_without_architectures_still_ranks(hf_engine: OfflineEngine) -> None:
    answer = hf_engine.answer("Which model has the lowest carbon footprint?")
    assert answer.answered and answer.rows[0]["model"] == FLAGGED
    assert answer.rows[0]["architecture"] is None


def test_row_facts_name_only_the_flagged_models_a_result_shows() -> None:
    suspects = [{"model": FLAGGED, "value": 0.5, "reason": "suspected kilograms given as grams: text says kg"}]
    shown = suspects_shown([{"name": FLAGGED, "emissions_g": 0.5}], suspects)
    assert shown == suspects
    assert suspects_shown([{"name": "other", "emissions_g": 3}], suspects) == []
    assert suspects_shown([{"name": FLAGGED, "license": "mit"}], suspects) == []  # no carbon shown
    [fact] = suspect_caveats(shown)
    assert fact.startswith(f"{FLAGGED}'s training carbon footprint (0.5 g CO2) is flagged: suspected kilograms")


@pytest.mark.parametrize(
    ("cypher", "flagged"),
    [
        (
            "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model) WHERE t.carbonFootprint > 0 "
            "RETURN m.name AS model, t.carbonFootprint AS carbon_g ORDER BY carbon_g LIMIT 3",
            True,
        ),
        ("MATCH (t:ModelTraining) WHERE t.carbonFootprint > 0 RETURN avg(t.carbonFootprint) AS avg_carbon_g", True),
        ("MATCH (m:Model) WHERE m.name = 'synthetic-scalar' RETURN m.name AS model, m.license AS license", False),
    ],
    ids=["an LLM ranking that shows it", "an LLM average that may sum it", "an LLM lookup without carbon"],
)
def test_the_llm_path_names_a_flagged_value_its_rows_show_and_tells_the_model(
    empty_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM, cypher: str, flagged: bool
) -> None:
    ingest_paths(empty_graph, [HF_DATA / "cards"])
    fake_llm.enqueue(cypher, "Here is the answer.")
    answer = Assistant(llm_settings, empty_graph).ask("a question about carbon", engine="llm")
    named = [c for c in answer.caveats if c.startswith(f"{FLAGGED}'s training carbon footprint")]
    assert bool(named) == flagged, answer.caveats
    if flagged:
        assert named[0] in fake_llm.prompts()[-1]  # the answer step is told it, as a fact to mention


@pytest.mark.skipif(
    not (SHARED_HF / "cards").is_dir(),
    reason=f"the real HF cards are not at {SHARED_HF} (third-party files kept outside the repository; "
    "set MRM3_SHARED_DIR to the folder holding hf/)",
)
def test_on_the_real_cards_a_carbon_ranking_names_every_flagged_model_and_lists_each_model_once(
    empty_graph: Graph, settings: Settings
) -> None:
    engine = _engine(empty_graph, settings, SHARED_HF / "cards")
    flagged = [r["model"] for r in empty_graph.read(SUSPECT_VALUES, {})]
    assert flagged, "the real cards hold kilograms in the grams field (older versions)"
    for question in ("Which model has the lowest carbon footprint?", "Rank the models by carbon footprint"):
        answer = engine.answer(question)
        assert answer.answered, answer.text
        assert all(name in answer.text for name in flagged), (question, flagged)
        names = Counter(r["model"] for r in answer.rows)
        assert max(names.values()) == 1, [n for n, c in names.items() if c > 1]


@pytest.mark.parametrize(
    ("question", "models"),
    [
        ("Which models are fine-tuned from example/synthetic-base?", ["synthetic-mapping", "synthetic-scalar"]),
        ("Which models were fine-tuned from example/synthetic-other-base?", ["synthetic-mapping"]),
        ("List the fine-tuned models", ["synthetic-mapping", "synthetic-scalar"]),
        ("Which models were fine-tuned from synthetic-scalar?", []),
    ],
    ids=[
        "a named base lists its fine-tunes",
        "a second base of a card lists it",
        "fine-tuned alone means any base",
        "a model that is no base has no fine-tunes (never the model itself)",
    ],
)
def test_models_fine_tuned_from_a_base_model(hf_engine: OfflineEngine, question: str, models: list[str]) -> None:
    answer = hf_engine.answer(question)
    assert "FINE_TUNED_FROM" in (answer.cypher or ""), answer.text
    assert sorted(r["model"] for r in answer.rows) == models, answer.text
    assert "fine-tuned from" in answer.interpretation
    assert "optimizer" not in answer.interpretation  # "tuned" is no optimizer here


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("Which models are fine-tuned from bert-base-uncased?", "bert-base-uncased"),
        ("How many models were fine-tuned from Llama 3?", "Llama 3"),
    ],
    ids=["a hub id the graph lacks", "a name with a number the graph lacks"],
)
def test_an_absent_base_model_declines_as_absent(hf_engine: OfflineEngine, question: str, absent: str) -> None:
    answer = hf_engine.answer(question)
    assert not answer.answered and not answer.rows
    assert f"'{absent}' is not in the graph" in answer.text, answer.text


@pytest.mark.skipif(
    not (SHARED_HF / "cards").is_dir(),
    reason=f"the real HF cards are not at {SHARED_HF} (third-party files kept outside the repository)",
)
def test_on_the_real_cards_the_fine_tunes_of_the_commonest_base_are_listed(
    empty_graph: Graph, settings: Settings
) -> None:
    bases: dict[str, set[str]] = {}
    for path in sorted((SHARED_HF / "cards").glob("*.md")):
        match = re.match(r"^---\s*\n(.*?)\n---", path.read_text(encoding="utf-8"), re.DOTALL)
        try:
            data = yaml.safe_load(match.group(1)) if match else None
        except yaml.YAMLError:
            continue
        named = data.get("base_model") if isinstance(data, dict) else None
        for base in [named] if isinstance(named, str) else named or []:
            bases.setdefault(str(base), set()).add(path.stem)
    assert bases, "the real cards name base models"
    base, models = max(bases.items(), key=lambda item: (len(item[1]), item[0]))
    engine = _engine(empty_graph, settings, SHARED_HF / "cards")
    answer = engine.answer(f"Which models are fine-tuned from {base}?")
    assert {r["model"] for r in answer.rows} == models, (base, answer.text)
    # The Hub id without its organisation ("roberta-base" for FacebookAI/roberta-base) names the same base.
    for full in sorted(b for b in bases if "/" in b)[:3]:
        short = full.split("/", 1)[1]
        expected = set().union(*(m for b, m in bases.items() if b.lower().split("/")[-1] == short.lower()))
        answer = engine.answer(f"Which models are fine-tuned from {short}?")
        assert {r["model"] for r in answer.rows} == expected, (short, answer.text)
        assert "Provenance" not in answer.text  # a card's file name is no filter
    if not any(b.lower().split("/")[-1] == "bert-base-uncased" for b in bases):  # only models are named so
        answer = engine.answer("Which models are fine-tuned from bert-base-uncased?")
        assert not answer.answered and "'bert-base-uncased' is not in the graph" in answer.text, answer.text


@pytest.fixture
def logs_engine(empty_graph: Graph, settings: Settings) -> OfflineEngine:
    return _engine(empty_graph, settings, HF_DATA / "cards", HF_DATA / "codecarbon")


@pytest.mark.parametrize(
    ("question", "source"),
    [
        (
            "What is the carbon footprint of synthetic-v1?",
            "Source: synthetic-v1: carbon 2 g CO2 (0.002 kg CO2eq in synthetic-v1-emissions.csv, emissions (row 1)), "
            "converted x1,000",
        ),
        (
            "How much energy did synthetic-v1 use?",
            "Source: synthetic-v1: energy 18,000 J (18.0 kJ) (0.005 kWh in synthetic-v1-emissions.csv, "
            "energy_consumed (row 1)), converted x3,600,000",
        ),
        (
            "What is the carbon footprint of synthetic-a?",
            "Source: synthetic-a: carbon 750 g CO2 (the sum of 2 CodeCarbon runs in synthetic-v2-emissions.csv: "
            "0.5 kg CO2eq in emissions (row 1), 0.25 kg CO2eq in emissions (row 2)), converted x1,000",
        ),
        (
            "What is the carbon footprint of synthetic-scalar?",
            "Source: synthetic-scalar: carbon 12.5 g CO2 (12.5 g CO2eq in synthetic-scalar.md, co2_eq_emissions)",
        ),
        (
            "What is the carbon footprint of synthetic-odd?",
            "Source: synthetic-odd: carbon 1.2 g CO2 (1.2g CO2 in synthetic-odd.md, co2_eq_emissions.emissions)",
        ),
    ],
    ids=[
        "kilograms from a log say they were converted",
        "kWh from a log say they were converted",
        "a sum of runs names each run",
        "grams from a card say the card and field",
        "a string with its unit is shown as published",
    ],
)
def test_a_shown_value_says_where_it_came_from(logs_engine: OfflineEngine, question: str, source: str) -> None:
    answer = logs_engine.answer(question)
    assert answer.answered, answer.text
    assert source in answer.text.splitlines(), answer.text


def test_a_ranking_gives_the_source_of_each_shown_value(logs_engine: OfflineEngine) -> None:
    answer = logs_engine.answer("Which model has the highest carbon footprint?")
    sources = [line for line in answer.text.splitlines() if line.startswith("Source: ")]
    assert [s.split(":")[1].strip() for s in sources] == [r["model"] for r in answer.rows][:5]


def test_a_graph_without_base_models_declines_fine_tuned_questions(mrm3_graph: Graph, settings: Settings) -> None:
    answer = OfflineEngine(mrm3_graph, SchemaCache(mrm3_graph), settings).answer("List the fine-tuned models")
    assert not answer.answered and not answer.rows
    assert "it has no 'base model' values" in answer.text, answer.text


def test_the_llm_path_gives_the_source_of_a_converted_value_its_rows_show(
    empty_graph: Graph, llm_settings: Settings, fake_llm: FakeLLM
) -> None:
    ingest_paths(empty_graph, [HF_DATA / "cards", HF_DATA / "codecarbon"])
    fake_llm.enqueue(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: 'synthetic-v1'}) "
        "RETURN m.name AS model, t.carbonFootprint AS training_carbon_g",
        "synthetic-v1 emitted 2 g CO2.",
    )
    answer = Assistant(llm_settings, empty_graph).ask("carbon of synthetic-v1?", engine="llm")
    assert answer.text.splitlines() == [
        "synthetic-v1 emitted 2 g CO2.",
        "Source: synthetic-v1: carbon 2 g CO2 (0.002 kg CO2eq in synthetic-v1-emissions.csv, emissions (row 1)), "
        "converted x1,000",
    ]


@pytest.mark.skipif(
    not (SHARED_HF / "cards").is_dir(),
    reason=f"the real HF cards are not at {SHARED_HF} (third-party files kept outside the repository)",
)
def test_on_the_real_cards_a_dataset_of_the_evaluation_results_filters_never_the_whole_catalog(
    empty_graph: Graph, settings: Settings
) -> None:
    engine = _engine(empty_graph, settings, SHARED_HF / "cards")
    answer = engine.answer("Which model has the lowest carbon footprint on imdb?")
    on_imdb = {
        r["model"]
        for r in empty_graph.read(
            "MATCH (m:Model) WHERE EXISTS { MATCH (m)-[:TRAINED_ON]->(d:Dataset) WHERE d.name CONTAINS 'imdb' } "
            "OR EXISTS { MATCH (e:EvaluationResult)-[:EVALUATES]->(m) WHERE e.dataset CONTAINS 'imdb' } "
            "RETURN m.name AS model",
            {},
        )
    }
    assert {r["model"] for r in answer.rows} <= on_imdb, (answer.interpretation, answer.rows)
    assert "evaluated on dataset" in answer.interpretation or "trained on dataset" in answer.interpretation
    assert "not used as a filter" not in answer.text


def _front_matters() -> dict[str, dict]:
    """Each synthetic card's YAML, by model name, read here, not by ingest."""
    return hf_front_matters(HF_DATA / "cards")


def _results(metric: str, dataset: str) -> dict[str, float]:
    """Each card's best model-index ``metric`` value on ``dataset``."""
    best: dict[str, float] = {}
    for name, meta in _front_matters().items():
        for entry in meta.get("model-index") or []:
            for result in entry.get("results") or []:
                if result.get("dataset", {}).get("type") != dataset:
                    continue
                for m in result.get("metrics") or []:
                    if m.get("type") == metric and isinstance(m.get("value"), int | float) and m["value"] == m["value"]:
                        best[name] = max(best.get(name, m["value"]), m["value"])
    return best


@pytest.mark.parametrize(
    ("question", "metric", "dataset"),
    [
        ("Which model is the most accurate on example/synthetic-reviews?", "accuracy", "example/synthetic-reviews"),
        ("highest f1 on example/synthetic-reviews", "f1", "example/synthetic-reviews"),
    ],
    ids=["accuracy", "f1"],
)
def test_the_best_model_on_a_dataset_is_ranked_by_its_model_index_results(
    hf_engine: OfflineEngine, question: str, metric: str, dataset: str
) -> None:
    gold = _results(metric, dataset)
    assert gold, "the synthetic cards must hold such results"
    answer = hf_engine.answer(question)
    assert answer.answered, answer.text
    winner = max(gold, key=lambda name: gold[name])
    assert answer.rows[0]["model"] == winner
    assert next(v for k, v in answer.rows[0].items() if k not in ("model",) and isinstance(v, float)) == pytest.approx(
        gold[winner]
    )
    assert {r["model"] for r in answer.rows} == set(gold)


def test_a_metric_only_the_results_hold_is_never_a_condition_on_another_value(hf_engine: OfflineEngine) -> None:
    answer = hf_engine.answer("Which models have an exact match above 50?")
    assert not answer.answered
    assert "only in the cards' model-index results" in answer.text


def test_emissions_by_country_sum_cards_and_codecarbon_runs_per_location(
    empty_graph: Graph, settings: Settings
) -> None:
    logs = HF_DATA / "codecarbon"
    engine = _engine(empty_graph, settings, HF_DATA / "cards", logs / "synthetic-v1-emissions.csv",
                     logs / "synthetic-v2-emissions.csv")  # fmt: skip
    gold: Counter[str] = Counter()
    for meta in _front_matters().values():
        co2 = meta.get("co2_eq_emissions")
        if isinstance(co2, list):  # the odd form: a list of one-key maps
            co2 = {k: v for item in co2 if isinstance(item, dict) for k, v in item.items()}
        grams = co2.get("emissions") if isinstance(co2, dict) else co2
        if isinstance(grams, str) and (number := re.fullmatch(r"\s*([\d.]+)\s*g(?: CO2)?\s*", grams)):
            grams = float(number[1])  # "1.2g CO2"
        if isinstance(co2, dict):
            co2 = {k.replace("geographic_", "geographical_"): v for k, v in co2.items()}
        where = co2.get("geographical_location") if isinstance(co2, dict) else None
        if isinstance(grams, int | float) and grams > 0:
            gold[where or "(no location given)"] += grams
    per_model: dict[str, tuple[set[str], float]] = {}
    for log in ("synthetic-v1-emissions.csv", "synthetic-v2-emissions.csv"):
        import csv

        for row in csv.DictReader((logs / log).read_text(encoding="utf-8").splitlines()):
            try:
                kg = float(row["emissions"])
            except ValueError:
                continue
            countries, total = per_model.get(row["project_name"], (set(), 0.0))
            per_model[row["project_name"]] = (countries | {row["country_name"]}, total + kg * 1000)
    for countries, grams in per_model.values():
        assert len(countries) == 1
        gold[next(iter(countries))] += grams
    answer = engine.answer("total training emissions by country")
    assert answer.answered, answer.text
    got = {r["location"]: r["sum_carbon_g"] for r in answer.rows}
    assert got == pytest.approx(dict(gold))
