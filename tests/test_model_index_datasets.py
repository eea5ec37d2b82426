"""Model-index results are read on the dataset they were measured on, by its name or its type, and a named
model's results for a metric only they hold are listed (an outside tester's round: "best BLEU on
flores101-devtest" was not found, "on flores_101" read the models TRAINED on it and said none had a BLEU value,
and "what BLEU scores did X get" was refused).

Real embedded server; the cards are HF card files written here, the gold is what they publish.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.engines.offline.engine import OfflineEngine
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from ingest.ingester import ingest_paths

# name -> (training datasets, [(dataset name, dataset type, BLEU)])
CARDS = {
    "mt-a": ([], [("flores101-devtest", "flores_101", 27.4), ("tatoeba-test-v2021-08-07", "tatoeba_mt", 55.4)]),
    "mt-b": ([], [("flores101-devtest", "flores_101", 31.0)]),
    "mt-c": (["flores_101"], [("tatoeba-test-v2021-08-07", "tatoeba_mt", 60.0)]),  # trained on it, no result there
}


def _card(name: str, trained: list[str], results: list[tuple[str, str, float]]) -> str:
    lines = ["---", "license: mit", "co2_eq_emissions: 10"]
    if trained:
        lines += ["datasets:", *[f"- {d}" for d in trained]]
    lines += ["model-index:", f"- name: {name}", "  results:"]
    for dataset, kind, bleu in results:
        lines += [
            "  - task: {type: translation}",
            f"    dataset: {{name: {dataset}, type: {kind}}}",
            f"    metrics: [{{type: bleu, name: BLEU, value: {bleu}}}]",
        ]
    return "\n".join([*lines, "---", f"# {name}", ""])


@pytest.fixture(scope="module")
def engine(session_graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> OfflineEngine:
    from ingest.writer import reset

    folder = tmp_path_factory.mktemp("mt")
    for name, (trained, results) in CARDS.items():
        (folder / f"{name}.md").write_text(_card(name, trained, results), encoding="utf-8")
    reset(session_graph)
    assert ingest_paths(session_graph, [Path(folder)]).models_written == len(CARDS)
    return OfflineEngine(session_graph, SchemaCache(session_graph), settings)


def _best_on(match: str) -> tuple[str, float]:
    scores = [(b, n) for n, (_, rs) in CARDS.items() for d, t, b in rs if match in (d, t)]
    bleu, name = max(scores)
    return name, bleu


@pytest.mark.parametrize("dataset", ["flores101-devtest", "flores_101", "tatoeba-test-v2021-08-07"])
def test_the_best_result_on_a_dataset_named_by_its_name_or_type(engine: OfflineEngine, dataset: str) -> None:
    answer = engine.answer(f"Which model got the best BLEU on {dataset}?")
    name, bleu = _best_on(dataset)
    assert answer.rows and answer.rows[0]["model"] == name and answer.rows[0]["bleu"] == pytest.approx(bleu), (
        answer.text
    )
    assert "evaluated on" in (answer.interpretation or ""), answer.interpretation


def test_a_named_model_s_results_are_listed(engine: OfflineEngine) -> None:
    answer = engine.answer("what BLEU scores did mt-a get?")
    published = {(d, b) for d, _, b in CARDS["mt-a"][1]}
    assert {(r["dataset_name"], r["bleu"]) for r in answer.rows} == published, answer.text
    assert "27.4" in answer.text and "55.4" in answer.text


def test_a_result_ranking_not_on_a_dataset_reads_the_other_results(engine: OfflineEngine) -> None:
    """A review: "best BLEU not on flores_101" read the models not TRAINED on it and said none had a BLEU value."""
    scores = [(b, n) for n, (_, rs) in CARDS.items() for d, t, b in rs if t != "flores_101"]
    answer = engine.answer("best BLEU not on flores_101")
    assert answer.rows and answer.rows[0]["model"] == max(scores)[1], answer.text


def test_trained_on_is_kept_as_the_training_data(engine: OfflineEngine) -> None:
    """ "trained on flores_101" names the training data: mt-c, trained on it with no result there, ranks."""
    answer = engine.answer("which model trained on flores_101 has the best BLEU?")
    trained = [n for n, (t, _) in CARDS.items() if "flores_101" in t]
    assert [r["model"] for r in answer.rows] == trained, answer.text
    assert "trained on" in (answer.interpretation or ""), answer.interpretation
