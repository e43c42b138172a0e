"""Local calendar months of a range: electricity, heat and COP per month, and the same month a year
before (the monthly bars, on 365d and all).

A month's energy is the sum of its buckets' energies (held power × covered time, or a meter's increase:
generator/analytics/buckets.py), so a daily frame (365d) and a monthly one (all) give the same month.  A
month the range or the data covers less than PARTIAL_BELOW of is marked partial: its bar is the energy of
the covered part, never stretched to a whole month.
"""
from __future__ import annotations

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
from generator.sources.fold import days_of, from_first_data

PARTIAL_BELOW = 0.95     # a month with less data than this share of its hours is marked partial
MIN_ELECTRIC_KWH = 0.5   # below, a month's COP is a quotient of rounding errors


def from_first_month(window: Window, frame: pd.DataFrame, daily: pd.DataFrame,
                     params: Params) -> tuple[Window, pd.DataFrame, Heat]:
    """The "all" range from its first month with data: that window, its monthly frame, and each month's
    heat summed from the local days it was folded from."""
    window, frame = from_first_data(window, frame)
    return window, frame, heat_by_month(daily.loc[daily.index >= window.start], window, params)


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
    keys, at = np.unique(np.asarray(local.year) * 12 + np.asarray(local.month) - 1, return_inverse=True)
    e, h = elec.to_numpy(dtype=float), heat.to_numpy(dtype=float)
    both = ~np.isnan(e) & ~np.isnan(h)

    def per_month(values: np.ndarray, rows: np.ndarray) -> np.ndarray:   # in numpy: a year is 365 rows
        return np.bincount(at, weights=np.where(rows, values, 0.0), minlength=len(keys))

    e_sum, h_sum = per_month(e, ~np.isnan(e)), per_month(h, ~np.isnan(h))
    e_any, h_any = per_month(np.ones_like(e), ~np.isnan(e)) > 0, per_month(np.ones_like(h), ~np.isnan(h)) > 0
    e_both, h_both = per_month(e, both), per_month(h, both)
    covered_sum = per_month(_covered(frame, hours).to_numpy(dtype=float), np.ones(len(e), dtype=bool))
    found: dict[tuple[int, int], Month] = {}
    for i, k in enumerate(keys.tolist()):
        year, month = divmod(k, 12)
        month += 1
        start_local = pd.Timestamp(year=year, month=month, day=1).tz_localize(window.tz)
        month_hours = ((start_local.tz_localize(None) + pd.DateOffset(months=1)).tz_localize(window.tz)
                       - start_local).total_seconds() / 3600.0
        share = min(float(covered_sum[i]) / month_hours, 1.0)
        found[(year, month)] = Month(
            start=start_local.tz_convert("UTC"),
            electric_kwh=float(e_sum[i]) if e_any[i] else None,
            heat_kwh=float(h_sum[i]) if h_any[i] else None,
            cop=ratio(float(h_both[i]), float(e_both[i])) if e_both[i] >= MIN_ELECTRIC_KWH else None,
            covered_share=share,
            partial=share < PARTIAL_BELOW,
        )
    ordered = [found[k] for k in sorted(found)]
    if not last_year:
        return tuple(ordered)
    return tuple(Month(m.start, m.electric_kwh, m.heat_kwh, m.cop, m.covered_share, m.partial,
                       found.get((k[0] - 1, k[1]))) for k, m in zip(sorted(found), ordered))

