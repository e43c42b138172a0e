"""The demo source: the simulator read through the Source contract (generator/sources/demo.py)."""
from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from generator.core.errors import ConfigError
from generator.core.metrics import BY_NAME, Kind, band_column, coverage_column
from generator.core.ranges import BY_KEY, RANGES, Window, window_for
from generator.sources import simulator
from generator.sources.demo import DemoSource
from generator.sources.fold import read_range
from generator.sources.simulator import SAMPLE_SECONDS
from tests.clocks import ManualClock

TZ = "Europe/Stockholm"
NOW = pd.Timestamp("2025-11-03 09:41:17", tz="UTC")  # after both 2025 DST changes


def window(key: str, now: pd.Timestamp = NOW):
    return window_for(BY_KEY[key], now.to_pydatetime(), TZ)


def grid_samples(start: pd.Timestamp, end: pd.Timestamp, seed: int = 1, metrics=None) -> dict[str, np.ndarray]:
    """The simulator's samples on the 30 s grid points in [start, end)."""
    t = np.arange(int(start.timestamp()), int(end.timestamp()), SAMPLE_SECONDS)
    return simulator.sample(t, seed, metrics)


@pytest.fixture(scope="module")
def source() -> DemoSource:
    return DemoSource(seed=1, clock=ManualClock(NOW))   # its history: the HISTORY_MONTHS before NOW


# --- the contract ----------------------------------------------------------------------------------
def test_kind_is_demo(source):
    assert source.kind == "demo"


def test_every_method_call_counts_as_one_query():
    src = DemoSource(seed=1, clock=ManualClock(NOW))
    src.series(window("1h"), bands=False)
    src.state_changes(window("1h"), ["compressor_on", "switch_valve"])
    src.latest()
    assert src.query_count == 3


@pytest.mark.parametrize("spec", RANGES, ids=lambda r: r.key)
def test_series_has_a_row_for_every_bucket_start(source, spec):
    w = window_for(spec, NOW.to_pydatetime(), TZ)
    if spec.calendar_months:  # "all": the demo's history begins HISTORY_MONTHS before its clock's now
        frame, _ = read_range(DemoSource(seed=1, clock=ManualClock(NOW)), w, bands=spec.bands)
        assert frame.index.equals(w.edges()[:-1])
        history = frame.index >= pd.Timestamp("2024-09-01", tz=TZ)     # Nov 2025 − 14 months
        assert frame[~history].isna().all().all() and history.sum() == 14   # Sep 2024 … Oct 2025
        frame = frame[history]
    else:
        frame = source.series(w, bands=spec.bands)
        assert frame.index.equals(w.edges()[:-1])
    assert not frame.isna().any().any()


def test_series_speaks_canonical_names_with_coverage_and_bands_for_temperatures(source):
    frame = source.series(window("30d"), bands=True)
    temperatures = [m for m in simulator.METRICS if BY_NAME[m].kind is Kind.TEMPERATURE]
    covered = {coverage_column(m) for m in simulator.METRICS if BY_NAME[m].kind is not Kind.CODE}
    assert set(frame.columns) == set(simulator.METRICS) | covered | {
        band_column(m, w) for m in temperatures for w in ("min", "max")}
    assert (frame[sorted(covered)] == 1.0).all().all()  # every 30-s sample holds until the next
    for m in temperatures:  # (a mean of equal samples may differ from them in the last bit)
        assert (frame[band_column(m, "min")] <= frame[m] + 1e-9).all()
        assert (frame[m] <= frame[band_column(m, "max")] + 1e-9).all()
        assert (frame[band_column(m, "min")] < frame[band_column(m, "max")]).any()
    assert set(source.series(window("24h"), bands=False).columns) == set(simulator.METRICS) | covered


def test_a_bad_seed_is_a_config_error_naming_the_key():
    for bad in (-1, 1.5, "one"):
        with pytest.raises(ConfigError, match="source.seed"):
            DemoSource(seed=bad)


# --- aggregation -----------------------------------------------------------------------------------
def test_buckets_are_plain_means_of_the_grid_samples(source):
    w = window("7d")
    frame = source.series(w, bands=False)
    edges = w.edges()
    for b in (0, 333, len(frame) - 1):
        samples = grid_samples(edges[b], edges[b + 1])
        for name in ("supply_temp", "compressor_on", "power_electric", "heat_output"):
            assert frame[name].iloc[b] == pytest.approx(samples[name].mean(), rel=1e-12), name


def test_a_1h_bucket_is_the_sample_itself(source):
    w = window("1h")
    frame = source.series(w, bands=False)
    samples = grid_samples(w.start, w.end)
    for name in simulator.METRICS:
        np.testing.assert_array_equal(frame[name].to_numpy(), samples[name], err_msg=name)


def test_the_1h_and_the_24h_files_agree(source):
    one_hour = source.series(window("1h"), bands=False)
    day = source.series(window("24h"), bands=False)
    # Each 2-minute bucket of the 24h window is the mean of the four 30 s buckets of the 1h window.
    groups = one_hour.groupby(one_hour.index.floor("2min"))
    whole = groups.size() == 4  # the 1h window may begin inside a 2-minute bucket
    per_2min = groups.mean()[whole]
    common = per_2min.index.intersection(day.index)
    assert len(common) >= 29
    pd.testing.assert_frame_equal(per_2min.loc[common], day.loc[common], rtol=1e-12, check_freq=False)


def test_overlapping_windows_give_the_same_buckets(source):
    earlier = source.series(window("24h", NOW - pd.Timedelta("3h")), bands=False)
    later = source.series(window("24h"), bands=False)
    common = earlier.index.intersection(later.index)
    assert len(common) == 720 - 90
    pd.testing.assert_frame_equal(earlier.loc[common], later.loc[common])


def test_the_alarm_code_of_a_bucket_is_its_last_sample(source):
    event = simulator.alarm_events(NOW.timestamp() - 365 * 86400, NOW.timestamp(), seed=1)[-1]
    end = pd.Timestamp(event.end, unit="s", tz="UTC")
    frame = source.series(window("1h", end + pd.Timedelta("10min")), bands=False)
    assert frame["alarm_code"].loc[end - pd.Timedelta("30s")] == simulator.ALARM_LOW_BRINE_FLOW
    assert frame["alarm_code"].loc[end] == 0
    assert frame["alarm_active"].loc[end - pd.Timedelta("30s")] == 1


def test_the_365d_window_has_local_days_of_23_and_25_hours(source):
    w = window("365d")
    frame = source.series(w, bands=True)
    hours = pd.Series(w.edges()).diff().dropna().dt.total_seconds() / 3600
    assert set(hours.unique()) == {23.0, 24.0, 25.0}
    assert len(frame) == 365
    # The 23-hour day's value is the mean of exactly that day's samples.
    short = int(np.flatnonzero(hours.to_numpy() == 23.0)[0])
    edges = w.edges()
    samples = grid_samples(edges[short], edges[short + 1], metrics=("outdoor_temp",))
    assert samples["outdoor_temp"].size == 23 * 120
    assert frame["outdoor_temp"].iloc[short] == pytest.approx(samples["outdoor_temp"].mean(), rel=1e-12)


def test_the_365d_window_is_fast_and_small(source):
    w = window("365d")
    source.series(w, bands=True)  # warm-up (imports, caches)
    tracemalloc.start()
    started = time.process_time()  # CPU time: other work on a shared machine does not count
    source.series(w, bands=True)
    seconds = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 3.0  # loose: catches regressions on a shared machine; typical is far less
    assert peak < 150e6


# --- state changes ---------------------------------------------------------------------------------
def test_state_changes_start_at_the_window_start_then_list_only_changes(source):
    w = window("24h")
    changes = source.state_changes(w, ["compressor_on", "switch_valve", "alarm_code", "outdoor_temp"])
    assert set(changes) == {"compressor_on", "switch_valve", "alarm_code"}
    for name, series in changes.items():
        assert series.index[0] == w.start, name
        assert (series.index[1:] > w.start).all() and (series.index < w.end).all()
        assert (series.to_numpy()[1:] != series.to_numpy()[:-1]).all(), name


def test_state_changes_are_exact_at_full_resolution(source):
    w = window("24h")
    series = source.state_changes(w, ["compressor_on"])["compressor_on"]
    t = pd.date_range(w.start, w.end, freq="30s", inclusive="left")
    rebuilt = series.reindex(t, method="ffill")
    samples = grid_samples(w.start, w.end, metrics=("compressor_on",))["compressor_on"]
    np.testing.assert_array_equal(rebuilt.to_numpy(), samples)


def test_a_window_starting_between_grid_points_gets_the_value_in_force():
    src = DemoSource(seed=1)
    w = window("24h")
    shifted = type(w)(w.start + pd.Timedelta("10s"), w.end, w.bucket, w.tz)
    value = src.state_changes(shifted, ["compressor_on"])["compressor_on"]
    assert value.index[0] == shifted.start
    assert value.iloc[0] == grid_samples(w.start, w.start + pd.Timedelta("30s"))["compressor_on"][0]


def test_compressor_cycles_counted_from_state_changes_are_realistic(source):
    w = window("7d", pd.Timestamp("2025-01-20 00:00", tz="UTC"))
    series = source.state_changes(w, ["compressor_on"])["compressor_on"]
    on_at = series.index[series.to_numpy() == 1]
    off_at = series.index[series.to_numpy() == 0]
    lengths = [(off_at[off_at > s][0] - s).total_seconds() / 60 for s in on_at[on_at > w.start]
               if (off_at > s).any()]
    starts_per_day = len(on_at[on_at > w.start]) / 7
    assert 2 <= starts_per_day <= 10      # the simulator's calibration (generator/sources/simulator.py)
    assert min(lengths) >= 20


def test_hot_water_cycles_come_every_few_hours(source):
    series = source.state_changes(window("7d"), ["switch_valve"])["switch_valve"]
    starts = series.index[series.to_numpy() == 1]
    gaps = pd.Series(starts).diff().dropna().dt.total_seconds() / 3600
    assert 4.0 <= gaps.min() and gaps.max() <= 12.0   # two or three charges a day


# --- latest ----------------------------------------------------------------------------------------
def test_latest_reads_the_newest_grid_point_of_the_clock():
    src = DemoSource(seed=1, clock=ManualClock(NOW))
    latest = src.latest()
    assert latest.at == NOW.floor("30s")
    expected = grid_samples(latest.at, latest.at + pd.Timedelta("30s"))
    sampled = {name: v for name, v in latest.values.items() if name not in simulator.COUNTERS}
    assert sampled == {name: float(v[0]) for name, v in expected.items()}


def test_latest_carries_the_lifetime_counters_as_of_its_reading():
    latest = DemoSource(seed=1, clock=ManualClock(NOW)).latest()
    at = int(latest.at.timestamp())
    assert {name: latest.values[name] for name in simulator.COUNTERS} == simulator.counters(at, 1)
    assert latest.values["compressor_hours_total"] > 1000 and latest.values["compressor_starts_total"] > 100


def test_latest_without_a_clock_uses_the_wall_clock():
    before = pd.Timestamp.now(tz="UTC")
    latest = DemoSource(seed=1).latest()
    after = pd.Timestamp.now(tz="UTC")
    assert before.floor("30s") <= latest.at <= after


def test_latest_reports_an_active_alarm_and_since_when():
    event = simulator.alarm_events(NOW.timestamp() - 365 * 86400, NOW.timestamp(), seed=1)[-1]
    during = pd.Timestamp(event.start + 60, unit="s", tz="UTC")
    latest = DemoSource(seed=1, clock=ManualClock(during)).latest()
    assert latest.alarm_codes == (simulator.ALARM_LOW_BRINE_FLOW,)
    assert latest.alarm_since == {simulator.ALARM_LOW_BRINE_FLOW: pd.Timestamp(event.start, unit="s", tz="UTC")}
    quiet = DemoSource(seed=1, clock=ManualClock(pd.Timestamp(event.end + 60, unit="s", tz="UTC"))).latest()
    assert quiet.alarm_codes == () and quiet.alarm_since == {}


def test_hours_are_sampled_once_and_the_days_folded_from_them_read_the_same_again(monkeypatch):
    src = DemoSource(seed=1, clock=ManualClock(NOW))
    days = window("365d")
    first = src.series(days, bands=True)
    sampled: list[int] = []
    real_sample = simulator.sample
    monkeypatch.setattr(simulator, "sample", lambda t, *a, **k: sampled.append(len(t)) or real_sample(t, *a, **k))
    again = src.series(days, bands=True)
    hours = src.series(Window(days.start, days.end, "1h", TZ), bands=False)
    assert sampled == []   # the year's hours come from those kept, not from the simulator again
    monkeypatch.undo()
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, DemoSource(seed=1, clock=ManualClock(NOW)).series(days, bands=True))
    assert len(hours) == 365 * 24 and not hours.isna().any().any()   # both DST changes: 8,760 hours


def test_buckets_before_the_history_begins_are_empty():
    src = DemoSource(seed=1, clock=ManualClock(NOW))
    w = window("all")
    days = Window(w.start, w.end, "1D", TZ)
    frame = src.series(days, bands=False)
    begins = src.history_begins(TZ)
    assert begins == pd.Timestamp("2024-09-01", tz=TZ).tz_convert("UTC")   # Nov 2025 − 14 months
    assert frame[frame.index < begins].isna().all().all()
    assert not frame[frame.index >= begins].isna().any().any()


def test_a_local_day_of_a_half_hour_zone_is_the_mean_of_its_own_samples():
    kolkata = "Asia/Kolkata"   # UTC+5:30: its midnights are no whole UTC hours, so no hours kept are folded
    src = DemoSource(seed=1, clock=ManualClock(NOW))
    w = window_for(BY_KEY["365d"], NOW.to_pydatetime(), kolkata)
    frame = src.series(w, bands=False)
    edges = w.edges()
    samples = grid_samples(edges[100], edges[101], metrics=("outdoor_temp",))
    assert samples["outdoor_temp"].size == 24 * 120
    assert frame["outdoor_temp"].iloc[100] == pytest.approx(samples["outdoor_temp"].mean(), rel=1e-12)


def changes_from_samples(start: pd.Timestamp, end: pd.Timestamp, metric: str) -> pd.Series:
    """What state_changes() must say, from the samples themselves: the value at start, then each change."""
    t = np.arange(int(start.timestamp()), int(end.timestamp()), SAMPLE_SECONDS)
    x = simulator.sample(t, 1, [metric])[metric]
    keep = np.r_[True, x[1:] != x[:-1]]
    index = pd.to_datetime(t[keep], unit="s", utc=True).as_unit("ns")
    return pd.Series(x[keep], index=index.where(index != index[0], start).as_unit("ns"))


def test_state_changes_inside_the_kept_hours_come_from_them_and_equal_the_samples(monkeypatch):
    src = DemoSource(seed=1, clock=ManualClock(NOW))
    month, year = window("30d"), window("365d")
    src.series(month, bands=True)                           # kept: the month's hours
    src.series(year, bands=True)                            # joined: the year before them
    sampled: list[int] = []
    real_sample = simulator.sample
    monkeypatch.setattr(simulator, "sample", lambda t, *a, **k: sampled.append(len(t)) or real_sample(t, *a, **k))
    inside = Window(year.start + pd.Timedelta(hours=5), month.start + pd.Timedelta(days=2), "1h", TZ)  # across the join
    changes = src.state_changes(inside, ["compressor_on", "alarm_code", "switch_valve"])
    assert sampled == []
    monkeypatch.undo()
    for metric in ("compressor_on", "alarm_code", "switch_valve"):
        expected = changes_from_samples(inside.start, inside.end, metric)
        assert len(expected) > 2 or metric == "alarm_code"
        pd.testing.assert_series_equal(changes[metric], expected, check_names=False, check_freq=False)


def test_state_changes_of_a_window_partly_outside_the_kept_hours_are_sampled_alike():
    src = DemoSource(seed=1, clock=ManualClock(NOW))
    month = window("30d")
    src.series(month, bands=False)
    across = Window(month.start - pd.Timedelta(hours=7), month.start + pd.Timedelta(hours=30), "1h", TZ)
    expected = changes_from_samples(across.start, across.end, "compressor_on")
    pd.testing.assert_series_equal(src.state_changes(across, ["compressor_on"])["compressor_on"], expected,
                                   check_names=False, check_freq=False)
