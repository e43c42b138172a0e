"""The closed-bucket cache in front of the real InfluxQL source on a real influxd: every answer equals what
the bare source returns for the whole window, a cold window is asked chunk by chunk (oldest first, kept
chunk by chunk through failures), and a warm call asks the database only for the tail and one older chunk.

Over 300 lines because it is a list of behaviours, one short test each.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.config import load_config
from generator.core.errors import SourceError
from generator.core.metrics import CHANGING
from generator.core.ranges import BY_KEY, RangeSpec, Window, window_for
from generator.sources.base import Latest
from generator.sources.cached import CachedSource
from generator.sources.influxql import Connection, InfluxQLSource
from providers import load_provider
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

TZ = "Europe/Stockholm"
# Four local days around the spring DST change (2024-03-31 has 23 hours in Stockholm), one sample a minute.
START = pd.Timestamp("2024-03-29", tz=TZ).tz_convert("UTC")
END = pd.Timestamp("2024-04-02", tz=TZ).tz_convert("UTC")
GAP = (pd.Timestamp("2024-03-31T10:00Z"), pd.Timestamp("2024-03-31T11:30Z"))  # no sample of anything
ALARMS = ((pd.Timestamp("2024-03-30T08:00Z"), pd.Timestamp("2024-03-30T08:45Z"), 7),
          (pd.Timestamp("2024-03-31T20:00Z"), pd.Timestamp("2024-03-31T20:10Z"), 3))
CHANGE_METRICS = CHANGING  # what the generator asks for
NOW = pd.Timestamp("2024-03-31T09:50Z")   # windows move from here across the gap
STEPS = (0.4, 1, 3, 0.5, 2, 7)            # how far `now` moves between refreshes, in buckets


def minutes() -> np.ndarray:
    t = np.arange(int(START.timestamp()), int(END.timestamp()), 60)
    return t[(t < GAP[0].timestamp()) | (t >= GAP[1].timestamp())]


def generic_lines() -> list[str]:
    t = minutes()
    on = ((t // 600) % 3 != 0).astype(int)                      # 20 min on, 10 min off
    alarm = np.zeros(len(t), dtype=int)
    for a, b, code in ALARMS:
        alarm[(t >= a.timestamp()) & (t < b.timestamp())] = code
    values = {
        "outdoor_temp": np.round(5 + 5 * np.sin(2 * np.pi * t / 86400) + 0.37 * ((t // 60) % 7), 3),
        "supply_temp": np.round(35 + (t % 3600) / 360, 3),
        "compressor_on": on,
        "switch_valve": ((t // 3600) % 6 == 0).astype(int) * on,
        "power_electric": 2000.0 * on + 30.0,
        "energy_electric": np.round(np.cumsum(2000.0 * on + 30.0) / 60_000, 3),
        "alarm_code": alarm,
    }
    return [f"heatpump,name={name} value={v} {s}" for name, vs in values.items() for s, v in zip(t, vs)]


def nibe_lines() -> list[str]:
    t = minutes()
    cycle = np.array([20, 40, 60, 60, 60, 100])[(t // 300) % 6]  # stopped, starting, running ×3, stopping
    prio = np.where((t // 1800) % 4 == 0, 20, 30)               # hot water half an hour in two hours
    values = {"bt1-outdoor-temperature-40004": np.round(3 + 4 * np.sin(2 * np.pi * t / 86400), 2),
              "compressor-state-ep14-43427": cycle, "prio-43086": prio}
    return [f"heatpump,name={name} value={v} {s}" for name, vs in values.items() for s, v in zip(t, vs)]


def source_for(server: Influxd, database: str, provider: str = "generic") -> InfluxQLSource:
    return InfluxQLSource(Connection(server.url, database, None, None, None, None, 30.0), load_provider(provider))


class Recording:
    """The real InfluxQL source, noting every window it is asked for and every error it raises; with
    `after_calls`, it runs `then` (e.g. stops influxd) once that many calls have been answered."""

    def __init__(self, inner: InfluxQLSource, after_calls: int | None = None, then: Callable[[], None] | None = None):
        self.inner = inner
        self.kind = inner.kind
        self.series_windows: list[Window] = []
        self.change_windows: list[Window] = []
        self.errors: list[SourceError] = []
        self.after_calls, self.then = after_calls, then

    @property
    def query_count(self) -> int:
        return self.inner.query_count

    def _call(self, windows: list[Window], window: Window, call: Callable[[], object]):
        windows.append(window)
        try:
            return call()
        except SourceError as exc:
            self.errors.append(exc)
            raise
        finally:
            if self.after_calls is not None and len(self.series_windows) + len(self.change_windows) == self.after_calls:
                self.then()

    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        return self._call(self.series_windows, window, lambda: self.inner.series(window, bands))

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        return self._call(self.change_windows, window, lambda: self.inner.state_changes(window, metrics))

    def latest(self) -> Latest:
        return self.inner.latest()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def generic(influxd: Influxd) -> Influxd:
    influxd.create_database("cache_generic")
    influxd.write("cache_generic", generic_lines(), precision="s")
    return influxd


@pytest.fixture(scope="module")
def nibe(influxd: Influxd) -> Influxd:
    influxd.create_database("cache_nibe")
    influxd.write("cache_nibe", nibe_lines(), precision="s")
    return influxd


@pytest.fixture()
def late_db(influxd: Influxd, request: pytest.FixtureRequest) -> str:
    """A database of its own (per test and parameter), since the test writes late data into it."""
    name = "cache_late_" + re.sub(r"\W", "_", request.node.name)[-40:]
    influxd.create_database(name)
    influxd.write(name, generic_lines(), precision="s")
    return name


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    # Equal but for the order of floating-point sums (a bucket split over two pieces adds in another order).
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-9)


def assert_same_changes(got: dict[str, pd.Series], want: dict[str, pd.Series]) -> None:
    assert list(got) == list(want)
    for metric in want:
        pd.testing.assert_series_equal(got[metric], want[metric], check_exact=True, obj=metric)


def moving_windows(spec: RangeSpec, start: pd.Timestamp = NOW, steps: Sequence[float] = STEPS) -> list[Window]:
    step = pd.Timedelta(spec.bucket)
    nows = [start + step * float(s) for s in np.cumsum((0.0,) + tuple(steps))]
    return [window_for(spec, now.to_pydatetime(), TZ) for now in nows]


def refreshes(spec: RangeSpec, count: int, start: pd.Timestamp = NOW) -> list[Window]:
    """`count` windows one refresh interval apart, as the scheduler asks them."""
    return [window_for(spec, (start + pd.Timedelta(seconds=spec.refresh_s * k)).to_pydatetime(), TZ)
            for k in range(count)]


def buckets(window: Window) -> int:
    return len(window.edges()) - 1


def expected_tail_start(previous_end: pd.Timestamp, bucket: str) -> pd.Timestamp:
    """Default tail on a fixed grid: max(2 buckets, 1 h) before the cached end (1 h is a whole number
    of buckets for every sub-daily range)."""
    return previous_end - max(2 * pd.Timedelta(bucket), pd.Timedelta(hours=1))


def assert_chunks_cover(asked: list[Window], start: pd.Timestamp, end: pd.Timestamp, chunk_buckets: int) -> None:
    """The inner windows tile [start, end) oldest first, each at most one chunk."""
    assert asked[0].start == start and asked[-1].end == end
    assert all(a.end == b.start for a, b in pairwise(asked))
    assert all(1 <= buckets(w) <= chunk_buckets for w in asked)


# --- chunked cold fills equal the bare source ----------------------------------------------------------
@pytest.mark.parametrize("key, chunk", [("7d", "3D"), ("7d", "5h"), ("30d", "3D"), ("30d", "7h")])
def test_a_cold_window_is_asked_chunk_by_chunk_oldest_first_and_equals_the_inner_source(
        generic: Influxd, key: str, chunk: str):
    spec = BY_KEY[key]
    bare = source_for(generic, "cache_generic")
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner, chunk=pd.Timedelta(chunk))
    window = window_for(spec, NOW.to_pydatetime(), TZ)
    # The window starts weeks before the data: the early chunks hold nothing, and each metric first shows
    # in a later chunk (its first value is then stamped at the window start, as the bare source does).
    assert_same_frame(cached.series(window, spec.bands), bare.series(window, spec.bands))
    assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
    n = int(pd.Timedelta(chunk) / pd.Timedelta(spec.bucket))
    assert len(inner.series_windows) == math.ceil(buckets(window) / n) > 1
    assert_chunks_cover(inner.series_windows, window.start, window.end, n)
    assert inner.change_windows == inner.series_windows


def test_state_changes_across_chunk_boundaries_equal_the_inner_source(generic: Influxd):
    # One-hour chunks over two days: a chunk starts on every hour, some at a change (the compressor stops
    # at :00 and :30, the first alarm starts at 08:00) and most where nothing changes.
    window = Window(pd.Timestamp("2024-03-30T00:00Z"), pd.Timestamp("2024-04-01T00:00Z"), "1h", TZ)
    bare = source_for(generic, "cache_generic").state_changes(window, CHANGE_METRICS)
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner, chunk=pd.Timedelta(hours=1))
    assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare)
    assert len(inner.change_windows) == 48
    starts = pd.DatetimeIndex([w.start for w in inner.change_windows[1:]])
    assert starts.isin(bare["compressor_on"].index).any() and not starts.isin(bare["compressor_on"].index).all()
    assert pd.Timestamp("2024-03-30T08:00Z") in bare["alarm_code"].index


def test_local_days_across_the_dst_change_are_asked_in_chunks_of_three_local_days(generic: Influxd):
    spec = BY_KEY["365d"]
    bare = source_for(generic, "cache_generic")
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    window = window_for(spec, pd.Timestamp("2024-04-03T07:00", tz=TZ).to_pydatetime(), TZ)
    assert_same_frame(cached.series(window, True), bare.series(window, True))
    assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
    assert_chunks_cover(inner.series_windows, window.start, window.end, 3)
    assert len(inner.series_windows) == math.ceil(365 / 3)
    hours = {(w.end - w.start) / pd.Timedelta(hours=1) for w in inner.series_windows[:-1]}
    assert hours == {72.0, 71.0, 73.0}  # three local days; across 2023-10-29 (25 h) and 2024-03-31 (23 h)


def test_local_days_across_the_dst_change_equal_the_inner_source_when_warm(generic: Influxd):
    spec = BY_KEY["365d"]
    bare = source_for(generic, "cache_generic")
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    nows = [pd.Timestamp(d, tz=TZ) for d in ("2024-03-30T00:10", "2024-03-30T05:00", "2024-03-31T00:10",
                                             "2024-04-01T00:10", "2024-04-02T07:00")]
    previous: Window | None = None
    for now in nows:
        window = window_for(spec, now.to_pydatetime(), TZ)
        calls = len(inner.series_windows)
        assert_same_frame(cached.series(window, True), bare.series(window, True))
        assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
        if previous is not None:
            recheck, tail = inner.series_windows[calls:]
            two_days_back = (previous.end.tz_convert(TZ).tz_localize(None) - pd.Timedelta(days=2)).tz_localize(TZ)
            assert tail == Window(two_days_back.tz_convert("UTC"), window.end, "1D", TZ)
            assert len(recheck.edges()) - 1 == 3 and recheck.end <= tail.start
            assert inner.change_windows[-2:] == [recheck, tail]
        previous = window
    assert cached.cold_calls == 2 and cached.warm_calls == 2 * (len(nows) - 1)


# --- warm calls: equal, and only the tail plus one older chunk ------------------------------------------------
@pytest.mark.parametrize("key, tail, chunk", [("1h", "1h", "3D"), ("1h", "0s", "3D"), ("24h", "1h", "3D"),
                                              ("7d", "1h", "2D"), ("30d", "1h", "5D")])
def test_consecutive_windows_equal_the_inner_source(generic: Influxd, key: str, tail: str, chunk: str):
    spec = BY_KEY[key]
    bare = source_for(generic, "cache_generic")
    cached = CachedSource(source_for(generic, "cache_generic"), tail=pd.Timedelta(tail), chunk=pd.Timedelta(chunk))
    for window in moving_windows(spec):
        assert_same_frame(cached.series(window, spec.bands), bare.series(window, spec.bands))
        assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
    assert cached.cold_calls == 2 and cached.warm_calls == 2 * len(STEPS)


@pytest.mark.parametrize("key, chunk", [("24h", "3D"), ("30d", "3D"), ("30d", "7h")])
def test_enum_shares_from_changes_equal_the_inner_source(nibe: Influxd, key: str, chunk: str):
    spec = BY_KEY[key]
    bare = source_for(nibe, "cache_nibe", "nibe")
    cached = CachedSource(source_for(nibe, "cache_nibe", "nibe"), chunk=pd.Timedelta(chunk))
    for window in moving_windows(spec, pd.Timestamp("2024-03-30T13:50Z")):
        frame = cached.series(window, spec.bands)
        assert_same_frame(frame, bare.series(window, spec.bands))
        assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
    assert {"compressor_on", "switch_valve"} <= set(frame.columns)
    assert cached.cold_calls == 2


def test_a_warm_call_asks_for_the_tail_and_one_older_chunk_cycling_from_the_oldest(generic: Influxd):
    spec = BY_KEY["30d"]
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    n = cached.chunk_buckets(window_for(spec, NOW.to_pydatetime(), TZ))
    windows = refreshes(spec, 23)
    cycles: list[list[Window]] = [[]]  # re-check chunks, one list per cycle
    for i, window in enumerate(windows):
        calls = len(inner.series_windows)
        cached.series(window, spec.bands)
        cached.state_changes(window, CHANGE_METRICS)
        asked = inner.series_windows[calls:]
        assert inner.change_windows[-len(asked):] == asked
        if i == 0:
            continue
        tail = Window(expected_tail_start(windows[i - 1].end, spec.bucket), window.end, spec.bucket, TZ)
        assert sum(buckets(w) for w in asked) <= buckets(tail) + n      # never more than tail + one chunk
        if len(asked) == 2:                                             # an older chunk, then the tail
            assert asked[1] == tail and buckets(asked[0]) == n and asked[0].end <= tail.start
            cycles[-1].append(asked[0])
        else:                                                           # the chunk that reaches the tail
            (merged,) = asked
            assert merged.end == window.end and merged.start < tail.start
            cycles[-1].append(merged)
            cycles.append([])
    first = cycles[0]
    assert first[0].start == windows[1].start                           # the cycle starts at the oldest bucket
    assert all(a.end == b.start for a, b in pairwise(first))    # and moves on a chunk per call
    assert len(first) == len(cycles[1]) == math.ceil(30 * 24 / n) == 10
    assert cycles[1][0].start == windows[11].start                      # then starts over
    assert cached.cold_calls == 2


def test_a_re_check_chunk_goes_with_a_call_at_most_once_per_recheck_interval(generic: Influxd):
    spec = BY_KEY["24h"]
    inner = Recording(source_for(generic, "cache_generic"))
    now = [0.0]
    cached = CachedSource(inner, recheck_every=pd.Timedelta(minutes=15), clock=lambda: now[0])
    windows = refreshes(spec, 5)
    cached.series(windows[0], spec.bands)  # cold
    sizes = []
    for window in windows[1:]:
        now[0] += 30  # refreshed every 30 s
        calls = len(inner.series_windows)
        got = cached.series(window, spec.bands)
        sizes.append(sum(buckets(w) for w in inner.series_windows[calls:]))
        assert_same_frame(got, inner.inner.series(window, spec.bands))
    tail = 30 + 2  # the 1-h tail of 2-min buckets, plus the buckets that closed since the last call
    assert all(size <= tail for size in sizes), "only the tail until 15 min have passed (the cold fill read it all)"
    now[0] += 15 * 60
    calls = len(inner.series_windows)
    cached.series(windows[-1], spec.bands)
    assert sum(buckets(w) for w in inner.series_windows[calls:]) > tail


def test_a_window_off_the_cached_grid_is_filled_anew(generic: Influxd):
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    bare = source_for(generic, "cache_generic")
    window = window_for(BY_KEY["30d"], NOW.to_pydatetime(), TZ)
    cached.series(window, True)
    shifted = Window(window.start + pd.Timedelta(minutes=30), window.end + pd.Timedelta(minutes=30), "1h", TZ)
    calls = len(inner.series_windows)
    assert_same_frame(cached.series(shifted, True), bare.series(shifted, True))
    assert_chunks_cover(inner.series_windows[calls:], shifted.start, shifted.end, 72)
    assert cached.cold_calls == 2 and cached.warm_calls == 0


def test_a_window_ending_before_the_cache_is_answered_in_chunks_and_keeps_the_cache(generic: Influxd):
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner, chunk=pd.Timedelta(days=2))
    bare = source_for(generic, "cache_generic")
    spec = BY_KEY["7d"]
    window = window_for(spec, NOW.to_pydatetime(), TZ)
    cached.series(window, False)
    yesterday = window_for(spec, (NOW - pd.Timedelta(days=1)).to_pydatetime(), TZ)  # like an archive snapshot
    calls = len(inner.series_windows)
    assert_same_frame(cached.series(yesterday, False), bare.series(yesterday, False))
    assert_chunks_cover(inner.series_windows[calls:], yesterday.start, yesterday.end, 192)
    later = window_for(spec, (NOW + pd.Timedelta(minutes=15)).to_pydatetime(), TZ)
    assert_same_frame(cached.series(later, False), bare.series(later, False))
    assert inner.series_windows[-1].start == expected_tail_start(window.end, spec.bucket)
    assert cached.cold_calls == 1


def test_buckets_older_than_the_window_are_dropped(generic: Influxd):
    spec = BY_KEY["24h"]
    cached = CachedSource(source_for(generic, "cache_generic"))
    for window in moving_windows(spec):
        frame = cached.series(window, spec.bands)
        changes = cached.state_changes(window, CHANGE_METRICS)
        assert cached.cached_rows() == len(frame) + sum(len(s) for s in changes.values())
        assert len(frame) == len(window.edges()) - 1


def test_a_series_the_database_starts_holding_fills_the_window_anew(influxd: Influxd, late_db: str):
    spec = BY_KEY["30d"]
    inner = Recording(source_for(influxd, late_db))
    cached = CachedSource(inner)
    bare = source_for(influxd, late_db)
    first, second = refreshes(spec, 2, pd.Timestamp("2024-04-01T12:20Z"))
    assert "indoor_temp" not in cached.series(first, True).columns
    at = int((first.end - pd.Timedelta(minutes=20)).timestamp())
    influxd.write(late_db, [f"heatpump,name=indoor_temp value=21.5 {at}"], precision="s")
    calls = len(inner.series_windows)
    frame = cached.series(second, True)
    assert_same_frame(frame, bare.series(second, True))
    assert frame["indoor_temp"].notna().sum() == 1
    recheck, *refill = inner.series_windows[calls:]  # the first piece did not fit: the window again, in chunks
    assert recheck.start == second.start
    assert_chunks_cover(refill, second.start, second.end, 72)
    assert cached.cold_calls == 2


# --- failures --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", ["series", "state_changes"])
def test_a_failure_in_the_middle_of_a_cold_fill_keeps_the_finished_chunks_and_the_next_call_resumes(
        generic: Influxd, call: str):
    spec = BY_KEY["30d"]
    done = 4
    inner = Recording(source_for(generic, "cache_generic"), after_calls=done, then=generic.stop)
    cached = CachedSource(inner)
    bare = source_for(generic, "cache_generic")
    ask = (lambda w: cached.series(w, True)) if call == "series" else (lambda w: cached.state_changes(w, CHANGE_METRICS))
    asked = inner.series_windows if call == "series" else inner.change_windows
    windows = refreshes(spec, 2)
    try:
        with pytest.raises(SourceError) as failed:
            ask(windows[0])
        assert failed.value is inner.errors[-1] and len(asked) == done + 1
    finally:
        generic.start()
    resumed_from = asked[done - 1].end
    got = ask(windows[1])
    if call == "series":
        assert_same_frame(got, bare.series(windows[1], True))
    else:
        assert_same_changes(got, bare.state_changes(windows[1], CHANGE_METRICS))
    assert_chunks_cover(asked[done + 1:], expected_tail_start(resumed_from, spec.bucket), windows[1].end, 72)
    assert cached.cold_calls == 1


def test_a_failed_warm_call_propagates_the_source_error_and_leaves_the_cache_consistent(generic: Influxd):
    spec = BY_KEY["30d"]
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    bare = source_for(generic, "cache_generic")
    windows = moving_windows(spec)
    cached.series(windows[0], True)
    cached.state_changes(windows[0], CHANGE_METRICS)
    generic.stop()
    try:
        with pytest.raises(SourceError) as series_error:
            cached.series(windows[2], True)
        assert series_error.value is inner.errors[-1]
        with pytest.raises(SourceError) as changes_error:
            cached.state_changes(windows[2], CHANGE_METRICS)
        assert changes_error.value is inner.errors[-1]
    finally:
        generic.start()
    for window in windows[2:4]:
        assert_same_frame(cached.series(window, True), bare.series(window, True))
        assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
    assert cached.cold_calls == 2  # the cache survived the failure: warm calls only


# --- late data -------------------------------------------------------------------------------------------------
def test_late_data_in_the_tail_is_picked_up(influxd: Influxd, late_db: str):
    spec = BY_KEY["30d"]
    cached = CachedSource(source_for(influxd, late_db))
    bare = source_for(influxd, late_db)
    window = window_for(spec, pd.Timestamp("2024-04-01T12:20Z").to_pydatetime(), TZ)
    first = cached.series(window, True)
    first_changes = cached.state_changes(window, CHANGE_METRICS)
    last_bucket = window.end - pd.Timedelta(hours=1)
    late = int((last_bucket + pd.Timedelta(minutes=35, seconds=17)).timestamp())  # compressor is off :30–:40
    influxd.write(late_db, [f"heatpump,name=outdoor_temp value=99 {late}",
                            f"heatpump,name=compressor_on value=1 {late}"], precision="s")
    again = cached.series(window, True)
    assert_same_frame(again, bare.series(window, True))
    assert again.at[last_bucket, "outdoor_temp:max"] == 99 != first.at[last_bucket, "outdoor_temp:max"]
    changes = cached.state_changes(window, CHANGE_METRICS)
    assert_same_changes(changes, bare.state_changes(window, CHANGE_METRICS))
    assert len(changes["compressor_on"]) == len(first_changes["compressor_on"]) + 2  # on at `late`, off a minute on


def off_minute_after(at: pd.Timestamp) -> pd.Timestamp:
    """The first minute at or after `at` in which the generic compressor is off (and was off before)."""
    t = int(at.timestamp()) // 60 * 60
    while (t // 600) % 3 != 0 or (t % 600) < 120:
        t += 60
    return pd.Timestamp(t, unit="s", tz="UTC")


@pytest.mark.parametrize("key, chunk", [("7d", "1D"), ("30d", "3D")])
def test_late_data_older_than_the_tail_shows_within_one_re_check_cycle(influxd: Influxd, late_db: str,
                                                                        key: str, chunk: str):
    spec = BY_KEY[key]
    inner = Recording(source_for(influxd, late_db))
    cached = CachedSource(inner, chunk=pd.Timedelta(chunk))
    bare = source_for(influxd, late_db)
    cycle = math.ceil(pd.Timedelta(spec.span) / pd.Timedelta(chunk))   # the promised bound, in calls
    windows = iter(refreshes(spec, 3 * cycle, pd.Timestamp("2024-04-01T12:20Z")))
    # Late samples inside the data, two days before the window end (far older than the tail), in the
    # middle of a minute in which the compressor is off: it shows as on for 10 s.
    late = off_minute_after(pd.Timestamp("2024-03-30T12:00Z")) + pd.Timedelta(seconds=17)
    # The worst case: they land right after the chunk that holds them was re-checked.
    window = next(windows)
    cached.series(window, spec.bands)  # cold
    cached.state_changes(window, CHANGE_METRICS)
    asked: list[Window] = []
    while not any(w.start <= late < w.end for w in asked):
        window, calls = next(windows), len(inner.series_windows)
        cached.series(window, spec.bands)
        cached.state_changes(window, CHANGE_METRICS)
        asked = inner.series_windows[calls:]
    at = int(late.timestamp())
    influxd.write(late_db, [f"heatpump,name=outdoor_temp value=99 {at}", f"heatpump,name=compressor_on value=1 {at}",
                            f"heatpump,name=compressor_on value=0 {at + 10}"], precision="s")
    for call in range(1, cycle + 1):
        window = next(windows)
        frame = cached.series(window, spec.bands)
        changes = cached.state_changes(window, CHANGE_METRICS)
        want_changes = bare.state_changes(window, CHANGE_METRICS)
        if call < cycle:  # not asked again before the re-check comes round: the bound is tight
            assert late not in changes["compressor_on"].index
        else:
            assert_same_frame(frame, bare.series(window, spec.bands))
            assert_same_changes(changes, want_changes)
            assert late in changes["compressor_on"].index


# --- pass-through ------------------------------------------------------------------------------------------
def test_kind_query_count_and_latest_pass_through_uncached(generic: Influxd):
    inner = source_for(generic, "cache_generic")
    cached = CachedSource(inner)
    assert cached.kind == "influxql"
    before = inner.query_count
    first, second = cached.latest(), cached.latest()
    assert inner.query_count == before + 2 == cached.query_count
    assert first == second == inner.latest()


def test_a_chunk_that_is_not_a_positive_duration_is_refused():
    unused = InfluxQLSource(Connection("http://127.0.0.1:9", "x", None, None, None, None, 1.0), load_provider("generic"))
    with pytest.raises(ValueError, match="chunk must be a positive duration"):
        CachedSource(unused, chunk=pd.Timedelta(0))


def test_the_generator_gets_database_sources_behind_the_cache_and_the_demo_bare(influxd: Influxd, tmp_path: Path):
    from generator.sources.demo import DemoSource
    from generator.sources.factory import make_cached_source

    def config(text: str):
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        return load_config(path, {})

    assert isinstance(make_cached_source(config("source: {kind: demo}\n")), DemoSource)
    src = make_cached_source(config(f"source: {{kind: influxql, url: '{influxd.url}', database: x}}\n"))
    assert isinstance(src, CachedSource) and isinstance(src.inner, InfluxQLSource)


def test_a_window_no_bucket_closed_in_is_answered_from_the_cache_until_the_re_check_is_due(generic: Influxd):
    spec = BY_KEY["30d"]   # hourly buckets, refreshed every 15 min: most refreshes see the same window
    inner = Recording(source_for(generic, "cache_generic"))
    now = [0.0]
    cached = CachedSource(inner, recheck_every=pd.Timedelta(minutes=15), clock=lambda: now[0])
    window = refreshes(spec, 1)[0]
    cached.series(window, spec.bands)   # cold
    calls = len(inner.series_windows)
    now[0] += 60
    assert_same_frame(cached.series(window, spec.bands), inner.inner.series(window, spec.bands))
    assert len(inner.series_windows) == calls, "nothing asked of the database"
    now[0] += 15 * 60
    calls = len(inner.series_windows)
    cached.series(window, spec.bands)
    assert len(inner.series_windows) > calls, "the re-check goes when due"


def test_a_month_and_a_year_of_hours_on_one_grid_keep_their_own_buckets(generic: Influxd):
    """30d and 365d (read in hours, then folded into days) ask the same grid: neither trims away the other's
    buckets, so after one cold fill each a refresh of either asks only for its tail."""
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner, recheck_every=pd.Timedelta(hours=1), clock=lambda: 0.0)
    bare = source_for(generic, "cache_generic")
    month = window_for(BY_KEY["30d"], NOW.to_pydatetime(), TZ)
    year_days = window_for(BY_KEY["365d"], NOW.to_pydatetime(), TZ)
    year = Window(year_days.start, year_days.end, "1h", TZ)
    cached.series(year, True)
    cached.series(month, True)
    calls = len(inner.series_windows)
    later = window_for(BY_KEY["30d"], (NOW + pd.Timedelta(hours=1)).to_pydatetime(), TZ)
    assert_same_frame(cached.series(year, True), bare.series(year, True))
    assert_same_frame(cached.series(later, True), bare.series(later, True))
    assert cached.cold_calls == 2
    asked = inner.series_windows[calls:]
    assert asked and all(w.end - w.start <= pd.Timedelta(hours=3) for w in asked)   # the tail: 2 old buckets, 1 new

