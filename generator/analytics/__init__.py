"""Heat-pump analytics: pure functions on per-bucket frames (the frame is Source.series(), see
generator/sources/base.py).

Every quantity counts only the time data covers: a bucket's energy is its held mean power × its covered
time (a bucket may be 23 or 25 h long, or half covered), never the mean stretched over the whole bucket,
and every rate (per day, per hour, %) is per covered time.  Every ratio of a period is energy-weighted
(Σheat ÷ Σelectricity) over the buckets where both sides are known, never a mean of instantaneous ratios.
Counts of starts, cycles and alarm events come from state changes at full resolution, never from bucket
means.  How heat is known is decided once, by providers.roles.decide_heat().

The package holds: records (what it returns), buckets (per-bucket arithmetic), heat (heat, COP, Carnot),
energy (totals, SPF, runtime shares), events (starts, charges, alarms), cycling (run and pause
lengths, starts per hour, short cycling), signature (daily heat against outdoor temperature, per heating
season), periods (local days, seasons); summarize() puts them together.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from generator.analytics.buckets import (
    bucket_hours,
    column,
    compressor_power,
    coverage,
    covered_hours,
    days_of,
    electricity,
    kwh,
    ratio,
    time_weighted_mean,
)
from generator.analytics.cost import bucket_prices, cost, cost_problems
from generator.analytics.cycling import BINS_MINUTES, cycling, histogram
from generator.analytics.energy import energy, performance, runtime
from generator.analytics.events import alarm_events, compressor_cycles, hot_water_cycles
from generator.analytics.heat import (
    carnot,
    carnot_cop,
    cop_series,
    heat,
    running_carnot_cop,
    suggest_flow_factor,
)
from generator.analytics.monthly import (
    from_first_data,
    from_first_month,
    heat_by_month,
    months,
)
from generator.analytics.periods import (
    daily,
    local_days,
    period_spf,
    season_began,
    seasons,
)
from generator.analytics.quality import left_out, metric_quality
from generator.analytics.records import (
    AlarmEvent,
    Cost,
    Coverage,
    Cycles,
    Cycling,
    Days,
    Energy,
    FlowSuggestion,
    Heat,
    HotWater,
    MetricQuality,
    Month,
    Params,
    Performance,
    Runtime,
    Seasons,
    SeasonSpf,
    Signature,
    SignatureFit,
    SignatureSeason,
    Summary,
)
from generator.analytics.signature import season_start, signature
from generator.core.ranges import Window

__all__ = [
    "BINS_MINUTES", "Cycling", "cycling", "histogram",
    "AlarmEvent", "Cost", "Coverage", "Cycles", "Days", "Energy", "FlowSuggestion", "Heat", "HotWater", "MetricQuality", "Month", "Params",
    "Performance", "Runtime", "SeasonSpf", "Seasons", "Signature", "SignatureFit", "SignatureSeason", "Summary", "alarm_events", "bucket_hours", "bucket_prices", "carnot", "carnot_cop", "column",
    "compressor_cycles", "compressor_power", "cop_series", "cost", "cost_problems", "coverage", "covered_hours", "daily", "days_of",
    "electricity", "energy", "from_first_data", "from_first_month", "heat", "heat_by_month", "hot_water_cycles", "kwh", "left_out", "local_days", "metric_quality", "months", "performance", "period_spf", "running_carnot_cop", "runtime", "season_began", "season_start", "seasons", "signature", "summarize",
    "suggest_flow_factor", "time_weighted_mean",
]


def summarize(frame: pd.DataFrame, changes: dict[str, pd.Series], window: Window, params: Params,
              hourly: pd.DataFrame | None = None, heat_: Heat | None = None) -> Summary:
    """All figures of one range.  `hourly`: on a range of daily buckets, the same window in hourly buckets
    for the seasons' split into space heating and hot water (periods.seasons); optional.  `heat_`: when the
    heat of its buckets was found on finer ones ("all")."""
    heat_ = heat_ if heat_ is not None else heat(frame, window, params)
    e = energy(frame, window, heat_)
    counter = column(frame, "compressor_starts_total")
    starts_days = days_of(frame, window, "compressor_starts_total" if counter is not None else "compressor_on")
    elec_name = "energy_electric" if column(frame, "energy_electric") is not None else "power_electric"
    pricing = cost(frame, window, heat_, params)
    heat_days = days_of(frame, window, {"energy_heat": "energy_heat", "heat_output": "heat_output"}.get(
        heat_.basis or "", elec_name))
    # the SPFs of the year and the season need days; on shorter buckets they would be the range's own
    seasons_ = seasons(frame, window, heat_, params, hourly) if window.calendar_days else None
    perf = performance(frame, window, heat_, e, params)
    if seasons_ is not None:  # daily buckets split by valve time give both modes the day's COP: the hours' split
        perf = replace(perf, spf_space=seasons_.year.spf_space, spf_hot_water=seasons_.year.spf_hot_water)
    return Summary(
        heat=heat_,
        energy=e,
        performance=perf,
        runtime=runtime(frame, window),
        cycles=compressor_cycles(changes.get("compressor_on"), window, counter, starts_days),
        hot_water=hot_water_cycles(changes.get("switch_valve"), window, params.hot_water_min_cycle_minutes,
                                   e.heat_hot_water_kwh),
        alarm_events=alarm_events(changes.get("alarm_code"), window, changes.get("alarm_active")),
        coverage=coverage(frame, window),
        electric_kwh_per_day=ratio(e.electric_kwh, days_of(frame, window, elec_name)),
        heat_kwh_per_day=ratio(e.heat_kwh, heat_days),
        outdoor_mean=time_weighted_mean(frame, window, "outdoor_temp"),
        cost=pricing.cost,
        currency=params.currency,
        pricing=pricing,
        cycling=cycling(changes.get("compressor_on"), frame, window, params),
        signature=signature(frame, window, heat_, params.heating_start),
        seasons=seasons_,
    )
