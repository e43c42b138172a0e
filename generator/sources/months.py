"""Monthly buckets (the "all" range) from local days.

Neither InfluxQL's GROUP BY time() nor a fixed step knows calendar months, so every source answers a
monthly window by asking itself for the same window in local days (edges at local midnight, as the 365d
range is read) and folding the days into months here, by the same rules a bucket has (Source.series,
generator/sources/base.py):

* held metrics (temperatures, states, powers): the mean over the time data covers, each day weighted by
  its covered hours (covered share × the day's 23, 24 or 25 h), and the month's covered share = covered
  hours ÷ the month's hours; so a month's held power × its covered time is the sum of its days' energies;
* counters: the sum of the days' increases;
* codes: the last value; bands: the min of the minima and max of the maxima; data-quality counts: summed.

A month of days none of which has a value stays NaN, as an empty bucket does.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from generator.core.metrics import BY_NAME, Kind, coverage_column
from generator.core.ranges import Window

DAYS = "1D"


def days_of(window: Window) -> Window:
    """The same [start, end) in local days: a month's edges are local midnights."""
    return Window(window.start, window.end, DAYS, window.tz)


def by_month(ask: Callable[[Window], pd.DataFrame], window: Window) -> pd.DataFrame:
    """The monthly frame of `window` from what `ask` answers for its local days."""
    days = days_of(window)
    return to_months(ask(days), days, window)


def to_months(daily: pd.DataFrame, days: Window, months: Window) -> pd.DataFrame:
    """Fold a frame of local days (Source.series over `days`) into the buckets of `months`."""
    month_edges = months.edges()
    index = pd.DatetimeIndex(month_edges[:-1])
    day_edges = days.edges()
    day_hours = pd.Series(np.diff(day_edges.as_unit("s").asi8).astype(float) / 3600.0, index=day_edges[:-1])
    day_hours = day_hours.reindex(daily.index)
    month_hours = pd.Series(np.diff(month_edges.as_unit("s").asi8).astype(float) / 3600.0, index=index)
    label = pd.Series(index[np.searchsorted(month_edges.asi8, daily.index.as_unit(month_edges.unit).asi8,
                                            side="right") - 1], index=daily.index)
    out: dict[str, pd.Series] = {}
    for name in daily.columns:
        if name.endswith(":cov"):
            continue   # with its metric
        values = daily[name].astype(float)
        grouped = values.groupby(label)
        if name.endswith(":min"):
            out[name] = grouped.min()
        elif name.endswith(":max"):
            out[name] = grouped.max()
        elif name.startswith("quality:"):
            out[name] = grouped.sum(min_count=1)
        else:
            out.update(_metric(daily, name, values, label, day_hours, month_hours))
    frame = pd.DataFrame({c: out[c].reindex(index) for c in daily.columns if c in out}, index=index)
    return frame[[c for c in daily.columns if c in frame.columns]]


def _metric(daily: pd.DataFrame, name: str, values: pd.Series, label: pd.Series, day_hours: pd.Series,
            month_hours: pd.Series) -> dict[str, pd.Series]:
    cov_name = coverage_column(name)
    known = values.notna()
    share = daily[cov_name].astype(float) if cov_name in daily else known.astype(float)
    covered = (share.fillna(0.0) * day_hours).where(known, 0.0)
    metric = BY_NAME.get(name)
    kind = metric.kind if metric is not None else (Kind.POWER if cov_name in daily else Kind.CODE)
    if kind is Kind.CODE:
        result = {name: values.groupby(label).last()}   # groupby's last skips NaN: the last value known
    elif kind is Kind.COUNTER:
        result = {name: values.groupby(label).sum(min_count=1)}
    else:
        weight = covered.groupby(label).sum()
        weighted = (values.fillna(0.0) * covered).groupby(label).sum()
        any_value = known.groupby(label).any()
        mean = (weighted / weight.where(weight > 0)).where(any_value)
        # a day that has a value but no covered time (a silence-bordered sample): its plain mean
        plain = values.groupby(label).mean()
        result = {name: mean.fillna(plain.where(weight.reindex(plain.index).fillna(0) <= 0))}
    if cov_name in daily:
        hours = covered.groupby(label).sum()
        result[cov_name] = (hours / month_hours.reindex(hours.index)).clip(upper=1.0).where(known.groupby(label).any())
    return result


def from_first_data(window: Window, frame: pd.DataFrame) -> tuple[Window, pd.DataFrame]:
    """The "all" range from the first bucket holding any data (the query looks back a bounded time, and
    the history starts where it starts); with no data at all, the last twelve buckets."""
    values = frame[[c for c in frame.columns if ":" not in c]]
    with_data = values.notna().any(axis=1)
    first = int(np.argmax(with_data.to_numpy())) if with_data.any() else max(0, len(frame) - 12)
    if first == 0:
        return window, frame
    return Window(frame.index[first], window.end, window.bucket, window.tz), frame.iloc[first:]

