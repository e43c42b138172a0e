"""Held values per bucket, exactly, from what a database can answer cheaply.

Collectors write samples; a sample's value holds until the next sample of the same series (a collector
that publishes on change writes nothing while a value stays the same).  The value of a bucket is the
time-weighted mean of that step function over the part of the bucket it covers, and the covered share is
reported beside it, so an energy is mean × covered time and nothing is extrapolated.  A counter's increase
between two samples is spread evenly over the time between them, unless a silence lies between them (see
crosses_silence()).  Whenever the whole collector is silent
(no sample of any series) for longer than the staleness limit, the time after the limit is not covered:
that is a gap, not a held value.

A database cannot hand over every sample of a year cheaply, but it can answer, per series:

* per bucket, sums over the *short* intervals between consecutive samples (no longer than `short_ms`) whose
  later sample lies in the bucket: Σ value·duration, Σ duration and Σ increase (IntervalSums);
* every *long* interval as a row (LongInterval): its end, duration, value and increase;
* its newest sample before the window, and its first and last sample inside it (Anchors).

Short intervals are booked to the bucket of their later sample, so a bucket edge is misplaced by at most
`short_ms` (a thirtieth of a bucket, see short_interval_ms); everything else is split at bucket edges exactly.
A short interval can never hold a silence (a silence is longer than the limit, which is ≥ `short_ms`).
So a bucket's covered time may include up to `short_ms` from just before it (and lack as much at its
end): its integral stays right over any run of buckets, and its mean is off by at most that share.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from generator.core.ranges import Window

INF = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Anchors:
    """(epoch ms, value) of a series' newest sample before the window, first and last inside it, and first
    after it."""

    before: tuple[int, float] | None = None
    first: tuple[int, float] | None = None
    last: tuple[int, float] | None = None
    after: tuple[int, float] | None = None


@dataclass(frozen=True)
class LongInterval:
    end_ms: int          # the later sample's time
    duration_ms: float
    value: float         # the earlier sample's value, held over the interval
    increase: float      # later − earlier (a counter's increase; a drop is a reset: the later value)


@dataclass
class SeriesAnswer:
    """Everything a database answered about one raw series over one window."""

    anchors: Anchors = field(default_factory=Anchors)
    sums: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # bucket start ms -> (Σ v·dt, Σ dt, Σ increase), dt in ms
    long: list[LongInterval] = field(default_factory=list)


@dataclass(frozen=True)
class Held:
    """Per bucket of a window: time-weighted mean, covered share (0–1) and increase."""

    mean: np.ndarray
    covered: np.ndarray
    increase: np.ndarray


SHORT_SHARE = 30   # an interval up to a thirtieth of a bucket is summed in the database


def short_interval_ms(window: Window, max_gap_s: float) -> int:
    """Intervals up to this long are summed in the database: a thirtieth of a bucket (so 10-s samples on the
    short ranges all come as rows and are split exactly), at least a second, at most the limit."""
    bucket_ms = pd.Timedelta(window.bucket).total_seconds() * 1000.0
    return int(max(1000.0, min(max_gap_s * 1000.0, bucket_ms / SHORT_SHARE)))


def edges_ms(window: Window) -> np.ndarray:
    return window.edges().as_unit("ms").asi8.astype(np.int64)


# --- silences ----------------------------------------------------------------------------------------
def silences(edges: np.ndarray, any_before_ms: int | None, any_first_ms: int | None, any_last_ms: int | None,
             gaps: Sequence[tuple[int, float]], max_gap_ms: float) -> np.ndarray:
    """(start, end) ms of the stretches inside the window where the collector is silent: after a sample of
    no series follows for longer than the limit, the time from the limit on until the next sample.

    any_*: newest sample of any series before the window, first and last inside it; gaps: (end ms, duration
    ms) of each silence longer than the limit between two samples inside the window."""
    start, end = int(edges[0]), int(edges[-1])
    spans: list[tuple[float, float]] = []
    if any_first_ms is None:
        spans.append((start if any_before_ms is None else any_before_ms + max_gap_ms, end))
    else:
        if any_before_ms is None:
            spans.append((start, any_first_ms))
        elif any_first_ms - any_before_ms > max_gap_ms:
            spans.append((any_before_ms + max_gap_ms, any_first_ms))
        spans += [(t - dt + max_gap_ms, t) for t, dt in gaps if dt > max_gap_ms]
        if any_last_ms is not None and any_last_ms + max_gap_ms < end:
            spans.append((any_last_ms + max_gap_ms, end))
    out = sorted((max(a, start), min(b, end)) for a, b in spans if min(b, end) > max(a, start))
    merged: list[list[float]] = []
    for a, b in out:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return np.array(merged, dtype=float).reshape(-1, 2)


class _LiveTime:
    """t minus the silent time before t: a clock that only runs while the collector is heard."""

    def __init__(self, silent: np.ndarray):
        self.starts = silent[:, 0]
        self.ends = silent[:, 1]
        self.before = np.concatenate(([0.0], np.cumsum(self.ends - self.starts)))  # silent time before silence i

    def __call__(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if len(self.starts) == 0:
            return t
        k = np.searchsorted(self.starts, t, side="right") - 1   # the last silence starting at or before t
        kk = np.maximum(k, 0)
        silent = self.before[kk] + np.minimum(t, self.ends[kk]) - self.starts[kk]
        return t - np.where(k >= 0, silent, 0.0)


def spread(edges: np.ndarray, starts: np.ndarray, ends: np.ndarray, rates: np.ndarray, silent: np.ndarray) -> np.ndarray:
    """Per bucket: Σ over disjoint intervals [start, end) of rate × (its time in the bucket outside silences)."""
    n = len(edges) - 1
    if len(starts) == 0:
        return np.zeros(n)
    order = np.argsort(starts, kind="stable")
    a = np.clip(starts[order].astype(float), edges[0], edges[-1])
    b = np.clip(ends[order].astype(float), edges[0], edges[-1])
    r = rates[order].astype(float)
    keep = b > a
    a, b, r = a[keep], b[keep], r[keep]
    if len(a) == 0:
        return np.zeros(n)
    live = _LiveTime(silent)
    la, lb = live(a), live(b)
    cumulative = np.concatenate(([0.0], np.cumsum(r * (lb - la))))
    e = edges.astype(float)
    j = np.searchsorted(a, e, side="right") - 1          # the last interval starting at or before each edge
    jj = np.maximum(j, 0)
    partial = r[jj] * (live(np.minimum(e, b[jj])) - la[jj])
    total = np.where(j >= 0, cumulative[jj] + np.maximum(partial, 0.0), 0.0)
    return np.diff(total)


# --- one series ----------------------------------------------------------------------------------------
def held(answer: SeriesAnswer, edges: np.ndarray, silent: np.ndarray, short_ms: float) -> Held:
    """The held mean, covered share and increase of each bucket of `edges` (epoch ms) for one series.

    Every interval between two samples is booked the same way whatever the query's bounds, so a window
    asked in chunks gives the same buckets as asked whole: no longer than `short_ms`, it goes whole to the
    bucket of its later sample (as the database's sums do); longer, it is split at bucket edges.  The
    covered share may therefore exceed 1 slightly where a short interval crossed a bucket's start, so mean
    × share × length stays the bucket's integral.  After its last sample a counter is held like any value
    (a meter that publishes on change is silent while nothing is used); its next sample's increase is
    spread back over the time since, when that sample arrives.
    """
    n = len(edges) - 1
    lengths = np.diff(edges).astype(float)
    integral, covered, increase = np.zeros(n), np.zeros(n), np.zeros(n)
    sums = dict(answer.sums)
    rows = [(r.end_ms - r.duration_ms, r.end_ms, r.value, r.increase) for r in answer.long]
    a = answer.anchors
    # The intervals around the samples inside the window: from the value before it to the first sample,
    # and from the last sample to the next one (or, for a held value, on to the window's end).
    pairs = [(a.before, a.first if a.first is not None else a.after)] if a.before is not None else []
    if a.last is not None:
        pairs.append((a.last, a.after))
    for earlier, later in pairs:
        if later is None:
            rows.append((earlier[0], INF, earlier[1], 0.0))
            continue
        duration = later[0] - earlier[0]
        gain = _gain(earlier[1], later[1])
        if duration > short_ms:
            rows.append((earlier[0], later[0], earlier[1], gain))
        elif edges[0] <= later[0] < edges[-1]:  # booked whole where the database books it
            start = int(edges[np.searchsorted(edges, later[0], side="right") - 1])
            h, dt, inc = sums.get(start, (0.0, 0.0, 0.0))
            sums[start] = (h + earlier[1] * duration, dt + duration, inc + gain)
    if sums:
        index = {int(t): i for i, t in enumerate(edges[:-1])}
        for start, (value_ms, dt_ms, inc) in sums.items():
            i = index.get(int(start))
            if i is not None:
                integral[i] += value_ms
                covered[i] += dt_ms
                increase[i] += inc
    if rows:
        table = np.array(rows, dtype=float)
        s, e, values = table[:, 0], table[:, 1], table[:, 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.where((e > s) & ~crosses_silence(s, e, silent), table[:, 3] / np.maximum(e - s, 1.0), 0.0)
        integral += spread(edges, s, e, values, silent)
        covered += spread(edges, s, e, np.ones(len(s)), silent)
        increase += spread(edges, s, e, rates, silent)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(covered > 0, integral / covered, np.nan)
    return Held(mean, np.maximum(covered, 0.0) / lengths, np.where(covered > 0, increase, np.nan))


def crosses_silence(starts: np.ndarray, ends: np.ndarray, silent: np.ndarray) -> np.ndarray:
    """Which intervals [start, end) overlap a silence.  A counter's increase over such an interval is not
    booked anywhere: while the collector was heard before the silence the counter did not move (a
    publish-on-change collector would have written it; a poller's last sample is at most one poll
    before), so the increase belongs to the time nobody heard, which no figure covers.  Spread evenly
    instead, starts or kWh of days down would land on the few minutes heard around them."""
    if len(silent) == 0:
        return np.zeros(len(starts), dtype=bool)
    k = np.searchsorted(silent[:, 0], ends, side="left") - 1   # the last silence starting before the end
    return (k >= 0) & (silent[np.maximum(k, 0), 1] > starts)


def _gain(earlier: float, later: float) -> float:
    """A counter's increase between two samples; a drop means it restarted from zero."""
    return later - earlier if later >= earlier else later


def reset_aware(value: float, increase: float) -> float:
    """The increase of a long interval whose earlier value was `value` and difference `increase`."""
    return increase if increase >= 0 else value + increase


# --- shares of enumerations and bit fields ---------------------------------------------------------------
def shares(changes: pd.Series, edges: np.ndarray, silent: np.ndarray,
           indicators: Mapping[str, pd.Series]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """From a series' value changes (the value in force at the first instant, stamped there, then every
    change): per share column the share of each bucket's covered time its indicator was 1, and the
    covered share.  `indicators`: column -> 1.0/0.0/NaN per change (ShareColumn.matches)."""
    n = len(edges) - 1
    lengths = np.diff(edges).astype(float)
    if changes.empty:
        return {c: np.full(n, np.nan) for c in indicators}, np.zeros(n)
    times = pd.DatetimeIndex(changes.index).as_unit("ms").asi8.astype(float)
    starts, ends = times, np.append(times[1:], float(INF))
    known = changes.notna().to_numpy()
    covered = spread(edges, starts[known], ends[known], np.ones(int(known.sum())), silent)
    out: dict[str, np.ndarray] = {}
    for column, indicator in indicators.items():
        hit = np.nan_to_num(indicator.to_numpy(dtype=float))
        on = spread(edges, starts[known], ends[known], hit[known], silent)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[column] = np.where(covered > 0, on / covered, np.nan)
    return out, np.clip(covered / lengths, 0.0, 1.0)
