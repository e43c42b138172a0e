"""The influxql source against a real influxd loaded with several days in the existing-install layout
(measurement heatpump; tags register_id, name, type, unit; field value): known answers for means, time-
weighted shares under uneven sampling, gaps, counters, local days, state changes and latest values.

Over 300 lines because it is a list of behaviours, one short test each.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from generator.core.ranges import MONTHS, RANGES, Window, window_for
from generator.sources import hold
from generator.sources.fold import read_range
from generator.sources.influxql import DEFAULT_MAX_GAP_S, Connection, InfluxQLSource
from providers import load_provider
from tests.influxd import Influxd, free_port

pytestmark = pytest.mark.influxd

TZ = "Europe/Stockholm"
# Four local days around the spring DST change (2024-03-31 has 23 hours in Stockholm).
START = pd.Timestamp("2024-03-29", tz=TZ).tz_convert("UTC")
END = pd.Timestamp("2024-04-02", tz=TZ).tz_convert("UTC")
GAP = (pd.Timestamp("2024-03-31T10:00Z"), pd.Timestamp("2024-03-31T13:00Z"))  # no sample of anything
ON_FROM, ON_TO = 10 * 60, 30 * 60   # compressor runs :10–:30 every hour
ON_STEP, OFF_STEP = 15, 300         # uneven sampling: every 15 s while on, every 5 min while off
ALARM = (pd.Timestamp("2024-03-30T08:00Z"), pd.Timestamp("2024-03-30T08:45Z"), 7)
REGISTERS = {"outdoor_temp": ("0007", "temperature", "C"), "supply_temp": ("0002", "temperature", "C"),
             "return_temp": ("0001", "temperature", "C"), "compressor_on": ("1A01", "status", ""),
             "energy_electric": ("5FAB", "energy", "kWh"), "alarm_code": ("2A20", "status", "")}


def in_gap(t: int) -> bool:
    return GAP[0].timestamp() <= t < GAP[1].timestamp()


def compressor_true(t: float) -> int:
    return 1 if ON_FROM <= t % 3600 < ON_TO else 0


def compressor_times() -> list[int]:
    """Sample instants: dense while on, sparse while off, and one at every change (an on-change writer)."""
    times, t, end = [], int(START.timestamp()), int(END.timestamp())
    while t < end:
        times.append(t)
        step = ON_STEP if compressor_true(t) else OFF_STEP
        into = t % 3600
        nxt = min(t + step, t - into + (ON_FROM if into < ON_FROM else ON_TO if into < ON_TO else 3600 + ON_FROM))
        t = nxt
    return [x for x in times if not in_gap(x)]


@dataclass(frozen=True)
class Data:
    """The samples written, as pandas Series keyed by canonical (= generic raw) name."""

    series: dict[str, pd.Series]


def make_data() -> Data:
    minutes = np.arange(int(START.timestamp()), int(END.timestamp()), 60)
    minutes = np.array([t for t in minutes if not in_gap(int(t))])
    idx = pd.to_datetime(minutes, unit="s", utc=True)
    series = {
        "outdoor_temp": pd.Series(np.round(5 + 5 * np.sin(2 * np.pi * minutes / 86400), 3), idx),
        "supply_temp": pd.Series(np.round(35 + (minutes % 3600) / 360, 3), idx),
        "return_temp": pd.Series(np.full(len(minutes), 30.0), idx),
        "energy_electric": pd.Series(np.round(np.arange(len(minutes)) * 0.001 + 100, 3), idx),
        "alarm_code": pd.Series([float(ALARM[2]) if ALARM[0].timestamp() <= t < ALARM[1].timestamp() else 0.0
                                 for t in minutes], idx),
    }
    ct = np.array(compressor_times())
    series["compressor_on"] = pd.Series([float(compressor_true(t)) for t in ct], pd.to_datetime(ct, unit="s", utc=True))
    return Data(series)


def lines_for(data: Data) -> list[str]:
    out = []
    for name, s in data.series.items():
        reg, typ, unit = REGISTERS[name]
        unit_tag = f",unit={unit}" if unit else ""
        for t, v in zip(s.index, s.to_numpy()):
            out.append(f"heatpump,register_id={reg},name={name},type={typ}{unit_tag} value={v} {int(t.timestamp())}")
    return out


@pytest.fixture(scope="module")
def data() -> Data:
    return make_data()


@pytest.fixture(scope="module")
def loaded(influxd: Influxd, data: Data) -> Influxd:
    influxd.create_database("generic4d")
    influxd.write("generic4d", lines_for(data), precision="s")
    return influxd


def source_for(server: Influxd, database: str, provider: str = "generic", tag: str = "name") -> InfluxQLSource:
    return InfluxQLSource(Connection(server.url, database, None, None, None, None, 30.0), load_provider(provider),
                          tag=tag)


@pytest.fixture()
def source(loaded: Influxd) -> InfluxQLSource:
    return source_for(loaded, "generic4d")


def hourly_window() -> Window:
    return Window(START + pd.Timedelta(hours=1), END - pd.Timedelta(hours=1), "1h", TZ)


def bucket_of(s: pd.Series, a: pd.Timestamp, b: pd.Timestamp) -> pd.Series:
    return s[(s.index >= a) & (s.index < b)]


# --- shape ------------------------------------------------------------------------------------------
def test_every_range_returns_one_row_per_bucket_and_at_most_1000(source: InfluxQLSource):
    for spec in RANGES:
        window = window_for(spec, END.to_pydatetime(), TZ)
        frame, _ = read_range(source, window, spec.bands)   # 365d in hours, "all" in days: folded
        assert list(frame.index) == list(window.edges()[:-1]), spec.key
        assert len(frame) <= 1000, spec.key
        assert frame["outdoor_temp"].notna().any(), spec.key


def test_one_range_is_one_request(source: InfluxQLSource):
    source.latest()   # which series each name is read from: known from the run's first request
    before = source.query_count
    source.series(hourly_window(), bands=True)
    assert source.query_count == before + 1


def test_metrics_the_database_lacks_are_absent(source: InfluxQLSource):
    frame = source.series(hourly_window(), bands=False)
    assert "compressor_starts_total" not in frame and "heat_output" not in frame
    assert {"outdoor_temp", "compressor_on", "energy_electric", "alarm_code"} <= set(frame.columns)


# --- known answers ------------------------------------------------------------------------------------
def silences(data: Data) -> list[tuple[float, float]]:
    """Where the whole collector was silent past the staleness limit: from the limit after its last
    sample to its next sample."""
    t = np.unique(np.concatenate([s.index.as_unit("ns").asi8 / 1e9 for s in data.series.values()]))
    return [(x + DEFAULT_MAX_GAP_S, y) for x, y in zip(t[:-1], t[1:]) if y - x > DEFAULT_MAX_GAP_S]


def held_integral(samples: pd.Series, a: float, b: float,
                  silent: list[tuple[float, float]] = ()) -> tuple[float, float]:
    """(∫ value dt, covered seconds) over [a, b) of the step function through `samples` (each value held
    until the next sample, none while the collector is silent), computed here second by second: the
    reference the source must meet."""
    grid = np.arange(a, b, 1.0)
    t = samples.index.as_unit("ns").asi8 / 1e9
    k = np.searchsorted(t, grid, side="right") - 1
    known = k >= 0
    for lo, hi in silent:
        known &= ~((grid >= lo) & (grid < hi))
    values = samples.to_numpy(dtype=float)[np.maximum(k, 0)]
    return float(values[known].sum()), float(known.sum())


def edge_bound(samples: pd.Series, a: pd.Timestamp, b: pd.Timestamp, window: Window) -> float:
    """The documented bound (docs/data-layer.md) on a bucket's held mean: an interval up to a thirtieth of a
    bucket that crosses its start or end may be booked to the next bucket, so the mean can move by that
    share of the bucket times the spread of the values near its edges."""
    short = hold.short_interval_ms(window, DEFAULT_MAX_GAP_S) / 1000.0
    near = samples[(samples.index >= a - pd.Timedelta(seconds=short)) & (samples.index < b + pd.Timedelta(seconds=short))]
    spread = float(near.max() - near.min()) if len(near) else 0.0
    return 2 * short / (b - a).total_seconds() * spread + 1e-9


def test_temperatures_are_held_means_with_min_max_bands(source: InfluxQLSource, data: Data):
    window = hourly_window()
    frame = source.series(window, bands=True)
    edges = window.edges()
    s = data.series["outdoor_temp"]
    checked = 0
    for a, b in zip(edges[:-1], edges[1:]):
        part = bucket_of(s, a, b)
        if part.empty or any(abs((x - y).total_seconds()) <= 3600 for x in (a, b) for y in GAP):
            continue
        integral, covered = held_integral(s, a.timestamp(), b.timestamp())
        assert frame.at[a, "outdoor_temp"] == pytest.approx(integral / covered, abs=edge_bound(s, a, b, window))
        assert frame.at[a, "outdoor_temp:min"] == pytest.approx(part.min())
        assert frame.at[a, "outdoor_temp:max"] == pytest.approx(part.max())
        checked += 1
    assert checked > 80


def test_without_bands_there_are_no_band_columns(source: InfluxQLSource):
    frame = source.series(hourly_window(), bands=False)
    assert not [c for c in frame.columns if c.endswith((":min", ":max"))]


def true_share(a: pd.Timestamp, b: pd.Timestamp) -> float:
    seconds = np.arange(a.timestamp(), b.timestamp(), 1.0)
    return float(np.mean([compressor_true(t) for t in seconds]))


def test_uneven_change_only_sampling_gives_the_true_running_share_within_the_edge_bound(source: InfluxQLSource,
                                                                                       data: Data):
    window = hourly_window()
    frame = source.series(window, bands=False)
    samples = data.series["compressor_on"]
    edges = window.edges()
    checked = 0
    for a, b in zip(edges[:-1], edges[1:]):
        if any(abs((x - y).total_seconds()) <= 3600 for x in (a, b) for y in GAP):
            continue
        truth = true_share(a, b)
        assert abs(frame.at[a, "compressor_on"] - truth) <= edge_bound(samples, a, b, window), a
        # The plain sample mean is far outside that bound: the check can tell the two apart.
        assert abs(bucket_of(samples, a, b).mean() - truth) > 0.2
        checked += 1
    assert checked > 80


def test_a_silence_longer_than_the_limit_is_a_gap_after_the_limit(source: InfluxQLSource):
    frame = source.series(hourly_window(), bands=True)
    first, *inside = pd.date_range(GAP[0], GAP[1], freq="1h", inclusive="left")
    # the last samples came just before the gap: held for the staleness limit, then nothing
    assert frame.at[first, "outdoor_temp:cov"] == pytest.approx((DEFAULT_MAX_GAP_S - 60) / 3600, abs=1 / 60)
    values = [c for c in frame.columns if not c.endswith(":cov") and not c.startswith("quality:")]
    assert frame.loc[inside, values].isna().all().all()
    assert (frame.loc[inside, [c for c in frame.columns if c.startswith("quality:")]] == 0).all().all()
    assert (frame.loc[inside, [c for c in frame.columns if c.endswith(":cov")]].fillna(0) == 0).all().all()
    after = GAP[1]
    assert frame.loc[after, ["outdoor_temp", "compressor_on", "energy_electric"]].notna().all()


def test_counters_give_their_increase_in_each_bucket_counting_from_the_value_before_it(source: InfluxQLSource,
                                                                                       data: Data):
    window = hourly_window()
    frame = source.series(window, bands=False)
    s = data.series["energy_electric"]
    edges = window.edges()
    for a, b in zip(edges[:-1], edges[1:]):
        inside = bucket_of(s, a, b)
        before = s[s.index < a]
        if inside.empty or before.empty:
            continue
        # the counter is linear between samples; its increase in [a, b) is read off at the bucket's samples
        expected = inside.iloc[-1] - before.iloc[-1]
        assert frame.at[a, "energy_electric"] == pytest.approx(expected, abs=0.001 + 1e-9), a
    assert frame["energy_electric"].sum() == pytest.approx(
        s[s.index < window.end].iloc[-1] - s[s.index < window.start].iloc[-1], abs=0.002)


def test_daily_buckets_are_local_days_across_the_dst_change(source: InfluxQLSource, data: Data):
    window = Window(pd.Timestamp("2024-03-30", tz=TZ).tz_convert("UTC"),
                    pd.Timestamp("2024-04-01", tz=TZ).tz_convert("UTC"), "1D", TZ)
    frame = source.series(window, bands=True)
    edges = window.edges()
    assert list(frame.index) == list(edges[:-1])
    assert (edges[2] - edges[1]) == pd.Timedelta(hours=23)
    temp, comp = data.series["outdoor_temp"], data.series["compressor_on"]
    silent = silences(data)
    assert silent and any(a.timestamp() <= lo < b.timestamp() for lo, _ in silent for a, b in zip(edges[:-1], edges[1:]))
    for a, b in zip(edges[:-1], edges[1:]):
        integral, covered = held_integral(temp, a.timestamp(), b.timestamp(), silent)
        assert frame.at[a, "outdoor_temp"] == pytest.approx(integral / covered, abs=edge_bound(temp, a, b, window))
        assert frame.at[a, "outdoor_temp:cov"] == pytest.approx(covered / (b - a).total_seconds(), abs=0.011)
        assert frame.at[a, "outdoor_temp:max"] == pytest.approx(bucket_of(temp, a, b).max())
        on, known = held_integral(comp, a.timestamp(), b.timestamp(), silent)
        assert frame.at[a, "compressor_on"] == pytest.approx(on / known, abs=edge_bound(comp, a, b, window))


# --- state changes --------------------------------------------------------------------------------------
def expected_changes(samples: pd.Series, window: Window) -> pd.Series:
    before = samples[samples.index < window.start]
    inside = samples[(samples.index >= window.start) & (samples.index < window.end)]
    values = [before.iloc[-1]] + list(inside.to_numpy())
    times = [window.start] + list(inside.index)
    keep = [0] + [i for i in range(1, len(values)) if values[i] != values[i - 1]]
    return pd.Series([values[i] for i in keep], pd.DatetimeIndex([times[i] for i in keep]))


def test_state_changes_are_exact_at_full_resolution(source: InfluxQLSource, data: Data):
    window = Window(pd.Timestamp("2024-03-30T06:05Z"), pd.Timestamp("2024-03-30T12:00Z"), "2min", TZ)
    changes = source.state_changes(window, ["compressor_on", "alarm_code", "switch_valve"])
    for metric in ("compressor_on", "alarm_code"):
        got = changes[metric]
        want = expected_changes(data.series[metric], window)
        assert list(got.index) == list(want.index), metric
        assert list(got.to_numpy()) == list(want.to_numpy()), metric
    assert "switch_valve" not in changes  # the database has no such series
    assert changes["alarm_code"].iloc[1] == ALARM[2] and changes["alarm_code"].index[1] == ALARM[0]


def test_state_changes_is_one_request(source: InfluxQLSource):
    before = source.query_count
    source.state_changes(hourly_window(), ["compressor_on", "alarm_code"])
    assert source.query_count == before + 1


# --- latest ---------------------------------------------------------------------------------------------------
def test_latest_gives_newest_values_and_the_newest_sample_time(source: InfluxQLSource, data: Data):
    latest = source.latest()
    newest = max(s.index[-1] for s in data.series.values())
    assert latest.at == newest
    for name in ("outdoor_temp", "energy_electric", "compressor_on"):
        assert latest.values[name] == pytest.approx(data.series[name].iloc[-1])
    assert latest.alarm_codes == ()


def test_latest_shows_an_active_alarm(influxd: Influxd):
    influxd.create_database("alarm_now")
    influxd.write("alarm_now", ["heatpump,name=alarm_code value=0 1700000000", "heatpump,name=alarm_code value=12 1700000060",
                                "heatpump,name=outdoor_temp value=3 1700000030"], precision="s")
    latest = source_for(influxd, "alarm_now").latest()
    assert latest.alarm_codes == (12,)
    assert latest.at == pd.Timestamp(1700000060, unit="s", tz="UTC")


def test_a_series_split_into_several_entries_is_joined_not_overwritten():
    from generator.sources.influxql_client import series_by_tag
    result = {"series": [
        {"name": "heatpump", "tags": {"name": "compressor_on"}, "columns": ["time", "integral"],
         "values": [[0, 900.0], [3_600_000, 1800.0]]},
        {"name": "heatpump", "tags": {"name": "compressor_on"}, "columns": ["time", "integral"],
         "values": [[7_200_000, 0.0]]},
    ]}
    columns, rows = series_by_tag(result, "name")["compressor_on"]
    assert columns == ["time", "integral"] and [r[0] for r in rows] == [0, 3_600_000, 7_200_000]


def test_a_window_of_calendar_months_is_refused_before_any_query():
    """A range of months is read in local days and folded (generator/sources/fold.py): InfluxQL is never asked."""
    months = Window(pd.Timestamp("2024-01-01", tz="Europe/Stockholm").tz_convert("UTC"),
                    pd.Timestamp("2024-04-01", tz="Europe/Stockholm").tz_convert("UTC"), MONTHS, "Europe/Stockholm")
    assert months.calendar_months
    dead = InfluxQLSource(Connection(f"http://127.0.0.1:{free_port()}", "hp", None, None, None, None, 5.0),
                          load_provider("generic"))
    with pytest.raises(ValueError, match="folded from local days"):   # not a SourceError: nothing listens there
        dead.series(months, bands=False)
