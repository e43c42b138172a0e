"""Data quality of a range: what the source left out of it (samples holding text, absurd values), from
the per-bucket quality columns a database source adds (generator/sources/rawplan.py), as problems the
page words in its own language; and per metric, how far its data can be trusted (metric_quality():
coverage, gaps, stuck values, values out of physical range, clock drift), for the page's Data table and
the badges on the charts that read a suspect metric."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from generator.analytics.buckets import bucket_hours
from generator.analytics.records import MetricQuality
from generator.core.errors import Problem
from generator.core.metrics import (
    BOUNDS,
    BY_NAME,
    NAMES,
    STUCK_COUNTER_RUNNING_HOURS,
    STUCK_HOURS,
    Kind,
    band_column,
    coverage_column,
)
from generator.core.ranges import Window

WHAT = {"text_values": "holds {count} text value(s) where numbers belong (first in the bucket of {first}); "
                       "they are left out: fix or delete them in the database",
        "absurd_values": "holds {count} value(s) beyond ±10¹² (first in the bucket of {first}); they are left out"}


def left_out(frame: pd.DataFrame) -> list[Problem]:
    """One problem per series and kind with any left-out sample in the frame's buckets."""
    problems = []
    for name in sorted(c for c in frame.columns if c.startswith("quality:")):
        counts = np.nan_to_num(frame[name].to_numpy(dtype=float))   # numpy: one column per raw series
        if counts.sum() <= 0:
            continue
        _, kind, series = name.split(":", 2)
        first = frame.index[int(np.argmax(counts > 0))].tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        count = int(round(counts.sum()))
        problems.append(Problem(kind, f"series {series!r} " + WHAT[kind].format(count=count, first=first),
                                {"series": series, "count": count, "first": first}))
    return problems


# --- Per-metric quality of a range (docs/decisions.md, "Data quality") -------------------------------------
# Coverage counts against the whole window: a history that starts inside it gives low coverage, and `since`
# says where it starts, so the page can tell a young installation from a sensor that was away.
# A gap is uncovered time inside the metric's history: a run of buckets without data, with the uncovered
# parts of the partly covered buckets at its two ends; it counts from GAP_MIN_H.  A bucket counts as fully
# covered from FULL: a source books short intervals to the bucket of their later sample, so a covered
# bucket may show up to a thirtieth less (generator/sources/hold.py).
GAP_MIN_H = 0.25
FULL = 1.0 - 1.0 / 15.0
FUTURE_TOLERANCE_S = 60.0    # a sample this far ahead of the generator's clock is still "now"
# Counters that must grow while the compressor runs (the starts counter grows only at a start, and the
# hot-water meter only on hot water).
RUNNING_COUNTERS = ("energy_electric", "energy_heat", "energy_heat_compressor")


def metric_quality(frame: pd.DataFrame, window: Window, now: pd.Timestamp | None = None,
                   sampled_at: Mapping[str, pd.Timestamp] | None = None,
                   future: Mapping[str, int] | None = None) -> tuple[MetricQuality, ...]:
    """One row per metric with data in the range, in the vocabulary's order.  `sampled_at` and `future`
    are the source's (Latest); `now` the generator's clock, for samples stamped ahead of it.  On plain
    arrays: it runs on every refresh of every range."""
    hours = bucket_hours(frame, window).to_numpy(dtype=float)
    window_h = window.seconds / 3600.0     # once: it walks the window's edges
    sampled = dict(sampled_at or {})
    newest = max(sampled.values()) if sampled else None
    on = _array(frame, "compressor_on")
    rows = []
    for name in NAMES:
        v = _array(frame, name)
        if v is None or np.isnan(v).all():
            continue
        kind = BY_NAME[name].kind
        share = _array(frame, coverage_column(name))
        covered = np.where(np.isnan(v), 0.0, np.nan_to_num(share) * hours if share is not None else hours)
        first = int((covered > 0).argmax()) if (covered > 0).any() else 0
        gaps = _gaps(covered[first:], hours[first:])
        bands = [b for b in (_array(frame, band_column(name, "min")), _array(frame, band_column(name, "max")))
                 if b is not None]
        low, high = BOUNDS[kind]
        beyond = [x[(x < low) | (x > high)] for x in (v, *bands)]
        outside = np.zeros(len(v), bool)
        for x in (v, *bands):
            outside |= (x < low) | (x > high)
        seen = np.concatenate(beyond)
        ahead = int((future or {}).get(name, 0))
        at = sampled.get(name)
        if at is not None and now is not None and (at - pd.Timestamp(now)).total_seconds() > FUTURE_TOLERANCE_S:
            ahead = max(ahead, 1)
        rows.append(MetricQuality(
            metric=name,
            coverage=min(float(covered.sum()) / window_h, 1.0),
            since=frame.index[first] if first > 0 else None,
            gaps=len(gaps),
            longest_gap_h=max(gaps, default=0.0),
            stuck_h=_stuck_hours(name, kind, v, covered, bands, on),
            out_of_range=int(outside.sum()),
            worst=float(seen[np.abs(seen - np.clip(seen, low, high)).argmax()]) if len(seen) else None,
            behind_h=(newest - at).total_seconds() / 3600.0 if at is not None and newest is not None else None,
            behind_limit_h=STUCK_HOURS[kind] if _may_rest(kind, v) else None,
            future=ahead,
        ))
    return tuple(rows)


def _array(frame: pd.DataFrame, name: str) -> np.ndarray | None:
    return frame[name].to_numpy(dtype=float) if name in frame else None


def _may_rest(kind: Kind, v: np.ndarray) -> bool:
    """Whether a silent series of this kind is suspect: a temperature always; a power or frequency only
    while it was last non-zero (a change-only collector says nothing while it stays off)."""
    if STUCK_HOURS[kind] is None:
        return False
    known = v[~np.isnan(v)]
    return kind is Kind.TEMPERATURE or (len(known) > 0 and known[-1] != 0)


def _gaps(covered: np.ndarray, hours: np.ndarray) -> list[float]:
    """Lengths (h) of the gaps: runs of uncovered time, broken by any fully covered bucket, and ended by a
    partly covered one."""
    if np.all(covered >= FULL * hours):   # the usual case: nothing to walk
        return []
    gaps: list[float] = []
    current = 0.0
    for cov_h, h in zip(covered.tolist(), hours.tolist()):   # plain floats: ~5× faster than numpy scalars
        share = cov_h / h if h > 0 else 1.0
        if share >= FULL:
            if current:
                gaps.append(current)
            current = 0.0
        elif share > 0:     # partly covered: its uncovered part ends a gap, or begins one
            if current:
                gaps.append(current + h - cov_h)
                current = 0.0
            else:
                current = h - cov_h
        else:
            current += h
    gaps.append(current)
    return [round(float(g), 4) for g in gaps if g >= GAP_MIN_H]


def _stuck_hours(name: str, kind: Kind, v: np.ndarray, covered: np.ndarray, bands: list[np.ndarray],
                 on: np.ndarray | None) -> float:
    """The longest run of one unchanged value beyond the kind's limit (h of data), else 0.  A run is
    consecutive buckets with equal means, or one bucket whose min equals its max (where there are bands);
    a bucket without data breaks it.  A running counter's run is its buckets without increase, counted in
    the compressor's running hours (STUCK_COUNTER_RUNNING_HOURS)."""
    if kind is Kind.COUNTER:
        if name not in RUNNING_COUNTERS or on is None:
            return 0.0
        weight = np.where(np.isnan(v) | np.isnan(on), np.nan, np.clip(on, 0, 1) * covered)
        idle = v == 0
        return _longest(weight, idle & np.roll(idle, 1), idle, STUCK_COUNTER_RUNNING_HOURS)
    limit = STUCK_HOURS[kind]
    if limit is None:
        return 0.0
    previous = np.roll(v, 1)
    joins = np.isclose(v, previous, rtol=1e-9, atol=1e-9) & ~np.isnan(v) & ~np.isnan(previous)
    alone = (bands[0] == bands[1]) if len(bands) == 2 else np.zeros(len(v), bool)
    weight = np.where(np.isnan(v), np.nan, covered)
    if kind is not Kind.TEMPERATURE:  # a power or frequency reads 0 for months while off, legitimately
        weight = np.where(v != 0, weight, np.nan)
    return _longest(weight, joins, alone, limit)


def _longest(weight: np.ndarray, joins: np.ndarray, alone: np.ndarray, limit: float) -> float:
    """The heaviest run, if it reaches `limit`, else 0.  Bucket k continues the run before it where
    joins[k]; a run is one where it has two buckets or more, or a bucket that is one alone; a NaN
    weight breaks it."""
    if not (np.any(joins) or np.any(alone)):   # the usual case: every bucket differs from the one before
        return 0.0
    best = current = 0.0
    length = 0
    proven = False
    for k, (w, join, one) in enumerate(zip(weight.tolist(), joins.tolist(), alone.tolist())):
        if w != w:   # NaN
            current, length, proven = 0.0, 0, False
            continue
        if k and join and length:
            current, length, proven = current + w, length + 1, True
        else:
            current, length, proven = w, 1, False
        proven = proven or bool(one)
        if proven:
            best = max(best, current)
    return round(float(best), 4) if best >= limit else 0.0
