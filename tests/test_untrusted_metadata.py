"""Metadata written by strangers: an alias bomb is refused before it is expanded, and impossible values are stored
as published, flagged in one line at ingest, and named by every answer that shows, ranks or sums them.

The cards and logs are written here; the expected flags come from the values the test writes, not from the code.
"""

from __future__ import annotations

import copy
import json
import math
import tracemalloc
from pathlib import Path

import pytest

from assistant.answers.flags import flags_for
from assistant.graph.connection import Graph
from ingest.hf_cards import read_hf_card
from tests.conftest import run_mrm3
from tests.test_cards import good_card

CSV_HEADER = "timestamp,project_name,run_id,duration,emissions,energy_consumed,country_name,country_iso_code\n"


def alias_bomb(levels: int = 9) -> str:
    """Front matter whose every level repeats the one below nine times: 9**levels values from ~600 bytes."""
    lines = ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join([*lines, "co2_eq_emissions: 5", "---", "# bomb", ""])


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    text = alias_bomb()
    assert len(text) < 700
    tracemalloc.start()
    card = read_hf_card("bomb/README.md", text.encode())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert card.incomplete and "alias" in card.incomplete[0].reason and "refused" in card.incomplete[0].reason
    assert "co2" not in card.data  # nothing of it was expanded into the card
    assert peak < 50e6, f"reading the bomb took {peak / 1e6:.0f} MB"


def test_a_card_with_a_few_aliases_still_reads() -> None:
    text = "---\nbase: &b [imdb, sst2]\ndatasets: *b\nco2_eq_emissions: 12\n---\n# fine\n"
    card = read_hf_card("fine/README.md", text.encode())
    assert not card.incomplete
    assert card.data["datasets"] == ["imdb", "sst2"]
    assert card.data["co2"]["emissions"]["grams"] == 12


@pytest.fixture(scope="module")
def untrusted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("untrusted")
    (root / "neg").mkdir()
    (root / "neg" / "README.md").write_text("---\nco2_eq_emissions:\n  emissions: -5\n---\n# neg\n")
    (root / "huge").mkdir()
    (root / "huge" / "README.md").write_text("---\nco2_eq_emissions: 1e20\n---\n# huge\n")
    (root / "bomb").mkdir()
    (root / "bomb" / "README.md").write_text(alias_bomb())
    rows = [
        "2024-01-01T00:00:00,badlog,r1,10,0.001,-1,France,FRA",
        "2024-01-01T01:00:00,badlog,r2,10,0.001,inf,France,FRA",
    ]
    (root / "emissions.csv").write_text(CSV_HEADER + "\n".join(rows) + "\n")
    nan_latency = copy.deepcopy(good_card("nan-latency"))
    nan_latency["inference"][0]["latency"] = math.nan
    (root / "nan-latency.json").write_text(json.dumps(nan_latency))  # json writes NaN, as Python's json reads it
    (root / "fine.json").write_text(json.dumps(good_card("fine-model")))
    return root


EXPECTED_FLAGS = {  # file -> words its one warning line must hold (the reason last)
    "neg/README.md": ["-5", "flagged", "negative"],
    "huge/README.md": ["1e+20", "flagged", "beyond"],
    "emissions.csv at row 1": ["-1 kWh", "flagged", "negative"],
    "emissions.csv at row 2": ["inf", "flagged", "infinite"],
    "nan-latency.json": ["nan", "not a number"],  # the MRM3 reader keeps a NaN out of the graph, in one line
}


def test_impossible_values_are_stored_as_published_and_flagged_in_one_line_each(
    empty_graph: Graph, cli_env: dict[str, str], untrusted: Path
) -> None:
    done = run_mrm3(["ingest", str(untrusted)], cli_env)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    for where, words in EXPECTED_FLAGS.items():
        flagged = [line for line in lines if where in line and words[-1] in line]
        assert len(flagged) == 1, (where, lines)
        assert all(w in flagged[0] for w in words), flagged[0]
    bomb = [line for line in lines if "bomb" in line]
    assert len(bomb) == 1 and "alias" in bomb[0], lines
    assert not [line for line in lines if "fine-model" in line or "fine.json" in line]
    (neg,) = empty_graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: 'neg'}) RETURN t.carbonFootprint AS g, t.flagged AS f"
    )
    assert neg["g"] == -5 and len(neg["f"]) == 1 and neg["f"][0].startswith("carbonFootprint: ")
    (fine,) = empty_graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model {name: 'fine-model'}) RETURN t.flagged AS f"
    )
    assert fine["f"] is None


@pytest.mark.parametrize(
    ("question", "model", "word"),
    [
        ("what is the carbon footprint of neg", "neg", "negative"),
        ("which model has the lowest carbon footprint?", "neg", "negative"),
        ("which model has the highest carbon footprint?", "huge", "beyond"),
        ("what is the total energy of badlog", "badlog", "infinite"),
    ],
)
def test_every_answer_that_reads_a_flagged_value_names_it(
    empty_graph: Graph, cli_env: dict[str, str], untrusted: Path, question: str, model: str, word: str
) -> None:
    assert run_mrm3(["ingest", str(untrusted)], cli_env).returncode in (0, 1)
    done = run_mrm3(["ask", "--engine", "offline", "--json", question], cli_env)
    answer = json.loads(done.stdout)
    flagged = [c for c in answer["notes"] if "flagged" in c and model in c]
    assert flagged and word in flagged[0], answer


def test_an_answer_from_any_statement_names_the_flags_it_reads() -> None:
    flagged = [{"model": "neg", "flags": ["carbonFootprint: carbon is negative (-5 g CO2)"]}]
    named = flags_for([{"model": "neg", "carbon": -5}], "MATCH (t)-->(m) RETURN m.name, t.carbonFootprint", flagged)
    assert len(named) == 1 and "neg" in named[0] and "negative" in named[0]
    summed = flags_for([{"total": 12.0}], "RETURN sum(t.carbonFootprint) AS total", flagged)
    assert len(summed) == 1  # a total names every flagged value it may include
    assert flags_for([{"model": "neg", "lat": 1}], "RETURN m.name, i.latency", flagged) == []


def test_a_recursive_alias_is_refused_not_expanded_forever() -> None:
    card = read_hf_card("loop/README.md", b"---\ntags: &a [x, *a]\nco2_eq_emissions: 5\n---\n# loop\n")
    assert card.incomplete and "alias" in card.incomplete[0].reason


def test_a_negative_value_is_flagged_not_called_unmeasured(
    empty_graph: Graph, cli_env: dict[str, str], untrusted: Path
) -> None:
    run_mrm3(["ingest", str(untrusted)], cli_env)
    answer = json.loads(run_mrm3(["ask", "--engine", "offline", "--json", "lowest carbon footprint"], cli_env).stdout)
    unmeasured = [n for n in answer["notes"] if "NOT MEASURED" in n]
    assert not any("neg" in n.split("(e.g.")[-1].split(")")[0].split(", ") for n in unmeasured), unmeasured
    assert any("neg" in n and "flagged" in n for n in answer["notes"])


def test_card_data_the_card_reader_cannot_take_is_one_refused_entry() -> None:
    from ingest.harvest import HarvestQuery, HarvestReport, _card_of

    report = HarvestReport()
    entries = [{"id": "a/self", "cardData": {"self": 1}}, {"id": "a/evals", "cardData": {"eval_results": 3}}]
    assert [_card_of(e, HarvestQuery(), report, "entry") for e in entries] == [None, None]
    assert len(report.refused) == 2 and report.listed == 2


def test_an_abbreviation_the_graph_holds_is_read_as_written(
    empty_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "usamodel").mkdir()
    (tmp_path / "usamodel" / "README.md").write_text(
        "---\nco2_eq_emissions:\n  emissions: 12\n  geographical_location: USA\n---\n# usa\n"
    )
    assert run_mrm3(["ingest", str(tmp_path)], cli_env).returncode == 0
    done = run_mrm3(["ask", "--engine", "offline", "--json", "which models were trained in the USA?"], cli_env)
    answer = json.loads(done.stdout)
    assert answer["answered"] and "usamodel" in answer["answer"], answer
