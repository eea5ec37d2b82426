"""Helpers of the chat page tests: start the page under Streamlit's AppTest, read what it shows, pick data.

Plain functions, imported by the test modules; the fixtures are in ``tests/ui_fixtures.py``.
"""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from assistant.graph.connection import Graph
from assistant.graph.schema import quote_name
from tests.conftest import REPO

APP = str(REPO / "streamlit_app.py")
TIMEOUT_S = 90

GREENEST = """
MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(d:Dataset {{name: '{dataset}'}})
WHERE t.carbonFootprint > 0
RETURN m.name AS model, t.carbonFootprint AS training_carbon_g
ORDER BY t.carbonFootprint ASC
LIMIT 5
"""
TRADE_OFF = """
MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)
WHERE t.accuracy_mean IS NOT NULL
RETURN m.name AS model, t.accuracy_mean AS accuracy, t.carbonFootprint AS training_carbon_g
ORDER BY accuracy DESC
"""


def start_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    return at


def page_text(at: AppTest) -> str:
    """Every string on the page (main area and sidebar), from the elements' protobufs."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def assert_no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    text = page_text(at)
    assert "Traceback" not in text and 'File "' not in text


def charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def lowest_carbon(graph: Graph, dataset: str) -> str:
    rows = graph.read(GREENEST.format(dataset=dataset))
    return str(rows[0]["model"])


def busiest_dataset(graph: Graph, metric: str) -> str:
    """The dataset with the most measured training runs that report ``metric`` (e.g. ``accuracy_mean``)."""
    rows = graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(:Model)-[:TRAINED_ON]->(d:Dataset) "
        f"WHERE t.{quote_name(metric)} IS NOT NULL AND t.carbonFootprint > 0 "
        "RETURN d.name AS name, count(*) AS n ORDER BY n DESC, name LIMIT 1"
    )
    return str(rows[0]["name"])


def classification_dataset(graph: Graph) -> str:
    return busiest_dataset(graph, "accuracy_mean")


def regression_dataset(graph: Graph) -> str:
    return busiest_dataset(graph, "mae_mean")


def card_bytes(card: dict[str, Any]) -> bytes:
    return json.dumps(card).encode()
