"""The metric names the MCP tools take, mapped onto the offline engine's metrics of the live graph.

Costs have fixed names (``training_carbon`` in g CO2, ``inference_energy`` in J
per inference ...); quality metrics are the evaluation metrics the cards
report, as the graph holds them (``accuracy``, ``r_squared``, ``mae`` ...). Only
the metrics this graph has are offered, and an unknown name is refused with
the list of the ones it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from assistant.engines.offline.plan.metric_names import NamedMetric, named_metrics
from assistant.engines.offline.read.metrics import MetricCatalog
from assistant.errors import InvalidArgumentError
from assistant.language.measurements import implausible, is_measured, is_non_finite, with_unit
from assistant.mcp_server.schemas import MetricInfo, Quantity


def quantity(name: str, value: Any, unit: str, *, measured: bool | None = None) -> Quantity:
    """``value`` of the property or metric ``name`` with its unit; carbon and energy of 0 read "not measured"."""
    if value is None:
        return Quantity(value=None, unit=unit, text="not recorded", measured=False)
    if isinstance(value, list):  # a Hugging Face card's languages or tags
        items = [str(v) for v in value]
        return Quantity(value=items, unit="", text=", ".join(items), measured=True)
    said = f"{value} {unit}".strip()
    if is_non_finite(value):  # published as NaN or an infinity: flagged at ingest, no real measurement
        text = f"{said} as published (flagged: cannot be a real measurement)"
        return Quantity(value=str(value), unit=unit, text=text, measured=False)
    if reason := implausible(name, value):  # the one rule the ingest flagged it by: a -5 g or a 150 accuracy
        return Quantity(value=value, unit=unit, text=f"{said} as published (flagged: {reason})", measured=False)
    if not (is_measured(name, value) if measured is None else measured):
        return Quantity(value=value, unit=unit, text=f"not measured ({said} in the card)", measured=False)
    base, _, per = unit.partition(" per ")
    text = with_unit(value, base) + (f" per {per}" if per else "")
    return Quantity(value=value, unit=unit, text=text, measured=True)


@dataclass(frozen=True)
class ToolMetric(NamedMetric):
    """A metric the tools accept, with the engine's metric behind it."""

    def info(self) -> MetricInfo:
        better: Literal["lower", "higher"] = "higher" if self.metric.better == "higher" else "lower"
        guessed = "" if self.metric.known_direction else " (direction guessed from the name)"
        return MetricInfo(
            name=self.name,
            kind=self.kind,
            unit=self.unit,
            better=better,
            description=self.description + guessed,
            measured_only=self.metric.measured,
        )

    def value(self, raw: Any) -> Quantity:
        """A value of this metric from a result row (the engine's ``measured`` flag says whether 0 is unmeasured)."""
        return quantity(
            self.metric.prop,
            raw,
            self.unit,
            measured=is_measured(self.name, raw, zero_is_unmeasured=self.metric.measured),
        )


class ToolMetrics:
    """The metrics of one graph under their tool names."""

    def __init__(self, catalog: MetricCatalog) -> None:
        self.by_name: dict[str, ToolMetric] = {
            name: ToolMetric(name, named.metric, named.kind, named.description)
            for name, named in named_metrics(catalog).items()
        }

    def infos(self) -> list[MetricInfo]:
        """Every metric, costs first."""
        return [m.info() for m in sorted(self.by_name.values(), key=lambda m: (m.kind != "cost", m.name))]

    def get(self, name: str, *, kind: str | None = None, argument: str = "metric") -> ToolMetric:
        """The metric ``name`` (of ``kind``, when given).

        Raises:
            InvalidArgumentError: No such metric in this graph, or not of ``kind``; the message lists the allowed ones.
        """
        found = self.by_name.get(name.strip()) or self.by_name.get(name.strip().lower())
        allowed = sorted(n for n, m in self.by_name.items() if kind is None or m.kind == kind)
        if found is None or (kind is not None and found.kind != kind):
            what = f"{kind} metric" if kind else "metric"
            listed = ", ".join(allowed) if allowed else "none (the graph holds no such values)"
            raise InvalidArgumentError(f"Unknown {what} {name!r} for {argument} - use one of: {listed}")
        return found

    def by_column(self, chosen: list[ToolMetric]) -> dict[str, str]:
        """Result column -> tool name, for the metrics a call used."""
        return {m.metric.column: m.name for m in chosen}
