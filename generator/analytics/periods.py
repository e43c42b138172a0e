"""Figures per local day and per season: each local day's electricity, heat and COP (from hourly or daily
buckets), and the SPFs of the last twelve months and of the heating season so far, split where the data
allows.  Every figure is a sum of the buckets' own energies (held mean power × covered time, the rules of
buckets.py): a half-covered day is never stretched to a whole one, it is marked `partial`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analytics.buckets import (
    bucket_hours,
    column,
    covered_hours,
    electricity,
    hot_water_fraction,
)
from generator.analytics.energy import energy, performance
from generator.analytics.heat import heat
from generator.analytics.records import (
    Days,
    Heat,
    Params,
    Performance,
    Seasons,
    SeasonSpf,
)
from generator.analytics.signature import season_start
from generator.core.ranges import Window
from generator.sources.fold import hours_of

# The split into space heating and hot water shares each bucket's heat and electricity by the time the valve
# was on hot water, as if both modes ran at one COP in that bucket: on hourly buckets a charge shares only
# the hours it starts and ends in, on daily buckets the split would return the day's COP for both.
SPLIT_MAX_BUCKET_S = 3600
# A day counts as whole when data covers at least this share of it: a collector restart does not pale a
# bar, while the first day of an install, a day the collector was down for hours, and the days the window
# cuts (the 30d window starts and ends inside a day) are marked partial.
WHOLE_DAY_SHARE = 0.95


def local_days(window: Window) -> pd.DatetimeIndex:
    """The starts (UTC) of every local day the window touches, in site.timezone; a 23- or 25-hour day is one day."""
    first = window.start.tz_convert(window.tz).normalize()
    last = (window.end - pd.Timedelta(seconds=1)).tz_convert(window.tz).normalize()
    return pd.date_range(first, last, freq="1D").tz_convert("UTC")


def daily(frame: pd.DataFrame, window: Window, heat_: Heat) -> Days:
    """Each local day's electricity and heat (kWh, sums of its buckets; NaN where the day has none), its
    COP = Σheat ÷ Σelectricity over the buckets where both are known, and whether data covers all of it."""
    days = local_days(window)
    ends = days[1:].append(pd.DatetimeIndex([_next_local_midnight(days[-1], window.tz)]))
    day_hours = pd.Series((ends - days).total_seconds() / 3600.0, index=days)
    empty = pd.Series(np.nan, index=days)
    elec = electricity(frame, window)
    if elec is None or frame.empty:
        return Days(empty, empty.copy(), empty.copy(), pd.Series(0.0, index=days), day_hours,
                    pd.Series(True, index=days))
    day_of = pd.Series(frame.index.tz_convert(window.tz).normalize().tz_convert("UTC"), index=frame.index)
    heat_kwh = heat_.kwh.reindex(frame.index) if heat_.method else pd.Series(np.nan, index=frame.index)
    both = elec.notna() & heat_kwh.notna()
    elec_day = elec.groupby(day_of).sum(min_count=1).reindex(days)
    heat_day = heat_kwh.groupby(day_of).sum(min_count=1).reindex(days)
    cop = (heat_kwh.where(both).groupby(day_of).sum(min_count=1)
           / elec.where(both).groupby(day_of).sum(min_count=1)).reindex(days)
    name = "energy_electric" if column(frame, "energy_electric") is not None else "power_electric"
    covered = covered_hours(frame, name, bucket_hours(frame, window)).groupby(day_of).sum().reindex(days).fillna(0.0)
    cop = cop.where(np.isfinite(cop) & (cop > 0))
    covered = covered.clip(upper=day_hours)
    return Days(elec_day, heat_day, cop, covered, day_hours, covered < day_hours * WHOLE_DAY_SHARE)


def _next_local_midnight(day_start: pd.Timestamp, tz: str) -> pd.Timestamp:
    local = day_start.tz_convert(tz)
    return (local.tz_localize(None) + pd.Timedelta(days=1)).tz_localize(tz).tz_convert("UTC")


def season_began(window: Window, heating_start: tuple[int, int]) -> pd.Timestamp:
    """Local midnight (UTC) of the latest `heating_start` (month, day) on or before the window's last day:
    the day the heating season in progress began."""
    last_day = (window.end - pd.Timedelta(seconds=1)).tz_convert(window.tz).date()
    return pd.Timestamp(season_start(last_day, heating_start)).tz_localize(window.tz).tz_convert("UTC")


def period_spf(frame: pd.DataFrame, window: Window, heat_: Heat, params: Params,
               start: pd.Timestamp | None = None) -> SeasonSpf:
    """The SPFs of the buckets from `start` (a bucket edge; None: the whole window) to the window's end, by
    the range's own rules (energy.performance): with add-heat, the compressor alone, and split into space
    heating and hot water only where the valve says when the pump made hot water and the heat is seen on
    both (not the radiator pair, which misses hot water), on buckets of at most SPLIT_MAX_BUCKET_S;
    otherwise those two are None."""
    if start is not None and start > window.start:
        window = Window(start, window.end, window.bucket, window.tz)
        frame = frame.loc[frame.index >= start]
        heat_ = Heat(heat_.kwh.loc[heat_.kwh.index >= start], heat_.method, heat_.basis, heat_.flow_factor_kw_per_k)
    if frame.empty:
        return SeasonSpf(window.start, None, None, None, None)
    perf: Performance = performance(frame, window, heat_, energy(frame, window, heat_), params)
    splits = (hot_water_fraction(frame) is not None and heat_.basis != "radiator"
              and window.bucket_seconds <= SPLIT_MAX_BUCKET_S)
    return SeasonSpf(window.start, perf.spf, perf.spf_without_aux,
                     perf.spf_space if splits else None, perf.spf_hot_water if splits else None)


def seasons(frame: pd.DataFrame, window: Window, heat_: Heat, params: Params,
            hourly: pd.DataFrame | None = None) -> Seasons:
    """The SPFs of the whole window (the last twelve months on 365d) and of the heating season so far.
    `hourly`: the same window in hourly buckets, where the source gave it: then every figure of both
    periods comes from it, so the split into space heating and hot water can be made (see
    SPLIT_MAX_BUCKET_S); without it the split is None."""
    start = season_began(window, params.heating_start)
    if hourly is not None:
        window = hours_of(window)
        frame, heat_ = hourly, heat(hourly, window, params)
    return Seasons(period_spf(frame, window, heat_, params), period_spf(frame, window, heat_, params, start))
