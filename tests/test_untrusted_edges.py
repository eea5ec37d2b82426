"""Untrusted metadata at its edges, as an outside tester's malformed cards and logs found them: numbers no float
holds, NaN and infinite emissions in a card, logs of 20,000 rows, 90,000 tags, a byte-order mark, front matter
that is empty or never closed, and answers that must show an impossible value as flagged, never as unmeasured.

Real embedded server, real CLI in its own process.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.graph.connection import Graph
from ingest.hf_cards import read_hf_card
from ingest.plausibility import implausible
from tests.conftest import run_mrm3

BIG = "1" + "0" * 400  # an integer no float holds


def _card(path: Path, co2: str) -> None:
    path.write_text(f"---\nlicense: mit\nco2_eq_emissions: {co2}\n---\n# {path.stem}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("odd")
    odd = [("fine", "12.5"), ("other", "3"), ("nan", ".nan"), ("inf", ".inf"), ("huge", BIG), ("beyond", "1.0e+15")]
    for name, co2 in odd:
        _card(folder / f"{name}.md", co2)
    (folder / "mi.md").write_text(
        "---\nco2_eq_emissions: 4\nmodel-index:\n- name: mi\n  results:\n  - task: {type: text-classification}\n"
        f"    dataset: {{name: imdb, type: imdb}}\n    metrics:\n    - {{type: accuracy, value: {BIG}}}\n---\n",
        encoding="utf-8",
    )
    (folder / "emissions.csv").write_text(
        "timestamp,project_name,run_id,duration,emissions,energy_consumed,country_name,country_iso_code\n"
        "2024-01-01T00:00:00,inflog,r1,10,0.001,0.002,France,FRA\n"
        "2024-01-01T01:00:00,inflog,r2,10,0.001,inf,France,FRA\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def ingested(empty_graph: Graph, cli_env: dict[str, str], odd: Path) -> dict[str, str]:
    done = run_mrm3(["ingest", str(odd)], cli_env)
    assert "Traceback" not in done.stderr, done.stderr
    return cli_env


def _ask(env: dict[str, str], question: str) -> dict[str, object]:
    done = run_mrm3(["ask", "--engine", "offline", "--json", question], env)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_a_number_no_float_holds_is_one_line_and_the_rest_is_written(
    empty_graph: Graph, cli_env: dict[str, str], odd: Path
) -> None:
    done = run_mrm3(["ingest", str(odd)], cli_env)
    assert "Traceback" not in done.stderr, done.stderr
    huge = [line for line in done.stderr.splitlines() if "huge.md" in line]
    assert len(huge) == 1 and "flagged" in huge[0], done.stderr
    names = {r["n"] for r in empty_graph.read("MATCH (m:Model) RETURN m.name AS n")}
    assert {"fine", "other", "nan", "inf", "huge", "mi", "inflog"} <= names


@pytest.mark.parametrize("model", ["nan", "inf", "huge"])
def test_nan_and_infinite_emissions_in_a_card_are_stored_and_flagged(ingested: dict[str, str], model: str) -> None:
    answer = _ask(ingested, f"what is the carbon footprint of {model}")
    text = str(answer["answer"])
    assert "NOT MEASURED" not in text, text
    notes = [str(n) for n in answer["notes"]]  # type: ignore[attr-defined]
    assert any(model in n and "flagged" in n for n in notes), answer


def test_an_infinite_energy_is_shown_as_published_and_flagged_never_as_unmeasured(ingested: dict[str, str]) -> None:
    answer = _ask(ingested, "what is the energy consumption of inflog")
    text = str(answer["answer"])
    assert "NOT MEASURED" not in text and "inf" in text, text
    assert any("inflog" in str(n) and "infinite" in str(n) for n in answer["notes"]), answer  # type: ignore[attr-defined]


def test_a_total_leaves_impossible_values_out_and_names_them(ingested: dict[str, str]) -> None:
    answer = _ask(ingested, "total training carbon")
    text = str(answer["answer"])
    assert "21.5" in text, text  # fine 12.5 + other 3 + mi 4 + inflog 2 (its two rows' 1 g each); not 1e15 g
    for model in ("nan", "inf", "huge", "beyond"):
        assert any(model in str(n) and "flagged" in str(n) for n in answer["notes"]), answer  # type: ignore[attr-defined]


def test_a_ranking_never_leads_with_an_impossible_value(ingested: dict[str, str]) -> None:
    answer = _ask(ingested, "which model has the highest carbon footprint")
    assert "fine" in str(answer["answer"]).split(".")[0], answer


def test_a_comparison_says_a_value_is_flagged_not_unmeasured(ingested: dict[str, str]) -> None:
    text = str(_ask(ingested, "compare fine and inf on carbon footprint")["answer"])
    assert "flagged as impossible" in text and "NOT MEASURED" not in text, text


def test_a_log_of_20000_rows_is_written_in_slices(empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path) -> None:
    rows = [f"2024-01-01T00:00:00,biglog,r{i},1,0.000001,0.000002,France,FRA" for i in range(20_000)]
    header = "timestamp,project_name,run_id,duration,emissions,energy_consumed,country_name,country_iso_code"
    (tmp_path / "emissions.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    _card(tmp_path / "good.md", "5")
    done = run_mrm3(["ingest", str(tmp_path)], cli_env)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    (row,) = empty_graph.read("MATCH (r:TrainingRun)-[:MEASURES]->(m:Model {name: 'biglog'}) RETURN count(r) AS n")
    assert row["n"] == 20_000
    assert empty_graph.read("MATCH (m:Model {name: 'good'}) RETURN count(m) AS n")[0]["n"] == 1


def test_front_matter_with_90000_values_is_refused_in_one_line_and_quickly() -> None:
    text = "---\ntags:\n" + "".join(f"- t{i}\n" for i in range(90_000)) + "co2_eq_emissions: 5\n---\n# many\n"
    started = time.perf_counter()
    card = read_hf_card("many/README.md", text.encode())
    assert time.perf_counter() - started < 5
    assert card.incomplete and "more than" in card.incomplete[0].reason


@pytest.mark.parametrize(
    ("text", "word"),
    [("---\n---\n# empty\n", "empty"), ("---\nlicense: mit\nco2_eq_emissions: 5\n# open\n", "never closed")],
)
def test_empty_or_unclosed_front_matter_is_one_line_naming_the_file(text: str, word: str) -> None:
    card = read_hf_card("odd/README.md", text.encode())
    assert len(card.incomplete) == 1 and word in card.incomplete[0].reason


def test_a_card_with_a_byte_order_mark_is_read_in_a_directory(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "bom.md").write_bytes(b"\xef\xbb\xbf---\nco2_eq_emissions: 11\n---\n# bom\n")
    assert run_mrm3(["ingest", str(tmp_path)], cli_env).returncode == 0
    (row,) = empty_graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: 'bom'}) RETURN t.carbonFootprint AS g"
    )
    assert row["g"] == 11


def test_a_co2_mapping_without_emissions_says_so() -> None:
    card = read_hf_card("o/README.md", b"---\nco2_eq_emissions:\n  source: codecarbon\n---\n# o\n")
    assert any("no emissions value" in w.reason for w in card.warnings)
    spelled = read_hf_card("o/README.md", b"---\nco2_eq_emissions:\n  Emissions: 7\n---\n# o\n")
    assert spelled.data["co2"]["emissions"]["grams"] == 7


def test_an_mcp_quantity_published_as_infinity_is_flagged_not_unmeasured() -> None:
    from assistant.mcp_server.metrics import quantity

    carbon = quantity("carbonFootprint", "inf", "g CO2")
    assert carbon.measured is False and "flagged" in carbon.text and "not measured" not in carbon.text
    assert quantity("latency", "nan", "s").measured is False
    assert quantity("latency", 0.002, "s").text == "2 ms"
    for name, value, unit in (("carbonFootprint", -5, "g CO2"), ("accuracy_mean", 150, "")):  # flagged, not unmeasured
        shown = quantity(name, value, unit)
        assert shown.measured is False and "flagged" in shown.text and "not measured" not in shown.text, shown
    assert quantity("accuracy_mean", 93.5, "").measured is True


def test_the_best_of_each_group_on_a_tie_is_the_first_name_as_in_a_ranking(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    from tests.test_cards import good_card

    for name in ("tie-b", "tie-a", "lower"):
        card = good_card(name)
        card["training"]["evaluationMetrics"]["accuracy"]["mean"] = 0.8 if name == "lower" else 0.95
        (tmp_path / f"{name}.json").write_text(json.dumps(card), encoding="utf-8")
    assert run_mrm3(["ingest", str(tmp_path)], cli_env).returncode == 0
    grouped = str(_ask(cli_env, "most accurate model per dataset")["answer"])
    ranked = str(_ask(cli_env, "most accurate model on toyset")["answer"])
    assert "tie-a" in grouped and "tie-b" not in grouped.split(".")[0], grouped
    assert "tie-a" in ranked.split(".")[0], ranked


def test_an_inference_total_beyond_any_measurement_is_out_of_per_inference_rankings_both_ways(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    from tests.test_cards import good_card

    for name, total in (("sane", 2.0), ("absurd", 5e15)):  # 5e15 J over 100 runs is 5e13 J each: still flagged
        card = good_card(name)
        card["inference"][0].update(energy_consumption=total, num_of_runs=100)
        (tmp_path / f"{name}.json").write_text(json.dumps(card), encoding="utf-8")
    assert run_mrm3(["ingest", str(tmp_path)], cli_env).returncode == 0
    for question in ("highest inference energy per inference", "lowest inference energy per inference"):
        answer = _ask(cli_env, question)
        assert "absurd" not in str(answer["answer"]).split("\n")[0], answer
        assert any("absurd" in str(n) and "flagged" in str(n) for n in answer["notes"]), answer  # type: ignore[attr-defined]


def _ingest_log(env: dict[str, str], folder: Path, columns: str, cells: list[str]) -> None:
    """A CodeCarbon log of neglog's two runs and cleanlog's one (``cells``: duration, emissions, then ``columns``)."""
    models = ["neglog", "neglog", "cleanlog"]
    rows = [
        f"2024-01-01T0{i}:00:00,{m},r{i},{c},Slovenia,SVN\n" for i, (m, c) in enumerate(zip(models, cells, strict=True))
    ]
    header = f"timestamp,project_name,run_id,duration,emissions,{columns},country_name,country_iso_code\n"
    (folder / "emissions.csv").write_text(header + "".join(rows), encoding="utf-8")
    assert run_mrm3(["ingest", str(folder)], env).returncode == 0


def _only_flag_note(ranking: dict[str, object], model: str) -> str:
    """The one flag note naming ``model`` of a ranking that left it out (cleanlog alone ranks)."""
    assert [row["model"] for row in ranking["rows"]] == ["cleanlog"], ranking  # type: ignore[attr-defined]
    notes = [str(n) for n in ranking["notes"] if model in str(n) and "flagged" in str(n)]  # type: ignore[attr-defined]
    assert len(notes) == 1, ranking["notes"]
    return notes[0]


def test_a_sum_of_codecarbon_runs_that_includes_a_flagged_run_is_flagged_and_left_out(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """2 kWh and -1 kWh sum to a plausible 1 kWh: the sum is no measurement either, so no ranking or total holds
    it (it tied with the 1 kWh of another model, while the note said such values were left out)."""
    _ingest_log(cli_env, tmp_path, "energy_consumed", ["3600,0.5,2.0", "3600,0.1,-1.0", "3600,0.2,1.0"])
    ranking = _ask(cli_env, "which model used the most energy to train")
    assert "neglog" not in str(ranking["answer"]).split("Note:")[0], ranking["answer"]
    assert "no total" in _only_flag_note(ranking, "neglog")  # one note per value, saying why
    total = str(_ask(cli_env, "total training energy of all models")["answer"])
    assert "3,600,000 J" in total and "1 models" in total, total  # cleanlog's 1 kWh alone
    carbon = str(_ask(cli_env, "total training carbon of all models")["answer"])
    assert "800 g" in carbon or "0.8 kg" in carbon or "800.0 g" in carbon, carbon  # the carbon is not flagged


def test_a_sum_with_a_flagged_run_is_not_stored_so_no_statement_on_the_training_node_ranks_it(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """CPU energy and training time are read from the training node itself, not from a model's copy: the sum
    including a -1.2 kWh run (a plausible 0.3 kWh) ranked first there while the note said it was left out."""
    columns = "energy_consumed,cpu_energy"
    _ingest_log(cli_env, tmp_path, columns, ["7200,0.5,2.0,1.5", "-3600,0.1,-1.0,-1.2", "1800,0.2,1.0,0.2"])
    for question in ("which model used the most CPU energy to train", "which model has the longest training time"):
        note = _only_flag_note(_ask(cli_env, question), "neglog")
        assert "no total" in note and "negative" in note, note
    lookup = _ask(cli_env, "what is the training energy of neglog")
    text = " ".join([str(lookup["answer"]), *map(str, lookup["notes"])])  # type: ignore[call-overload]
    assert "NOT MEASURED" in text and "no total" in text and "in the card" not in text, text


def _score_card(folder: Path, name: str, accuracy: str) -> None:
    (folder / f"{name}.md").write_text(
        f"---\nlicense: mit\nmodel-index:\n- name: {name}\n  results:\n  - task: {{type: text-classification}}\n"
        f"    dataset: {{name: imdb, type: imdb}}\n    metrics:\n    - {{type: accuracy, value: {accuracy}}}\n---\n",
        encoding="utf-8",
    )


@pytest.fixture
def scores(empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Cards with model-index results only (no training datasets): a fraction, a percentage, 150 and -1."""
    for name, accuracy in (("frac", "0.91"), ("pct", "93.5"), ("weird", "150"), ("neg", "-1")):
        _score_card(tmp_path, name, accuracy)
    done = run_mrm3(["ingest", str(tmp_path)], cli_env)
    flagged = [line for line in done.stderr.splitlines() if "impossible" in line]
    assert any("weird.md" in line for line in flagged) and any("neg.md" in line for line in flagged), done.stderr
    return cli_env


def test_an_impossible_score_is_flagged_and_ranks_nowhere(scores: dict[str, str]) -> None:
    for question in ("most accurate model on imdb", "most accurate model"):
        answer = _ask(scores, question)
        ranked = [row["model"] for row in answer["rows"]]  # type: ignore[attr-defined]
        assert ranked == ["pct", "frac"], (question, answer)
        notes = " ".join(str(n) for n in answer["notes"])  # type: ignore[attr-defined]
        assert "weird" in notes and "neg" in notes and "impossible" in notes, notes


def test_a_dataset_only_evaluated_on_is_read_as_such(scores: dict[str, str]) -> None:
    """The graph has no training datasets: "on imdb" is where the models were evaluated (it failed before)."""
    answer = _ask(scores, "how many models were evaluated on imdb")
    assert "4 models" in str(answer["answer"]), answer
    understood = str(_ask(scores, "most accurate model on imdb")["interpretation"])
    assert "evaluated on" in understood, understood
    declined = str(_ask(scores, "greenest model on imdb")["answer"])  # no carbon: the suggestions fit the graph
    assert "evaluated on imdb" in declined and "trained on" not in declined, declined


def test_an_average_of_fractions_and_percentages_says_so(scores: dict[str, str]) -> None:
    answer = _ask(scores, "average accuracy on imdb")
    assert "over 2 values" in str(answer["answer"]), answer  # 150 and -1 left out
    assert any("different scales" in str(n) for n in answer["notes"]), answer  # type: ignore[attr-defined]


def test_an_impossible_score_passes_no_condition(scores: dict[str, str]) -> None:
    answer = _ask(scores, "models with accuracy above 0.5")
    listed = {row["model"] for row in answer["rows"]}  # type: ignore[attr-defined]
    assert listed == {"pct", "frac"}, answer  # not weird's 150
    assert any("weird" in str(n) for n in answer["notes"]), answer  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "impossible"),
    [
        ("accuracy", True),
        ("f1_mean", True),
        ("top-5 accuracy", True),
        ("roc_auc", True),
        ("cosine_accuracy_threshold", False),  # sentence-transformers thresholds go far beyond 100
        ("manhattan_f1_threshold", False),
        ("accuracy_drop", False),
        ("f1_delta", False),
        ("num_precision_bits", False),
        ("f10", False),
        ("r_squared_mean", False),
    ],
)
def test_only_a_score_is_held_to_0_to_100(name: str, impossible: bool) -> None:
    """A name with a score's word is a score, unless another word says it is a threshold, a change or a setting."""
    assert (implausible(name, 150) is not None) is impossible, name
    assert implausible(name, 93.5) is None and implausible(name, 0.91) is None
