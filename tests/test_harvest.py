"""``mrm3 harvest``: the models a Hub lists as reporting emissions, fetched page by page into the graph.

The Hub is tests/fake_hub_listing.py on 127.0.0.1, reached through ``HF_ENDPOINT`` by the real ``huggingface_hub``
client; the graph is the session's real embedded server; the command runs in a process of its own, as a user's
would. Expected grams and card facts come from the listing's generator, never from the implementation.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.graph.connection import Graph
from assistant.graph.stats import graph_stats
from ingest.writer import reset
from tests.conftest import REPO, run_mrm3
from tests.fake_hub_listing import CO2_TAG, HubListing, ListedModel, accuracy_of, generate_models, serving

TOKEN = "hf_listingsecretlistingsecret"
REPORT_KEYS = {"listed", "new", "changed", "unchanged", "refused", "pages", "seconds"}
SUMMARY = re.compile(
    r"^harvested (?P<listed>\d+) models: (?P<new>\d+) new, (?P<changed>\d+) changed, "
    r"(?P<unchanged>\d+) unchanged, (?P<refused>\d+) refused \(pages (?P<pages>\d+), (?P<seconds>[\d.]+) s\)$"
)

BIG_TAGGED, BIG_UNTAGGED = 3000, 300
SMALL_TAGGED, SMALL_UNTAGGED, SMALL_PAGE = 50, 10, 10

CARBON = """
MATCH (m:Model)
OPTIONAL MATCH (t:ModelTraining)-[:TRAINS_ON]->(m)
RETURN m.name AS name, t.carbonFootprint AS grams
"""
MODEL_FACTS = """
MATCH (m:Model)
OPTIONAL MATCH (m)-[:PROVIDES]->(s:Service)
RETURN m.name AS name, m.license AS license, m.libraryName AS library, m.tags AS tags,
       m.hubRevision AS revision, m.source AS source, collect(DISTINCT s.name) AS services
"""
DATASETS = "MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset) RETURN m.name AS name, collect(DISTINCT d.name) AS names"
BASES = "MATCH (m:Model)-[:FINE_TUNED_FROM]->(b:BaseModel) RETURN m.name AS name, collect(DISTINCT b.name) AS names"
RESULTS = """
MATCH (e:EvaluationResult)-[:EVALUATES]->(m:Model)
OPTIONAL MATCH (e)-[:EVALUATED_ON]->(d:Dataset)
RETURN m.name AS name, e.metric AS metric, e.value AS value, d.name AS dataset
"""
MODEL_NAMES = "MATCH (m:Model) RETURN m.name AS name"
TRAININGS_PER_MODEL = "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model) RETURN m.name AS name, count(t) AS n"


# --- the Hub and the command ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_hub() -> Iterator[HubListing]:
    """3,000 models reporting emissions and 300 without, in pages of the Hub's 1,000."""
    with serving(HubListing(generate_models(BIG_TAGGED, BIG_UNTAGGED))) as hub:
        yield hub


@pytest.fixture
def small_hub() -> Iterator[HubListing]:
    """50 models reporting emissions and 10 without, in pages of 10; each test gets its own, to mutate."""
    with serving(HubListing(generate_models(SMALL_TAGGED, SMALL_UNTAGGED), page_size=SMALL_PAGE)) as hub:
        yield hub


def _env(cli_env: dict[str, str], hub_url: str, tmp_path: Path, **more: str) -> dict[str, str]:
    return {**cli_env, "HF_ENDPOINT": hub_url, "HF_HOME": str(tmp_path / "hf-home"), **more}


def _harvest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``mrm3 harvest ARGS`` in a process of its own; it must end without a traceback."""
    done = run_mrm3(["harvest", *args], env)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _summary(done: subprocess.CompletedProcess[str]) -> dict[str, float]:
    """The counts of the one stdout line ``harvested N models: A new, ... (pages P, T s)``."""
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    return {key: float(value) for key, value in match.groupdict().items()}


def _report(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The ``--json`` report, with every key the contract names."""
    report = json.loads(done.stdout)
    assert REPORT_KEYS <= set(report), sorted(report)
    return report


def _counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    """New, changed, unchanged, refused."""
    return report["new"], report["changed"], report["unchanged"], report["refused"]


def _tagged(hub: HubListing) -> list[ListedModel]:
    return [m for m in hub.models if m.form is not None]


# --- what the graph holds ---------------------------------------------------------------------------------


def _names(graph: Graph) -> list[str]:
    return [row["name"] for row in graph.read(MODEL_NAMES)]


def _carbon_mismatches(graph: Graph, models: list[ListedModel]) -> list[str]:
    """Models whose grams in the graph differ from the generator's, one line each (form, expected, found)."""
    found = {row["name"]: row["grams"] for row in graph.read(CARBON)}
    wrong = []
    for model in models:
        grams = found.get(model.id, "absent")
        expected_here = grams is None if model.grams is None else grams == pytest.approx(model.grams, rel=1e-9)
        if model.id not in found or not expected_here:
            wrong.append(f"{model.id} ({model.form}): expected {model.grams}, graph has {grams}")
    return wrong


def _card_mismatches(graph: Graph, models: list[ListedModel]) -> list[str]:
    """Models whose commit, source, task, license, library, tags, datasets, bases or results differ from the card."""
    facts = {row["name"]: row for row in graph.read(MODEL_FACTS)}
    datasets = {row["name"]: sorted(row["names"]) for row in graph.read(DATASETS)}
    bases = {row["name"]: sorted(row["names"]) for row in graph.read(BASES)}
    results: dict[str, list[tuple[Any, ...]]] = {}
    for row in graph.read(RESULTS):
        results.setdefault(row["name"], []).append((row["metric"], row["value"], row["dataset"]))
    wrong = []
    for model in models:
        expected = _expected_facts(model)
        found = _found_facts(facts.get(model.id), datasets, bases, results, model.id)
        wrong += [f"{model.id}: {key} expected {value!r}, graph has {found.get(key)!r}"
                  for key, value in expected.items() if found.get(key) != value]  # fmt: skip
    return wrong


def _expected_facts(model: ListedModel) -> dict[str, Any]:
    """What the graph must say of ``model``, read from the card the Hub listed."""
    card = model.card
    return {
        "revision": model.sha,
        "source ok": True,
        "service": [card["pipeline_tag"]],
        "license": card["license"],
        "library": card["library_name"],
        "card tags kept": True,
        "datasets": sorted(card["datasets"]),
        "bases": [card["base_model"]] if "base_model" in card else [],
        "results": [("accuracy", accuracy_of(model.index), card["datasets"][0])] if "model-index" in card else [],
    }


def _found_facts(
    row: dict[str, Any] | None,
    datasets: dict[str, list[str]],
    bases: dict[str, list[str]],
    results: dict[str, list[tuple[Any, ...]]],
    name: str,
) -> dict[str, Any]:
    if row is None:
        return {}
    revision = row["revision"]
    source = row["source"] or ""
    source_ok = source == f"hf:{name}@{revision}" if revision else source.startswith(f"hf:{name}") and "@" not in source
    return {
        "revision": revision,
        "source ok": source_ok,
        "service": row["services"],
        "license": row["license"],
        "library": row["library"],
        "card tags kept": row["tags"] is not None and {"synthetic-listing"} <= set(row["tags"]),
        "datasets": datasets.get(name, []),
        "bases": bases.get(name, []),
        "results": results.get(name, []),
    }


def _duplicates(graph: Graph) -> list[str]:
    """Model names held twice, and models with more than one ModelTraining."""
    names = _names(graph)
    twice = sorted({name for name in names if names.count(name) > 1})
    trainings = [row["name"] for row in graph.read(TRAININGS_PER_MODEL) if row["n"] > 1]
    return twice + [f"{name}: several ModelTraining" for name in trainings]


def _published_number(co2: Any) -> float | None:
    """huggingface_hub's emissions_thresholds rule: the first number of the value (of ``emissions`` in a mapping)."""
    if isinstance(co2, dict):
        co2 = co2.get("emissions")
    if not co2:
        return None
    match = re.search(r"\d+\.\d+|\d+", str(co2))
    return float(match.group(0)) if match else None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- 1. a full listing ---------------------------------------------------------------------------------


def test_every_tagged_model_lands_with_its_grams_and_all_brings_the_rest(
    empty_graph: Graph, cli_env: dict[str, str], big_hub: HubListing, tmp_path: Path
) -> None:
    env = _env(cli_env, big_hub.url, tmp_path)
    tagged = _tagged(big_hub)
    first = _summary(_harvest(env))
    assert _counts(first) == (BIG_TAGGED, 0, 0, 0)
    assert (first["listed"], first["pages"]) == (BIG_TAGGED, 3)
    assert sorted(_names(empty_graph)) == sorted(m.id for m in tagged), "untagged models must stay out by default"
    assert not (wrong := _carbon_mismatches(empty_graph, tagged)), "\n".join(wrong[:30])
    assert not (wrong := _card_mismatches(empty_graph, tagged)), "\n".join(wrong[:30])
    assert all(r.query.get("filter") == [CO2_TAG] for r in big_hub.listing_requests())

    big_hub.requests.clear()
    everything = _summary(_harvest(env, "--all"))
    assert (everything["new"], everything["unchanged"]) == (BIG_UNTAGGED, BIG_TAGGED)
    assert not any("filter" in r.query for r in big_hub.listing_requests())
    assert sorted(_names(empty_graph)) == sorted(m.id for m in big_hub.models)
    assert not (wrong := _carbon_mismatches(empty_graph, big_hub.models)), "\n".join(wrong[:30])
    assert not _duplicates(empty_graph)


# --- 2. a second run -----------------------------------------------------------------------------------


def test_a_second_run_changes_nothing_and_says_so(
    empty_graph: Graph, cli_env: dict[str, str], small_hub: HubListing, tmp_path: Path
) -> None:
    env = _env(cli_env, small_hub.url, tmp_path)
    first = _summary(_harvest(env))
    assert (first["listed"], first["new"], first["pages"]) == (SMALL_TAGGED, SMALL_TAGGED, SMALL_TAGGED / SMALL_PAGE)
    before = graph_stats(empty_graph)
    again = _harvest(env, "--json")
    assert again.returncode == 0, again.stderr
    report = _report(again)
    assert _counts(report) == (0, 0, SMALL_TAGGED, 0)
    assert (report["listed"], report["pages"]) == (SMALL_TAGGED, SMALL_TAGGED // SMALL_PAGE)
    assert isinstance(report["seconds"], int | float) and report["seconds"] >= 0
    assert graph_stats(empty_graph) == before


# --- 3. rate limits and a server error -----------------------------------------------------------------


def test_a_429_and_a_503_are_waited_out_and_the_listing_is_complete(
    empty_graph: Graph, cli_env: dict[str, str], small_hub: HubListing, tmp_path: Path
) -> None:
    small_hub.faults = {2: 429, 4: 503}  # page 2's first try, then page 3's
    done = _harvest(_env(cli_env, small_hub.url, tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    report = _report(done)
    assert _counts(report) == (SMALL_TAGGED, 0, 0, 0) and report["pages"] == SMALL_TAGGED // SMALL_PAGE
    assert len(small_hub.listing_requests()) == SMALL_TAGGED // SMALL_PAGE + 2
    assert not (wrong := _carbon_mismatches(empty_graph, _tagged(small_hub))), "\n".join(wrong)
    assert len(_names(empty_graph)) == SMALL_TAGGED


# --- 4. options asked of the Hub -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "param", "selects"),
    [
        (["--pipeline-tag", "translation"], "pipeline_tag", lambda m, n: m.card["pipeline_tag"] == "translation"),
        (["--author", "borealis"], "author", lambda m, n: m.entry["author"] == "borealis"),
        (["--search", "kg-string"], "search", lambda m, n: "kg-string" in m.id),
        (["--limit", "7"], "limit", lambda m, n: n < 7),
    ],
    ids=[
        "the pipeline tag is a query parameter",
        "the author is a query parameter",
        "the search text is a query parameter",
        "the limit is a query parameter",
    ],
)
def test_an_option_reaches_the_hub_as_a_query_parameter(
    empty_graph: Graph,
    cli_env: dict[str, str],
    small_hub: HubListing,
    tmp_path: Path,
    option: list[str],
    param: str,
    selects: Any,
) -> None:
    done = _harvest(_env(cli_env, small_hub.url, tmp_path), *option, "--json")
    assert done.returncode == 0, done.stderr
    first = small_hub.listing_requests()[0].query
    assert first.get(param) == [option[1]], first
    assert first.get("filter") == [CO2_TAG] and [v.lower() for v in first.get("cardData", [])] == ["true"], first
    assert "full" not in first and not any("/resolve/" in r.path for r in small_hub.requests)
    expected = sorted(m.id for n, m in enumerate(_tagged(small_hub)) if selects(m, n))
    assert 0 < len(expected) < SMALL_TAGGED
    assert sorted(_names(empty_graph)) == expected
    assert _report(done)["new"] == len(expected)


# --- 5. a run killed midway ----------------------------------------------------------------------------


def _killed_after_two_pages(hub: HubListing, env: dict[str, str], graph: Graph) -> None:
    """Start ``mrm3 harvest``; once it asks for page 3 (pages 1 and 2 served) and has written models, SIGKILL it.

    The kill waits for the first models in the graph, since a harvest may still be writing page 2 while it asks
    for page 3; a harvest that writes nothing while a page is pending fails here.
    """
    hub.stall_page = 3
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "harvest"],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: hub.stalled.is_set(), process, "ask for page 3")
        _wait_for(lambda: bool(_names(graph)), process, "write a model while page 3 was pending")
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        hub.stall_page = None
        hub.release.set()


def _wait_for(done: Callable[[], bool], process: subprocess.Popen[str], what: str, timeout_s: float = 120) -> None:
    """Wait until ``done()``; fail if the process ends first or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if process.poll() is not None:
            pytest.fail(f"the harvest ended before it could {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the harvest did not {what} within {timeout_s} s")
        time.sleep(0.05)


def test_a_run_killed_midway_keeps_its_models_and_the_next_completes_it(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    total = 2100  # pages of 1,000, 1,000 and 100
    with serving(HubListing(generate_models(total))) as hub:
        env = _env(cli_env, hub.url, tmp_path)
        _killed_after_two_pages(hub, env, empty_graph)
        kept = len(_names(empty_graph))
        assert 0 < kept < total, f"{kept} models kept by a run killed after 2 of 3 pages"
        assert not _duplicates(empty_graph)
        done = _harvest(env, "--json")
    assert done.returncode == 0, done.stderr
    assert _counts(_report(done)) == (total - kept, 0, kept, 0)
    assert not (dupes := _duplicates(empty_graph)), dupes[:10]
    assert len(_names(empty_graph)) == total
    assert not (wrong := _carbon_mismatches(empty_graph, hub.models)), "\n".join(wrong[:30])


# --- 6. no Hub -------------------------------------------------------------------------------------------


def test_an_unreachable_hub_is_one_line_naming_hf_endpoint_and_writes_nothing(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    before = graph_stats(empty_graph)
    done = _harvest(_env(cli_env, f"http://127.0.0.1:{_closed_port()}", tmp_path))
    assert done.returncode == 1
    # The CLI's own status line ("Using the embedded graph server in ...") may precede the one error line.
    lines = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("Using the embedded")]
    assert len(lines) == 1 and "HF_ENDPOINT" in lines[0], done.stderr
    assert graph_stats(empty_graph) == before


# --- 7. malformed entries ------------------------------------------------------------------------------


def test_each_malformed_entry_is_one_warning_and_the_rest_is_ingested(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    with serving(HubListing(generate_models(SMALL_TAGGED))) as hub:  # one page either way
        env = _env(cli_env, hub.url, tmp_path)
        clean = _harvest(env)
        assert clean.returncode == 0, clean.stderr
        reset(empty_graph)
        hub.malformed = True
        done = _harvest(env, "--json")
    report = _report(done)
    assert _counts(report) == (SMALL_TAGGED, 0, 0, 3)
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    baseline = [line for line in clean.stderr.splitlines() if line.strip()]
    assert len(warnings) == len(baseline) + 3, done.stderr
    for name in ("broken/bad-created-at", "broken/bad-siblings"):
        assert len([line for line in warnings if name in line]) == 1, done.stderr
    assert sorted(_names(empty_graph)) == sorted(m.id for m in hub.models)


# --- 8. the token ---------------------------------------------------------------------------------------


def test_hf_token_reaches_the_hub_as_bearer_and_never_shows(
    empty_graph: Graph, cli_env: dict[str, str], small_hub: HubListing, tmp_path: Path
) -> None:
    done = _harvest(_env(cli_env, small_hub.url, tmp_path, HF_TOKEN=TOKEN))
    assert _summary(done)["new"] == SMALL_TAGGED
    authorizations = {r.authorization for r in small_hub.listing_requests()}
    assert authorizations == {f"Bearer {TOKEN}"}
    assert TOKEN not in done.stdout + done.stderr


# --- 9. a model changed on the Hub ---------------------------------------------------------------------


def test_a_model_with_a_new_commit_is_changed_and_its_new_grams_are_in_the_graph(
    empty_graph: Graph, cli_env: dict[str, str], small_hub: HubListing, tmp_path: Path
) -> None:
    env = _env(cli_env, small_hub.url, tmp_path)
    assert _summary(_harvest(env))["new"] == SMALL_TAGGED
    target = small_hub.mutate(_tagged(small_hub)[7].id, 777.5)
    done = _harvest(env, "--json")
    assert done.returncode == 0, done.stderr
    assert _counts(_report(done)) == (0, 1, SMALL_TAGGED - 1, 0)
    (row,) = empty_graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: $name}) "
        "RETURN t.carbonFootprint AS grams, m.hubRevision AS revision, m.source AS source, m.tags AS tags",
        {"name": target.id},
    )
    assert (row["grams"], row["revision"], row["source"]) == (777.5, target.sha, f"hf:{target.id}@{target.sha}")
    assert "retrained" in row["tags"]
    assert len(_names(empty_graph)) == SMALL_TAGGED and not _duplicates(empty_graph)


# --- 10. an emissions range ----------------------------------------------------------------------------


def test_min_and_max_emissions_keep_only_the_models_within_the_range(
    empty_graph: Graph, cli_env: dict[str, str], small_hub: HubListing, tmp_path: Path
) -> None:
    low, high = 10.1, 200.1  # no generated value sits on either bound
    tagged = _tagged(small_hub)
    by_rule = {m.id for m in tagged if (n := _published_number(m.card["co2_eq_emissions"])) and low <= n <= high}
    in_grams = {m.id for m in tagged if m.grams and low <= m.grams <= high}
    assert by_rule == in_grams, "the generator's kilograms must fall outside the range read either way"
    assert 0 < len(by_rule) < SMALL_TAGGED
    done = _harvest(_env(cli_env, small_hub.url, tmp_path), "--min-emissions", str(low), "--max-emissions", str(high),
                    "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _report(done)["new"] == len(by_rule)
    assert set(_names(empty_graph)) == by_rule
