"""Compressor cycling from the state changes at full resolution (never from bucket means): how long the
compressor runs and pauses, how often it starts per hour over time, and whether it short-cycles.

Complete periods only.  A run or pause is in the histograms only when both its ends are changes seen
inside the window and no gap in the data lies within it: one that was already going at the window's
start (or when the history begins) or still goes at its end is cut off by the window, and its length
would count short; one that spans a gap has an unknown length.  Such periods are counted apart
(`incomplete`) and left out, so the histograms of two ranges agree where they overlap.

A gap is a bucket where compressor_on data covers less than half of it (the source's coverage column,
docs/data-layer.md).  That is a heuristic at bucket resolution: a gap of minutes inside a daily bucket
of the 365d range is not seen.

A start is counted once, in the bucket where it happens, however long its run lasts, so a cycle that
straddles bucket edges is never counted twice.  Starts per hour over time is taken per period of whole
buckets at least an hour long (one bucket on 30d and 365d, four on 7d, thirty on 24h): a rate over a
single 2-minute bucket is 0 or 30 and says nothing.  Each period's rate is its starts ÷ the hours its
data covers; a period less than half covered has none.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.analytics.buckets import bucket_hours, covered_hours
from generator.analytics.records import Cycling, Params
from generator.core.metrics import coverage_column
from generator.core.ranges import Window

# Histogram bin edges in minutes, the same on every range (the last bin is open: ≥ 240 min); few
# enough that their labels fit side by side on a phone.
BINS_MINUTES: tuple[float, ...] = (0, 5, 10, 20, 30, 60, 120, 240)
# Fewer complete runs than this say nothing about their share of short ones.
MIN_RUNS_TO_JUDGE = 3
# A rate period is at least this long (see the module docstring).
RATE_PERIOD = pd.Timedelta(hours=1)
# A bucket covered less than this share is a gap; a period (rate) covered less has no rate.
MIN_COVERED_SHARE = 0.5


def histogram(minutes: tuple[float, ...], edges: tuple[float, ...] = BINS_MINUTES) -> list[int]:
    """Counts per bin [edge_i, edge_i+1), the last bin open above."""
    if not minutes:
        return [0] * len(edges)
    at = np.searchsorted(np.asarray(edges, dtype=float), np.asarray(minutes, dtype=float), side="right") - 1
    return np.bincount(np.maximum(at, 0), minlength=len(edges)).tolist()


def _gaps(frame: pd.DataFrame, window: Window) -> np.ndarray:
    """Per bucket: whether compressor_on data covers less than half of it."""
    edges = window.edges()
    if "compressor_on" not in frame:
        return np.ones(len(edges) - 1, dtype=bool)
    share = (frame[coverage_column("compressor_on")] if coverage_column("compressor_on") in frame
             else frame["compressor_on"].notna().astype(float))
    share = share.where(frame["compressor_on"].notna(), 0.0).fillna(0.0).reindex(edges[:-1]).fillna(0.0)
    return share.to_numpy() < MIN_COVERED_SHARE


@dataclass(frozen=True)
class Segments:
    """Every stretch of one state, as arrays: from a change (or the series' first value) to the next
    (or the window's end)."""

    on: np.ndarray            # bool
    begin: pd.DatetimeIndex
    minutes: np.ndarray       # length
    complete: np.ndarray      # bool: both ends are changes and no gap bucket overlaps it


def _segments(changes: pd.Series, window: Window, gaps: np.ndarray) -> Segments:
    values = changes.dropna().sort_index()
    values = values[(values.index < window.end)]
    on = values > 0
    keep = on.ne(on.shift())            # repeats of the same state (a collector's heartbeat) are no change
    times = on.index[keep]
    ends = times[1:].append(pd.DatetimeIndex([window.end]).tz_convert(times.tz))
    edges = window.edges()
    # buckets [first, last) overlap [begin, end): those starting before its end and ending after its begin
    first = np.maximum(edges.searchsorted(times, side="right") - 1, 0)
    last = np.minimum(edges.searchsorted(ends, side="left"), len(gaps))
    gap_count = np.concatenate([[0], np.cumsum(gaps)])
    spans_gap = gap_count[np.maximum(last, first)] - gap_count[first] > 0
    position = np.arange(len(times))
    complete = (position > 0) & (position < len(times) - 1) & ~spans_gap
    minutes = np.asarray((ends - times).total_seconds(), dtype=float) / 60.0
    return Segments(on[keep].to_numpy(dtype=bool), times, minutes, complete)


def _rate_edges(window: Window) -> pd.DatetimeIndex:
    """Edges of the rate periods: every k-th bucket edge from the window's start, and its end."""
    edges = window.edges()
    k = max(1, math.ceil(RATE_PERIOD.total_seconds() / window.bucket_seconds))
    picked = edges[::k]
    return picked if picked[-1] == edges[-1] else picked.append(edges[-1:])


def starts_per_hour(starts: pd.DatetimeIndex, frame: pd.DataFrame, window: Window) -> pd.Series:
    """Starts ÷ covered hours per rate period (indexed by its start); NaN where under half covered."""
    edges = _rate_edges(window)
    period_of = edges.searchsorted(starts, side="right") - 1
    inside = (period_of >= 0) & (period_of < len(edges) - 1)
    counts = np.bincount(period_of[inside], minlength=len(edges) - 1).astype(float)
    hours = bucket_hours(frame, window)
    covered = (covered_hours(frame, "compressor_on", hours) if "compressor_on" in frame
               else pd.Series(0.0, index=frame.index))
    period = np.asarray(edges.searchsorted(frame.index, side="right")) - 1
    covered_per = np.bincount(period, weights=covered.to_numpy(), minlength=len(counts))[:len(counts)]
    length = np.asarray((edges[1:] - edges[:-1]).total_seconds()) / 3600.0
    rate = np.where(covered_per >= MIN_COVERED_SHARE * length, counts / np.maximum(covered_per, 1e-9), np.nan)
    return pd.Series(rate, index=edges[:-1])


def cycling(changes: pd.Series | None, frame: pd.DataFrame, window: Window, params: Params) -> Cycling:
    """Run and pause lengths, starts per hour and the short-cycling flag of one window."""
    empty = pd.Series(np.nan, index=_rate_edges(window)[:-1])
    if changes is None or changes.dropna().empty:
        return Cycling((), (), 0, empty, None, None, None, params.short_run_minutes)
    seg = _segments(changes, window, _gaps(frame, window))
    runs = tuple(seg.minutes[seg.on & seg.complete].tolist())
    pauses = tuple(seg.minutes[~seg.on & seg.complete].tolist())
    incomplete = int((~seg.complete).sum())
    starts = seg.begin[seg.on & (np.arange(len(seg.on)) > 0)]   # the first value is in force, not a start
    hours = bucket_hours(frame, window)
    covered = float(covered_hours(frame, "compressor_on", hours).sum()) if "compressor_on" in frame else 0.0
    mean_rate = len(starts) / covered if covered > 0 else None
    short_share = (100.0 * sum(1 for m in runs if m < params.short_run_minutes) / len(runs)
                   if len(runs) >= MIN_RUNS_TO_JUDGE else None)
    if short_share is None and mean_rate is None:
        flag = None
    else:
        flag = bool((short_share is not None and short_share >= params.short_run_share_pct)
                    or (mean_rate is not None and mean_rate > params.max_starts_per_hour))
    return Cycling(runs, pauses, incomplete, starts_per_hour(starts, frame, window), mean_rate, short_share,
                   flag, params.short_run_minutes)
