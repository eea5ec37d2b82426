"""Values every question would otherwise recompute, stored at ingest as indexed properties.

- Each inference run: its per-inference energy and carbon (the run's total over ``num_of_runs``), its device's
  processor, and whether it is the model's best run on that processor for latency, energy and carbon.
- Each model: its measured training carbon and energy (``trainingCarbon``, ``trainingEnergy``) and its best
  latency, energy and carbon per inference over all its runs (``bestLatency``, ...).

A value that is not measured is absent (null), never 0: in MRM3 cards a 0 means "not measured". The training
values of CodeCarbon runs are copied in the graph (REFRESH_TRAINING), in the transaction that sums the runs.
"""

from __future__ import annotations

import math
from typing import Any

from ingest.mapping import CardRows
from ingest.plausibility import ceiling, implausible
from ingest.store import GraphStore

# Model property -> the training property it keeps when measured.
TRAINING = {"trainingCarbon": "carbonFootprint", "trainingEnergy": "energyConsumption"}
# Per-inference property -> the run's total it divides by num_of_runs.
PER_INFERENCE = {"energyPerInference": "energyConsumption", "carbonPerInference": "carbonFootprint"}
# Model property -> the run property whose lowest value it keeps; run flag marking that best run per processor.
BEST = {
    "bestLatency": ("latency", "bestLatencyOnDevice"),
    "bestEnergyPerInference": ("energyPerInference", "bestEnergyOnDevice"),
    "bestCarbonPerInference": ("carbonPerInference", "bestCarbonOnDevice"),
}
DERIVED_PROPERTIES = frozenset({*TRAINING, *PER_INFERENCE, *BEST, *(flag for _, flag in BEST.values())})


def run_value(prop: str, per: str) -> str:
    """The inference-run property holding ``prop`` as an answer reads it: per inference (``per`` =
    ``"inference"``) the stored quotient when there is one, else the property itself (or ``""``)."""
    if per != "inference":
        return prop if per == "" else ""
    return next((copy for copy, source in PER_INFERENCE.items() if source == prop), "")


def model_best(run_prop: str) -> str:
    """The Model property keeping the lowest ``run_prop`` over a model's runs, or ``""``."""
    return next((best for best, (prop, _) in BEST.items() if prop == run_prop), "")


def copies_of(prop: str) -> tuple[str, ...]:
    """Every property the ingest derives from ``prop`` (a statement reading one reads ``prop``)."""
    direct = [copy for copy, source in (*TRAINING.items(), *PER_INFERENCE.items()) if source == prop]
    return (*direct, *(best for run in (prop, *direct) if (best := model_best(run))))


# The model's measured training values, from its training node (a card's, or the sums of its CodeCarbon runs).
REFRESH_TRAINING = """
UNWIND $names AS name
MATCH (m:Model {name: name})
OPTIONAL MATCH (t:ModelTraining {model: name})
WITH m, t, [f IN coalesce(t.flagged, []) | split(f, ':')[0]] AS flagged
SET m.trainingCarbon = CASE WHEN t.carbonFootprint > 0 AND t.carbonFootprint <= $carbon_max
                            AND NOT 'carbonFootprint' IN flagged THEN toFloat(t.carbonFootprint) END,
    m.trainingEnergy = CASE WHEN t.energyConsumption > 0 AND t.energyConsumption <= $energy_max
                            AND NOT 'energyConsumption' IN flagged THEN toFloat(t.energyConsumption) END
"""
REFRESH_LIMITS: dict[str, Any] = {"carbon_max": ceiling("g CO2"), "energy_max": ceiling("J")}
"""REFRESH_TRAINING's other parameters: implausible()'s ceilings, so a flagged value is never a copy."""


def derive_inference(rows: CardRows) -> None:
    """Per-inference values, devices and best-run flags on ``rows``' inference runs, and the model's bests and
    measured training values (those of CodeCarbon runs are summed in the graph: REFRESH_TRAINING)."""
    for model_prop, prop in TRAINING.items():
        value = (rows.training or {}).get(prop)
        # REFRESH_TRAINING's rule (above 0, not flagged), so a card's copy and a CodeCarbon sum's copy agree
        if (kept := _measured(value, name=prop)) is not None:
            rows.model[model_prop] = kept
    runs = [run["props"] for run in rows.inference]
    for run, entry in zip(runs, rows.inference, strict=True):
        count = run.get("num_of_runs")
        for prop, total in PER_INFERENCE.items():
            value = _measured(run.get(total), name=total)
            if value is not None and _measured(count) is not None:
                run[prop] = value / count
        if processor := entry["device"].get("processor"):
            run["deviceProcessor"] = processor
    for model_prop, (prop, flag) in BEST.items():
        # A latency of 0 is a value as the statements read it (only carbon and energy have "0 = not measured").
        measured = [run for run in runs if _measured(run.get(prop), zero=prop == "latency", name=prop) is not None]
        if measured:
            rows.model[model_prop] = float(min(run[prop] for run in measured))
        for processor in {run.get("deviceProcessor") for run in measured}:
            on_device = [run for run in measured if run.get("deviceProcessor") == processor]
            min(on_device, key=lambda run: run[prop])[flag] = True


# One node says every model of the graph carries the derived values: a graph written (even in part) by an older
# ingest or another tool has none, and its questions are answered from the cards' own values.
COMPLETE_LABEL = "DerivedValues"
HAS_MARKER = f"MATCH (d:{COMPLETE_LABEL}) RETURN count(d) AS n"
HAS_MODELS = "MATCH (m:Model) RETURN count(m) AS n"
MARK_COMPLETE = f"MERGE (d:{COMPLETE_LABEL} {{version: 1}})"


def derived_complete(graph: GraphStore) -> bool:
    """Whether every model already in the graph carries the derived values (an empty graph does)."""
    if graph.read(HAS_MARKER)[0]["n"]:
        return True
    return not graph.read(HAS_MODELS)[0]["n"]


def mark_complete(graph: GraphStore) -> None:
    """Say that every model of the graph carries the derived values (call after writing to a complete graph)."""
    graph.run_write(MARK_COMPLETE)


def _measured(value: Any, *, zero: bool = False, name: str = "") -> float | None:
    """``value`` when it is a finite number above 0 (or at 0, with ``zero``), and not flagged as impossible for the
    quantity ``name`` (:func:`implausible`): a measurement; else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if name and implausible(name, value):
        return None
    return float(value) if value > 0 or (zero and value == 0) else None
