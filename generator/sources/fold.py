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


def refuse_months(window: Window) -> None:
    """For a database source: it groups by fixed buckets and local days only, and has no GROUP BY for
    calendar months; a range of them is read in local days and folded (read_range)."""
    if window.calendar_months:
        raise ValueError("calendar months are folded from local days (generator/sources/fold.py), not asked")


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
    reduceat over the runs, every column of a kind at once (a year of hours folds in milliseconds)."""
    coarse_edges = coarse.edges()
    index = pd.DatetimeIndex(coarse_edges[:-1])
    fine_edges = fine_window.edges()
    fine_hours = pd.Series(np.diff(fine_edges.as_unit("s").asi8).astype(float) / 3600.0, index=fine_edges[:-1])
    hours = fine_hours.reindex(fine.index).to_numpy(dtype=float)
    coarse_hours = np.diff(coarse_edges.as_unit("s").asi8).astype(float) / 3600.0
    bucket = np.searchsorted(coarse_edges.asi8, fine.index.as_unit(coarse_edges.unit).asi8, side="right") - 1
    inside = (bucket >= 0) & (bucket < len(index))
    rows, bucket = np.flatnonzero(inside), bucket[inside]
    names = list(fine.columns)
    out = np.full((len(index), len(names)), np.nan)
    if rows.size == 0:
        return pd.DataFrame(out, index=index, columns=names)
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])   # run r: rows starts[r] … of bucket at[r]
    at = bucket[starts]
    values = fine.to_numpy(dtype=float)[rows]
    missing = np.isnan(values)
    none = np.logical_and.reduceat(missing, starts, axis=0)            # per run and column: no value at all
    col = {name: i for i, name in enumerate(names)}

    def place(which: list[int], per_run: np.ndarray) -> None:
        out[at[:, None], which] = np.where(none[:, which], np.nan, per_run)

    def total(x: np.ndarray) -> np.ndarray:
        return np.add.reduceat(x, starts, axis=0)

    kind = {name: _kind(name, fine) for name in names}
    mins = [col[n] for n in names if kind[n] == "min"]
    maxs = [col[n] for n in names if kind[n] == "max"]
    sums = [col[n] for n in names if kind[n] in ("quality", Kind.COUNTER)]
    codes = [col[n] for n in names if kind[n] is Kind.CODE]
    held = [col[n] for n in names if kind[n] == "held"]
    if mins:
        place(mins, np.fmin.reduceat(values[:, mins], starts, axis=0))
    if maxs:
        place(maxs, np.fmax.reduceat(values[:, maxs], starts, axis=0))
    if sums:
        place(sums, total(np.nan_to_num(values[:, sums])))
    if codes:   # the last value known in each bucket
        last = np.maximum.reduceat(np.where(missing[:, codes], -1, np.arange(len(rows))[:, None]), starts, axis=0)
        place(codes, values[np.maximum(last, 0), codes])
    # held metrics and counters: covered hours (a held mean's weights; every coarse bucket's covered share)
    metrics = [col[n] for n in names if kind[n] in ("held", Kind.COUNTER)]
    if not metrics:
        return pd.DataFrame(out, index=index, columns=names)
    covs = [col.get(coverage_column(names[i])) for i in metrics]
    known = ~missing[:, metrics]
    share = np.stack([np.nan_to_num(values[:, c]) if c is not None else np.ones(len(rows)) for c in covs], axis=1)
    weight = total(np.where(known, share * hours[rows][:, None], 0.0))
    for j, c in enumerate(covs):
        if c is not None:
            out[at, c] = np.minimum(np.where(none[:, metrics[j]], np.nan, weight[:, j]) / coarse_hours[at], 1.0)
    if held:
        h = [metrics.index(i) for i in held]
        covered = np.where(known[:, h], share[:, h] * hours[rows][:, None], 0.0)
        v = np.where(known[:, h], values[:, held], 0.0)
        counted = total(known[:, h].astype(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            # a fine bucket with a value but no covered time (a silence-bordered sample): the plain mean
            plain = total(v) / np.where(counted > 0, counted, np.nan)
            place(held, np.where(weight[:, h] > 0, total(v * covered) / np.where(weight[:, h] > 0, weight[:, h], 1.0), plain))
    return pd.DataFrame(out, index=index, columns=names)


def _kind(name: str, fine: pd.DataFrame) -> object:
    """How a column folds: "min", "max", "quality" (counts), "cov" (with its metric), "held" (a
    time-weighted mean), or the metric's Kind.COUNTER / Kind.CODE."""
    if name.endswith(":cov"):
        return "cov"
    if name.endswith(":min"):
        return "min"
    if name.endswith(":max"):
        return "max"
    if name.startswith("quality:"):
        return "quality"
    metric = BY_NAME.get(name)
    kind = metric.kind if metric is not None else (Kind.POWER if coverage_column(name) in fine else Kind.CODE)
    return kind if kind in (Kind.COUNTER, Kind.CODE) else "held"


def from_first_data(window: Window, frame: pd.DataFrame) -> tuple[Window, pd.DataFrame]:
    """The "all" range from the first bucket holding any data (the query looks back a bounded time, and
    the history starts where it starts); with no data at all, the last twelve buckets."""
    values = frame[[c for c in frame.columns if ":" not in c]]
    with_data = values.notna().any(axis=1)
    first = int(np.argmax(with_data.to_numpy())) if with_data.any() else max(0, len(frame) - 12)
    if first == 0:
        return window, frame
    return Window(frame.index[first], window.end, window.bucket, window.tz), frame.iloc[first:]

