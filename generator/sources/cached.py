"""The closed-bucket cache: a Source in front of a database source that asks again only for what can change.

A range's window ends at its last *closed* bucket and is refreshed again and again (30d every 15 min, 365d
every hour), so nearly every bucket of a refresh was already computed by the previous one.  CachedSource
keeps, per grid (bucket, time zone, bands, and span_class(): about how long the window is), the buckets it
last returned, and on the next call asks the inner source only for smaller windows on the same grid:

* the *tail*: the buckets the cache does not cover yet plus the newest cached ones (late data; and the last
  bucket's time-weighted value depends on its right neighbour, which was still open);
* one *re-check chunk* of older cached buckets, cycling from the window's oldest to its newest, so late
  data older than the tail shows within one cycle (ceil(window / chunk) calls or so; see
  docs/data-layer.md, "The closed-bucket cache").

A window whose uncovered part is longer than a chunk (the first call, another grid, a generator that was
down for days) is asked chunk by chunk, oldest first, and every chunk that succeeded is kept even when a
later one fails: the next call resumes there, so a slow database converges instead of timing out on the
whole window for ever.  state_changes() is cached the same way per (metrics, bucket, time zone); pieces
are joined so that a "value in force" stamp at a piece start that repeats the value does not show.

The merged answer equals what the inner source returns for the whole window (every per-bucket value is
independent of the query's bounds), as long as no data older than the tail arrived late since that bucket
was last re-checked.  A window ending before the cached end (an archive snapshot of yesterday) is answered
chunk by chunk without touching the cache.  The inner source's SourceError propagates unchanged.  Not
thread-safe: the generator runs one generation at a time (scheduler max_instances=1).

Over 300 lines because the plan (tail, re-check, nothing-closed), the fill that survives failures and the
splicing of frames and of state changes are one mechanism, tested as one in tests/test_cached_source.py.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from generator.core.errors import SourceError
from generator.core.ranges import Window
from generator.sources.base import Latest, Source
from generator.sources.cache_store import KEPT_LONGER_THAN, CacheStore

log = logging.getLogger("heatpump_dashboard.cache")
DEFAULT_TAIL = pd.Timedelta(hours=1)
DEFAULT_TAIL_BUCKETS = 2
DEFAULT_CHUNK = pd.Timedelta(days=3)
MAX_CHUNKS = 150   # a cold window in at most this many queries: ten years of local days in 25-day pieces
# A short grid (1h … 24h) changes every refresh; on disk it is renewed this often, so a restart asks for
# at most this much more than its tail (a 24h window of 10-s data takes ~2 s to read whole), and an SD
# card sees one small write per grid per 10 minutes instead of one per 30 s.
SHORT_SAVED_EVERY_S = 600.0

Held = TypeVar("Held")    # what one grid keeps: a frame, or {metric: changes}
Piece = TypeVar("Piece")  # what the inner source answers for one smaller window
Changes = dict[str, pd.Series]


@dataclass(frozen=True)
class _Entry(Generic[Held]):
    """What one grid holds: the answer for [start, end), both edges of the grid, never older buckets."""

    start: pd.Timestamp
    end: pd.Timestamp
    held: Held
    recheck: pd.Timestamp | None  # where the next re-check chunk starts; None: at the window start


@dataclass(frozen=True)
class _Kind(Generic[Held, Piece]):
    """How one kind of answer is asked for, joined and cut (series frames or state changes)."""

    name: str                                    # "frame" | "changes": how it is kept on disk
    ask: Callable[[Window], Piece]
    # (held or None, piece, piece start, piece end, covered end, origin) -> held, or None if they don't fit
    splice: Callable[[Held | None, Piece, pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp], Held | None]
    trim: Callable[[Held, pd.Timestamp], Held]  # drop what lies before a new window start
    cut: Callable[[Held, Window], Piece]        # the answer for exactly the window


class CachedSource:
    """A Source (generator/sources/base.py) that caches closed buckets of another Source."""

    def __init__(self, inner: Source, tail: pd.Timedelta = DEFAULT_TAIL, tail_buckets: int = DEFAULT_TAIL_BUCKETS,
                 chunk: pd.Timedelta = DEFAULT_CHUNK, recheck_every: pd.Timedelta = pd.Timedelta(0),
                 clock: Callable[[], float] = time.monotonic, disk: CacheStore | None = None):
        if tail_buckets < 1:
            raise ValueError(f"tail_buckets must be at least 1, not {tail_buckets}")
        if pd.Timedelta(chunk) <= pd.Timedelta(0):
            raise ValueError(f"chunk must be a positive duration, not {chunk}")
        self.inner = inner
        self.tail = pd.Timedelta(tail)
        self.tail_buckets = int(tail_buckets)
        self.chunk = pd.Timedelta(chunk)
        # A re-check chunk goes with a call at most this often per grid (0: every call), so a range
        # refreshed every 30 s does not read a whole chunk 120 times an hour.
        self.recheck_every_s = pd.Timedelta(recheck_every).total_seconds()
        self._clock = clock
        self._rechecked: dict[tuple[int, tuple], float] = {}
        self._saved: dict[tuple[int, tuple], float] = {}  # when a short grid was last written to disk
        self.cold_calls = 0   # calls that found nothing usable cached (first call, another grid, a reset)
        self.warm_calls = 0   # calls that went on from the cache (tail + re-check, or resuming a cold fill)
        self._frames: dict[tuple[str, str, bool], _Entry[pd.DataFrame]] = {}
        self._changes: dict[tuple[tuple[str, ...], str, str], _Entry[Changes]] = {}
        self.disk = disk   # the long grids, kept for a restart (cache_store.py)
        for name, key, start, end, recheck, held in (disk.load() if disk else []):
            store = self._frames if name == "frame" else self._changes
            store[key] = _Entry(start, end, held, recheck)
            # A restart is not a reason to re-read a chunk at once: what arrived while it was down past
            # the cached end comes with the tail, and older late data waits for the re-check as it would.
            self._rechecked[(id(store), key)] = clock()

    # --- pass-through -------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.inner.kind

    @property
    def query_count(self) -> int:
        return self.inner.query_count

    def latest(self) -> Latest:
        return self.inner.latest()

    def ping(self) -> bool:
        return self.inner.ping()

    def close(self) -> None:
        self._frames.clear()
        self._changes.clear()
        self.inner.close()

    def cached_rows(self) -> int:
        """Buckets plus changes held, over every grid: stays bounded by the windows asked for."""
        return (sum(len(e.held) for e in self._frames.values())
                + sum(len(s) for e in self._changes.values() for s in e.held.values()))

    def chunk_buckets(self, window: Window) -> int:
        """Buckets per chunk on this grid: `chunk` of nominal bucket time, at least one bucket (so 3 days are
        3 local days, whatever their length across DST; a month on the monthly grid); a window so long that
        this would make more than MAX_CHUNKS pieces (all the local days of "all") is cut into MAX_CHUNKS."""
        nominal = int(self.chunk.total_seconds() // window.bucket_seconds)   # a month is no Timedelta
        return max(1, nominal, -(-(len(window.edges()) - 1) // MAX_CHUNKS))

    # --- the Source calls -------------------------------------------------------------------------------
    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        kind: _Kind[pd.DataFrame, pd.DataFrame] = _Kind(
            "frame", ask=lambda w: self.inner.series(w, bands), splice=splice_frame,
            trim=lambda held, start: held[held.index >= start], cut=cut_frame)
        return self._answer(self._frames, (window.bucket, window.tz, bool(bands), span_class(window)), window,
                            kind).copy()

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        order = tuple(metrics)
        kind: _Kind[Changes, Changes] = _Kind(
            "changes", ask=lambda w: self.inner.state_changes(w, order),
            splice=lambda held, piece, a, b, end, origin: splice_changes(held, piece, a, b, end, origin, order),
            trim=lambda held, start: {m: cut_changes(s, start, None) for m, s in held.items()},
            cut=lambda held, w: {m: cut_changes(held[m], w.start, w.end) for m in order if m in held})
        answer = self._answer(self._changes, (order, window.bucket, window.tz, span_class(window)), window, kind)
        return {m: s.copy() for m, s in answer.items()}

    # --- the plan -------------------------------------------------------------------------------------------
    def _tail_start(self, edges: pd.DatetimeIndex, found: int) -> int:
        """Index in `edges` of the first bucket to ask again, cached end at edges[found]: at least
        `tail_buckets` buckets and at least `tail` long, starting on an edge (0 at the earliest)."""
        by_time = int(edges.searchsorted(edges[found] - self.tail, side="right")) - 1
        return max(0, min(found - self.tail_buckets, by_time))

    def _pieces(self, first: int, last: int, n: int) -> list[tuple[int, int]]:
        """[first, last) in pieces of at most n buckets, oldest first."""
        return [(i, min(i + n, last)) for i in range(first, last, n)]

    def _answer(self, store: dict, key: tuple, window: Window, kind: _Kind[Held, Piece]) -> Piece:
        edges = window.edges()
        last = len(edges) - 1
        n = self.chunk_buckets(window)
        entry: _Entry[Held] | None = store.get(key)
        if entry is not None and window.end < entry.end:
            # A window that ends before the cache (yesterday's archive snapshot): asked alone, in chunks,
            # and the cache keeps today's buckets.
            held = self._fill(window, edges, self._pieces(0, last, n), None, kind, None, None)
            return kind.cut(held, window)
        found = -1
        if entry is not None and window.start >= entry.start:
            found = int(edges.get_indexer([entry.end])[0])  # -1: another grid, or the cache lies before the window
        if found < 0:
            self.cold_calls += 1
            held = self._fill(window, edges, self._pieces(0, last, n), None, kind, store, key)
            self._rechecked[(id(store), key)] = self._clock()  # just read whole: nothing to re-check yet
            self._keep(store, key, window, kind)
            return kind.cut(held, window)
        self.warm_calls += 1
        first = self._tail_start(edges, found)
        held = kind.trim(entry.held, window.start)
        recheck_due = self._clock() - self._rechecked.get((id(store), key), -np.inf) >= self.recheck_every_s
        if found == last and not recheck_due:
            # No bucket closed since the last answer (30d within its hour, 365d within its day): only
            # late data could change it, and late data waits for the re-check.
            return kind.cut(held, window)
        if last - found > n or first == 0:
            # Resuming a cold fill (or a window the tail covers whole): no re-check, only what is missing.
            pieces = self._pieces(first, last, n)
            requests = [(i, j, entry.recheck) for i, j in pieces]
        elif not recheck_due:
            requests = [(first, last, entry.recheck)]  # the tail only: the re-check waits its turn
        else:
            self._rechecked[(id(store), key)] = self._clock()
            cursor = entry.recheck
            r = 0 if cursor is None else int(edges.searchsorted(cursor, side="left"))
            r = 0 if r >= first else r
            j = min(r + n, first)
            if j == first:  # the last chunk of the cycle reaches the tail: one request, and start over next time
                requests = [(r, last, None)]
            else:
                requests = [(r, j, edges[j]), (first, last, edges[j])]
        answer = kind.cut(self._fill_from(window, edges, requests, held, found, kind, store, key), window)
        self._keep(store, key, window, kind)
        return answer

    def _keep(self, store: dict, key: tuple, window: Window, kind: _Kind[Held, Piece]) -> None:
        """Write a grid's entry to disk once it answered a window (not each chunk of a fill): a long grid
        every time, a short one (refreshed every 30 s) at most every SHORT_SAVED_EVERY_S."""
        entry = store.get(key)
        if self.disk is None or entry is None:
            return
        if window.end - window.start <= KEPT_LONGER_THAN:
            now = self._clock()
            if now - self._saved.get((id(store), key), -np.inf) < SHORT_SAVED_EVERY_S:
                return
            self._saved[(id(store), key)] = now
        self.disk.save(kind.name, key, entry.start, entry.end, entry.recheck, entry.held)

    def _fill(self, window: Window, edges: pd.DatetimeIndex, pieces: list[tuple[int, int]], held: Held | None,
              kind: _Kind[Held, Piece], store: dict | None, key: tuple | None) -> Held:
        return self._fill_from(window, edges, [(i, j, None) for i, j in pieces], held, 0, kind, store, key)

    def _fill_from(self, window: Window, edges: pd.DatetimeIndex, requests: list[tuple[int, int, pd.Timestamp | None]],
                   held: Held | None, covered: int, kind: _Kind[Held, Piece], store: dict | None,
                   key: tuple | None) -> Held:
        """Ask each request (edge indices i, j; the re-check cursor after it) oldest first and splice it in.
        After each success the entry is stored (when `store` is given), so a failure keeps what was done.
        Pieces that do not fit the held answer (the database started or stopped holding a series) start the
        window over from empty, once."""
        restarted = False
        k = 0
        while k < len(requests):
            i, j, cursor = requests[k]
            if len(requests) > 2:  # a cold fill: long on a slow database, so say how far it got
                log.log(logging.INFO if k in (0, len(requests) - 1) else logging.DEBUG,
                        "filling the %s-bucket cache of %s … %s: chunk %d of %d", window.bucket,
                        window.start.date(), window.end.date(), k + 1, len(requests))
            piece = kind.ask(Window(edges[i], edges[j], window.bucket, window.tz))
            joined = kind.splice(held, piece, edges[i], edges[j], edges[covered], window.start)
            if joined is None:
                if restarted:
                    raise SourceError("the database's series changed while the cache was being filled; "
                                      "the next refresh tries again", "cache_incomplete")
                restarted = True
                self.cold_calls += 1
                held, covered, k = None, 0, 0
                requests = [(a, b, None) for a, b in self._pieces(0, len(edges) - 1, self.chunk_buckets(window))]
                continue
            held = joined
            covered = max(covered, j)
            if store is not None:
                store[key] = _Entry(window.start, edges[covered], held, cursor)
            k += 1
        assert held is not None  # a window holds at least one bucket, so at least one request was made
        return held


def span_class(window: Window) -> int:
    """Which entry of a grid a window shares: windows of about the same length (a range as it moves on,
    its snapshot of yesterday) share one; far longer or shorter ones keep their own, so 30 days of hours
    (30d) and a year of them (365d, folded into days) do not trim away each other's buckets on every
    refresh.  ⌊log2 of the buckets⌋: a DST day's bucket more or less never moves a range to another class."""
    return int(np.log2(max(1, len(window.edges()) - 1)))


# --- frames ------------------------------------------------------------------------------------------------
def splice_frame(held: pd.DataFrame | None, piece: pd.DataFrame, a: pd.Timestamp, b: pd.Timestamp,
                 covered_end: pd.Timestamp, origin: pd.Timestamp) -> pd.DataFrame | None:
    """Held buckets before a, the piece's buckets [a, b), held buckets from b on; None when the columns or
    their types differ (a series appeared or vanished: older buckets may differ too)."""
    if held is None or held.empty:
        return piece
    before, after = held[held.index < a], held[held.index >= b]
    if (len(before) or len(after)) and not (piece.columns.equals(held.columns) and piece.dtypes.equals(held.dtypes)):
        return None
    return pd.concat([before, piece, after])


def cut_frame(held: pd.DataFrame, window: Window) -> pd.DataFrame:
    index = pd.DatetimeIndex(window.edges()[:-1])  # built as the inner source builds it (same freq)
    part = held[(held.index >= window.start) & (held.index < window.end)]
    if not part.index.equals(index):
        raise SourceError("the cached buckets do not cover the window; the next refresh asks again", "cache_incomplete")
    return part.set_axis(index, axis=0)


# --- state changes -----------------------------------------------------------------------------------------
def value_at(series: pd.Series, at: pd.Timestamp) -> object:
    """The value in force at `at` (the last one stamped at or before it)."""
    return series.iloc[int(series.index.searchsorted(at, side="right")) - 1]


def without_repeats(series: pd.Series) -> pd.Series:
    values = series.to_numpy()
    keep = np.concatenate(([True], values[1:] != values[:-1])) if len(values) else np.zeros(0, dtype=bool)
    return series[keep]


def splice_changes(held: Changes | None, piece: Changes, a: pd.Timestamp, b: pd.Timestamp,
                   covered_end: pd.Timestamp, origin: pd.Timestamp, order: Sequence[str]) -> Changes:
    """Join the inner source's changes for [a, b) (value in force at a stamped a, then each change) into
    the held ones (value at origin stamped origin, then each change up to covered_end).

    Per metric: held changes before a, the piece, and when held changes go on after b, the held value in
    force at b restamped b (so a late change inside the piece cannot run on past it) and the held changes
    after b; then a value equal to the one before it is dropped (the piece's "value in force" stamp).  A
    metric first seen in a piece begins at its first sample, as the inner source over the whole window
    says.
    """
    held = held or {}
    joined: Changes = {}
    for metric in order:
        old, new = held.get(metric), piece.get(metric)
        if new is None or new.empty:
            if old is not None:
                joined[metric] = old
            continue
        if old is None or old.empty:  # first seen in this piece: from its first sample, as the inner source says
            joined[metric] = new
            continue
        parts = [old[old.index < a], new]
        if b < covered_end:
            stamp = pd.DatetimeIndex([b]).as_unit(new.index.unit)
            parts += [pd.Series([value_at(old, b)], index=stamp, dtype=old.dtype, name=old.name), old[old.index > b]]
        joined[metric] = without_repeats(pd.concat(parts))
    return joined


def cut_changes(series: pd.Series, start: pd.Timestamp, end: pd.Timestamp | None) -> pd.Series:
    """The value in force at start stamped start, then every change after it (and before end); a series
    that begins after start begins where it begins."""
    inside = series[(series.index > start) & ((series.index < end) if end is not None else True)]
    if series.empty or series.index[0] > start:
        return series[series.index < end] if end is not None else series
    stamp = pd.DatetimeIndex([start]).as_unit(series.index.unit)
    return pd.Series(np.concatenate(([value_at(series, start)], inside.to_numpy())), index=stamp.append(inside.index),
                     dtype=series.dtype, name=series.name)
