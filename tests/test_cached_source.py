"""The closed-bucket cache in front of the real InfluxQL source on a real influxd: every answer equals what
the bare source returns for the whole window, while a warm call asks the database only for the tail."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pytest

from generator.config import load_config
from generator.errors import SourceError
from generator.ranges import BY_KEY, RangeSpec, Window, window_for
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
CHANGE_METRICS = ("compressor_on", "switch_valve", "aux_heater_on", "alarm_code", "alarm_active")
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
    """The real InfluxQL source, noting every window it is asked for and every error it raises."""

    def __init__(self, inner: InfluxQLSource):
        self.inner = inner
        self.kind = inner.kind
        self.series_windows: list[Window] = []
        self.change_windows: list[Window] = []
        self.errors: list[SourceError] = []

    @property
    def query_count(self) -> int:
        return self.inner.query_count

    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        self.series_windows.append(window)
        try:
            return self.inner.series(window, bands)
        except SourceError as exc:
            self.errors.append(exc)
            raise

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        self.change_windows.append(window)
        try:
            return self.inner.state_changes(window, metrics)
        except SourceError as exc:
            self.errors.append(exc)
            raise

    def latest(self) -> Latest:
        return self.inner.latest()

    def close(self) -> None:
        self.inner.close()


class Clock:
    """An injected monotonic clock, so the full refresh can come without waiting a day."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


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
    """A database of its own, since the test writes late data into it."""
    name = "cache_late_" + request.node.name.split("[")[0][-20:]
    influxd.create_database(name)
    influxd.write(name, generic_lines(), precision="s")
    return name


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def assert_same_changes(got: dict[str, pd.Series], want: dict[str, pd.Series]) -> None:
    assert list(got) == list(want)
    for metric in want:
        pd.testing.assert_series_equal(got[metric], want[metric], check_exact=True, obj=metric)


def moving_windows(spec: RangeSpec, start: pd.Timestamp = NOW) -> list[Window]:
    step = pd.Timedelta(spec.bucket)
    nows = [start + step * float(s) for s in np.cumsum((0.0,) + STEPS)]
    return [window_for(spec, now.to_pydatetime(), TZ) for now in nows]


def expected_tail_start(previous_end: pd.Timestamp, bucket: str) -> pd.Timestamp:
    """Default tail on a fixed grid: max(2 buckets, 1 h) before the cached end (1 h is a whole number
    of buckets for every sub-daily range)."""
    return previous_end - max(2 * pd.Timedelta(bucket), pd.Timedelta(hours=1))


# --- equality with the bare source ---------------------------------------------------------------------
@pytest.mark.parametrize("key, tail", [("1h", "1h"), ("1h", "0s"), ("24h", "1h"), ("7d", "1h"), ("30d", "1h")])
def test_consecutive_windows_equal_the_inner_source(generic: Influxd, key: str, tail: str):
    spec = BY_KEY[key]
    bare = source_for(generic, "cache_generic")
    cached = CachedSource(source_for(generic, "cache_generic"), tail=pd.Timedelta(tail))
    for window in moving_windows(spec):
        assert_same_frame(cached.series(window, spec.bands), bare.series(window, spec.bands))
        assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
    covers_window = pd.Timedelta(tail) >= pd.Timedelta(spec.span)
    assert cached.full_queries == (2 * len(STEPS) + 2 if covers_window else 2)


@pytest.mark.parametrize("key", ["24h", "30d"])
def test_enum_shares_from_changes_equal_the_inner_source(nibe: Influxd, key: str):
    spec = BY_KEY[key]
    bare = source_for(nibe, "cache_nibe", "nibe")
    cached = CachedSource(source_for(nibe, "cache_nibe", "nibe"))
    for window in moving_windows(spec, pd.Timestamp("2024-03-30T13:50Z")):
        frame = cached.series(window, spec.bands)
        assert_same_frame(frame, bare.series(window, spec.bands))
        assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
    assert {"compressor_on", "switch_valve"} <= set(frame.columns)
    assert cached.tail_queries == 2 * len(STEPS)


def test_local_days_across_the_dst_change_equal_the_inner_source_and_ask_for_two_local_days(generic: Influxd):
    spec = BY_KEY["365d"]
    bare = source_for(generic, "cache_generic")
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    nows = [pd.Timestamp(d, tz=TZ) for d in ("2024-03-30T00:10", "2024-03-30T05:00", "2024-03-31T00:10",
                                             "2024-04-01T00:10", "2024-04-02T07:00")]
    previous: Window | None = None
    for now in nows:
        window = window_for(spec, now.to_pydatetime(), TZ)
        assert_same_frame(cached.series(window, True), bare.series(window, True))
        assert_same_changes(cached.state_changes(window, CHANGE_METRICS), bare.state_changes(window, CHANGE_METRICS))
        if previous is not None:
            asked = inner.series_windows[-1]
            two_days_back = (previous.end.tz_convert(TZ).tz_localize(None) - pd.Timedelta(days=2)).tz_localize(TZ)
            assert asked == Window(two_days_back.tz_convert("UTC"), window.end, "1D", TZ)
            assert inner.change_windows[-1] == asked
        previous = window
    # The tail that ends at 2024-04-01 local midnight holds the 23-hour day.
    assert (pd.Timestamp("2024-04-01", tz=TZ) - pd.Timestamp("2024-03-31", tz=TZ)) == pd.Timedelta(hours=23)
    assert cached.full_queries == 2 and cached.tail_queries == 2 * (len(nows) - 1)


# --- what a warm call asks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["7d", "30d"])
def test_a_warm_call_asks_the_inner_source_only_for_the_tail(generic: Influxd, key: str):
    spec = BY_KEY[key]
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    windows = moving_windows(spec)
    for i, window in enumerate(windows):
        before = inner.query_count
        cached.series(window, spec.bands)
        cached.state_changes(window, CHANGE_METRICS)
        assert inner.query_count == before + 2  # one request each, whole window or tail
        if i == 0:
            assert inner.series_windows[-1] == window and inner.change_windows[-1] == window
            continue
        tail = Window(expected_tail_start(windows[i - 1].end, spec.bucket), window.end, spec.bucket, TZ)
        assert inner.series_windows[-1] == tail
        assert inner.change_windows[-1] == tail
    assert cached.full_queries == 2


def test_a_window_off_the_cached_grid_gets_a_full_query(generic: Influxd):
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    bare = source_for(generic, "cache_generic")
    window = window_for(BY_KEY["30d"], NOW.to_pydatetime(), TZ)
    cached.series(window, True)
    shifted = Window(window.start + pd.Timedelta(minutes=30), window.end + pd.Timedelta(minutes=30), "1h", TZ)
    assert_same_frame(cached.series(shifted, True), bare.series(shifted, True))
    assert inner.series_windows[-1] == shifted
    assert cached.full_queries == 2 and cached.tail_queries == 0


def test_a_window_ending_before_the_cache_gets_a_full_query_and_keeps_the_cache(generic: Influxd):
    inner = Recording(source_for(generic, "cache_generic"))
    cached = CachedSource(inner)
    bare = source_for(generic, "cache_generic")
    spec = BY_KEY["7d"]
    window = window_for(spec, NOW.to_pydatetime(), TZ)
    cached.series(window, False)
    yesterday = window_for(spec, (NOW - pd.Timedelta(days=1)).to_pydatetime(), TZ)  # like an archive snapshot
    assert_same_frame(cached.series(yesterday, False), bare.series(yesterday, False))
    assert inner.series_windows[-1] == yesterday
    later = window_for(spec, (NOW + pd.Timedelta(minutes=15)).to_pydatetime(), TZ)
    assert_same_frame(cached.series(later, False), bare.series(later, False))
    assert inner.series_windows[-1].start == expected_tail_start(window.end, spec.bucket)


def test_buckets_older_than_the_window_are_dropped(generic: Influxd):
    spec = BY_KEY["24h"]
    cached = CachedSource(source_for(generic, "cache_generic"))
    for window in moving_windows(spec):
        frame = cached.series(window, spec.bands)
        changes = cached.state_changes(window, CHANGE_METRICS)
        assert cached.cached_rows() == len(frame) + sum(len(s) for s in changes.values())
        assert len(frame) == len(window.edges()) - 1


# --- late data ---------------------------------------------------------------------------------------------
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


def test_late_data_older_than_the_tail_shows_after_the_full_refresh(influxd: Influxd, late_db: str):
    spec = BY_KEY["30d"]
    clock = Clock()
    cached = CachedSource(source_for(influxd, late_db), full_refresh_s=3600, clock=clock)
    bare = source_for(influxd, late_db)
    window = window_for(spec, pd.Timestamp("2024-04-01T12:20Z").to_pydatetime(), TZ)
    cached.series(window, True)
    old_bucket = window.end - pd.Timedelta(hours=5)
    influxd.write(late_db, [f"heatpump,name=outdoor_temp value=99 {int(old_bucket.timestamp()) + 7}"], precision="s")
    clock.now = 3599.0
    stale = cached.series(window, True)
    assert stale.at[old_bucket, "outdoor_temp:max"] != 99  # older than the tail: not asked again yet
    clock.now = 3600.0
    assert_same_frame(cached.series(window, True), bare.series(window, True))
    assert cached.full_queries == 2


# --- failures ----------------------------------------------------------------------------------------------
def test_a_failed_call_propagates_the_source_error_and_leaves_the_cache_consistent(generic: Influxd):
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
    assert cached.full_queries == 2  # the cache survived the failure: still only tails


# --- pass-through ------------------------------------------------------------------------------------------
def test_kind_query_count_and_latest_pass_through_uncached(generic: Influxd):
    inner = source_for(generic, "cache_generic")
    cached = CachedSource(inner)
    assert cached.kind == "influxql"
    before = inner.query_count
    first, second = cached.latest(), cached.latest()
    assert inner.query_count == before + 2 == cached.query_count
    assert first == second == inner.latest()


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
