"""An LLM's raw-Cypher answer is verified before it is shown: a corpus of scripted model mistakes and honest outputs.

tests/data/llm_mistakes.yaml was written by a helper who had not read the verifier (assistant/verify/), from
the card files and rows it saw: each entry a question, the statement a model wrote and the sentence it wrote
from the rows. The mistakes are of the eight kinds text-to-Cypher models make (an unmeasured zero read as
best, an inference total read as per inference, a number or a model the rows do not hold, a name the graph
lacks dropped, a wrong filter, a sum given as an average, seconds given as minutes); the honest outputs are
correct statements with faithful sentences, some of them looking like traps.

Each entry runs through the real langchain-openai client against the scripted server and the real embedded
graph: the model first says the typed plan cannot express the question (so its own Cypher is used), then
writes the entry's statement and sentence. A mistake must be flagged (the sentence never shown as fact); an
honest output must pass unflagged and keep the model's sentence.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.answers.answer import Answer
from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.graph.connection import Graph
from assistant.plan.model import PLAN_TOOL
from tests.fake_llm import FakeLLM

pytest_plugins = ("tests.llm_fixtures",)

DATA = Path(__file__).parent / "data"
# The first corpus, and two more rounds written later by other helpers who had read neither the verifier nor the
# earlier rounds (each measured held out first, then used for fixing: see the README's "Using an LLM").
CORPUS: list[dict[str, Any]] = [
    entry
    for name in ("llm_mistakes.yaml", "llm_mistakes_heldout.yaml", "llm_mistakes_round3.yaml")
    for entry in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
]
MISTAKES = [e for e in CORPUS if e["kind"] != "honest"]
HONEST = [e for e in CORPUS if e["kind"] == "honest"]
KINDS = {"unmeasured_zero", "per_inference_total", "number_not_in_rows", "model_not_in_rows",
         "absent_name_dropped", "wrong_filter", "sum_as_average", "unit_not_converted"}  # fmt: skip
FLAGS = ("Not verified: ", "The two engines disagree: ")


def flags(answer: Answer) -> list[str]:
    """The notes that say the model's answer is not to be trusted as it stands."""
    return [c for c in answer.caveats if c.startswith(FLAGS)]


def ask(entry: dict[str, Any], graph: Graph, settings: Settings, fake_llm: FakeLLM, engine: str = "llm") -> Answer:
    """The entry through the LLM engine: no plan, then the entry's statement, then its sentence."""
    fake_llm.enqueue_tool_call(PLAN_TOOL, {"answer": "cannot", "cannot_answer": "scripted: write Cypher"})
    fake_llm.enqueue(entry["cypher"], entry["answer"])
    return Assistant(settings, graph).ask(entry["question"], engine=engine)


def test_the_corpus_has_every_kind_of_mistake_and_enough_honest_outputs() -> None:
    kinds = Counter(e["kind"] for e in MISTAKES)
    assert set(kinds) == KINDS and min(kinds.values()) >= 4, kinds
    assert len(MISTAKES) >= 30 and len(HONEST) >= 15
    assert len({e["id"] for e in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("entry", MISTAKES, ids=[f"{e['id']} is flagged" for e in MISTAKES])
def test_a_model_mistake_is_flagged_and_never_shown_as_fact(
    entry: dict[str, Any], cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    answer = ask(entry, cards_graph, plan_settings, fake_llm)
    said = f"{entry['why']}\n-> {answer.text[:400]}\n{answer.caveats}"
    assert answer.cypher is not None, said  # the statement ran: the checks, not the guard, caught it
    assert flags(answer), said
    if not any(c.startswith("The two engines disagree") for c in answer.caveats):
        assert not answer.text.startswith(entry["answer"]), said  # the claim is replaced, not annotated
    # A script reading the JSON sees the flag too.
    assert any(note.startswith(FLAGS) for note in answer.as_json()["notes"])


@pytest.mark.parametrize("entry", HONEST, ids=[f"{e['id']} passes" for e in HONEST])
def test_an_honest_model_output_passes_unflagged_and_keeps_its_sentence(
    entry: dict[str, Any], cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    answer = ask(entry, cards_graph, plan_settings, fake_llm)
    expected = ["The two engines disagree: "] if entry.get("expect") == "disagreement" else []
    assert answer.answered and [f[:26] for f in flags(answer)] == expected, (answer.text[:300], answer.caveats)
    assert answer.text.startswith(entry["answer"])
    assert answer.interpretation.splitlines()[-1].startswith("checked: ")


def test_with_engine_auto_a_flagged_answer_gives_way_to_the_offline_engine_and_says_why(
    cards_graph: Graph, plan_settings: Settings, fake_llm: FakeLLM
) -> None:
    entry = next(e for e in MISTAKES if e["kind"] == "wrong_filter")
    answer = ask(entry, cards_graph, plan_settings, fake_llm, engine="auto")
    assert answer.engine == "offline" and answer.answered
    assert answer.caveats[0].startswith("Answered by the offline engine because the LLM's answer failed verification")
    assert "statement drops" in answer.caveats[0] or "does not name" in answer.caveats[0]
