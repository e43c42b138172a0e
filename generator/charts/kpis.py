"""The key figures shown above the charts: one flat mapping, null where unknown, rounded for reading.
Every figure is over the time the range has data (docs/public-format.md)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.charts.data import COP, KWH, PERCENT, TEMPERATURE, rounded

if TYPE_CHECKING:
    from generator.analytics import SeasonSpf, Summary

MONEY = 2
MONEY_PER_KWH = 3
HOURS = 2


def _count(value: int | None) -> int | None:
    return None if value is None else int(value)


def _iso(ts: Any) -> str | None:
    return None if ts is None else ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _signature_fit(summary: "Summary") -> Any:
    """The heat signature's line of this heating season, else of the last one; None without either."""
    seasons = summary.signature.seasons if summary.signature is not None else ()
    return next((s.fit for s in reversed(seasons[-2:]) if s.fit is not None), None)


def _spfs(prefix: str, period: "SeasonSpf") -> dict[str, Any]:
    return {prefix: rounded(period.spf, COP), f"{prefix}_without_aux": rounded(period.spf_without_aux, COP),
            f"{prefix}_space": rounded(period.spf_space, COP), f"{prefix}_hot_water": rounded(period.spf_hot_water, COP)}


def season_kpis(summary: "Summary") -> dict[str, Any]:
    """The SPFs of the last twelve months and of the heating season so far, where the range's buckets are
    days (365d); elsewhere no keys at all, so the page hides their cards."""
    seasons = summary.seasons
    if seasons is None:
        return {}
    return {**_spfs("spf_year", seasons.year), **_spfs("spf_season", seasons.season),
            "season_from": _iso(seasons.season.start)}   # the local midnight the season began, as an instant


def build_kpis(summary: "Summary", means: dict[str, float | None]) -> dict[str, Any]:
    """`means`: time-weighted means over the range of the temperatures on the cards."""
    perf, energy, runtime, cycles, heat = (summary.performance, summary.energy, summary.runtime, summary.cycles,
                                           summary.heat)
    pricing = summary.pricing
    cycling = summary.cycling
    fit = _signature_fit(summary)
    return {
        "cop": rounded(perf.spf, COP),
        "cop_method": heat.method,
        "cop_basis": heat.basis,
        "flow_factor_kw_per_k": rounded(heat.flow_factor_kw_per_k, 2),
        "cop_plausible": perf.plausible,
        "carnot_spf": rounded(perf.carnot_spf, COP),
        "carnot_cop": rounded(perf.carnot_cop, COP),
        "carnot_share_pct": rounded(perf.carnot_share_pct, PERCENT),
        "energy_electric_kwh": rounded(energy.electric_kwh, KWH),
        "energy_heat_kwh": rounded(energy.heat_kwh, KWH),
        "energy_electric_kwh_per_day": rounded(summary.electric_kwh_per_day, KWH),
        "energy_heat_kwh_per_day": rounded(summary.heat_kwh_per_day, KWH),
        "compressor_runtime_pct": rounded(runtime.compressor_pct, PERCENT),
        "aux_heater_runtime_pct": rounded(runtime.aux_pct, PERCENT),
        "hot_water_share_pct": rounded(runtime.hot_water_share_pct, PERCENT),
        "compressor_starts": _count(cycles.starts),
        "compressor_starts_per_day": rounded(cycles.starts_per_day, 1),
        "avg_cycle_minutes": rounded(cycles.avg_cycle_minutes, 1),
        "short_cycling": cycling.short_cycling if cycling else None,
        "short_run_share_pct": rounded(cycling.short_run_share_pct if cycling else None, PERCENT),
        "short_run_minutes": rounded(cycling.short_run_minutes if cycling else None, 1),
        "starts_per_hour": rounded(cycling.mean_starts_per_hour if cycling else None, 2),
        "cost": rounded(summary.cost, MONEY),
        "currency": summary.currency,
        "tariff": pricing.tariff if pricing else "flat",
        "cost_per_day": rounded(pricing.per_day if pricing else None, MONEY),
        "cost_per_heat_kwh": rounded(pricing.per_heat_kwh if pricing else None, MONEY_PER_KWH),
        "cost_direct_electric": rounded(pricing.direct_electric if pricing else None, MONEY),
        "cost_saving": rounded(pricing.saving if pricing else None, MONEY),
        "outdoor_temp": rounded(summary.outdoor_mean, TEMPERATURE),
        "indoor_temp": rounded(means.get("indoor_temp"), TEMPERATURE),
        "hot_water_temp": rounded(means.get("hot_water_temp"), TEMPERATURE),
        "heat_loss_w_per_k": rounded(fit.ua_w_per_k, 0) if fit else None,
        "balance_temp_c": rounded(fit.balance_c, TEMPERATURE) if fit else None,
        "spf_without_aux": rounded(perf.spf_without_aux, COP),
        "spf_space": rounded(perf.spf_space, COP),
        "spf_hot_water": rounded(perf.spf_hot_water, COP),
        "hot_water_cycles": _count(summary.hot_water.cycles),
        "covered_hours": rounded(summary.coverage.hours, HOURS),
        "coverage_pct": rounded(summary.coverage.share * 100.0, PERCENT),
        "covered_from": _iso(summary.coverage.start),
        "covered_to": _iso(summary.coverage.end),
        **season_kpis(summary),
    }
