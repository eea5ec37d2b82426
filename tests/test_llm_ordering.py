"""Reading the final ORDER BY of a model-written statement (pure: no graph, no LLM)."""

from __future__ import annotations

import pytest

from assistant.answers.row_facts import SortOrder
from assistant.engines.llm.ordering import sort_order


@pytest.mark.parametrize(
    ("cypher", "expected"),
    [
        (
            "MATCH (t:ModelTraining) RETURN t.model AS model, t.carbonFootprint AS training_carbon_g "
            "ORDER BY t.carbonFootprint DESC LIMIT 5",
            SortOrder("training_carbon_g", True, "t.carbonFootprint"),
        ),
        (
            "MATCH (i:ModelInference) RETURN i.model AS model, toFloat(i.energyConsumption) / i.num_of_runs AS "
            "energy_per_inference_j ORDER BY energy_per_inference_j",
            SortOrder("energy_per_inference_j", False, "energy_per_inference_j"),
        ),
        (
            "MATCH (i:ModelInference) RETURN i.model AS model ORDER BY i.energyConsumption / i.num_of_runs ASCENDING",
            SortOrder(None, False, "i.energyConsumption / i.num_of_runs"),
        ),
        (
            "MATCH (m:Model) RETURN m.name ORDER BY m.name desc, m.size SKIP 1",
            SortOrder("m.name", True, "m.name"),
        ),
        (
            "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model) WITH m, t ORDER BY t.carbonFootprint DESC "
            "RETURN m.name AS model, collect(t.carbonFootprint)[0] AS carbon_g",
            None,
        ),
        ("MATCH (m:Model) RETURN count(m) AS models", None),
        ("MATCH (m:Model) RETURN 'unterminated", None),
    ],
    ids=[
        "by the expression an alias names",
        "by the alias",
        "by an expression the rows do not show",
        "lower-case direction, first key only",
        "an ORDER BY inside WITH is not the result's order",
        "no ORDER BY",
        "not Cypher",
    ],
)
def test_the_final_order_by_is_read_and_mapped_to_a_column(cypher: str, expected: SortOrder | None) -> None:
    assert sort_order(cypher) == expected
