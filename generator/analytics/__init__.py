"""Heat-pump analytics: pure functions on per-bucket frames (the frame is Source.series(), see
generator/sources/base.py).

Every quantity counts only the time data covers: a bucket's energy is its held mean power × its covered
time (a bucket may be 23 or 25 h long, or half covered), never the mean stretched over the whole bucket,
and every rate (per day, per hour, %) is per covered time.  Every ratio of a period is energy-weighted
(Σheat ÷ Σelectricity) over the buckets where both sides are known, never a mean of instantaneous ratios.
Counts of starts, cycles and alarm events come from state changes at full resolution, never from bucket
means.  How heat is known is decided once, by providers.roles.decide_heat().

The package holds: records (what it returns), buckets (per-bucket arithmetic), heat (heat, COP, Carnot),
energy (totals, SPF, runtime shares), events (starts, charges, alarms); summarize() puts them together.
"""
from __future__ import annotations

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
    heat_by_month,
    months,
    read_history,
)
from generator.analytics.quality import left_out
from generator.analytics.records import (
    AlarmEvent,
    Cost,
    Coverage,
    Cycles,
    Energy,
    FlowSuggestion,
    Heat,
    HotWater,
    Month,
    Params,
    Performance,
    Runtime,
    Summary,
)
from generator.core.ranges import Window

__all__ = [
    "AlarmEvent", "Cost", "Coverage", "Cycles", "Energy", "FlowSuggestion", "Heat", "HotWater", "Month", "Params",
    "Performance", "Runtime", "Summary", "alarm_events", "bucket_hours", "bucket_prices", "carnot", "carnot_cop", "column",
    "compressor_cycles", "compressor_power", "cop_series", "cost", "cost_problems", "coverage", "covered_hours", "days_of",
    "electricity", "energy", "from_first_data", "heat", "heat_by_month", "hot_water_cycles", "kwh", "left_out", "months", "performance", "read_history", "running_carnot_cop", "runtime", "summarize",
    "suggest_flow_factor", "time_weighted_mean",
]


def summarize(frame: pd.DataFrame, changes: dict[str, pd.Series], window: Window, params: Params,
              heat_: Heat | None = None) -> Summary:
    """All of it for one range; `heat_` when the heat of its buckets was found on finer ones ("all")."""
    heat_ = heat_ if heat_ is not None else heat(frame, window, params)
    e = energy(frame, window, heat_)
    counter = column(frame, "compressor_starts_total")
    starts_days = days_of(frame, window, "compressor_starts_total" if counter is not None else "compressor_on")
    elec_name = "energy_electric" if column(frame, "energy_electric") is not None else "power_electric"
    pricing = cost(frame, window, heat_, params)
    heat_days = days_of(frame, window, {"energy_heat": "energy_heat", "heat_output": "heat_output"}.get(
        heat_.basis or "", elec_name))
    return Summary(
        heat=heat_,
        energy=e,
        performance=performance(frame, window, heat_, e, params),
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
    )
