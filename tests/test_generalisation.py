"""The generalisation suite (issue 14), one test per question, on the offline engine and the real embedded graph.

Every question must come out correct: the rows hold the gold computed from the
cards by assistant/evaluation/suite_gold.py, or, for a question naming
something the catalog does not hold, the engine declines and names it.
Questions that fail today are listed with their outcome in
tests/data/generalisation_known_failures.yaml and marked strict xfail, so a
question that starts passing fails until its line goes. Regenerate the list
(after the engine changed) with::

    .venv/bin/python -m pytest tests/test_generalisation.py --update-known-failures

Each catalog is loaded once and all its questions asked in one go (a module
fixture); each test then checks its own question's outcome.

The ``hf`` catalog reads the real Hugging Face cards and CodeCarbon logs in
../shared/hf (third-party files, not in the repository): without them its
questions are not generated, :func:`test_the_hf_catalog_is_in_the_suite` skips
saying why, and its lines of the known failures are set aside.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from assistant.config import Settings
from assistant.engines.router import Assistant
from assistant.evaluation.outcomes import CORRECT, OUTCOMES, SILENTLY_WRONG
from assistant.evaluation.run import AskFn, Question, QuestionSet, Result, evaluate
from assistant.evaluation.suite import family, load_suite, suite_outcome
from assistant.evaluation.suite_hf_slots import ABSENT_POOLS as HF_ABSENT_POOLS
from assistant.evaluation.suite_slots import ABSENT_POOLS
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache
from tests.conftest import invoke_cli

SUITE = load_suite()
KNOWN_FAILURES_FILE = Path(__file__).parent / "data" / "generalisation_known_failures.yaml"
ALL_KNOWN_FAILURES: dict[str, str] = (yaml.safe_load(KNOWN_FAILURES_FILE.read_text(encoding="utf-8")) or {}).get(
    "offline"
) or {}
KNOWN_FAILURES = {i: o for i, o in ALL_KNOWN_FAILURES.items() if i.split(":", 1)[0] not in SUITE.skipped}
"""The known failures of the catalogs on this machine (a skipped catalog's lines stay in the file)."""
HEADER = """\
# Questions of the generalisation suite (tests/data/generalisation/templates.yaml) that the
# offline engine does not answer correctly today, with their outcome: declined (honest) or
# silently_wrong (answered wrongly, the outcome users must never meet).
#
# tests/test_generalisation.py marks each id listed here xfail(strict=True): a question that
# starts passing fails the suite until its line goes. Do not edit by hand; regenerate with
#   .venv/bin/python -m pytest tests/test_generalisation.py --update-known-failures
"""

Outcomes = Callable[[str], dict[str, Result]]


@pytest.fixture(scope="module")
def suite_outcomes(session_graph: Graph, settings: Settings, request: pytest.FixtureRequest) -> Iterator[Outcomes]:
    """Catalog name -> {question id: result}, each catalog loaded and asked once."""
    done: dict[str, dict[str, Result]] = {}

    def make_asker() -> AskFn:
        assistant = Assistant(settings, session_graph, schema_cache=SchemaCache(session_graph))
        return functools.partial(assistant.ask, engine="offline")

    def outcomes(catalog: str) -> dict[str, Result]:
        if catalog not in done:
            questions = [q for q in SUITE.questions if q.catalog == catalog]
            one = QuestionSet(SUITE.path, {catalog: SUITE.catalogs[catalog]}, questions)
            report = evaluate(one, session_graph, make_asker, engine="offline", load=True, grade=suite_outcome)
            done[catalog] = {r.question.id: r for r in report.results}
        return done[catalog]

    yield outcomes
    if request.config.getoption("--update-known-failures"):
        if SUITE.skipped:
            pytest.fail(f"--update-known-failures needs every catalog; left out: {SUITE.skipped}")
        if set(done) != set(SUITE.catalogs):
            pytest.fail("--update-known-failures needs the whole file to run (no -k): the list would lose questions")
        results = [r for catalog in SUITE.catalogs for r in done[catalog].values()]
        failures = {r.question.id: r.outcome for r in results if r.outcome != CORRECT}
        text = yaml.safe_dump({"offline": failures}, sort_keys=False, width=200) if failures else "offline: {}\n"
        KNOWN_FAILURES_FILE.write_text(HEADER + "\n" + text, encoding="utf-8")


@pytest.mark.parametrize("question", SUITE.questions, ids=[q.id for q in SUITE.questions])
def test_question(question: Question, suite_outcomes: Outcomes, request: pytest.FixtureRequest) -> None:
    result = suite_outcomes(question.catalog)[question.id]
    if request.config.getoption("--update-known-failures"):
        return  # recorded by the fixture
    known = KNOWN_FAILURES.get(question.id)
    if known:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"known failure ({known})"))
    said = (result.error or result.text or "")[:300]
    assert result.outcome == CORRECT, f"{result.outcome}: {question.question!r} -> {said!r} (gold {question.gold})"


def test_the_suite_is_big_and_varied() -> None:
    questions = SUITE.questions
    assert len(questions) >= 300
    assert len({q.id for q in questions}) == len(questions)
    per_catalog = Counter(q.catalog for q in questions)
    assert len(per_catalog) >= 3 and min(per_catalog.values()) >= 100, per_catalog
    # At least six phrasings per intent and catalog, in several styles.
    per_intent = Counter((q.catalog, q.category) for q in questions)
    assert min(per_intent.values()) >= 6, per_intent
    styles = {q.id.rsplit("-", 1)[1] for q in questions}
    assert {"terse", "casual", "verbose", "typo", "units"} <= styles
    # A question naming an absent entity of every kind, on every catalog.
    absent = {
        "mrm3": {f"absent_{kind}" for kind in [*ABSENT_POOLS, "model"]},
        "hf": {f"hf_absent_{kind}" for kind in ["base", "license", "task", "dataset", "country", "library", "model"]},
    }
    for name, catalog in SUITE.catalogs.items():
        intents = {q.category for q in questions if q.catalog == name}
        assert absent[family(catalog)] <= intents, name
    assert len(HF_ABSENT_POOLS) == len(absent["hf"]) - 1  # every pool is asked about


def test_the_hf_catalog_is_in_the_suite() -> None:
    if "hf" in SUITE.skipped:
        pytest.skip(SUITE.skipped["hf"])
    questions = [q for q in SUITE.questions if q.catalog == "hf"]
    assert len(questions) >= 100
    intents = {q.category for q in questions}
    for intent in ("hf_greenest_task", "hf_fine_tuned_from", "hf_total_carbon_country", "hf_average_carbon_hardware",
                   "hf_most_accurate", "hf_license_models", "hf_library_models", "hf_count_measured",
                   "hf_carbon_lookup", "hf_carbon_threshold"):  # fmt: skip
        assert intent in intents
    # The CodeCarbon log without a card is a model of its own: 153 cards and vitucano-2b8-v1.
    assert len(SUITE.catalogs["hf"].cards()) == 154


def test_the_known_failures_name_questions_of_the_suite() -> None:
    ids = {q.id for q in SUITE.questions}
    assert set(KNOWN_FAILURES) <= ids, set(KNOWN_FAILURES) - ids
    assert set(ALL_KNOWN_FAILURES.values()) <= set(OUTCOMES) - {CORRECT}
    catalogs = {i.split(":", 1)[0] for i in ALL_KNOWN_FAILURES}
    assert catalogs <= set(SUITE.catalogs) | set(SUITE.skipped), catalogs


def test_mrm3_eval_runs_the_suite_with_three_outcomes(
    session_graph: Graph, cli_env: dict[str, str], request: pytest.FixtureRequest
) -> None:
    if request.config.getoption("--update-known-failures"):
        pytest.skip("compares with the known failures, which are being rewritten")
    code, out, err = invoke_cli(cli_env, "eval", "--suite", "generalisation", "--load", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["questions"] == len(SUITE.questions)
    assert set(report["catalog_outcomes"]) == set(SUITE.catalogs)
    assert sum(report["outcomes"].values()) == report["questions"]
    outcomes = {r["id"]: r["outcome"] for r in report["results"]}
    # The same outcomes as the per-question tests: what is not listed is correct, what is listed is not.
    failing = {i: o for i, o in outcomes.items() if o != CORRECT}
    assert set(failing) == set(KNOWN_FAILURES)
    assert report["outcomes"][SILENTLY_WRONG] == Counter(KNOWN_FAILURES.values())[SILENTLY_WRONG]
    for key in ("engine", "correct", "accuracy", "median_ms", "categories", "failures"):
        assert key in report  # the keys of `mrm3 eval --json` before the suite


def test_mrm3_eval_refuses_a_suite_with_a_set(cli_env: dict[str, str]) -> None:
    code, out, err = invoke_cli(cli_env, "eval", "--suite", "generalisation", "--set", "x.yaml")
    assert code != 0
    assert "--suite brings its own questions" in out + err
