"""Grid carbon intensity per country, from the data file CodeCarbon ships (read in place, never its tracker).

A training's energy moved to another grid emits ``energy (kWh) x the grid's intensity (g CO2 per kWh)``.
CodeCarbon's ``global_energy_mix.json`` gives each country's intensity and the year of the data; the file is
found with :func:`importlib.util.find_spec`, so nothing of CodeCarbon is imported (its package imports its
tracker and half a dozen libraries).
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError

DATA_FILE = ("data", "private_infra", "global_energy_mix.json")
J_PER_KWH = 3_600_000.0


@dataclass(frozen=True)
class Grid:
    """One country's electricity grid."""

    iso: str
    country: str
    g_per_kwh: float
    year: int

    def emissions_g(self, energy_j: float) -> float:
        """The carbon (g CO2) of ``energy_j`` joules drawn from this grid."""
        return energy_j / J_PER_KWH * self.g_per_kwh


@dataclass(frozen=True)
class Grids:
    """Every country's grid, and where the figures come from."""

    by_iso: dict[str, Grid]
    source: str

    def named(self, name: str) -> Grid | None:
        """The grid of a country named by its name ("France") or ISO code ("FRA"), case aside."""
        said = name.strip().lower()
        for grid in self.by_iso.values():
            if said in (grid.country.lower(), grid.iso.lower()):
                return grid
        return None

    def nearest(self, g_per_kwh: float, tolerance: float = 0.02) -> Grid | None:
        """The country whose intensity is within ``tolerance`` of ``g_per_kwh`` (the closest), or None."""
        close = [g for g in self.by_iso.values() if abs(g.g_per_kwh - g_per_kwh) <= tolerance * g_per_kwh]
        return min(close, key=lambda g: abs(g.g_per_kwh - g_per_kwh)) if close else None


@functools.cache
def load_grids() -> Grids:
    """CodeCarbon's per-country grid intensities.

    Raises:
        ConfigError: CodeCarbon (and so its data file) is not installed, or the file does not read.
    """
    spec = importlib.util.find_spec("codecarbon")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("CodeCarbon's grid data is not installed - pip install codecarbon")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*DATA_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"Cannot read CodeCarbon's grid data at {path}: {e} - reinstall codecarbon") from e
    grids = {
        iso: Grid(iso, str(row.get("country_name", iso)), float(row["carbon_intensity"]), int(row.get("year", 0)))
        for iso, row in data.items()
        if isinstance(row, dict) and isinstance(row.get("carbon_intensity"), int | float)
    }
    years = sorted({g.year for g in grids.values() if g.year})
    version = importlib.metadata.version("codecarbon")
    when = f"{years[-1]}" if len(years) == 1 else f"{years[0]}-{years[-1]}" if years else "no year given"
    return Grids(grids, f"CodeCarbon {version}, global_energy_mix.json ({when})")
