"""Compressor cycling from change-only state series (generator/analytics/cycling.py): the lengths of
complete runs and pauses, starts per covered hour over time, and the short-cycling flag.  Every expected
value is worked out by hand from the schedule the test writes."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from generator import analytics as a
from generator.core.ranges import Window

START = pd.Timestamp("2026-01-10 00:00", tz="UTC")


def window(hours: float = 4, bucket: str = "1h") -> Window:
    return Window(START, START + pd.Timedelta(hours=hours), bucket, "Europe/Stockholm")


def frame(w: Window, coverage: object = 1.0) -> pd.DataFrame:
    """compressor_on held per bucket (its mean does not matter here) with its covered share."""
    index = w.edges()[:-1]
    cov = np.full(len(index), coverage, dtype=float) if np.isscalar(coverage) else np.asarray(coverage, float)
    return pd.DataFrame({"compressor_on": np.where(cov > 0, 0.5, np.nan), "compressor_on:cov": cov}, index=index)


def changes(*steps: tuple[float, int], w: Window | None = None) -> pd.Series:
    """Change-only samples: (minutes after START, state)."""
    return pd.Series([v for _, v in steps], index=pd.DatetimeIndex([START + pd.Timedelta(minutes=m) for m, _ in steps]))


# off at the start; runs of 5, 5, 25 and 40 min with pauses of 30, 20 and 25 min between them
SCHEDULE = changes((0, 0), (10, 1), (15, 0), (45, 1), (50, 0), (70, 1), (95, 0), (120, 1), (160, 0))


def test_complete_runs_and_pauses_are_measured_from_change_to_change():
    w = window(hours=4)
    c = a.cycling(SCHEDULE, frame(w), w, a.Params())
    assert sorted(c.runs_minutes) == pytest.approx([5, 5, 25, 40])
    assert sorted(c.pauses_minutes) == pytest.approx([20, 25, 30])
    assert c.incomplete == 2  # the pause before 00:10 and the one after 02:40 run into the window's ends


def test_a_run_straddling_the_window_start_or_end_is_left_out_of_the_histogram():
    w = window(hours=4)
    series = changes((0, 1), (20, 0), (60, 1), (90, 0), (230, 1))  # on at the start, on at the end
    c = a.cycling(series, frame(w), w, a.Params())
    assert c.runs_minutes == pytest.approx((30,))
    assert sorted(c.pauses_minutes) == pytest.approx([40, 140])
    assert c.incomplete == 2


def test_a_history_shorter_than_the_window_starts_with_no_start_and_no_complete_period():
    w = window(hours=4)
    series = changes((100, 1), (130, 0), (150, 1), (170, 0))  # the first sample, already on, at 01:40
    c = a.cycling(series, frame(w, [0.0, 1 / 3, 1.0, 1.0]), w, a.Params())
    assert c.runs_minutes == pytest.approx((20,)) and c.pauses_minutes == pytest.approx((20,))
    assert c.mean_starts_per_hour == pytest.approx(1 / (2 + 1 / 3))  # one start in 2 h 20 min with data


def test_a_repeated_value_is_no_change():
    w = window(hours=2)
    series = changes((0, 0), (10, 1), (30, 1), (50, 0), (80, 1), (90, 0))  # 00:30 repeats "on"
    c = a.cycling(series, frame(w), w, a.Params())
    assert sorted(c.runs_minutes) == pytest.approx([10, 40]) and c.pauses_minutes == pytest.approx((30,))


def test_a_run_or_pause_spanning_a_gap_in_the_data_is_left_out():
    w = window(hours=4)
    # the collector was down 02:00–03:00 (bucket covered 0): the run 01:50–03:10 has no known length
    series = changes((0, 0), (10, 1), (40, 0), (110, 1), (190, 0), (200, 1), (215, 0))
    c = a.cycling(series, frame(w, [1.0, 1.0, 0.0, 1.0]), w, a.Params())
    assert sorted(c.runs_minutes) == pytest.approx([15, 30])
    assert sorted(c.pauses_minutes) == pytest.approx([10, 70])


def test_a_cycle_straddling_a_bucket_edge_is_counted_once_in_the_bucket_it_starts():
    w = window(hours=3)
    series = changes((0, 0), (50, 1), (80, 0), (100, 1), (110, 0))  # 00:50–01:20 crosses 01:00
    c = a.cycling(series, frame(w), w, a.Params())
    assert list(c.starts_per_hour) == pytest.approx([1.0, 1.0, 0.0])
    assert sorted(c.runs_minutes) == pytest.approx([10, 30])


def test_starts_per_hour_is_per_covered_hour_and_none_where_under_half_covered():
    w = window(hours=3)
    series = changes((0, 0), (5, 1), (10, 0), (20, 1), (25, 0), (130, 1), (135, 0))
    c = a.cycling(series, frame(w, [0.5, 1.0, 0.25]), w, a.Params())
    rates = list(c.starts_per_hour)
    assert rates[0] == pytest.approx(2 / 0.5) and rates[1] == pytest.approx(0.0) and math.isnan(rates[2])
    assert c.mean_starts_per_hour == pytest.approx(3 / 1.75)


def test_short_buckets_are_grouped_into_hours_for_the_rate():
    w = window(hours=24, bucket="2min")
    # a start every 20 minutes all day: three starts per hour in every hour
    steps = [(m, 1) for m in range(0, 24 * 60, 20)] + [(m + 8, 0) for m in range(0, 24 * 60, 20)]
    series = changes((0, 0), *sorted(steps)[1:])
    c = a.cycling(series, frame(w), w, a.Params())
    assert len(c.starts_per_hour) == 24
    assert list(c.starts_per_hour)[1:] == pytest.approx([3.0] * 23)
    assert list(c.starts_per_hour)[0] == pytest.approx(2.0)  # 00:00 is the value in force, not a start


def test_half_of_the_runs_short_is_short_cycling_at_a_30_percent_threshold():
    w = window(hours=4)
    c = a.cycling(SCHEDULE, frame(w), w, a.Params(short_run_minutes=10, short_run_share_pct=30))
    assert c.short_run_share_pct == pytest.approx(50.0) and c.short_cycling is True


def test_half_of_the_runs_short_is_not_short_cycling_at_a_60_percent_threshold_and_few_starts():
    w = window(hours=4)
    c = a.cycling(SCHEDULE, frame(w), w, a.Params(short_run_minutes=10, short_run_share_pct=60,
                                                    max_starts_per_hour=3))
    assert c.mean_starts_per_hour == pytest.approx(4 / 4) and c.short_cycling is False


def test_many_starts_per_hour_is_short_cycling_even_with_too_few_complete_runs_to_judge():
    w = window(hours=1)
    series = changes((0, 1), (5, 0), (10, 1), (15, 0), (20, 1), (25, 0), (30, 1), (35, 0), (40, 1))
    c = a.cycling(series, frame(w), w, a.Params(max_starts_per_hour=3))
    assert len(c.runs_minutes) == 3 and c.mean_starts_per_hour == pytest.approx(4.0)
    c2 = a.cycling(series.iloc[:4], frame(w), w, a.Params(max_starts_per_hour=3))
    assert c2.short_run_share_pct is None and c2.short_cycling is False  # one start in an hour
    assert a.cycling(series, frame(w), w, a.Params(max_starts_per_hour=5)).short_cycling is True  # 3 of 3 short


def test_without_compressor_state_nothing_is_known():
    w = window(hours=4)
    c = a.cycling(None, frame(w), w, a.Params())
    assert c.runs_minutes == () and c.short_cycling is None and c.starts_per_hour.isna().all()


def test_histogram_bins_are_closed_below_and_the_last_is_open():
    counts = a.histogram((0.0, 4.99, 5.0, 9.99, 10.0, 59.9, 60.0, 239.0, 240.0, 1000.0))
    assert a.BINS_MINUTES == (0, 5, 10, 20, 30, 60, 120, 240)
    assert counts == [2, 2, 1, 0, 1, 1, 1, 2]
    assert len(counts) == len(a.BINS_MINUTES)
