"""The `demo` source: the built-in simulated heat pump, read like a database would be.

It samples generator.simulator on the absolute 30 s grid (every multiple of SAMPLE_SECONDS since the
epoch) and aggregates into the window's buckets exactly as base.Source documents: temperatures mean
(plus min/max bands), states and powers the plain mean of the samples (on a regular grid that *is* the
time-weighted mean), codes the last sample.  A sample at grid time g belongs to the bucket holding g,
so a bucket [a, b) holds the grid points a ≤ g < b.  Because the simulator is a pure function of
absolute time, two windows that cover the same moments give the same samples and the same means of
aligned buckets (the 1h and the 24h files agree), whatever the window's end or resolution.

Work is done in chunks of whole buckets (about CHUNK_SAMPLES samples each) so memory stays bounded
however long the window is; daily buckets are local days of 23–25 h, handled by reducing between the
grid indices of the bucket edges (np.add.reduceat), not by resampling.

The simulator answers for any moment, past or future; the generator only asks up to "now".
"""
from __future__ import annotations

from functools import reduce
from typing import Sequence

import numpy as np
import pandas as pd

from generator.core.clock import SYSTEM, Clock
from generator.core.errors import ConfigError
from generator.core.metrics import BY_NAME, CHANGING, Kind, band_column, coverage_column
from generator.core.ranges import Window
from generator.sources import simulator
from generator.sources.base import Latest
from generator.sources.demo_changes import Changes
from generator.sources.fold import HOURS, fold, hours_of

HISTORY_MONTHS = 14              # the demo's history, before its clock's now: every window is empty before it;
                                 # "all" shows 14 months, and a year-on-year comparison
HOUR_S = 3600
KEPT_HOURS = (HISTORY_MONTHS + 2) * 31 * 24   # the hours kept: the history, and the month it began in
CHUNK_SAMPLES = 1 << 15          # ~11 days of 30 s samples: small arrays stay in cache
_NS = 1_000_000_000
_STEP_NS = simulator.SAMPLE_SECONDS * _NS

METRICS: tuple[str, ...] = simulator.METRICS
STATES: tuple[str, ...] = tuple(m for m in CHANGING if m in METRICS)   # what state_changes() answers


def _utc(ts: pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _ns(ts: pd.Timestamp) -> int:
    return int(_utc(ts).as_unit("ns").value)


def _first_grid_at_or_after(ns: np.ndarray) -> np.ndarray:
    """Grid index (epoch seconds ÷ 30) of the first sample at or after each instant."""
    return -((-np.asarray(ns, dtype=np.int64)) // _STEP_NS)


def _grid_times(first: int, count: int) -> np.ndarray:
    return (first + np.arange(count, dtype=np.int64)) * simulator.SAMPLE_SECONDS


def _on_whole_hours(window: Window) -> bool:
    """Whether every edge of the window is a whole UTC hour (local midnights are, but for zones of
    half-hour offsets): only then are its buckets made of the hours kept."""
    return bool((window.edges().as_unit("s").asi8 % HOUR_S == 0).all())


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, float, np.integer)) or seed < 0 or seed != int(seed):
        raise ConfigError([f"source.seed: {seed!r} is not a whole number ≥ 0; use e.g. 1"])
    return int(seed)


class DemoSource:
    """A Source (generator/sources/base.py) backed by the simulator; needs nothing installed."""

    kind = "demo"

    def __init__(self, seed: int = 1, clock: Clock = SYSTEM):
        self.seed = _check_seed(seed)
        self._clock = clock
        self.query_count = 0
        self._hours: pd.DataFrame | None = None   # hourly buckets with bands, as sampled: see _from_hours()
        self._changes: Changes | None = None      # the STATES' changes over the same hours (demo_changes.py)

    # --- series ----------------------------------------------------------------------------------
    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        self.query_count += 1
        begins = self.history_begins(window.tz)
        if (window.bucket_seconds == HOUR_S or window.calendar_days) and _on_whole_hours(window):
            return self._from_hours(window, bands, begins)
        return self._sampled(window, bands, begins)

    def _columns(self, bands: bool) -> list[str]:
        columns = list(METRICS) + [coverage_column(m) for m in METRICS if BY_NAME[m].kind is not Kind.CODE]
        if bands:
            columns += [band_column(m, w) for m in METRICS if BY_NAME[m].kind is Kind.TEMPERATURE
                        for w in ("min", "max")]
        return columns

    def _sampled(self, window: Window, bands: bool, begins: pd.Timestamp,
                 changes: list[Changes] | None = None) -> pd.DataFrame:
        """The window's buckets from the samples themselves (see the module docstring); the STATES' changes
        in each chunk of samples are appended to `changes` if given."""
        edges = window.edges()
        index = pd.DatetimeIndex(edges[:-1])
        first = int(edges.searchsorted(begins))   # the buckets before the history stay empty
        columns = self._columns(bands)
        out = {c: np.full(len(index), np.nan) for c in columns}
        if first < len(index):
            grid = _first_grid_at_or_after(edges.as_unit("ns").asi8)  # bucket b: grid[b] ≤ g < grid[b+1]
            for b0, b1 in self._chunks(grid[first:]):
                self._aggregate(grid, first + b0, first + b1, bands, out, changes)
            # Every sample holds for one grid step, so a bucket is covered by its samples' share of it.
            seconds = np.diff(edges.as_unit("s").asi8).astype(float)
            counts = np.diff(grid).astype(float)
            covered = np.where((counts > 0) & (np.arange(len(index)) >= first),
                               counts * simulator.SAMPLE_SECONDS / seconds, np.nan)
            for name in METRICS:
                if coverage_column(name) in out:
                    out[coverage_column(name)] = covered.copy()
        return pd.DataFrame(out, index=index, columns=columns)

    def _from_hours(self, window: Window, bands: bool, begins: pd.Timestamp) -> pd.DataFrame:
        """Hourly buckets and local days (30d, 365d's hours, "all"'s days) from the hours this source
        keeps: each hour is sampled once per process, and a day is its hours folded (fold.py; equal to
        sampling the day, as a bucket's mean of samples is its hours' means weighted by their samples)."""
        edges = window.edges()
        start = edges[min(int(edges.searchsorted(begins)), len(edges) - 1)]
        columns = self._columns(bands)
        if start >= window.end:
            return pd.DataFrame(np.nan, index=pd.DatetimeIndex(edges[:-1]), columns=columns)
        hours = self._hours_between(start, window.end)
        if window.calendar_days:
            days = Window(start, window.end, window.bucket, window.tz)
            hours = fold(hours, hours_of(days), days)
        return hours.reindex(pd.DatetimeIndex(edges[:-1]))[columns]

    def _hours_between(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Hourly buckets [start, end) with bands, from self._hours, sampling the hours it lacks on either
        side (the kept span only grows; the generator asks the same months again and again).  The STATES'
        changes over the kept hours grow with them."""
        kept, changes = self._hours, self._changes
        lo, hi = (kept.index[0], kept.index[-1] + pd.Timedelta(hours=1)) if kept is not None else (end, start)
        if kept is None or changes is None or start > hi or end < lo:   # nothing to join to: the new span alone
            kept, changes = self._sample_hours(start, end)
        else:
            if start < lo:
                before, before_changes = self._sample_hours(start, lo)
                kept, changes = pd.concat([before, kept]), before_changes.then(changes)
            if end > hi:
                after, after_changes = self._sample_hours(hi, end)
                kept, changes = pd.concat([kept, after]), changes.then(after_changes)
        if len(kept) > KEPT_HOURS:   # bounded: the oldest go first (the "all" range reaches back furthest)
            kept = kept.iloc[-KEPT_HOURS:]
            changes = changes.since(int(kept.index[0].timestamp()))
        self._hours, self._changes = kept, changes
        return kept.loc[(kept.index >= start) & (kept.index < end)]

    def _sample_hours(self, start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.DataFrame, Changes]:
        parts: list[Changes] = []
        hours = self._sampled(Window(start, end, HOURS, "UTC"), True, start, parts)
        return hours, reduce(Changes.then, parts)

    def history_begins(self, tz: str) -> pd.Timestamp:
        """The first local month of the demo's history (UTC): the simulator would answer for any past, but
        ten simulated years (the "all" range's reach) take seconds to sample, and a real history has a
        start.  Buckets before it are empty, as a database's are before its first sample."""
        now = pd.Timestamp(self._clock.now()).tz_convert(tz).tz_localize(None)
        return (now.normalize().replace(day=1) - pd.DateOffset(months=HISTORY_MONTHS)).tz_localize(tz).tz_convert("UTC")

    @staticmethod
    def _chunks(grid: np.ndarray) -> list[tuple[int, int]]:
        """Runs of whole buckets [b0, b1) holding about CHUNK_SAMPLES samples each."""
        chunk_of = (grid[:-1] - grid[0]) // CHUNK_SAMPLES
        cuts = np.flatnonzero(np.diff(chunk_of)) + 1
        bounds = np.concatenate(([0], cuts, [len(grid) - 1]))
        return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    def _aggregate(self, grid: np.ndarray, b0: int, b1: int, bands: bool, out: dict[str, np.ndarray],
                   changes: list[Changes] | None) -> None:
        first, last = int(grid[b0]), int(grid[b1])
        if last <= first:
            return
        t = _grid_times(first, last - first)
        samples = simulator.sample(t, self.seed)
        if changes is not None:
            changes.append(Changes.of_samples(t, {m: samples[m] for m in STATES}, last * simulator.SAMPLE_SECONDS))
        starts = grid[b0:b1] - first
        counts = grid[b0 + 1:b1 + 1] - grid[b0:b1]
        filled = counts > 0  # a bucket shorter than a sample step may hold none: it stays NaN
        rows = np.arange(b0, b1)[filled]
        at, n = starts[filled], counts[filled]
        for name, x in samples.items():
            kind = BY_NAME[name].kind
            if kind is Kind.CODE:
                out[name][rows] = x[at + n - 1]
                continue
            out[name][rows] = np.add.reduceat(x, at) / n
            if bands and kind is Kind.TEMPERATURE:
                out[band_column(name, "min")][rows] = np.minimum.reduceat(x, at)
                out[band_column(name, "max")][rows] = np.maximum.reduceat(x, at)

    # --- state changes ---------------------------------------------------------------------------
    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        self.query_count += 1
        asked = set(metrics)
        wanted = [m for m in STATES if m in asked]
        if not wanted:
            return {}
        start_ns, end_ns = _ns(window.start), _ns(window.end)
        kept = self._changes
        if kept is not None and kept.covers(start_ns // _NS, -(-end_ns // _NS)):   # 30d, 365d, "all"
            return kept.between(start_ns, end_ns, wanted)
        first = int(start_ns // _STEP_NS)                   # the sample in force at window.start
        last = int(_first_grid_at_or_after(np.array([end_ns]))[0])
        last = max(last, first + 1)
        times: dict[str, list[np.ndarray]] = {m: [] for m in wanted}
        values: dict[str, list[np.ndarray]] = {m: [] for m in wanted}
        previous: dict[str, float] = {}
        for c0 in range(first, last, CHUNK_SAMPLES * 4):  # states are cheap: bigger chunks
            t = _grid_times(c0, min(CHUNK_SAMPLES * 4, last - c0))
            for name, x in simulator.sample(t, self.seed, wanted).items():
                if name not in previous:
                    keep = np.concatenate(([True], x[1:] != x[:-1]))
                else:
                    keep = np.concatenate(([x[0] != previous[name]], x[1:] != x[:-1]))
                previous[name] = float(x[-1])
                times[name].append(t[keep])
                values[name].append(x[keep])
        result: dict[str, pd.Series] = {}
        for name in wanted:
            t = np.concatenate(times[name]).astype(np.int64) * _NS
            t[0] = start_ns  # the value in force at the start is stamped window.start
            index = pd.DatetimeIndex(pd.to_datetime(t, unit="ns", utc=True))
            result[name] = pd.Series(np.concatenate(values[name]), index=index, name=name)
        return result

    # --- latest ----------------------------------------------------------------------------------
    def latest(self) -> Latest:
        self.query_count += 1
        now = _utc(pd.Timestamp(self._clock.now()))
        grid_s = (_ns(now) // _STEP_NS) * simulator.SAMPLE_SECONDS
        samples = simulator.sample(np.array([grid_s], dtype=np.int64), self.seed)
        values = {name: float(x[0]) for name, x in samples.items()}
        # The lifetime counters as the controller shows them now; only here: in the range frames an
        # electricity counter would take the place of the power reading the demo's figures come from.
        values.update(simulator.counters(grid_s, self.seed))
        code = int(values["alarm_code"])
        since: dict[int, pd.Timestamp] = {}
        if code:
            for ev in simulator.alarm_events(grid_s, grid_s + 1, self.seed):
                if ev.code == code:
                    since[code] = pd.Timestamp(ev.start, unit="s", tz="UTC")
        return Latest(at=pd.Timestamp(grid_s, unit="s", tz="UTC"), values=values,
                      alarm_codes=(code,) if code else (), alarm_since=since)

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        """Nothing to release."""
