"""The four YAML data files are validated into pydantic models: a mistake is one line naming file, entry and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from assistant.bench.run import QUESTIONS_FILE, load_questions
from assistant.engines.llm.examples import EXAMPLES_FILE, load_examples
from assistant.errors import ConfigError
from assistant.evaluation.defaults import DEFAULT_SET
from assistant.evaluation.run import load_question_set
from assistant.language.vocabulary import DEFAULT_PATH, load_vocabulary

VOCABULARY = DEFAULT_PATH.read_text(encoding="utf-8")
EXAMPLES = EXAMPLES_FILE.read_text(encoding="utf-8")
RESTORE = "restore it from the repository"
SAMPLE_SET = "catalogs:\n  s: {sample: {count: 3}}\nquestions:\n"
YAML_BOOLEAN = "YAML reads an unquoted yes/no/on/off/true/false as a boolean: put it in quotes"


def _vocabulary(path: Path) -> Any:
    load_vocabulary.cache_clear()  # it caches per path, and every test writes the same tmp name
    return load_vocabulary(path)


def _edited(text: str, old: str, new: str) -> str:
    """``text`` with one ``old`` replaced: the rest of the real file stays valid, so only that mistake is reported."""
    assert text.count(old) >= 1, f"{old!r} is no longer in the file: update this test"
    return text.replace(old, new, 1)


LOADERS: dict[str, Callable[[Path], Any]] = {
    "vocabulary": _vocabulary,
    "examples": load_examples,
    "bench": load_questions,
    "question set": load_question_set,
}

VOCABULARY_MISTAKES = [
    ("- a list\n", ": the file should be a mapping of fields", "not a mapping"),
    (_edited(VOCABULARY, "\nquantities:", "\nquantity:"),
     " has no 'quantities' section (and 1 more problem)", "a section is missing"),
    (_edited(VOCABULARY, "unit: g CO2, better: lower", "unit: g CO2, better: lowest"),
     ": quantities.carbon, field 'better': Input should be 'lower' or 'higher'", "a direction is not lower or higher"),
    (_edited(VOCABULARY, "scope: training, property: carbonFootprint, ", "scope: training, "),
     ": quantities.carbon, field 'property': is missing", "a quantity has no property"),
    (_edited(VOCABULARY, "kg: {quantity: [carbon], factor: 1000}", "kg: {quantity: [carbon], fctor: 1}"),
     ": units.kg, field 'factor': is missing (and 1 more problem)", "a misspelt unit field"),
    (_edited(VOCABULARY, "mg: {quantity: [carbon], factor", "mg: {quantity: [carbon, yes], factor"),
     ": units.mg, field 'quantity', item 2: " + YAML_BOOLEAN, "an unquoted yes in a nested list"),
    (_edited(VOCABULARY, '"on",', "on,"), ": stop_words entry 5: " + YAML_BOOLEAN, "an unquoted 'on' stop word"),
    (_edited(VOCABULARY, "greenest: [carbon, low]", "greenest: [carbon, lowest]"),
     ": quantity_phrases.greenest, item 2: Input should be 'low', 'high' or 'none'", "an unknown phrase direction"),
]  # fmt: skip
EXAMPLES_MISTAKES = [
    ("{question: not a list}\n", ": the file should be a list", "not a list"),
    ("- question: q\n  cypher: RETURN 1\n- question: no statement\n",
     ": entry 2, field 'cypher': is missing", "an entry without cypher"),
    ("- question: '   '\n  cypher: RETURN 1\n", ": entry 1, field 'question': is empty", "a blank question"),
    (_edited(EXAMPLES, "  keywords: greenest", "  kewords: greenest"),
     ": entry 1, field 'kewords': is not a known field (a typo?)", "a misspelt field"),
    ("- just a question?\n", ": entry 1: should be a mapping of fields", "an entry that is a string"),
]  # fmt: skip
BENCH_MISTAKES = [
    ("questions: []\n", ": section 'questions': is empty", "no questions"),
    ("question: [greenest model]\n", " has no 'questions' section (and 1 more problem)", "the section misspelt"),
    ("questions: [greenest model, null]\n", ": questions entry 2: Input should be a valid string", "a null question"),
]  # fmt: skip
QUESTION_SET_MISTAKES = [
    (SAMPLE_SET + " - {id: a, catalog: t, category: count, question: 'how many?', gold: {kind: count}}\n",
     ": questions entry 1 (id 'a'), field 'catalog': catalog 't' is not declared - declare it under 'catalogs'",
     "an undeclared catalog"),
    (SAMPLE_SET + " - {id: a, catalog: s, category: count, question: 'how many?', gold: {of: x}}\n",
     ": questions entry 1 (id 'a'), field 'gold.kind': is missing", "gold without a kind"),
    (SAMPLE_SET + " - {id: a, catalog: s, category: count, question: '', gold: {kind: count}}\n",
     ": questions entry 1 (id 'a'), field 'question': is empty", "an empty question"),
    ("catalogs:\n  s: {}\nquestions: []\n",
     ": catalogs.s: needs exactly one of 'cards' (a path) and 'sample' (count, seed)", "a catalog with no source"),
    ("catalogs:\n  s: {sample: {count: 0}}\nquestions: []\n",
     ": catalogs.s, field 'sample.count': Input should be greater than or equal to 1", "a sample of zero cards"),
]  # fmt: skip
# (loader, file content, the message after the path, without the hint), the id says what is wrong.
BROKEN = [
    *(pytest.param("vocabulary", content, message, RESTORE, id=f"vocabulary: {why}")
      for content, message, why in VOCABULARY_MISTAKES),
    *(pytest.param("examples", content, message, "restore prompts/examples.yaml", id=f"examples: {why}")
      for content, message, why in EXAMPLES_MISTAKES),
    *(pytest.param("bench", content, message, RESTORE, id=f"bench questions: {why}")
      for content, message, why in BENCH_MISTAKES),
    *(pytest.param("question set", content, message, "check its format", id=f"question set: {why}")
      for content, message, why in QUESTION_SET_MISTAKES),
]  # fmt: skip


@pytest.mark.parametrize(("loader", "content", "message", "hint"), BROKEN)
def test_a_broken_data_file_is_one_line_naming_the_file_entry_and_field(
    tmp_path: Path, loader: str, content: str, message: str, hint: str
) -> None:
    path = tmp_path / "data.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        LOADERS[loader](path)
    assert str(caught.value) == f"{path}{message} - {hint}"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("loader", list(LOADERS), ids=[f"{name} file" for name in LOADERS])
def test_unreadable_yaml_is_one_line_with_its_position(tmp_path: Path, loader: str) -> None:
    path = tmp_path / "data.yaml"
    path.write_text("questions: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        LOADERS[loader](path)
    message = str(caught.value)
    assert message.startswith("Cannot read the ") and str(path) in message
    # libyaml says "did not find expected", PyYAML's pure-Python parser "expected": either is fine.
    assert "line 2, column 1: " in message and "expected ',' or ']'" in message and "\n" not in message


@pytest.mark.parametrize("loader", list(LOADERS), ids=[f"{name} file" for name in LOADERS])
def test_a_missing_file_is_a_config_error(tmp_path: Path, loader: str) -> None:
    with pytest.raises(ConfigError, match="No such file or directory"):
        LOADERS[loader](tmp_path / "absent.yaml")


def test_the_validation_error_is_kept_as_the_cause(tmp_path: Path) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text("- question: q\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_examples(path)
    assert isinstance(caught.value.__cause__, ValidationError)


def test_the_repository_files_load_into_their_models() -> None:
    assert len(load_examples()) >= 40
    assert len(load_questions(QUESTIONS_FILE)) >= 20
    question_set = load_question_set(DEFAULT_SET)
    assert {q.catalog for q in question_set.questions} <= set(question_set.catalogs)
    vocabulary = _vocabulary(DEFAULT_PATH)
    assert vocabulary.quantities["carbon"].better == "lower"
    assert vocabulary.units["kWh"].factor == 3_600_000.0 and vocabulary.unit("kwh")[0] == vocabulary.units["kWh"]


def test_blank_keywords_and_bare_numbers_are_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text(
        "- question: '  how many?  '\n  keywords:\n  cypher: RETURN 1\n- {question: 42, cypher: RETURN 42}\n"
    )
    first, second = load_examples(path)
    assert (first.question, first.keywords, first.cypher) == ("how many?", "", "RETURN 1")
    assert second.question == "42"


def test_a_bare_sample_catalog_uses_the_generator_defaults(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text("catalogs:\n  s: {sample: }\n  m: {cards: cards}\nquestions: []\n", encoding="utf-8")
    catalogs = load_question_set(path).catalogs
    assert catalogs["s"].sample == {"count": None, "seed": 42}
    assert catalogs["m"].path == tmp_path / "cards"
