"""The prompt files: declared placeholders exist, nothing undeclared, and the rules they must state."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.prompts import PromptTemplate

from assistant.engines.llm.client import PROMPT_INPUTS, PROMPTS_DIR, load_prompt, placeholders
from assistant.errors import ConfigError


@pytest.mark.parametrize("name", sorted(PROMPT_INPUTS), ids=lambda name: f"prompts/{name}")
def test_every_declared_placeholder_exists_and_nothing_else(name: str) -> None:
    template = (PROMPTS_DIR / name).read_text(encoding="utf-8")
    assert placeholders(template) == set(PROMPT_INPUTS[name])
    prompt = load_prompt(name)
    assert isinstance(prompt, PromptTemplate)
    assert set(prompt.input_variables) == set(PROMPT_INPUTS[name])


@pytest.mark.parametrize("name", sorted(PROMPT_INPUTS), ids=lambda name: f"prompts/{name}")
def test_each_prompt_formats_with_its_inputs_only(name: str) -> None:
    values = {key: f"<{key}>" for key in PROMPT_INPUTS[name]}
    text = load_prompt(name).format(**values)
    for value in values.values():
        assert value in text


def test_the_cypher_prompt_ends_with_the_question_and_states_the_rules() -> None:
    text = load_prompt("cypher.txt").format(
        schema="S", linked_values="L", examples="E", repair="", question="Which model is greenest?"
    )
    assert text.rstrip().endswith("Question: Which model is greenest?\nCypher:")
    for rule in ("read-only", "Never CREATE, MERGE, SET, DELETE", "directions", "not measured", "grams CO2"):
        assert rule in text


def test_the_answer_prompt_asks_for_units_names_and_no_refusals() -> None:
    text = load_prompt("answer.txt").format(question="Q", cypher="C", row_count="1", rows="[]", notes="- none")
    for rule in ("g CO2", "in J", "in s", "bytes", "Name the models", "never say that you do not know"):
        assert rule in text
    assert "not measured" in text and "best model with a measured value" in text


def test_a_prompt_with_a_missing_or_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("Question: {question}\nSchema: {schema}\nOops: {unknown}\n")
    with pytest.raises(ConfigError, match=r"missing: \['examples'\].*unknown: \['unknown'\]"):
        load_prompt("p.txt", ("question", "schema", "examples"), directory=tmp_path)


def test_literal_braces_are_not_placeholders(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("MATCH (d:Dataset {{name: 'umu'}}) -- {question}")
    prompt = load_prompt("p.txt", ("question",), directory=tmp_path)
    assert prompt.format(question="Q") == "MATCH (d:Dataset {name: 'umu'}) -- Q"


def test_a_missing_prompt_file_is_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read the prompt"):
        load_prompt("absent.txt", ("question",), directory=tmp_path)
