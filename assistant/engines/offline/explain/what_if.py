"""A training on another grid: its energy (kWh) x each grid's carbon intensity, with the data's source and year.

Where the card's own carbon over its energy matches a country's published intensity, the answer says which
grid the training was measured on.
"""

from __future__ import annotations

from typing import Any

from assistant.engines.offline.plan.frame import Frame
from assistant.language.grid import J_PER_KWH, Grid, Grids
from assistant.language.measurements import number, with_unit


def what_if_text(frame: Frame, rows: list[dict[str, Any]], grids: Grids) -> str:
    """Each model's training carbon on the grids asked, the lowest named when asked, a move's saving."""
    regions = [grids.by_iso[iso] for iso in frame.regions if iso in grids.by_iso]
    if not rows:
        return "No model matches, so there is no training energy to price on another grid."
    parts = [_model_text(row, regions, frame.region_ask, grids) for row in rows]
    years = sorted({g.year for g in regions if g.year})
    rows[:] = evidence_rows(rows, regions, frame.region_ask)
    if frame.region_ask == "least":  # the lowest estimate first
        rows.sort(key=lambda r: r.get("estimated_carbon_g", float("inf")))
    return " ".join(parts) + f" Grid intensities: {grids.source}; {', '.join(map(str, years))} for these countries."


def evidence_rows(rows: list[dict[str, Any]], regions: list[Grid], ask: str = "") -> list[dict[str, Any]]:
    """One row per model and grid: the measured energy, the grid's intensity and year, the estimate beside the
    measured carbon (a model without measured energy keeps its row, with no estimate). A move's row at its
    destination adds ``saved_carbon_g`` (negative when the move adds carbon)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        energy = row.get("energy_j")
        if not isinstance(energy, int | float) or energy <= 0 or not regions:
            carbon = row.get("carbon_g")  # a 0 is not measured: no number a program could read as zero emissions
            measured = isinstance(carbon, int | float) and carbon > 0
            out.append({**row, "energy_j": None, "carbon_g": carbon if measured else None})
            continue
        priced: list[dict[str, Any]] = [
            {
                "model": row.get("model"), "country": grid.country, "g_co2_per_kwh": grid.g_per_kwh,
                "grid_year": grid.year, "energy_j": energy, "energy_kwh": energy / J_PER_KWH,
                "estimated_carbon_g": grid.emissions_g(energy), "measured_carbon_g": row.get("carbon_g"),
            }
            for grid in regions
        ]  # fmt: skip
        if ask == "saving" and len(priced) == 2:
            start, end = (float(row["estimated_carbon_g"]) for row in priced)
            priced[1]["saved_carbon_g"] = start - end
        out += priced
    return out


def _model_text(row: dict[str, Any], regions: list[Grid], ask: str, grids: Grids) -> str:
    model, energy, carbon = row.get("model"), row.get("energy_j"), row.get("carbon_g")
    if not isinstance(energy, int | float) or energy <= 0:
        return f"{model}: its training energy is NOT MEASURED (0 or none in the card), so no estimate."
    priced = [(grid, grid.emissions_g(energy)) for grid in regions]
    kwh = energy / J_PER_KWH
    each = "; ".join(f"in {g.country} ({number(g.g_per_kwh)} g CO2/kWh): {with_unit(e, 'g CO2')}" for g, e in priced)
    text = f"{model} used {with_unit(energy, 'J')} to train, that is {number(kwh)} kWh; " + each + "."
    if ask == "least" and priced:
        grid, emitted = min(priced, key=lambda pair: pair[1])
        text = f"{model} would emit least in {grid.country}: {with_unit(emitted, 'g CO2')}. " + text
    if ask == "saving" and len(priced) == 2:
        (start, a), (end, b) = priced
        saved = a - b
        verb = "save" if saved >= 0 else "add"
        text += f" Moving it from {start.country} to {end.country} would {verb} {with_unit(abs(saved), 'g CO2')}."
    return text + _measured_on(carbon, energy, grids)


def _measured_on(carbon: Any, energy: float, grids: Grids) -> str:
    """ " As measured: 1.039 g CO2 for 16,190 J, 231 g CO2/kWh: Slovenia's published intensity (231.3)."."""
    if not isinstance(carbon, int | float) or carbon <= 0:
        return ""
    implied = carbon / (energy / J_PER_KWH)
    grid = grids.nearest(implied)
    where = f": {grid.country}'s published intensity ({number(grid.g_per_kwh)})" if grid else ""
    return f" As measured: {with_unit(carbon, 'g CO2')}, {number(implied)} g CO2/kWh{where}."
