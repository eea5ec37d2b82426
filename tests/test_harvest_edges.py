"""``mrm3 harvest`` at its edges: a model read from its own files is not downgraded by the listing, entries the
library cannot range-check, card data that is not a mapping, the Hub's own tags, and an entry listed twice.

The Hub is tests/fake_hub_listing.py on 127.0.0.1 through the real ``huggingface_hub`` client; the graph is the
session's real embedded server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answers.provenance import source_line
from assistant.graph.connection import Graph
from ingest.cards import Card, card_hash
from ingest.derived import COMPLETE_LABEL
from ingest.harvest import HarvestQuery, HarvestReport, _card_of, listed_cards
from ingest.hf_cards import read_hf_metadata
from ingest.ingester import IngestReport, ingest_cards
from tests.conftest import run_mrm3
from tests.fake_hub_listing import HubListing, generate_models, serving

TAGGED, PAGE = 20, 10


@pytest.fixture
def hub() -> Iterator[HubListing]:
    with serving(HubListing(generate_models(TAGGED), page_size=PAGE)) as listing:
        yield listing


def _fetched_card(repo: str, sha: str | None) -> Card:
    """A card as ``mrm3 ingest hf:ORG/NAME`` (or ``harvest --full``) reads it: README facts, config facts, sha."""
    card = read_hf_metadata(f"hf:{repo}@{sha}", {"co2_eq_emissions": 12.5, "license": "mit"}, name=repo)
    data = {**card.data, "hubId": repo, "hubRevision": sha, "hubFiles": True, "modelType": "bert"}
    data["architecture"] = "BertModel"
    return Card(card.source, data, card.warnings, card_hash(data), kind=card.kind)


def test_a_plain_harvest_keeps_a_model_read_from_its_own_files_at_the_same_sha(
    empty_graph: Graph, cli_env: dict[str, str], hub: HubListing, tmp_path: Path
) -> None:
    first, second = hub.models[0], hub.models[1]
    stale = _fetched_card(second.id, "0" * 40)  # read at an older commit: the listing's newer card replaces it
    ingest_cards(empty_graph, [_fetched_card(first.id, first.sha), stale], IngestReport())
    env = {**cli_env, "HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf")}
    done = run_mrm3(["harvest", "--json"], env)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    assert (report["new"], report["changed"], report["unchanged"]) == (TAGGED - 2, 1, 1)
    rows = empty_graph.read(
        "UNWIND $names AS n MATCH (m:Model {name: n}) RETURN m.name AS name, m.modelType AS type",
        {"names": [first.id, second.id]},
    )
    assert {r["name"]: r["type"] for r in rows} == {first.id: "bert", second.id: None}
    again = json.loads(run_mrm3(["harvest", "--json"], env).stdout)
    assert (again["new"], again["changed"], again["unchanged"]) == (0, 0, TAGGED)


def test_an_entry_whose_emissions_the_range_rule_cannot_read_is_outside_the_range_not_refused() -> None:
    report = HarvestReport()
    entry = {"id": "org/no-number", "cardData": {"co2_eq_emissions": {"source": "codecarbon"}}}
    assert _card_of(entry, HarvestQuery(min_emissions=1.0), report, "entry 1") is None
    assert (report.outside_range, report.listed, report.refused) == (1, 0, [])
    kept = _card_of(entry, HarvestQuery(), HarvestReport(), "entry 1")
    assert kept is not None and kept.name == "org/no-number"


def test_card_data_that_is_a_list_is_one_warning_and_the_listing_fields_are_kept() -> None:
    report = HarvestReport()
    entry = {"id": "org/listed", "cardData": ["not", "a", "mapping"], "pipeline_tag": "text-classification"}
    card = _card_of(entry, HarvestQuery(), report, "entry 1")
    assert card is not None and card.data["pipelineTag"] == "text-classification"
    (warning,) = [w for w in card.warnings if w.path == "cardData"]
    assert "list" in warning.reason
    assert report.refused == []


def test_a_model_without_card_data_keeps_the_hubs_tags() -> None:
    entry = {"id": "org/bare", "tags": ["transformers", "co2_eq_emissions"], "library_name": "transformers"}
    card = _card_of(entry, HarvestQuery(), HarvestReport(), "entry 1")
    assert card is not None and card.data["tags"] == ["transformers", "co2_eq_emissions"]
    own = _card_of({**entry, "cardData": {"tags": ["mine"]}}, HarvestQuery(), HarvestReport(), "entry 1")
    assert own is not None and own.data["tags"] == ["mine"]


def test_a_model_listed_on_two_pages_is_counted_once(hub: HubListing, monkeypatch: pytest.MonkeyPatch) -> None:
    repeated = hub.entries({})[0]
    original = hub.entries
    monkeypatch.setattr(hub, "entries", lambda query: [*original(query), repeated])
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    report = HarvestReport()
    names = [card.name for card in listed_cards(HarvestQuery(), report)]
    assert len(names) == len(set(names)) == TAGGED
    assert report.listed == TAGGED


def test_a_hub_reference_is_named_whole_in_the_source_line() -> None:
    record = {"file": "hf:org/model@abc123", "field": "co2_eq_emissions", "published": "5", "unit": "g", "own": True}
    line = source_line("org/model", "carbon_g", 5.0, [record])
    assert "hf:org/model@abc123" in line


def test_an_ingest_stopped_after_a_batch_leaves_its_graph_marked(empty_graph: Graph) -> None:
    cards = [_fetched_card(f"org/m{i}", f"{i:040d}") for i in range(3)]

    def stopped() -> Iterator[Card]:
        yield from cards[:2]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_cards(empty_graph, stopped(), IngestReport(), batch_size=1)
    assert empty_graph.read(f"MATCH (d:{COMPLETE_LABEL}) RETURN count(d) AS n")[0]["n"] == 1
