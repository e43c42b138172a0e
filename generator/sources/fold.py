"""Calendar buckets folded from finer ones: local months from local days ("all"), local days from hours (365d).

Neither InfluxQL's GROUP BY time() nor a fixed step knows calendar months, and the ranges of calendar
buckets need their finer buckets anyway (each month's heat is the sum of its days'; the seasons' split
into space heating and hot water needs hours).  So such a range is read once, on its finer grid
(`finer_of`), and folded here into its own buckets by the same rules a bucket has (Source.series,
generator/sources/base.py):

* held metrics (temperatures, states, powers): the mean over the time data covers, each fine bucket
  weighted by its covered hours (covered share × its length: a local day has 23, 24 or 25 h), and the
  coarse bucket's covered share = covered hours ÷ its hours; so its held power × covered time is the sum
  of its fine buckets' energies;
* counters: the sum of the increases;
* codes: the last value; bands: the min of the minima and max of the maxima; data-quality counts: summed.

A coarse bucket none of whose fine buckets has a value stays NaN, as an empty bucket does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from generator.core.metrics import BY_NAME, Kind, coverage_column
from generator.core.ranges import Window

if TYPE_CHECKING:
    from generator.sources.base import Source

DAYS = "1D"
HOURS = "1h"


def days_of(window: Window) -> Window:
    """The same [start, end) in local days: a month's edges are local midnights."""
    return Window(window.start, window.end, DAYS, window.tz)


def hours_of(window: Window) -> Window:
    """The same [start, end) in hours: a local day's edges are on hour edges (in every zone with whole-hour
    offsets: the IANA zones of Europe, where the supported brands are sold)."""
    return Window(window.start, window.end, HOURS, window.tz)


def finer_of(window: Window) -> Window | None:
    """The grid a range of calendar buckets is read on (then folded): days for months, hours for days."""
    if window.calendar_months:
        return days_of(window)
    if window.calendar_days:
        return hours_of(window)
    return None


def read_range(source: "Source", window: Window, bands: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A range's frame, and the finer frame it was folded from (None: read as it is).  One read either way:
    365d reads its year once, in hours, not once in days and again in hours."""
    finer = finer_of(window)
    if finer is None:
        return source.series(window, bands), None
    fine = source.series(finer, bands)
    return fold(fine, finer, window), fine


def fold(fine: pd.DataFrame, fine_window: Window, coarse: Window) -> pd.DataFrame:
    """Fold a frame of `fine_window`'s buckets (Source.series) into the buckets of `coarse`, whose edges
    are fine edges too.  Fine rows are in time order, so each coarse bucket is one run of rows: numpy's
    reduceat over the runs (a year of hours folds in milliseconds; a groupby per column took 0.2 s)."""
    coarse_edges = coarse.edges()
    index = pd.DatetimeIndex(coarse_edges[:-1])
    fine_edges = fine_window.edges()
    fine_hours = pd.Series(np.diff(fine_edges.as_unit("s").asi8).astype(float) / 3600.0, index=fine_edges[:-1])
    hours = fine_hours.reindex(fine.index).to_numpy(dtype=float)
    coarse_hours = np.diff(coarse_edges.as_unit("s").asi8).astype(float) / 3600.0
    bucket = np.searchsorted(coarse_edges.asi8, fine.index.as_unit(coarse_edges.unit).asi8, side="right") - 1
    inside = (bucket >= 0) & (bucket < len(index))
    rows, bucket = np.flatnonzero(inside), bucket[inside]
    if rows.size == 0:
        return pd.DataFrame(np.nan, index=index, columns=list(fine.columns))
    runs = _Runs(np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]]), bucket, len(index))
    out: dict[str, np.ndarray] = {}
    for name in fine.columns:
        if name.endswith(":cov"):
            continue   # with its metric
        values = fine[name].to_numpy(dtype=float)[rows]
        if name.endswith(":min"):
            out[name] = runs.place(np.fmin.reduceat(values, runs.starts), np.isnan(values))
        elif name.endswith(":max"):
            out[name] = runs.place(np.fmax.reduceat(values, runs.starts), np.isnan(values))
        elif name.startswith("quality:"):
            out[name] = runs.place(np.add.reduceat(np.nan_to_num(values), runs.starts), np.isnan(values))
        else:
            out.update(_metric(fine, name, values, rows, hours[rows], coarse_hours, runs))
    frame = pd.DataFrame({c: out[c] for c in fine.columns if c in out}, index=index)
    return frame[[c for c in fine.columns if c in frame.columns]]


class _Runs:
    """The fine rows of each coarse bucket: run r starts at row starts[r] and belongs to bucket at[r]."""

    def __init__(self, starts: np.ndarray, bucket: np.ndarray, buckets: int):
        self.starts = starts
        self.at = bucket[starts]
        self.buckets = buckets

    def place(self, per_run: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
        """Per coarse bucket: the run's value, NaN for a bucket without rows or (`missing`: per row) whose
        rows are all missing."""
        out = np.full(self.buckets, np.nan)
        if missing is not None:
            none = np.logical_and.reduceat(missing, self.starts)
            per_run = np.where(none, np.nan, per_run)
        out[self.at] = per_run
        return out

    def total(self, values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, self.starts)


def _metric(fine: pd.DataFrame, name: str, values: np.ndarray, rows: np.ndarray, hours: np.ndarray,
            coarse_hours: np.ndarray, runs: _Runs) -> dict[str, np.ndarray]:
    cov_name = coverage_column(name)
    known = ~np.isnan(values)
    share = fine[cov_name].to_numpy(dtype=float)[rows] if cov_name in fine else known.astype(float)
    covered = np.where(known, np.nan_to_num(share) * hours, 0.0)
    metric = BY_NAME.get(name)
    kind = metric.kind if metric is not None else (Kind.POWER if cov_name in fine else Kind.CODE)
    if kind is Kind.CODE:   # the last value known in each bucket
        last = np.where(known, np.arange(values.size), -1)
        at = np.maximum.reduceat(last, runs.starts)
        result = {name: runs.place(np.where(at >= 0, values[np.maximum(at, 0)], np.nan))}
    elif kind is Kind.COUNTER:
        result = {name: runs.place(runs.total(np.nan_to_num(values)), ~known)}
    else:
        weight = runs.total(covered)
        weighted = runs.total(np.where(known, values, 0.0) * covered)
        counted = runs.total(known.astype(float))
        plain = runs.total(np.where(known, values, 0.0)) / np.where(counted > 0, counted, np.nan)
        # a fine bucket with a value but no covered time (a silence-bordered sample): the plain mean
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(weight > 0, weighted / np.where(weight > 0, weight, 1.0), plain)
        result = {name: runs.place(mean, ~known)}
    if cov_name in fine:
        result[cov_name] = np.minimum(runs.place(runs.total(covered), ~known) / coarse_hours, 1.0)
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

