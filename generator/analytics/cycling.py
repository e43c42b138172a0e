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

Segment = tuple[bool, pd.Timestamp, pd.Timestamp, bool]  # (on, begin, end, complete)


def histogram(minutes: tuple[float, ...], edges: tuple[float, ...] = BINS_MINUTES) -> list[int]:
    """Counts per bin [edge_i, edge_i+1), the last bin open above."""
    counts = [0] * len(edges)
    for m in minutes:
        counts[int(np.searchsorted(edges, m, side="right")) - 1] += 1
    return counts


def _gaps(frame: pd.DataFrame, window: Window) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """[start, end) of the buckets compressor_on data covers less than half of."""
    edges = window.edges()
    if "compressor_on" not in frame:
        return [(edges[0], edges[-1])]
    share = (frame[coverage_column("compressor_on")] if coverage_column("compressor_on") in frame
             else frame["compressor_on"].notna().astype(float))
    share = share.where(frame["compressor_on"].notna(), 0.0).fillna(0.0).reindex(edges[:-1]).fillna(0.0)
    return [(edges[i], edges[i + 1]) for i, s in enumerate(share.to_numpy()) if s < MIN_COVERED_SHARE]


def _segments(changes: pd.Series, window: Window,
              gaps: list[tuple[pd.Timestamp, pd.Timestamp]]) -> list[Segment]:
    """Every stretch of one state: from a change (or the series' first value) to the next (or the window's
    end); complete when both ends are changes and no gap lies within it."""
    values = changes.dropna().sort_index()
    values = values[(values.index < window.end)]
    on = values > 0
    keep = on.ne(on.shift())            # repeats of the same state (a collector's heartbeat) are no change
    times, states = list(on.index[keep]), list(on[keep])
    segments: list[Segment] = []
    for i, (begin, state) in enumerate(zip(times, states)):
        last = i == len(times) - 1
        end = window.end if last else times[i + 1]
        complete = i > 0 and not last and not any(a < end and b > begin for a, b in gaps)
        segments.append((bool(state), begin, end, complete))
    return segments


def _rate_edges(window: Window) -> pd.DatetimeIndex:
    """Edges of the rate periods: every k-th bucket edge from the window's start, and its end."""
    edges = window.edges()
    k = max(1, math.ceil(RATE_PERIOD.total_seconds() / window.bucket_seconds))
    picked = edges[::k]
    return picked if picked[-1] == edges[-1] else picked.append(edges[-1:])


def starts_per_hour(starts: list[pd.Timestamp], frame: pd.DataFrame, window: Window) -> pd.Series:
    """Starts ÷ covered hours per rate period (indexed by its start); NaN where under half covered."""
    edges = _rate_edges(window)
    counts = np.zeros(len(edges) - 1)
    for t in starts:
        i = int(edges.searchsorted(t, side="right")) - 1
        if 0 <= i < len(counts):
            counts[i] += 1
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
    segments = _segments(changes, window, _gaps(frame, window))
    runs = tuple((e - b).total_seconds() / 60.0 for on, b, e, ok in segments if on and ok)
    pauses = tuple((e - b).total_seconds() / 60.0 for on, b, e, ok in segments if not on and ok)
    incomplete = sum(1 for *_, ok in segments if not ok)
    starts = [b for i, (on, b, _, _) in enumerate(segments) if on and i > 0]
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
