"""Per-metric data quality of a range (generator/analytics/quality.py metric_quality()), one rule each, on
hand-made frames shaped like what a source returns: bucket means with their covered share."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.analytics import metric_quality
from generator.charts import CHARTS
from generator.charts.inputs import INPUTS
from generator.core.metrics import BOUNDS, STUCK_HOURS, Kind
from generator.core.ranges import BY_KEY, window_for

NOW = pd.Timestamp("2026-01-10T12:00:00Z")
WINDOW = window_for(BY_KEY["24h"], NOW, "UTC")      # 720 buckets of 2 min
STEP_H = 2 / 60


def frame(**columns: np.ndarray) -> pd.DataFrame:
    index = WINDOW.edges()[:-1]
    out = pd.DataFrame(index=index)
    for name, values in columns.items():
        out[name] = values
        out[f"{name}:cov"] = np.where(np.isnan(values), np.nan, 1.0)
    return out


def moving(n: int = 720, start: float = -5.0) -> np.ndarray:
    return start + np.arange(n) * 0.013   # a sensor whose reading changes every bucket


def row(rows, metric):
    return next(r for r in rows if r.metric == metric)


def test_a_temperature_unchanged_for_eight_hours_is_stuck_for_eight_hours():
    indoor = 21.0 + np.arange(720) * 0.001
    indoor[300:540] = 21.3                                   # 240 buckets × 2 min = 8 h
    q = row(metric_quality(frame(outdoor_temp=moving(), indoor_temp=indoor), WINDOW), "indoor_temp")
    assert q.stuck_h == pytest.approx(8.0)
    assert q.flags == ("stuck",)
    assert row(metric_quality(frame(outdoor_temp=moving()), WINDOW), "outdoor_temp").stuck_h == 0


def test_a_temperature_unchanged_for_five_hours_is_not_stuck():
    indoor = 21.0 + np.arange(720) * 0.001
    indoor[300:450] = 21.3                                   # 150 buckets = 5 h < the 6 h limit
    q = row(metric_quality(frame(indoor_temp=indoor), WINDOW), "indoor_temp")
    assert q.stuck_h == 0 and q.flags == ()


def test_a_power_at_zero_all_day_is_off_not_stuck_but_at_one_value_all_day_it_is():
    assert row(metric_quality(frame(aux_heater_power=np.zeros(720)), WINDOW), "aux_heater_power").stuck_h == 0
    assert row(metric_quality(frame(power_electric=np.full(720, 1234.0)), WINDOW), "power_electric").stuck_h == \
        pytest.approx(24.0)


def test_an_electricity_counter_that_stays_while_the_compressor_runs_three_hours_is_stuck():
    increase = np.full(720, 0.05)
    increase[100:190] = 0.0                                   # 90 buckets = 3 h
    on = np.full(720, 1.0)
    q = row(metric_quality(frame(energy_electric=increase, compressor_on=on), WINDOW), "energy_electric")
    assert q.stuck_h == pytest.approx(3.0) and "stuck" in q.flags
    on[100:190] = 0.0                                        # the same pause while the pump rests is fine
    assert row(metric_quality(frame(energy_electric=increase, compressor_on=on), WINDOW), "energy_electric").stuck_h == 0


def test_three_hours_without_data_are_one_gap_of_three_hours():
    outdoor = moving()
    outdoor[200:290] = np.nan                                 # 90 buckets = 3 h
    q = row(metric_quality(frame(outdoor_temp=outdoor), WINDOW), "outdoor_temp")
    assert (q.gaps, q.longest_gap_h) == (1, pytest.approx(3.0))
    assert q.coverage == pytest.approx(21 / 24)
    assert q.flags == ("gaps",)


def test_a_gap_includes_the_uncovered_parts_of_the_buckets_at_its_ends():
    f = frame(outdoor_temp=moving())
    f.loc[f.index[200:230], ["outdoor_temp", "outdoor_temp:cov"]] = np.nan   # 1 h
    f.loc[f.index[199], "outdoor_temp:cov"] = 0.5             # the collector fell silent mid-bucket
    f.loc[f.index[230], "outdoor_temp:cov"] = 0.25            # and came back late in this one
    q = row(metric_quality(f, WINDOW), "outdoor_temp")
    assert (q.gaps, q.longest_gap_h) == (1, pytest.approx(1.0 + (0.5 + 0.75) * STEP_H, abs=1e-4))


def test_two_short_gaps_are_counted_apart_and_one_under_a_quarter_hour_not_at_all():
    outdoor = moving()
    outdoor[100:115] = np.nan        # 30 min
    outdoor[400:430] = np.nan        # 1 h
    outdoor[600:605] = np.nan        # 10 min: under GAP_MIN_H
    q = row(metric_quality(frame(outdoor_temp=outdoor), WINDOW), "outdoor_temp")
    assert (q.gaps, q.longest_gap_h) == (2, pytest.approx(1.0))


def test_a_history_that_starts_inside_the_window_is_low_coverage_with_its_start_and_no_gap():
    outdoor = moving()
    outdoor[:600] = np.nan                                    # data for the last 4 h only
    q = row(metric_quality(frame(outdoor_temp=outdoor), WINDOW), "outdoor_temp")
    assert q.coverage == pytest.approx(4 / 24)
    assert q.since == WINDOW.start + pd.Timedelta(hours=20)
    assert q.gaps == 0 and q.flags == ()


def test_a_value_beyond_the_physical_range_is_counted_with_the_worst():
    supply = 35.0 + np.arange(720) * 0.001
    supply[10], supply[20] = 300.0, -80.0
    q = row(metric_quality(frame(supply_temp=supply), WINDOW), "supply_temp")
    assert (q.out_of_range, q.worst) == (2, 300.0)
    assert q.flags == ("range",)


def test_a_spike_seen_only_in_a_buckets_max_is_out_of_range_too():
    f = frame(hot_water_temp=50.0 + np.arange(720) * 0.001)
    f["hot_water_temp:min"] = f["hot_water_temp"] - 1
    f["hot_water_temp:max"] = f["hot_water_temp"] + 1
    f.loc[f.index[5], "hot_water_temp:max"] = 850.0           # a mean of 50 hides it
    q = row(metric_quality(f, WINDOW), "hot_water_temp")
    assert (q.out_of_range, q.worst) == (1, 850.0)


def test_a_newest_sample_ahead_of_the_generators_clock_is_a_future_sample():
    f = frame(outdoor_temp=moving(), indoor_temp=moving(start=20.0))
    at = {"outdoor_temp": NOW + pd.Timedelta(minutes=30), "indoor_temp": NOW - pd.Timedelta(seconds=20)}
    rows = metric_quality(f, WINDOW, NOW, at, {"indoor_temp": 4})
    assert row(rows, "outdoor_temp").future == 1 and "future" in row(rows, "outdoor_temp").flags
    assert row(rows, "indoor_temp").future == 4        # the source's own count


def test_a_sensor_hours_behind_the_others_is_flagged_but_a_resting_state_is_not():
    f = frame(outdoor_temp=moving(), indoor_temp=moving(start=20.0), compressor_on=np.zeros(720))
    at = {"outdoor_temp": NOW, "indoor_temp": NOW - pd.Timedelta(hours=7), "compressor_on": NOW - pd.Timedelta(hours=9)}
    rows = metric_quality(f, WINDOW, NOW, at, {})
    assert row(rows, "indoor_temp").behind_h == pytest.approx(7.0) and "behind" in row(rows, "indoor_temp").flags
    assert row(rows, "compressor_on").behind_h == pytest.approx(9.0) and row(rows, "compressor_on").flags == ()
    assert row(rows, "outdoor_temp").behind_h == 0 and row(rows, "outdoor_temp").flags == ()


def test_a_metric_without_data_in_the_window_has_no_row():
    rows = metric_quality(frame(outdoor_temp=moving(), indoor_temp=np.full(720, np.nan)), WINDOW)
    assert [r.metric for r in rows] == ["outdoor_temp"]


def test_every_chart_names_the_metrics_it_is_drawn_from():
    assert set(CHARTS) <= set(INPUTS), f"add {sorted(set(CHARTS) - set(INPUTS))} to generator/charts/inputs.py INPUTS"


def cop_inputs(f: pd.DataFrame) -> list[str]:
    from generator.analytics import Params, summarize
    from generator.charts import build_charts
    summary = summarize(f, {}, WINDOW, Params())
    return build_charts(f, summary, WINDOW, BY_KEY["24h"], "en", "UTC")["cop"]["_meta"]["metrics"]


def test_a_cop_estimated_from_the_radiator_pair_is_drawn_from_that_pair_the_power_and_the_compressor():
    running = np.ones(720)
    f = frame(supply_temp=35 + moving(start=0), return_temp=30 + moving(start=0), compressor_on=running,
              power_electric=np.full(720, 1500.0) + np.arange(720), outdoor_temp=moving())
    assert cop_inputs(f) == ["power_electric", "supply_temp", "return_temp", "compressor_on"]


def test_a_cop_from_a_heat_meter_is_drawn_from_the_meter_and_not_the_radiator_pair():
    running = np.ones(720)
    f = frame(supply_temp=35 + moving(start=0), return_temp=30 + moving(start=0), compressor_on=running,
              energy_electric=np.full(720, 0.05), energy_heat=np.full(720, 0.15))
    assert cop_inputs(f) == ["energy_electric", "energy_heat", "compressor_on", "supply_temp"]


def test_every_kind_of_metric_has_a_physical_range_and_a_stuck_rule():
    assert set(BOUNDS) == set(Kind) and set(STUCK_HOURS) == set(Kind)
