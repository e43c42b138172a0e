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

from typing import Sequence

import numpy as np
import pandas as pd

from generator.core.clock import SYSTEM, Clock
from generator.core.errors import ConfigError
from generator.core.metrics import BY_NAME, CHANGING, Kind, band_column, coverage_column
from generator.core.ranges import Window
from generator.sources import months, simulator
from generator.sources.base import Latest

HISTORY_MONTHS = 14              # the demo's history: "all" shows 14 months, and a year-on-year comparison
CHUNK_SAMPLES = 1 << 15          # ~11 days of 30 s samples: small arrays stay in cache
_NS = 1_000_000_000
_STEP_NS = simulator.SAMPLE_SECONDS * _NS

METRICS: tuple[str, ...] = simulator.METRICS


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
        self._month_rows: dict[tuple[str, bool, pd.Timestamp], pd.Series] = {}   # closed months, see _months()

    # --- series ----------------------------------------------------------------------------------
    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        if window.calendar_months:  # local months, folded from local days (months.py)
            return self._months(window, bands)
        self.query_count += 1
        edges = window.edges()
        index = pd.DatetimeIndex(edges[:-1])
        columns = list(METRICS) + [coverage_column(m) for m in METRICS if BY_NAME[m].kind is not Kind.CODE]
        if bands:
            columns += [band_column(m, w) for m in METRICS if BY_NAME[m].kind is Kind.TEMPERATURE
                        for w in ("min", "max")]
        out = {c: np.full(len(index), np.nan) for c in columns}
        if len(index) > 0:
            grid = _first_grid_at_or_after(edges.as_unit("ns").asi8)  # bucket b: grid[b] ≤ g < grid[b+1]
            for b0, b1 in self._chunks(grid):
                self._aggregate(grid, b0, b1, bands, out)
            # Every sample holds for one grid step, so a bucket is covered by its samples' share of it.
            seconds = np.diff(edges.as_unit("s").asi8).astype(float)
            counts = np.diff(grid).astype(float)
            covered = np.where(counts > 0, counts * simulator.SAMPLE_SECONDS / seconds, np.nan)
            for name in METRICS:
                if coverage_column(name) in out:
                    out[coverage_column(name)] = covered.copy()
        return pd.DataFrame(out, index=index, columns=columns)

    def _months(self, window: Window, bands: bool) -> pd.DataFrame:
        """Monthly buckets of a history that begins HISTORY_MONTHS before now: the simulator would answer
        for any past, but ten simulated years take seconds to sample, and a real history has a start.  A
        closed month never changes (the simulator is a function of time), so it is sampled once per
        process: the daily refresh of "all" samples only months it has not seen."""
        edges = window.edges()
        now_utc = pd.Timestamp(self._clock.now()).tz_convert("UTC")
        now = now_utc.tz_convert(window.tz).tz_localize(None)
        begins = (now.normalize().replace(day=1) - pd.DateOffset(months=HISTORY_MONTHS)).tz_localize(window.tz)
        first = min(int(edges.searchsorted(begins.tz_convert("UTC"))), len(edges) - 1)
        index = pd.DatetimeIndex(edges[:-1])
        if first == len(edges) - 1:
            empty = self.series(months.days_of(Window(edges[0], edges[1], window.bucket, window.tz)), bands).iloc[:0]
            return empty.reindex(index)
        key = lambda start: (window.tz, bool(bands), start)  # noqa: E731
        missing = [i for i in range(first, len(edges) - 1) if key(edges[i]) not in self._month_rows]
        fresh = None
        if missing:   # one sampling for the run from the first month not seen to the last
            a, b = missing[0], missing[-1] + 1
            fresh = months.by_month(lambda days: self.series(days, bands),
                                    Window(edges[a], edges[b], window.bucket, window.tz))
            for i in range(a, b):
                if edges[i + 1] <= now_utc:   # closed: it reads the same next time
                    self._month_rows[key(edges[i])] = fresh.loc[edges[i]]
        rows = [self._month_rows[key(edges[i])] if key(edges[i]) in self._month_rows else fresh.loc[edges[i]]
                for i in range(first, len(edges) - 1)]
        frame = pd.DataFrame(rows, index=index[first:])
        return frame.reindex(index)

    @staticmethod
    def _chunks(grid: np.ndarray) -> list[tuple[int, int]]:
        """Runs of whole buckets [b0, b1) holding about CHUNK_SAMPLES samples each."""
        chunk_of = (grid[:-1] - grid[0]) // CHUNK_SAMPLES
        cuts = np.flatnonzero(np.diff(chunk_of)) + 1
        bounds = np.concatenate(([0], cuts, [len(grid) - 1]))
        return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    def _aggregate(self, grid: np.ndarray, b0: int, b1: int, bands: bool, out: dict[str, np.ndarray]) -> None:
        first, last = int(grid[b0]), int(grid[b1])
        if last <= first:
            return
        samples = simulator.sample(_grid_times(first, last - first), self.seed)
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
        wanted = [m for m in CHANGING if m in asked and m in METRICS]
        if not wanted:
            return {}
        start_ns, end_ns = _ns(window.start), _ns(window.end)
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
