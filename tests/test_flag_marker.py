"""Whether an answer looks for flagged values is known exactly: the ingest marks each label that holds one, in
the transaction that writes it, so a flag on the 31st model is found by a schema read that samples 5 nodes.

Real embedded server; the flagged card is a real HF card file with a negative emission.
"""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.engines.offline.engine import OfflineEngine
from assistant.graph.connection import Graph
from assistant.graph.introspect import SchemaCache, introspect
from ingest.cards import Card
from ingest.flags import FLAG_MARKER_LABEL, FLAG_PROPERTY
from ingest.ingester import IngestReport, ingest_cards, ingest_paths

SAMPLE = 5


def test_a_flag_past_the_schema_sample_is_still_named(empty_graph: Graph, settings: Settings, tmp_path: Path) -> None:
    from ingest.sample import iter_cards

    ingest_cards(empty_graph, (Card(f"s:{c['name']}", c) for c in iter_cards(30, 3)), IngestReport())
    (tmp_path / "neg.md").write_text("---\nlicense: mit\nco2_eq_emissions: -5\n---\n# neg\n", encoding="utf-8")
    report = ingest_paths(empty_graph, [tmp_path])
    assert report.models_written == 1 and any("neg" in str(w) for w in report.warnings), report.warnings

    sampled = empty_graph.read(f"MATCH (n:ModelTraining) WITH n LIMIT {SAMPLE} RETURN n.{FLAG_PROPERTY} AS f")
    assert all(row["f"] is None for row in sampled)  # the sample alone would not see the flag
    assert introspect(empty_graph, sample=SAMPLE).has_property("ModelTraining", FLAG_PROPERTY)

    engine = OfflineEngine(empty_graph, SchemaCache(empty_graph, sample=SAMPLE), settings)
    answer = engine.answer("total training carbon of all models")
    assert any("neg" in note and "flagged" in note for note in answer.caveats), answer.caveats

    # the marker's values name labels, never anything a question asks about (a reviewer: "list models with an
    # evaluation result" was refused as "a value of FlaggedValues.label")
    assert not introspect(empty_graph, sample=SAMPLE).node_properties[FLAG_MARKER_LABEL]
    empty_graph.run_write(f"MATCH (f:{FLAG_MARKER_LABEL}) DETACH DELETE f")  # as a graph written before the marker
    assert not introspect(empty_graph, sample=SAMPLE).has_property("ModelTraining", FLAG_PROPERTY)
