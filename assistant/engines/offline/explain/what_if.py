"""A training on another grid: its energy (kWh) x each grid's carbon intensity, with the data's source and year.

Where the card's own carbon over its energy matches a country's published intensity, the answer says which
grid the training was measured on.
"""

from __future__ import annotations

from typing import Any

from assistant.engines.offline.plan.frame import Frame
from assistant.language.grid import J_PER_KWH, Grid, Grids
from assistant.language.measurements import is_non_finite, number, with_unit


def what_if_text(frame: Frame, rows: list[dict[str, Any]], grids: Grids) -> str:
    """Each model's training carbon on the grids asked, the lowest named when asked, a move's saving.

    ``rows`` becomes the evidence the words are read from: one row per model and grid (see :func:`_priced`).
    """
    regions = [grids.by_iso[iso] for iso in frame.regions if iso in grids.by_iso]
    if not rows:
        return "No model matches, so there is no training energy to price on another grid."
    per_model = [(row, _priced(row, regions, frame.region_ask)) for row in rows]
    parts = [_model_text(row, priced, frame.region_ask, grids) for row, priced in per_model]
    years = sorted({g.year for g in regions if g.year})
    rows[:] = [line for _, priced in per_model for line in priced]
    if frame.region_ask == "least":  # the lowest estimate first
        rows.sort(key=lambda r: r.get("estimated_carbon_g", float("inf")))
    return " ".join(parts) + f" Grid intensities: {grids.source}; {', '.join(map(str, years))} for these countries."


def _priced(row: dict[str, Any], regions: list[Grid], ask: str) -> list[dict[str, Any]]:
    """A model's rows, one per grid: the measured energy, the grid's intensity and year, the estimate beside the
    measured carbon. A model without measured energy keeps one row, with no estimate. A move's row at its
    destination adds ``saved_carbon_g`` (negative when the move adds carbon)."""
    energy = row.get("energy_j")
    if not isinstance(energy, int | float) or energy <= 0 or not regions:
        carbon = row.get("carbon_g")  # a 0 is not measured: no number a program could read as zero emissions
        measured = isinstance(carbon, int | float) and carbon > 0
        return [{**row, "energy_j": None, "carbon_g": carbon if measured else None}]
    priced: list[dict[str, Any]] = [
        {
            "model": row.get("model"), "country": grid.country, "g_co2_per_kwh": grid.g_per_kwh,
            "grid_year": grid.year, "energy_j": energy, "energy_kwh": energy / J_PER_KWH,
            "estimated_carbon_g": grid.emissions_g(energy), "measured_carbon_g": row.get("carbon_g"),
        }
        for grid in regions
    ]  # fmt: skip
    if ask == "saving" and len(priced) == 2:
        priced[1]["saved_carbon_g"] = priced[0]["estimated_carbon_g"] - priced[1]["estimated_carbon_g"]
    return priced


def _model_text(row: dict[str, Any], priced: list[dict[str, Any]], ask: str, grids: Grids) -> str:
    """One model's what-if in words, read from its priced rows."""
    model, energy, carbon = row.get("model"), row.get("energy_j"), row.get("carbon_g")
    if is_non_finite(energy):
        return f"{model}: its training energy is published as {energy}, flagged as impossible, so no estimate."
    if not isinstance(energy, int | float) or energy <= 0:
        return f"{model}: its training energy is NOT MEASURED (0 or none in the card), so no estimate."
    priced = [p for p in priced if "country" in p]  # no grid asked: the energy alone
    each = "; ".join(
        f"in {p['country']} ({number(p['g_co2_per_kwh'])} g CO2/kWh): {with_unit(p['estimated_carbon_g'], 'g CO2')}"
        for p in priced
    )
    text = f"{model} used {with_unit(energy, 'J')} to train, that is {number(energy / J_PER_KWH)} kWh; {each}."
    if ask == "least" and priced:
        least = min(priced, key=lambda p: p["estimated_carbon_g"])
        text = (
            f"{model} would emit least in {least['country']}: {with_unit(least['estimated_carbon_g'], 'g CO2')}. "
            + text
        )
    if priced and "saved_carbon_g" in priced[-1]:
        saved = priced[-1]["saved_carbon_g"]
        move = f"Moving it from {priced[0]['country']} to {priced[1]['country']}"
        text += f" {move} would {'save' if saved >= 0 else 'add'} {with_unit(abs(saved), 'g CO2')}."
    return text + _measured_on(carbon, energy, grids)


def _measured_on(carbon: Any, energy: float, grids: Grids) -> str:
    """ " As measured: 1.039 g CO2 for 16,190 J, 231 g CO2/kWh: Slovenia's published intensity (231.3)."."""
    if not isinstance(carbon, int | float) or carbon <= 0:
        return ""
    implied = carbon / (energy / J_PER_KWH)
    grid = grids.nearest(implied)
    where = f": {grid.country}'s published intensity ({number(grid.g_per_kwh)})" if grid else ""
    return f" As measured: {with_unit(carbon, 'g CO2')}, {number(implied)} g CO2/kWh{where}."
