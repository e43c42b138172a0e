"""Data quality of a range: what the source left out of it (samples holding text, absurd values), from
the per-bucket quality columns a database source adds (generator/sources/rawplan.py), as problems the
page words in its own language; and per metric, how far its data can be trusted (metric_quality():
coverage, gaps, stuck values, values out of physical range, clock drift), for the page's Data table and
the badges on the charts that read a suspect metric."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from generator.analytics.buckets import bucket_hours, column, covered_hours
from generator.analytics.records import MetricQuality
from generator.core.errors import Problem
from generator.core.metrics import (
    BOUNDS,
    BY_NAME,
    NAMES,
    STUCK_COUNTER_RUNNING_HOURS,
    STUCK_HOURS,
    Kind,
)
from generator.core.ranges import Window

WHAT = {"text_values": "holds {count} text value(s) where numbers belong (first in the bucket of {first}); "
                       "they are left out: fix or delete them in the database",
        "absurd_values": "holds {count} value(s) beyond ±10¹² (first in the bucket of {first}); they are left out"}


def left_out(frame: pd.DataFrame) -> list[Problem]:
    """One problem per series and kind with any left-out sample in the frame's buckets."""
    problems = []
    for name in sorted(c for c in frame.columns if c.startswith("quality:")):
        counts = frame[name].fillna(0.0)
        if counts.sum() <= 0:
            continue
        _, kind, series = name.split(":", 2)
        first = counts[counts > 0].index[0].tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
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
    are the source's (Latest); `now` the generator's clock, for samples stamped ahead of it."""
    hours = bucket_hours(frame, window)
    sampled = dict(sampled_at or {})
    newest = max(sampled.values()) if sampled else None
    rows = []
    for name in NAMES:
        values = column(frame, name)
        if values is None:
            continue
        kind = BY_NAME[name].kind
        covered = covered_hours(frame, name, hours)
        has = covered > 0
        first = int(has.to_numpy().argmax()) if has.any() else 0
        gaps = _gaps(covered.to_numpy()[first:], hours.to_numpy()[first:])
        low, high = BOUNDS[kind]
        outside = _outside(frame, name, values, low, high)
        ahead = int((future or {}).get(name, 0))
        at = sampled.get(name)
        if at is not None and now is not None and (at - pd.Timestamp(now)).total_seconds() > FUTURE_TOLERANCE_S:
            ahead = max(ahead, 1)
        limit = STUCK_HOURS[kind]
        rows.append(MetricQuality(
            metric=name,
            coverage=min(float(covered.sum()) / (window.seconds / 3600.0), 1.0),
            since=frame.index[first] if first > 0 else None,
            gaps=len(gaps),
            longest_gap_h=max(gaps, default=0.0),
            stuck_h=_stuck_hours(frame, name, values, covered, kind),
            out_of_range=int(outside.sum()),
            worst=_worst(frame, name, values, outside, low, high),
            behind_h=(newest - at).total_seconds() / 3600.0 if at is not None and newest is not None else None,
            behind_limit_h=limit if _may_rest(kind, values) else None,
            future=ahead,
        ))
    return tuple(rows)


def _may_rest(kind: Kind, values: pd.Series) -> bool:
    """Whether a silent series of this kind is suspect: a temperature always; a power or frequency only
    while it was last non-zero (a change-only collector says nothing while it stays off)."""
    if STUCK_HOURS[kind] is None:
        return False
    last = values.dropna()
    return kind is Kind.TEMPERATURE or (not last.empty and last.iloc[-1] != 0)


def _gaps(covered: np.ndarray, hours: np.ndarray) -> list[float]:
    """Lengths (h) of the gaps: runs of uncovered time, broken by any fully covered bucket, and ended by a
    partly covered one."""
    gaps: list[float] = []
    current = 0.0
    for cov_h, h in zip(covered, hours):
        share = cov_h / h if h > 0 else 1.0
        if share >= FULL:
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


def _stuck_hours(frame: pd.DataFrame, name: str, values: pd.Series, covered: pd.Series, kind: Kind) -> float:
    """The longest run of one unchanged value beyond the kind's limit (h of data), else 0.  A run is
    consecutive buckets with equal means, or one bucket whose min equals its max (where there are bands);
    a bucket without data breaks it.  A running counter's run is its buckets without increase, counted in
    the compressor's running hours (STUCK_COUNTER_RUNNING_HOURS)."""
    if kind is Kind.COUNTER:
        on = column(frame, "compressor_on")
        if name not in RUNNING_COUNTERS or on is None:
            return 0.0
        weight = (on.clip(0, 1) * covered).where(values.notna() & on.notna())
        idle = (values == 0).to_numpy()
        return _longest(weight.to_numpy(), idle & np.roll(idle, 1), idle, STUCK_COUNTER_RUNNING_HOURS)
    limit = STUCK_HOURS[kind]
    if limit is None:
        return 0.0
    v = values.to_numpy(dtype=float)
    previous = np.roll(v, 1)
    joins = np.isclose(v, previous, rtol=1e-9, atol=1e-9) & ~np.isnan(v) & ~np.isnan(previous)
    low, high = frame.get(f"{name}:min"), frame.get(f"{name}:max")
    alone = (low == high).to_numpy() if low is not None and high is not None else np.zeros(len(v), bool)
    weight = covered.where(values.notna()).to_numpy()
    if kind is not Kind.TEMPERATURE:  # a power or frequency reads 0 for months while off, legitimately
        weight = np.where(v != 0, weight, np.nan)
    return _longest(weight, joins, alone, limit)


def _longest(weight: np.ndarray, joins: np.ndarray, alone: np.ndarray, limit: float) -> float:
    """The heaviest run, if it reaches `limit`, else 0.  Bucket k continues the run before it where
    joins[k]; a run is one where it has two buckets or more, or a bucket that is one alone; a NaN
    weight breaks it."""
    best = current = 0.0
    length = 0
    proven = False
    for k, w in enumerate(weight):
        if np.isnan(w):
            current, length, proven = 0.0, 0, False
            continue
        if k and joins[k] and length:
            current, length, proven = current + w, length + 1, True
        else:
            current, length, proven = w, 1, False
        proven = proven or bool(alone[k])
        if proven:
            best = max(best, current)
    return round(float(best), 4) if best >= limit else 0.0


def _outside(frame: pd.DataFrame, name: str, values: pd.Series, low: float, high: float) -> pd.Series:
    """Buckets whose mean, or min or max where there are bands, lies outside [low, high]."""
    out = (values < low) | (values > high)
    for band in (f"{name}:min", f"{name}:max"):
        if band in frame:
            out |= (frame[band] < low) | (frame[band] > high)
    return out.fillna(False).astype(bool)


def _worst(frame: pd.DataFrame, name: str, values: pd.Series, outside: pd.Series, low: float,
           high: float) -> float | None:
    if not outside.any():
        return None
    seen = pd.concat([values] + [frame[b] for b in (f"{name}:min", f"{name}:max") if b in frame])
    beyond = seen[(seen < low) | (seen > high)]
    return float(beyond.loc[(beyond - beyond.clip(low, high)).abs().idxmax()].max()) if len(beyond) else None
