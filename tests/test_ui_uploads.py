"""Card uploads on the chat page (AppTest) and its upload handler: validation report, zips, hostile names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assistant.graph.connection import Graph
from ingest.sample import generate_cards
from tests.ui_page import assert_no_traceback, card_bytes, start_page

# sample_graph, page_env, llm_env, fresh_caches (and fake_llm)
pytest_plugins = ("tests.ui_fixtures",)
pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_an_upload_lands_in_the_graph_with_the_validation_report(sample_graph: Graph, page_env: dict[str, str]) -> None:
    card = generate_cards(count=1, seed=7)[0] | {"name": "uploaded-by-apptest"}
    at = start_page()
    uploader = at.sidebar.file_uploader[0]

    uploader.set_value(
        [
            ("good.json", card_bytes(card), "application/json"),
            ("broken.json", b'{"name": "broken", ', "application/json"),
        ]
    ).run()
    at.button(key="upload-ingest").click().run()

    assert_no_traceback(at)
    rows = sample_graph.read("MATCH (m:Model {name: 'uploaded-by-apptest'}) RETURN m.source AS source")
    assert rows == [{"source": "upload:good.json"}]
    report = [e.value for e in at.sidebar.error]
    assert any("1 models written" in line and "1 rejected" in line for line in report)
    assert any(line.startswith("rejected: upload:broken.json") for line in report)
    # The schema cache was invalidated: the sidebar counts the new model.
    assert any("Model 49" in c.value for c in at.sidebar.caption)


def test_the_upload_handler_ingests_a_zip_and_names_the_uploaded_files(sample_graph: Graph) -> None:
    # The page's handler, called directly: a zip of cards as the browser would send it.
    from assistant.ui.uploads import Upload, ingest_uploads

    good = generate_cards(count=2, seed=11)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cards/one.json", card_bytes(good[0] | {"name": "zip-one"}))
        archive.writestr("cards/two.json", card_bytes(good[1] | {"name": "zip-two"}))
        archive.writestr("cards/bad.json", card_bytes({"name": "no-fields"}))

    report = ingest_uploads(sample_graph, [Upload("batch.zip", buffer.getvalue())])

    assert report.models_written == 2
    assert {p.source for p in report.rejected} == {"upload:batch.zip!cards/bad.json"}
    rows = sample_graph.read("MATCH (m:Model) WHERE m.name STARTS WITH 'zip-' RETURN m.source AS s ORDER BY s")
    assert [r["s"] for r in rows] == ["upload:batch.zip!cards/one.json", "upload:batch.zip!cards/two.json"]


def test_the_upload_handler_keeps_hostile_file_names_inside_its_temporary_folder(
    sample_graph: Graph, tmp_path: Path
) -> None:
    from assistant.ui.uploads import Upload, ingest_uploads

    card = generate_cards(count=1, seed=13)[0]
    uploads = [
        Upload("../../escape.json", card_bytes(card | {"name": "hostile-one"})),
        Upload("../../escape.json", card_bytes(card | {"name": "hostile-two"})),
    ]

    report = ingest_uploads(sample_graph, uploads)

    assert report.ok and report.models_written == 2
    assert not (tmp_path.parent / "escape.json").exists()
    rows = sample_graph.read("MATCH (m:Model) WHERE m.name STARTS WITH 'hostile-' RETURN m.source AS s")
    assert {r["s"] for r in rows} == {"upload:../../escape.json"}


def test_the_upload_handler_reads_hugging_face_cards_and_codecarbon_logs(empty_graph: Graph) -> None:
    from assistant.ui.uploads import Upload, ingest_uploads
    from tests.conftest import REPO

    hf = REPO / "tests" / "data" / "hf"
    card, log = hf / "cards" / "synthetic-scalar.md", hf / "codecarbon" / "synthetic-v1-emissions.csv"
    readme = hf / "cards" / "synthetic-folder" / "README.md"
    report = ingest_uploads(
        empty_graph,
        [
            Upload(card.name, card.read_bytes()),
            Upload(log.name, log.read_bytes()),
            Upload("README.md", readme.read_bytes()),
        ],
    )
    names = {r["n"] for r in empty_graph.read("MATCH (m:Model) RETURN m.name AS n")}
    assert names == {"synthetic-scalar", "synthetic-v1"}  # the log's project_name
    (problem,) = report.rejected
    assert str(problem).startswith("upload:README.md: a Hugging Face card is named after its file")
    sources = {r["s"] for r in empty_graph.read("MATCH (m:Model) RETURN m.source AS s")}
    assert all(s.startswith("upload:") for s in sources), sources
