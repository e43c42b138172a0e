"""Local calendar months of a range: electricity, heat and COP per month, and the same month a year
before (the monthly bars, on 365d and all).

A month's energy is the sum of its buckets' energies (held power × covered time, or a meter's increase:
generator/analytics/buckets.py), so a daily frame (365d) and a monthly one (all) give the same month.  A
month the range or the data covers less than PARTIAL_BELOW of is marked partial: its bar is the energy of
the covered part, never stretched to a whole month.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from generator.analytics.buckets import (
    bucket_hours,
    column,
    covered_hours,
    electricity,
    ratio,
)
from generator.analytics.heat import heat
from generator.analytics.records import Heat, Month, Params
from generator.core.metrics import coverage_column
from generator.core.ranges import Window
from generator.sources.months import days_of, from_first_data

if TYPE_CHECKING:
    from generator.sources.base import Source

PARTIAL_BELOW = 0.95     # a month with less data than this share of its hours is marked partial
MIN_ELECTRIC_KWH = 0.5   # below, a month's COP is a quotient of rounding errors


def read_history(source: "Source", window: Window, frame: pd.DataFrame,
                 params: Params) -> tuple[Window, pd.DataFrame, Heat]:
    """The "all" range from its first month with data: that window, its monthly frame, and each month's
    heat summed from the local days of the window (read once more from the source, without bands)."""
    window, frame = from_first_data(window, frame)
    return window, frame, heat_by_month(source.series(days_of(window), bands=False), window, params)


def heat_by_month(daily: pd.DataFrame, window: Window, params: Params) -> Heat:
    """Each month's heat as the sum of its days' heat: a ΔT estimate is flow × ΔT × running share per
    bucket, and a month's mean ΔT × its mean running share is not the mean of their product (resting
    hours have a small ΔT), so the months of "all" take their heat from the local days the source read."""
    days = days_of(window)
    daily_heat = heat(daily, days, params)
    edges = window.edges()
    index = pd.DatetimeIndex(edges[:-1])
    label = index[np.searchsorted(edges.asi8, daily.index.as_unit(edges.unit).asi8, side="right") - 1]
    kwh = daily_heat.kwh.groupby(np.asarray(label)).sum(min_count=1)
    kwh.index = pd.DatetimeIndex(kwh.index)
    return Heat(kwh.reindex(index), daily_heat.method, daily_heat.basis, daily_heat.flow_factor_kw_per_k)


def _covered(frame: pd.DataFrame, hours: pd.Series) -> pd.Series:
    """Hours of each bucket the electricity's data covers (the compressor's state where there is none)."""
    for name in ("energy_electric", "power_electric", "compressor_on"):
        if column(frame, name) is not None and coverage_column(name) in frame:
            return covered_hours(frame, name, hours)
    return pd.Series(0.0, index=frame.index)


def months(frame: pd.DataFrame, window: Window, heat_: Heat, last_year: bool) -> tuple[Month, ...]:
    """Every local month the window touches, oldest first; with `last_year`, each with the same month a
    year before where the window holds it (the "all" range; 365d holds no month of the year before)."""
    if frame.empty:
        return ()
    hours = bucket_hours(frame, window)
    elec = electricity(frame, window)
    elec = elec if elec is not None else pd.Series(np.nan, index=frame.index)
    heat = heat_.kwh.reindex(frame.index) if heat_.method else pd.Series(np.nan, index=frame.index)
    local = frame.index.tz_convert(window.tz)
    key = pd.Series([(t.year, t.month) for t in local], index=frame.index)
    covered = _covered(frame, hours)
    both = elec.notna() & heat.notna()
    found: dict[tuple[int, int], Month] = {}
    for (year, month), rows in frame.groupby(key).groups.items():
        start_local = pd.Timestamp(year=year, month=month, day=1).tz_localize(window.tz)
        month_hours = ((start_local.tz_localize(None) + pd.DateOffset(months=1)).tz_localize(window.tz)
                       - start_local).total_seconds() / 3600.0
        share = min(float(covered[rows].sum()) / month_hours, 1.0)
        e_both, h_both = float(elec[rows][both[rows]].sum()), float(heat[rows][both[rows]].sum())
        found[(year, month)] = Month(
            start=start_local.tz_convert("UTC"),
            electric_kwh=_total(elec[rows]),
            heat_kwh=_total(heat[rows]),
            cop=ratio(h_both, e_both) if e_both >= MIN_ELECTRIC_KWH else None,
            covered_share=share,
            partial=share < PARTIAL_BELOW,
        )
    ordered = [found[k] for k in sorted(found)]
    if not last_year:
        return tuple(ordered)
    return tuple(Month(m.start, m.electric_kwh, m.heat_kwh, m.cop, m.covered_share, m.partial,
                       found.get((k[0] - 1, k[1]))) for k, m in zip(sorted(found), ordered))


def _total(values: pd.Series) -> float | None:
    total = values.sum(min_count=1)
    return None if pd.isna(total) else float(total)
