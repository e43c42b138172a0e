"""The closed-bucket cache: a Source in front of a database source that asks again only for what can change.

A range's window ends at its last *closed* bucket and is refreshed again and again (30d every 15 min, 365d
every hour), so nearly every bucket of a refresh was already computed by the previous one.  CachedSource
keeps, per grid (bucket, time zone, bands), the frame it last returned, and on the next call asks the inner
source only for a smaller window on the same grid: the buckets the cache does not cover yet plus a
re-check *tail* of the newest cached ones (late data; and the last bucket's time-weighted value depends
on its right neighbour, which was still open).  state_changes() is cached the same way per (metrics,
bucket, time zone).  The merged answer equals what the inner source returns for the whole window, as long
as no data older than the tail arrived late; a full query every `full_refresh_s` bounds that (see
docs/data-layer.md, "The closed-bucket cache").

Anything that does not line up — another grid, a window that starts before the cache, a window ending
before the cached end (an archive snapshot of yesterday), new columns — is answered by a full query.  A
full query that moves backwards does not replace the cache.  The inner source's SourceError propagates
unchanged and the cache is only replaced after a successful call, so a failure never leaves it half
updated.  Not thread-safe: the generator runs one generation at a time (scheduler max_instances=1).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from generator.ranges import Window
from generator.sources.base import Latest, Source

DEFAULT_TAIL = pd.Timedelta(hours=1)
DEFAULT_TAIL_BUCKETS = 2
DEFAULT_FULL_REFRESH_S = 24 * 3600.0


@dataclass(frozen=True)
class _Frame:
    """The frame last returned for one grid: exactly window [start, end), never older buckets."""

    start: pd.Timestamp
    end: pd.Timestamp
    frame: pd.DataFrame
    full_at: float          # clock() of the last full query of this grid


@dataclass(frozen=True)
class _Changes:
    """The changes last returned for one (metrics, grid): value at start stamped start, then each change."""

    start: pd.Timestamp
    end: pd.Timestamp
    changes: dict[str, pd.Series]
    full_at: float


class CachedSource:
    """A Source (generator/sources/base.py) that caches closed buckets of another Source."""

    def __init__(self, inner: Source, tail: pd.Timedelta = DEFAULT_TAIL, tail_buckets: int = DEFAULT_TAIL_BUCKETS,
                 full_refresh_s: float = DEFAULT_FULL_REFRESH_S, clock: Callable[[], float] = time.monotonic):
        if tail_buckets < 1:
            raise ValueError(f"tail_buckets must be at least 1, not {tail_buckets}")
        self.inner = inner
        self.tail = pd.Timedelta(tail)
        self.tail_buckets = int(tail_buckets)
        self.full_refresh_s = float(full_refresh_s)
        self.clock = clock
        self.full_queries = 0   # inner calls for a whole window
        self.tail_queries = 0   # inner calls for a tail only
        self._frames: dict[tuple[str, str, bool], _Frame] = {}
        self._changes: dict[tuple[tuple[str, ...], str, str], _Changes] = {}

    # --- pass-through -------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.inner.kind

    @property
    def query_count(self) -> int:
        return self.inner.query_count

    def latest(self) -> Latest:
        return self.inner.latest()

    def close(self) -> None:
        self._frames.clear()
        self._changes.clear()
        self.inner.close()

    def cached_rows(self) -> int:
        """Buckets plus changes held, over every grid: stays bounded by the windows asked for."""
        return (sum(len(e.frame) for e in self._frames.values())
                + sum(len(s) for e in self._changes.values() for s in e.changes.values()))

    # --- where the tail starts ----------------------------------------------------------------------
    def _tail_start(self, edges: pd.DatetimeIndex, cached_end: pd.Timestamp) -> int | None:
        """Index in `edges` of the first bucket to ask again, or None when only a full query will do.

        The tail is at least `tail_buckets` buckets and at least `tail` long, ending at the cached end;
        it starts on an existing edge of the window, so the smaller window lies on the same grid.
        """
        found = edges.get_indexer([cached_end])[0]
        if found < 0:  # the cached end is not an edge of this window: another grid
            return None
        by_time = int(edges.searchsorted(cached_end - self.tail, side="right")) - 1
        first = min(int(found) - self.tail_buckets, by_time)
        return first if first > 0 else None

    def _lines_up(self, window: Window, start: pd.Timestamp, end: pd.Timestamp, full_at: float) -> int | None:
        if self.clock() - full_at >= self.full_refresh_s:
            return None
        if window.start < start or window.end < end:
            return None
        return self._tail_start(window.edges(), end)

    # --- series ---------------------------------------------------------------------------------------
    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        key = (window.bucket, window.tz, bool(bands))
        entry = self._frames.get(key)
        first = self._lines_up(window, entry.start, entry.end, entry.full_at) if entry else None
        if entry is not None and first is not None:
            merged = self._series_from_tail(window, bands, entry, first)
            if merged is not None:
                self._frames[key] = _Frame(window.start, window.end, merged, entry.full_at)
                return merged.copy()
        frame = self.inner.series(window, bands)
        self.full_queries += 1
        if entry is None or window.end >= entry.end:  # a backward jump (an archive of yesterday) keeps the cache
            self._frames[key] = _Frame(window.start, window.end, frame.copy(), self.clock())
        return frame

    def _series_from_tail(self, window: Window, bands: bool, entry: _Frame, first: int) -> pd.DataFrame | None:
        """The window from cached buckets before edges[first] and a fresh query from there; None if the
        two do not fit together (then the caller asks for the whole window)."""
        edges = window.edges()
        fresh = self.inner.series(Window(edges[first], window.end, window.bucket, window.tz), bands)
        self.tail_queries += 1
        cached = entry.frame
        if not fresh.columns.equals(cached.columns) or not fresh.dtypes.equals(cached.dtypes):
            return None  # the database started or stopped holding a series: the old buckets may differ too
        head = cached[(cached.index >= window.start) & (cached.index < edges[first])]
        merged = pd.concat([head, fresh])
        index = pd.DatetimeIndex(edges[:-1])
        if not merged.index.equals(index):
            return None
        return merged.set_axis(index, axis=0)

    # --- state changes --------------------------------------------------------------------------------
    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        key = (tuple(metrics), window.bucket, window.tz)
        entry = self._changes.get(key)
        first = self._lines_up(window, entry.start, entry.end, entry.full_at) if entry else None
        if entry is not None and first is not None:
            merged = self._changes_from_tail(window, metrics, entry, window.edges()[first])
            if merged is not None:
                self._changes[key] = _Changes(window.start, window.end, merged, entry.full_at)
                return {m: s.copy() for m, s in merged.items()}
        changes = self.inner.state_changes(window, metrics)
        self.full_queries += 1
        if entry is None or window.end >= entry.end:
            self._changes[key] = _Changes(window.start, window.end, {m: s.copy() for m, s in changes.items()},
                                          self.clock())
        return changes

    def _changes_from_tail(self, window: Window, metrics: Sequence[str], entry: _Changes,
                           tail_start: pd.Timestamp) -> dict[str, pd.Series] | None:
        fresh = self.inner.state_changes(Window(tail_start, window.end, window.bucket, window.tz), metrics)
        self.tail_queries += 1
        if set(fresh) != set(entry.changes):
            return None  # a metric appeared or vanished: its older changes are unknown here
        merged: dict[str, pd.Series] = {}
        for metric, tail in fresh.items():
            series = join_changes(entry.changes[metric], tail, tail_start, window)
            if series is None:
                return None
            merged[metric] = series
        return merged


def join_changes(cached: pd.Series, tail: pd.Series, tail_start: pd.Timestamp, window: Window) -> pd.Series | None:
    """Cached changes before tail_start, then the tail (whose first value, stamped tail_start, is the
    value in force there), cut to the window: value in force at window.start stamped window.start, then
    every change inside.  None when the value at window.start is not known from these."""
    both = pd.concat([cached[cached.index < tail_start], tail])
    values = both.to_numpy()
    keep = np.concatenate(([True], values[1:] != values[:-1])) if len(values) else np.zeros(0, dtype=bool)
    both = both[keep]
    at_start = int(both.index.searchsorted(window.start, side="right")) - 1
    if at_start < 0:
        return None
    inside = both[(both.index > window.start) & (both.index < window.end)]
    stamp = pd.DatetimeIndex([window.start]).as_unit(both.index.unit)
    index = stamp.append(inside.index)
    return pd.Series(np.concatenate(([both.iloc[at_start]], inside.to_numpy())), index=index,
                     dtype=tail.dtype, name=tail.name)

