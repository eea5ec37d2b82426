"""``mrm3 ingest hf:ORG/NAME``: a card fetched from a Hub through the real ``huggingface_hub`` client.

The Hub is tests/fake_hub.py on 127.0.0.1, reached through ``HF_ENDPOINT`` as a mirror would be; the graph is
the session's real embedded server. The expected values come from the synthetic card file itself.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from assistant.graph.connection import Graph
from assistant.graph.stats import graph_stats
from tests.conftest import REPO, run_mrm3
from tests.fake_hub import FakeHub, HubRepo, serving

CARD = REPO / "tests" / "data" / "hf" / "cards" / "synthetic-mapping.md"
CONFIG = {"architectures": ["SyntheticForQuestionAnswering"], "model_type": "synthetic", "hidden_size": 8}
SHA = "feedfacefeedfacefeedfacefeedfacefeedface"
TOKEN = "hf_secretsecretsecretsecret"


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHub]:
    card = CARD.read_bytes()
    repos = {
        "example/synthetic-mapping": HubRepo(
            {"README.md": card, "config.json": json.dumps(CONFIG).encode()}, sha=SHA, parameters=110_000_000
        ),
        "example/no-config": HubRepo({"README.md": card}),
        "example/no-card": HubRepo({"config.json": b"{}"}),
        "example/gated": HubRepo({"README.md": card}, gated=True),
    }
    with serving(FakeHub(repos, token=TOKEN)) as fake:
        yield fake


def _env(cli_env: dict[str, str], hub: FakeHub, tmp_path: Path, **more: str) -> dict[str, str]:
    return {**cli_env, "HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf-home"), **more}


def test_a_hub_card_lands_with_its_config_and_commit(
    empty_graph: Graph, cli_env: dict[str, str], hub: FakeHub, tmp_path: Path
) -> None:
    env = _env(cli_env, hub, tmp_path)
    done = run_mrm3(["ingest", "hf:example/synthetic-mapping"], env)
    assert done.returncode == 0, done.stderr
    model = empty_graph.read("MATCH (m:Model {name: 'example/synthetic-mapping'}) RETURN properties(m) AS m")[0]["m"]
    assert model["hubRevision"] == SHA and model["parameterCount"] == 110_000_000
    assert model["modelType"] == CONFIG["model_type"] and model["source"] == f"hf:example/synthetic-mapping@{SHA}"
    (arch,) = empty_graph.read(
        "MATCH (:Model {name: 'example/synthetic-mapping'})-[:UTILIZES]->(a:ModelArchitecture) RETURN a.type AS t"
    )
    assert arch["t"] == CONFIG["architectures"][0]
    published = _front_matter(CARD)["co2_eq_emissions"]["emissions"]
    (training,) = empty_graph.read(
        "MATCH (t:ModelTraining {model: 'example/synthetic-mapping'}) RETURN t.carbonFootprint AS g"
    )
    assert training["g"] == pytest.approx(published)
    before = graph_stats(empty_graph)
    again = run_mrm3(["ingest", "hf:example/synthetic-mapping"], env)
    assert again.returncode == 0 and graph_stats(empty_graph) == before


def test_a_repository_without_config_still_gives_its_card(
    empty_graph: Graph, cli_env: dict[str, str], hub: FakeHub, tmp_path: Path
) -> None:
    done = run_mrm3(["ingest", "hf:example/no-config"], _env(cli_env, hub, tmp_path))
    assert done.returncode == 0, done.stderr
    rows = empty_graph.read("MATCH (m:Model {name: 'example/no-config'}) OPTIONAL MATCH (m)-[:UTILIZES]->(a) "
                            "RETURN m.parameterCount AS p, a AS a")  # fmt: skip
    assert rows == [{"p": None, "a": None}]


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("hf:example/missing", "the Hub has no model example/missing (or it is private - set HF_TOKEN"),
        ("hf:example/no-card", "example/no-card has no README.md model card on the Hub"),
        ("hf:example/gated", "example/gated is gated on the Hub - accept its conditions there and set HF_TOKEN"),
        ("hf:not a repo!", "is not a Hub model id - write hf:ORG/NAME"),
    ],
    ids=["unknown repository", "no card", "gated without a token", "malformed id"],
)
def test_a_refused_fetch_is_one_line_and_the_rest_is_ingested(
    empty_graph: Graph, cli_env: dict[str, str], hub: FakeHub, tmp_path: Path, ref: str, reason: str
) -> None:
    done = run_mrm3(["ingest", ref, "hf:example/no-config"], _env(cli_env, hub, tmp_path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith(f"rejected: {ref}:")]
    assert reason in line
    assert empty_graph.read("MATCH (m:Model) RETURN m.name AS n") == [{"n": "example/no-config"}]


def test_hf_token_opens_a_gated_model_and_never_shows(
    empty_graph: Graph, cli_env: dict[str, str], hub: FakeHub, tmp_path: Path
) -> None:
    done = run_mrm3(["ingest", "hf:example/gated"], _env(cli_env, hub, tmp_path, HF_TOKEN=TOKEN))
    assert done.returncode == 0, done.stderr
    assert f"Bearer {TOKEN}" in hub.authorizations
    assert TOKEN not in done.stdout + done.stderr
    assert empty_graph.read("MATCH (m:Model) RETURN m.name AS n") == [{"n": "example/gated"}]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_hub_is_one_clear_line(empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    env = {**cli_env, "HF_ENDPOINT": endpoint, "HF_HOME": str(tmp_path / "empty-cache")}
    done = run_mrm3(["ingest", "hf:example/synthetic-mapping"], env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if "hf:example/synthetic-mapping" in line]
    assert f"the Hugging Face Hub cannot be reached at {endpoint}" in line
    assert "check the network, or set HF_ENDPOINT" in line
    assert graph_stats(empty_graph)["nodes"] == {}


def test_a_card_fetched_before_is_read_from_the_cache_when_the_hub_is_gone(
    empty_graph: Graph, cli_env: dict[str, str], hub: FakeHub, tmp_path: Path
) -> None:
    cache = str(tmp_path / "hf-home")
    assert run_mrm3(["ingest", "hf:example/synthetic-mapping"], _env(cli_env, hub, tmp_path)).returncode == 0
    env = {**cli_env, "HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}", "HF_HOME": cache}
    done = run_mrm3(["ingest", "--reset", "hf:example/synthetic-mapping"], env)
    assert done.returncode == 0, done.stderr
    assert "the Hub cannot be reached" in done.stderr and "read from the local cache" in done.stderr
    rows = empty_graph.read("MATCH (m:Model)-[:UTILIZES]->(a) RETURN m.name AS n, a.type AS t")
    assert rows == [{"n": "example/synthetic-mapping", "t": CONFIG["architectures"][0]}]
