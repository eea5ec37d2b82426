"""What the guard tests share: the graph schema of the MRM3 cards, and the two MRM3 README queries."""

from __future__ import annotations

from assistant.graph.schema import GraphSchema, PropertyInfo, RelationshipPattern


def props(*names: str) -> dict[str, PropertyInfo]:
    """String properties called ``names``."""
    return {name: PropertyInfo(name, ("STRING",)) for name in names}


METRICS = [f"{metric}_{stat}" for metric in ("mae", "r_squared", "accuracy", "f1") for stat in ("mean", "std")]

# Mirrors docs/graph-model.md.
SCHEMA = GraphSchema(
    node_properties={
        "Model": props("name", "version", "dateCreated", "size", "author", "path", "source", "cardHash"),
        "Dataset": props("name", "size"),
        "Service": props("name", "minAccuracy", "minLatency"),
        "ProblemType": props("name"),
        "ModelArchitecture": props("type", "explainability"),
        "Device": props("id", "processor", "cores", "graphicsCard", "gpuModel", "memoryCapacity"),
        "ModelTraining": props(
            "model",
            "carbonFootprint",
            "energyConsumptionCPU",
            "energyConsumptionGPU",
            "energyConsumption",
            "fitTime",
            "totalTrainTime",
            *METRICS,
        ),
        "Parameters": props("model", "optimizer", "splitType"),
        "Hyperparameters": props("id", "learning_rate", "epochs"),
        "ModelInference": props(
            "key",
            "model",
            "batch_size",
            "latency",
            "flops",
            "energyConsumption",
            "carbonFootprint",
            "num_of_runs",
            "total_time",
        ),
    },
    relationships=tuple(
        RelationshipPattern(*pattern)
        for pattern in [
            ("Model", "TRAINED_ON", "Dataset"),
            ("Model", "PROVIDES", "Service"),
            ("Service", "SOLUTION_FOR", "ProblemType"),
            ("Model", "UTILIZES", "ModelArchitecture"),
            ("ModelTraining", "TRAINS_ON", "Model"),
            ("ModelTraining", "RUNS_ON", "Device"),
            ("ModelTraining", "CONTAINS", "Parameters"),
            ("ModelTraining", "USES", "Hyperparameters"),
            ("ModelInference", "INFERENCE_ON", "Model"),
            ("ModelInference", "RUNS_ON", "Device"),
        ]
    ),
)

README_ENERGY = """MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset)
MATCH (m)-[:UTILIZES]->(a:ModelArchitecture)
MATCH (i:ModelInference)-[:INFERENCE_ON]->(m)
RETURN m.name, a.type as architecture, d.name as dataset, i.energyConsumption, i.flops
ORDER BY i.energyConsumption ASC"""

README_CARBON = """MATCH (m:Model)-[:TRAINED_ON]->(d:Dataset)
MATCH (m)-[:UTILIZES]->(a:ModelArchitecture)
MATCH (t:ModelTraining)-[:TRAINS_ON]->(m)
WHERE d.name = "lumos5g"
RETURN m.name, t.carbonFootprint, t.mae_mean
ORDER BY t.carbonFootprint ASC"""
