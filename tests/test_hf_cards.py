"""Hugging Face model cards: every co2_eq_emissions form, model-index results, lineage, odd values.

Reads the project's own synthetic cards in tests/data/hf (any clone), then
ingests them into the real embedded graph server. The real public cards are
covered by tests/test_hf_real_files.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.graph.connection import Graph
from assistant.graph.stats import graph_stats
from ingest.formats import format_of
from ingest.hf_cards import model_name_of, read_hf_card
from ingest.ingester import ingest_paths
from ingest.units import grams_from_card, kg_as_g_reason
from tests.conftest import REPO, invoke_cli

HF_DATA = REPO / "tests" / "data" / "hf"
CARDS = HF_DATA / "cards"


def _card(name: str) -> Any:
    path = CARDS / f"{name}.md"
    return read_hf_card(str(path), path.read_bytes())


def _one(graph: Graph, cypher: str, **params: Any) -> dict[str, Any]:
    rows = graph.read(cypher, params)
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("value", "grams", "unit"),
    [
        (12.5, 12.5, "g CO2eq"),
        (3, 3.0, "g CO2eq"),
        ("1.2g CO2", 1.2, "g CO2eq"),
        ("250 grams", 250.0, "g CO2eq"),
        ("0.25 kg", 250.0, "kg CO2eq"),
        ("TBD", None, None),
        (None, None, None),
        (float("inf"), float("inf"), "g CO2eq"),
        (True, None, None),
    ],
    ids=[
        "a number is grams",
        "an integer is grams",
        "a string with g is grams",
        "a string with grams is grams",
        "a string with kg is converted and says so",
        "TBD is no mass",
        "null is no mass",
        "infinity is stored as published (and flagged at the write)",
        "a boolean is no mass",
    ],
)
def test_emissions_values_in_every_form_read_as_grams(value: Any, grams: float | None, unit: str | None) -> None:
    mass = grams_from_card(value)
    assert (mass.grams if mass else None) == grams
    assert (mass.unit if mass else None) == unit


@pytest.mark.parametrize(
    ("grams", "text", "flagged"),
    [
        (0.25, "- **Emissions:** 0.25 KgCO2 (Singapore)", True),
        (250, "- **Emissions:** 0.25 KgCO2 (Singapore)", False),
        (0.0019166, "Estimated CO2 Emissions: `0.001917 kg CO2eq`", True),
        (0.1069, "- Carbon emission 0.1069 Kg", True),
        (5.0, "The dataset weighs 5 kilobytes", False),
        (5.0, "nothing about units", False),
    ],
    ids=[
        "the text gives the same number in kg",
        "the text gives a thousandth in kg: consistent",
        "rounded text still matches",
        "Kg with a capital",
        "kilobytes are not kilograms",
        "no unit in the text",
    ],
)
def test_grams_that_the_card_text_gives_in_kilograms_are_flagged(grams: float, text: str, flagged: bool) -> None:
    assert bool(kg_as_g_reason(grams, text)) is flagged


def test_format_is_chosen_by_extension_and_content() -> None:
    card = (CARDS / "synthetic-scalar.md").read_bytes()
    log = (HF_DATA / "codecarbon" / "synthetic-v1-emissions.csv").read_bytes()
    assert format_of("x.md", card) == "hf-card"
    assert format_of("README", card) == "hf-card"  # no extension: the front matter decides
    assert format_of("emissions", log) == "codecarbon"
    assert format_of("x.json", b'{"name": "m"}') == "mrm3"


def test_a_readme_takes_its_folder_name_and_a_file_its_stem() -> None:
    assert model_name_of("cards/my-model/README.md") == "my-model"
    assert model_name_of("cards/other-model.md") == "other-model"
    assert model_name_of("cards.zip!org/model/README.md") == "model"


def test_the_scalar_card_keeps_every_field() -> None:
    card = _card("synthetic-scalar")
    assert card.kind == "hf-card" and not card.warnings and not card.incomplete
    data = card.data
    assert data["co2"]["emissions"]["grams"] == 12.5
    assert data["license"] == ["mit"] and data["language"] == ["en", "sl"] and data["libraryName"] == "transformers"
    assert data["pipelineTag"] == "text-classification" and data["baseModels"] == ["example/synthetic-base"]
    assert data["problemType"] == "Binary Classification" and data["hubName"] == "synthetic-scalar-hub"
    assert [(r["metricType"], r["value"], r.get("split")) for r in data["results"]] == [
        ("accuracy", 0.81, None),
        ("accuracy", 0.83, "test"),
        ("f1", 0.79, "test"),
    ]


@pytest.mark.parametrize(
    ("card", "field", "reason"),
    [
        ("synthetic-mapping", "co2_eq_emissions.emissions", "stored as published and flagged"),
        ("synthetic-mapping", "model-index result 2 (f1)", "metric value nan is not a number"),
        ("synthetic-mapping", "model-index result 3 (mean_reward)", "'12.30 +/- 4.50' is not a number"),
        ("synthetic-odd", "co2_eq_emissions", "a list of one-key maps"),
        ("synthetic-odd", "co2_eq_emissions.geographic_location", "read as 'geographical_location'"),
        ("synthetic-odd", "co2_eq_emissions.hardware used", "read as 'hardware_used'"),
        ("synthetic-odd", "co2_eq_emissions.cooling", "kept as written"),
        ("synthetic-odd", "co2_eq_emissions.emissions", "'1.2g CO2' read as 1.2 g"),
        ("synthetic-tbd", "co2_eq_emissions.emissions", "'TBD' is not an emissions value in grams"),
    ],
    ids=[
        "kilograms in grams are flagged",
        "a NaN metric",
        "an RL metric given as text",
        "a list of one-key maps",
        "a misspelt location key",
        "a hardware key with a space",
        "an unknown key",
        "a value with its unit",
        "a value that is not known yet",
    ],
)
def test_each_odd_value_is_one_line_naming_file_field_and_reason(card: str, field: str, reason: str) -> None:
    warnings = _card(card).warnings
    matching = [w for w in warnings if w.path == field]
    assert len(matching) == 1, [str(w) for w in warnings]
    assert reason in matching[0].reason
    assert str(matching[0]).startswith(str(CARDS / f"{card}.md"))
    assert "\n" not in str(matching[0])


def test_a_card_whose_yaml_does_not_parse_keeps_its_name_and_says_why() -> None:
    card = _card("synthetic-broken")
    assert card.name == "synthetic-broken" and not card.warnings
    assert len(card.incomplete) == 1
    assert "YAML front matter does not parse" in card.incomplete[0].reason
    assert "line 1 of the front matter" in card.incomplete[0].reason


# --- in the graph ------------------------------------------------------------------------------------


def test_synthetic_cards_land_in_the_mrm3_ontology(empty_graph: Graph) -> None:
    report = ingest_paths(empty_graph, [CARDS])
    assert report.files_read == 6 and report.models_written == 6
    assert [p.source for p in report.incomplete] == [str(CARDS / "synthetic-broken.md")]
    assert not report.ok and not report.rejected
    assert graph_stats(empty_graph)["nodes"]["Model"] == 6

    row = _one(
        empty_graph,
        """
        MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: 'synthetic-scalar'})-[:TRAINED_ON]->(d:Dataset)
        MATCH (m)-[:PROVIDES]->(s:Service)-[:SOLUTION_FOR]->(p:ProblemType)
        MATCH (m)-[:FINE_TUNED_FROM]->(b:BaseModel)
        MATCH (t)-[:HAS_PROVENANCE]->(prov:Provenance)
        RETURN t.carbonFootprint AS carbon, t.accuracy_mean AS accuracy, t.f1_mean AS f1, d.name AS dataset,
               s.name AS service, p.name AS problem, b.name AS base, m.license AS license, m.language AS language,
               m.libraryName AS library, m.hubName AS hub, m.format AS format,
               prov.publishedValue AS published, prov.field AS field, prov.factor AS factor
        """,
    )
    assert row == {
        "carbon": 12.5,
        "accuracy": 0.83,  # one dataset: the test split wins
        "f1": 0.79,
        "dataset": "example/synthetic-reviews",
        "service": "text-classification",
        "problem": "Binary Classification",
        "base": "example/synthetic-base",
        "license": "mit",
        "language": ["en", "sl"],
        "library": "transformers",
        "hub": "synthetic-scalar-hub",
        "format": "hf-card",
        "published": "12.5",
        "field": "co2_eq_emissions",
        "factor": 1.0,
    }


def test_results_on_several_datasets_keep_their_dataset_and_give_no_mean(empty_graph: Graph) -> None:
    ingest_paths(empty_graph, [CARDS / "synthetic-mapping.md"])
    rows = empty_graph.read(
        """
        MATCH (e:EvaluationResult)-[:EVALUATES]->(:Model {name: 'synthetic-mapping'})
        OPTIONAL MATCH (e)-[:EVALUATED_ON]->(d:Dataset)
        RETURN e.metric AS metric, e.value AS value, e.publishedValue AS published, e.split AS split,
               d.name AS dataset ORDER BY e.key
        """
    )
    assert sorted((r["metric"], r["value"], r["published"], r["split"], r["dataset"]) for r in rows) == [
        ("exact_match", 71.5, "71.5", "validation", "example/synthetic-questions"),
        ("f1", None, "nan", "validation", "example/synthetic-questions"),
        ("mean_reward", None, "12.30 +/- 4.50", None, "example/synthetic-gym"),
    ]
    training = _one(empty_graph, "MATCH (t:ModelTraining {model: 'synthetic-mapping'}) RETURN properties(t) AS t")["t"]
    assert not [key for key in training if key.endswith("_mean")]
    assert training["carbonFootprint"] == 0.5 and "kilograms given as grams" in training["carbonFootprintSuspect"]
    assert (training["location"], training["trainingType"]) == ("Slovenia", "fine-tuning")
    device = _one(
        empty_graph,
        "MATCH (:ModelTraining {model: 'synthetic-mapping'})-[:RUNS_ON]->(d:Device) RETURN d.gpuModel AS gpu",
    )
    assert device["gpu"] == "2 x NVIDIA Example-GPU 40GB"
    bases = empty_graph.read("MATCH (:Model {name: 'synthetic-mapping'})-[:FINE_TUNED_FROM]->(b) RETURN b.name AS b")
    assert sorted(r["b"] for r in bases) == ["example/synthetic-base", "example/synthetic-other-base"]
    datasets = empty_graph.read("MATCH (:Model {name: 'synthetic-mapping'})-[:TRAINED_ON]->(d) RETURN d.name AS d")
    assert sorted(r["d"] for r in datasets) == ["example/synthetic-answers", "example/synthetic-questions"]


def test_a_flagged_value_carries_its_reason_on_the_provenance(empty_graph: Graph) -> None:
    ingest_paths(empty_graph, [CARDS / "synthetic-mapping.md", CARDS / "synthetic-odd.md"])
    rows = empty_graph.read(
        """
        MATCH (t:ModelTraining)-[:HAS_PROVENANCE]->(p:Provenance {property: 'carbonFootprint'})
        RETURN t.model AS model, t.carbonFootprint AS grams, p.publishedValue AS published, p.suspect AS suspect
        ORDER BY model
        """
    )
    assert [(r["model"], r["grams"], r["published"], r["suspect"] is not None) for r in rows] == [
        ("synthetic-mapping", 0.5, "0.5", True),
        ("synthetic-odd", 1.2, "1.2g CO2", False),
    ]


def test_a_changed_card_replaces_its_results_and_reingesting_changes_nothing(
    empty_graph: Graph, tmp_path: Path
) -> None:
    card = tmp_path / "synthetic-scalar.md"
    card.write_text((CARDS / "synthetic-scalar.md").read_text(encoding="utf-8"), encoding="utf-8")
    ingest_paths(empty_graph, [card])
    before = graph_stats(empty_graph)
    again = ingest_paths(empty_graph, [card])
    assert again.models_unchanged == 1 and graph_stats(empty_graph) == before
    card.write_text(card.read_text(encoding="utf-8").replace("value: 0.79", "value: 0.8"), encoding="utf-8")
    changed = ingest_paths(empty_graph, [card])
    assert changed.models_written == 1 and graph_stats(empty_graph) == before
    assert _one(empty_graph, "MATCH (t:ModelTraining) RETURN t.f1_mean AS f1")["f1"] == 0.8


def test_the_cli_reports_the_unparsable_card_and_exits_1(empty_graph: Graph, cli_env: dict[str, str]) -> None:
    code, _, err = invoke_cli(cli_env, "ingest", str(CARDS))
    assert code == 1
    assert f"incomplete: {CARDS / 'synthetic-broken.md'}: YAML front matter does not parse" in err
    assert "6 models written" in err and "1 read in part" in err
    assert "Invalid model-index" not in err  # huggingface_hub's own log line is replaced by ours
    code, _, err = invoke_cli(cli_env, "ingest", str(CARDS / "synthetic-scalar.md"))
    assert code == 0 and "1 unchanged" in err


def test_a_readme_without_front_matter_is_passed_over_in_a_walk(empty_graph: Graph) -> None:
    report = ingest_paths(empty_graph, [HF_DATA])
    # 6 cards and 3 logs; tests/data/hf/README.md (no front matter) is not a card.
    assert report.files_read == 9
    assert not any("README.md" in p.source and "synthetic-folder" not in p.source for p in report.rejected)


@pytest.mark.parametrize(("published", "warned"), [("12.5", False), ("12.5 g", True), ("0.0125 kg", True)])
def test_a_number_written_as_text_needs_no_warning_a_unit_does(published: str, warned: bool) -> None:
    from ingest.hf_cards import read_hf_metadata

    card = read_hf_metadata("hf:o/n", {"co2_eq_emissions": {"emissions": published}}, name="o/n")
    assert card.data["co2"]["emissions"]["grams"] == pytest.approx(12.5)
    assert any("read as 12.5 g" in w.reason for w in card.warnings) == warned
