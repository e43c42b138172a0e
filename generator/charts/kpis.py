"""The key figures shown above the charts: one flat mapping, null where unknown, rounded for reading."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from generator.charts.data import COP, KWH, PERCENT, TEMPERATURE, rounded

if TYPE_CHECKING:
    from generator.analytics import Summary

MONEY = 2


def _count(value: int | None) -> int | None:
    return None if value is None else int(value)


def build_kpis(summary: "Summary", latest_values: Mapping[str, float]) -> dict[str, Any]:
    perf, energy, runtime, cycles = summary.performance, summary.energy, summary.runtime, summary.cycles
    return {
        "cop": rounded(perf.spf, COP),
        "cop_method": summary.heat.method,
        "energy_electric_kwh": rounded(energy.electric_kwh, KWH),
        "energy_heat_kwh": rounded(energy.heat_kwh, KWH),
        "compressor_runtime_pct": rounded(runtime.compressor_pct, PERCENT),
        "aux_heater_runtime_pct": rounded(runtime.aux_pct, PERCENT),
        "hot_water_share_pct": rounded(runtime.hot_water_share_pct, PERCENT),
        "compressor_starts": _count(cycles.starts),
        "compressor_starts_per_day": rounded(cycles.starts_per_day, 1),
        "avg_cycle_minutes": rounded(cycles.avg_cycle_minutes, 1),
        "cost": rounded(summary.cost, MONEY),
        "currency": summary.currency,
        "outdoor_temp": rounded(latest_values.get("outdoor_temp"), TEMPERATURE),
        "indoor_temp": rounded(latest_values.get("indoor_temp"), TEMPERATURE),
        "hot_water_temp": rounded(latest_values.get("hot_water_temp"), TEMPERATURE),
        "spf_without_aux": rounded(perf.spf_without_aux, COP),
        "spf_space": rounded(perf.spf_space, COP),
        "spf_hot_water": rounded(perf.spf_hot_water, COP),
        "hot_water_cycles": _count(summary.hot_water.cycles),
    }
