"""The Hugging Face examples of the LLM prompt: each runs on the project's synthetic HF cards and CodeCarbon logs,
returns rows, and is offered only on a graph that holds what it needs."""

from __future__ import annotations

import pytest
import yaml

from assistant.cypher.execution import run_guarded
from assistant.engines.llm.examples import EXAMPLES_FILE, HF_EXAMPLES_FILE, ExampleSelector, load_examples
from assistant.graph.connection import Graph
from assistant.graph.introspect import introspect
from assistant.graph.schema import GraphSchema
from ingest.ingester import ingest_paths
from ingest.writer import reset
from tests.conftest import MRM3_CARDS, REPO

HF = REPO / "tests" / "data" / "hf"
HF_EXAMPLES = load_examples(HF_EXAMPLES_FILE)


@pytest.fixture(scope="module")
def hf_schema(session_graph: Graph) -> GraphSchema:
    reset(session_graph)
    ingest_paths(session_graph, [HF / "cards", *sorted((HF / "codecarbon").glob("synthetic-v*.csv"))])
    return introspect(session_graph)


@pytest.mark.parametrize("example", HF_EXAMPLES, ids=[e.question for e in HF_EXAMPLES])
def test_each_hf_example_runs_on_the_synthetic_files_and_returns_rows(
    session_graph: Graph, hf_schema: GraphSchema, example: object
) -> None:
    assert example.requires, "an HF example names what it needs"
    execution = run_guarded(session_graph, example.cypher, schema=hf_schema)
    assert execution.rows, f"no rows for: {example.question}"


def test_the_accuracy_example_ranks_what_the_card_files_say(session_graph: Graph, hf_schema: GraphSchema) -> None:
    example = next(e for e in HF_EXAMPLES if "accuracy" in e.question)
    best: dict[str, float] = {}
    for path in (HF / "cards").rglob("*.md"):
        try:
            meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1]) or {}
        except yaml.YAMLError:
            continue
        for entry in meta.get("model-index") or []:
            for result in entry.get("results") or []:
                if result.get("dataset", {}).get("type") == "example/synthetic-reviews":
                    for m in result.get("metrics") or []:
                        if m.get("type") == "accuracy":
                            best[path.stem] = max(best.get(path.stem, 0.0), float(m["value"]))
    rows = run_guarded(session_graph, example.cypher, schema=hf_schema).rows
    assert rows[0]["model"] == max(best, key=lambda name: best[name])


def test_hf_examples_are_offered_only_where_the_graph_has_their_labels(
    session_graph: Graph, hf_schema: GraphSchema
) -> None:
    selector = ExampleSelector.from_file(EXAMPLES_FILE, k=3)
    question = "which models were fine-tuned from a base model"
    hf_questions = {e.question for e in HF_EXAMPLES}
    on_hf = selector.select(question, labels=hf_schema.node_properties)
    assert any(e.question in hf_questions for e in on_hf)
    reset(session_graph)
    ingest_paths(session_graph, [MRM3_CARDS])
    mrm3 = introspect(session_graph).node_properties
    assert not any(e.question in hf_questions for e in selector.select(question, labels=mrm3))
