"""Known-answer tests of the analytics, on frames built by hand.

Over 300 lines because it is a list of behaviours, one short test each.
"""
from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from generator import analytics as a
from generator.core.ranges import Window

START = pd.Timestamp("2026-01-10 00:00", tz="UTC")


def window(hours: int = 24, bucket: str = "1h") -> Window:
    return Window(START, START + pd.Timedelta(hours=hours), bucket, "Europe/Stockholm")


def frame(w: Window, **columns: object) -> pd.DataFrame:
    index = w.edges()[:-1]
    return pd.DataFrame({k: (np.full(len(index), v, dtype=float) if np.isscalar(v) else v)
                         for k, v in columns.items()}, index=index)


def alternating_changes(w: Window, on_minutes: float, off_minutes: float) -> pd.Series:
    times, values, t, state = [w.start], [0], w.start, 0
    while True:
        t = t + pd.Timedelta(minutes=off_minutes if state == 0 else on_minutes)
        if t >= w.end:
            break
        state = 1 - state
        times.append(t)
        values.append(state)
    return pd.Series(values, index=pd.DatetimeIndex(times))


def time_weighted_means(changes: pd.Series, w: Window) -> np.ndarray:
    """Each bucket's mean of the 0/1 step function `changes` (value holds until the next change), found
    by integrating it over the bucket, as a source's time-weighted mean would."""
    edges = w.edges()
    means = []
    for lo, hi in pairwise(edges):
        before = changes[changes.index <= lo]
        inside = changes[(changes.index > lo) & (changes.index < hi)]
        times = [lo, *inside.index, hi]
        states = [float(before.iloc[-1]), *inside.astype(float)]
        on_seconds = sum((t1 - t0).total_seconds() * v for t0, t1, v in zip(times, times[1:], states))
        means.append(on_seconds / (hi - lo).total_seconds())
    return np.array(means)


def sampled_changes(truth: pd.Series, w: Window, rng: np.random.Generator, min_gap_s: int,
                    max_gap_s: int) -> tuple[pd.Series, int]:
    """What a poller sees of `truth`: the state read at irregular sample times (gaps drawn from rng),
    a change recorded at each sample whose state differs from the last one. Also the widest gap drawn."""
    gaps = rng.integers(min_gap_s, max_gap_s + 1, size=int(w.seconds // min_gap_s) + 1)
    offsets = np.concatenate([[0], np.cumsum(gaps)])
    inside = offsets[offsets < w.seconds]
    samples = w.start + pd.to_timedelta(inside, unit="s")
    states = truth.reindex(truth.index.union(samples)).ffill().loc[samples]
    widest = int(gaps[: len(inside)].max())  # the gaps after each sample taken, the last one included
    return states[states.ne(states.shift())], widest


def test_2_kw_in_and_7_kw_out_while_running_gives_spf_3_50():
    w = window()
    f = frame(w, compressor_on=0.5, power_electric=1000.0, heat_output=3500.0)
    s = a.summarize(f, {}, w, a.Params())
    assert s.performance.spf == pytest.approx(3.50)
    assert s.energy.electric_kwh == pytest.approx(24.0)
    assert s.energy.heat_kwh == pytest.approx(84.0)
    assert s.energy.ground_kwh == pytest.approx(60.0)


def test_period_cop_is_energy_weighted_not_a_mean_of_ratios():
    w = window(hours=2)
    # bucket 1: 1 kWh in, 5 kWh out (COP 5); bucket 2: 3 kWh in, 6 kWh out (COP 2) → SPF 11/4, not 3.5
    f = frame(w, compressor_on=[1.0, 1.0], power_electric=[1000.0, 3000.0], heat_output=[5000.0, 6000.0])
    s = a.summarize(f, {}, w, a.Params())
    assert s.performance.spf == pytest.approx(11 / 4)
    assert list(a.cop_series(f, w, s.heat, a.Params())) == pytest.approx([5.0, 2.0])


def test_cop_series_has_gaps_where_the_compressor_ran_less_than_the_stated_share():
    w = window(hours=4)
    f = frame(w, compressor_on=[1.0, 0.0, 0.5, 0.25], power_electric=[2000.0, 20.0, 1010.0, 515.0],
              heat_output=[7000.0, 0.0, 3500.0, 2000.0])
    cop = a.cop_series(f, w, a.heat(f, w, a.Params()), a.Params(min_running_share=0.5))
    assert cop.iloc[0] == pytest.approx(3.5) and np.isnan(cop.iloc[1]) and np.isnan(cop.iloc[3])
    # the resting pump's 20 W is not the compressor's: 1010 W − 0.5 × 20 W = 1000 W while running
    assert cop.iloc[2] == pytest.approx(3.5)


def test_run_down_heat_after_a_stop_makes_no_cop_spike():
    w = window(hours=2)
    # the second hour: the compressor ran 5 % of it; its run-down heat over the pumps' 50 W would be COP 20
    f = frame(w, compressor_on=[1.0, 0.05], power_electric=[2000.0, 150.0], heat_output=[7000.0, 3000.0])
    cop = a.cop_series(f, w, a.heat(f, w, a.Params()), a.Params())
    assert cop.iloc[0] == pytest.approx(3.5) and np.isnan(cop.iloc[1])


def test_30_min_on_30_min_off_gives_50_percent_runtime_and_24_starts_per_day():
    w = window(bucket="45min")  # 45-min buckets straddle the 30-min edges: no bucket holds 0.5
    changes = alternating_changes(w, on_minutes=30, off_minutes=30)
    f = frame(w, compressor_on=time_weighted_means(changes, w))
    assert not np.isclose(f["compressor_on"], 0.5).any()
    s = a.summarize(f, {"compressor_on": changes}, w, a.Params())
    assert s.runtime.compressor_pct == pytest.approx(50.0)
    assert s.cycles.starts == 24
    assert s.cycles.starts_per_day == pytest.approx(24.0)
    assert s.cycles.avg_cycle_minutes == pytest.approx(30.0)


def test_20_min_on_40_min_off_gives_33_percent_runtime_and_24_starts_per_day():
    w = window(bucket="45min")
    changes = alternating_changes(w, on_minutes=20, off_minutes=40)
    f = frame(w, compressor_on=time_weighted_means(changes, w))
    assert not np.isclose(f["compressor_on"], 1.0 / 3.0).all()
    s = a.summarize(f, {"compressor_on": changes}, w, a.Params())
    assert s.runtime.compressor_pct == pytest.approx(100.0 / 3.0)
    assert s.cycles.starts == 24
    assert s.cycles.starts_per_day == pytest.approx(24.0)
    assert s.cycles.avg_cycle_minutes == pytest.approx(20.0)


def test_uneven_sampling_of_30_min_cycles_gives_runtime_within_one_sample_per_transition_and_24_starts():
    w = window(bucket="45min")
    truth = alternating_changes(w, on_minutes=30, off_minutes=30)
    changes, widest_gap_s = sampled_changes(truth, w, np.random.default_rng(7), min_gap_s=7, max_gap_s=53)
    assert len(changes) == len(truth)  # every edge seen once, none invented
    f = frame(w, compressor_on=time_weighted_means(changes, w))
    s = a.summarize(f, {"compressor_on": changes}, w, a.Params())
    transitions = len(changes) - 1
    bound_pct = transitions * widest_gap_s / w.seconds * 100.0  # each edge is seen up to one gap late
    assert abs(s.runtime.compressor_pct - 50.0) <= bound_pct
    assert s.cycles.starts == 24
    assert s.cycles.starts_per_day == pytest.approx(24.0)
    assert abs(s.cycles.avg_cycle_minutes - 30.0) <= widest_gap_s / 60.0  # both ends up to one gap late


def test_runtime_weights_buckets_by_duration_not_by_count():
    # a local day across the DST change is 25 h: a 1-day bucket on it weighs more than a 23-h one
    w = Window(pd.Timestamp("2026-10-24 22:00", tz="UTC"), pd.Timestamp("2026-10-26 23:00", tz="UTC"),
               "1D", "Europe/Stockholm")
    hours = a.bucket_hours(frame(w, compressor_on=[1.0, 0.0]), w)
    assert list(hours) == [25.0, 24.0]
    f = frame(w, compressor_on=[1.0, 0.0])
    assert a.runtime(f, w).compressor_pct == pytest.approx(100 * 25 / 49)


def test_runtime_ignores_time_without_data():
    w = window(hours=4)
    f = frame(w, compressor_on=[1.0, np.nan, np.nan, 0.0])
    assert a.runtime(f, w).compressor_pct == pytest.approx(50.0)


def test_starts_come_from_the_counter_when_the_brand_has_one():
    w = window(hours=4)
    f = frame(w, compressor_starts_total=[3.0, 2.0, 0.0, 3.0])  # a source gives a counter's increase per bucket
    cycles = a.compressor_cycles(alternating_changes(w, 10, 10), w, f["compressor_starts_total"], covered_days=4 / 24)
    assert cycles.starts == 8 and cycles.starts_per_day == pytest.approx(48.0)


def test_heat_counter_increases_give_measured_heat():
    w = window(hours=3)
    f = frame(w, power_electric=1000.0, compressor_on=1.0, energy_heat=[3.0, 3.5, np.nan])
    s = a.summarize(f, {}, w, a.Params())
    assert s.heat.method == "measured" and s.heat.basis == "energy_heat"
    assert s.energy.heat_kwh == pytest.approx(6.5)
    assert s.performance.spf == pytest.approx(6.5 / 2.0)  # the third hour has no heat: not on either side


def test_without_heat_meter_radiator_delta_t_times_flow_factor_is_used():
    w = window(hours=2)
    f = frame(w, compressor_on=[1.0, 0.0], supply_temp=[40.0, 30.0], return_temp=[35.0, 29.0],
              power_electric=[4000.0, 10.0])
    h = a.heat(f, w, a.Params(flow_factor_kw_per_k=2.7))
    assert (h.method, h.basis, h.flow_factor_kw_per_k) == ("delta_t", "radiator", 2.7)
    assert list(h.kwh) == pytest.approx([5 * 2.7, 0.0])


def test_the_heat_carrier_pair_counts_the_run_down_after_a_stop_with_its_own_flow_factor():
    w = window(hours=1, bucket="5min")
    on = [1.0] * 6 + [0.0] * 6
    delta = [7.0] * 6 + [2.0, 0.5, 0.1, 0.0, 0.0, 0.6]  # the last is drift of a stagnant loop, not heat
    f = frame(w, compressor_on=on, heat_carrier_supply_temp=[35.0 + d for d in delta],
              heat_carrier_return_temp=35.0, supply_temp=[30.0 + d for d in delta], return_temp=30.0)
    h = a.heat(f, w, a.Params(heat_carrier_flow_factor_kw_per_k=1.1))
    assert (h.basis, h.flow_factor_kw_per_k) == ("heat_carrier", 1.1)
    counted = [7.0] * 6 + [2.0, 0.5, 0.0, 0.0, 0.0, 0.0]  # 10 minutes of run-down
    assert list(h.kwh) == pytest.approx([d * 1.1 / 12 for d in counted])


def test_without_heat_meter_or_return_temp_carnot_times_efficiency_is_used():
    w = window(hours=1)
    f = frame(w, compressor_on=1.0, supply_temp=35.0, brine_in_temp=0.0, power_electric=2000.0)
    h = a.heat(f, w, a.Params(carnot_efficiency=0.5))
    carnot = (35.0 + 273.15) / 35.0
    assert h.method == "carnot"
    assert h.kwh.iloc[0] == pytest.approx(2.0 * carnot * 0.5)


def test_energies_count_only_the_covered_part_of_a_bucket():
    w = window(hours=2)
    f = frame(w, power_electric=[2000.0, 2000.0], **{"power_electric:cov": [0.25, 1.0]})
    s = a.summarize(f, {}, w, a.Params())
    assert s.energy.electric_kwh == pytest.approx(0.5 + 2.0)
    assert s.coverage.hours == pytest.approx(1.25)
    assert s.electric_kwh_per_day == pytest.approx(2.5 / (1.25 / 24))


def test_rates_are_per_covered_time_not_per_range():
    w = window(hours=48)
    cov = np.r_[np.zeros(24), np.ones(24)]   # one day of data in a two-day range
    f = frame(w, compressor_on=0.5, **{"compressor_on:cov": cov})
    changes = alternating_changes(Window(w.start + pd.Timedelta(hours=24), w.end, "1h", w.tz), 30, 30)
    s = a.summarize(f, {"compressor_on": changes}, w, a.Params())
    assert s.runtime.compressor_pct == pytest.approx(50.0)
    assert s.cycles.starts == 24 and s.cycles.starts_per_day == pytest.approx(24.0)


def test_a_compressor_already_running_when_the_history_begins_is_no_start():
    w = window(hours=2)
    t = w.start + pd.Timedelta(minutes=30)  # the first sample, with the compressor on
    changes = pd.Series([1.0, 0.0, 1.0], index=pd.DatetimeIndex([t, t + pd.Timedelta("10min"), t + pd.Timedelta("40min")]))
    assert a.compressor_cycles(changes, w, None, covered_days=1.5 / 24).starts == 1


def test_a_compressor_spf_above_its_carnot_bound_is_implausible():
    w = window(hours=1)
    # supply 35 °C, brine 0 °C: the Carnot bound is (309.15) / (37) ≈ 8.4; a COP of 10 cannot be true
    f = frame(w, compressor_on=1.0, power_electric=1000.0, heat_output=10000.0, supply_temp=35.0, brine_in_temp=0.0)
    p = a.summarize(f, {}, w, a.Params()).performance
    assert p.carnot_spf == pytest.approx((35 + 273.15 + 1) / 37) and p.plausible is False
    f["heat_output"] = 4000.0
    assert a.summarize(f, {}, w, a.Params()).performance.plausible is True


def test_no_heat_information_gives_no_cop():
    w = window(hours=1)
    f = frame(w, power_electric=2000.0)
    s = a.summarize(f, {}, w, a.Params())
    assert s.heat.method is None and s.performance.spf is None


def test_add_heat_counts_on_both_sides_and_spf_without_aux_excludes_it():
    w = window(hours=1)
    # compressor 2 kW → 7 kW heat; add-heat 3 kW → 3 kW heat
    f = frame(w, compressor_on=1.0, aux_heater_on=1.0, aux_heater_power=3000.0, power_electric=5000.0,
              heat_output=10000.0)
    p = a.summarize(f, {}, w, a.Params()).performance
    assert p.spf == pytest.approx(2.0)
    assert p.spf_without_aux == pytest.approx(3.5)


def test_heat_is_split_into_space_heating_and_hot_water_by_the_valve():
    w = window(hours=2)
    f = frame(w, compressor_on=[1.0, 1.0], switch_valve=[0.0, 1.0], power_electric=[2000.0, 2500.0],
              heat_output=[7000.0, 6000.0])
    s = a.summarize(f, {}, w, a.Params())
    assert s.energy.heat_space_kwh == pytest.approx(7.0)
    assert s.energy.heat_hot_water_kwh == pytest.approx(6.0)
    assert s.performance.spf_space == pytest.approx(3.5)
    assert s.performance.spf_hot_water == pytest.approx(2.4)
    assert s.runtime.hot_water_share_pct == pytest.approx(50.0)


def test_runtime_donut_shares_add_up_to_100():
    w = window(hours=2)
    f = frame(w, compressor_on=[0.5, 0.25], switch_valve=[0.25, 0.0], aux_heater_on=[0.75, 0.0])
    r = a.runtime(f, w)
    total = r.compressor_space_pct + r.compressor_hot_water_pct + r.aux_only_pct + r.idle_pct
    assert total == pytest.approx(100.0)
    assert r.aux_only_pct == pytest.approx(12.5)


def test_hot_water_cycles_shorter_than_the_minimum_are_not_counted():
    w = window(hours=6)
    t = w.start
    valve = pd.Series([0, 1, 0, 1, 0, 1, 0],
                      index=pd.DatetimeIndex([t, t + pd.Timedelta("1h"), t + pd.Timedelta("1h30min"),
                                              t + pd.Timedelta("3h"), t + pd.Timedelta("3h1min"),
                                              t + pd.Timedelta("5h"), t + pd.Timedelta("5h20min")]))
    hw = a.hot_water_cycles(valve, w, min_minutes=2, energy_kwh=4.0)
    assert hw.cycles == 2 and hw.mean_minutes == pytest.approx(25.0) and hw.energy_kwh == 4.0


def test_alarm_events_have_code_start_and_end():
    w = window(hours=4)
    t = w.start
    codes = pd.Series([0, 14, 0, 3], index=pd.DatetimeIndex([t, t + pd.Timedelta("1h"), t + pd.Timedelta("2h"),
                                                               t + pd.Timedelta("3h")]))
    events = a.alarm_events(codes, w)
    assert [(e.code, e.start, e.end) for e in events] == [
        (14, t + pd.Timedelta("1h"), t + pd.Timedelta("2h")), (3, t + pd.Timedelta("3h"), None)]


def test_last_alarm_code_counts_only_while_the_alarm_flag_is_on():
    w = window(hours=4)
    t = w.start
    codes = pd.Series([7], index=pd.DatetimeIndex([t]))  # "last alarm" stays 7 all the time
    flag = pd.Series([0, 1, 0], index=pd.DatetimeIndex([t, t + pd.Timedelta("1h"), t + pd.Timedelta("2h")]))
    events = a.alarm_events(codes, w, flag)
    assert [(e.code, e.start, e.end) for e in events] == [(7, t + pd.Timedelta("1h"), t + pd.Timedelta("2h"))]


def test_cost_is_electricity_times_price():
    w = window(hours=10)
    f = frame(w, power_electric=1000.0)
    s = a.summarize(f, {}, w, a.Params(price_per_kwh=2.0, currency="EUR"))
    assert s.cost == pytest.approx(20.0) and s.currency == "EUR"


def test_without_valve_data_the_hot_water_share_is_unknown_not_zero():
    w = window(hours=2)
    r = a.runtime(frame(w, compressor_on=[1.0, 0.5]), w)
    assert r.compressor_pct == pytest.approx(75.0)
    assert r.hot_water_share_pct is None and r.compressor_hot_water_pct is None and r.compressor_space_pct is None


# --- share of the Carnot COP -----------------------------------------------------------------------------
def test_a_running_bucket_has_the_carnot_cop_of_supply_plus_2_k_and_brine_in_minus_6_k():
    w = window(hours=1)
    f = frame(w, compressor_on=1.0, supply_temp=35.0, brine_in_temp=0.0)
    assert a.running_carnot_cop(f, a.Params()).iloc[0] == pytest.approx((35 + 2 + 273.15) / (35 + 2 - (0 - 6)))


def test_the_carnot_offsets_are_settings():
    w = window(hours=1)
    f = frame(w, compressor_on=1.0, supply_temp=35.0, brine_in_temp=0.0)
    params = a.Params(carnot_condensing_offset_k=4.0, carnot_evaporating_offset_k=3.0)
    assert a.running_carnot_cop(f, params).iloc[0] == pytest.approx((35 + 4 + 273.15) / (35 + 4 - (0 - 3)))


def test_a_bucket_where_the_compressor_does_not_run_has_no_carnot_value():
    w = window(hours=2)
    f = frame(w, compressor_on=[1.0, 0.0], supply_temp=35.0, brine_in_temp=0.0)
    ideal = a.running_carnot_cop(f, a.Params())
    assert ideal.notna().tolist() == [True, False]


def test_a_bucket_without_brine_temperature_has_no_carnot_value():
    w = window(hours=2)
    f = frame(w, compressor_on=1.0, supply_temp=35.0, brine_in_temp=[0.0, np.nan])
    assert a.running_carnot_cop(f, a.Params()).notna().tolist() == [True, False]


def test_no_brine_temperature_at_all_gives_no_share_of_carnot_not_a_wrong_one():
    w = window(hours=1)
    f = frame(w, compressor_on=1.0, power_electric=2000.0, heat_output=8000.0, supply_temp=35.0)
    p = a.summarize(f, {}, w, a.Params()).performance
    assert p.spf == pytest.approx(4.0) and p.carnot_cop is None and p.carnot_share_pct is None


def test_the_share_of_carnot_is_the_compressor_spf_over_the_heat_weighted_carnot_cop():
    w = window(hours=3)
    # hour 1: 8 kW of heat at COP 4 between 35 °C and 0 °C; hour 2: 6 kW at COP 3 between 50 °C and 2 °C;
    # hour 3: the compressor rests (its temperatures must not count)
    f = frame(w, compressor_on=[1.0, 1.0, 0.0], power_electric=[2000.0, 2000.0, 0.0],
              heat_output=[8000.0, 6000.0, 0.0], supply_temp=[35.0, 50.0, 20.0], brine_in_temp=[0.0, 2.0, 8.0])
    carnot_1 = (35 + 2 + 273.15) / (35 + 2 - (0 - 6))
    carnot_2 = (50 + 2 + 273.15) / (50 + 2 - (2 - 6))
    ideal = (8 + 6) / (8 / carnot_1 + 6 / carnot_2)
    p = a.summarize(f, {}, w, a.Params()).performance
    assert p.carnot_cop == pytest.approx(ideal)
    assert p.carnot_share_pct == pytest.approx((8 + 6) / (2 + 2) / ideal * 100)


def test_add_heat_is_left_out_of_the_share_of_carnot():
    w = window(hours=1)
    f = frame(w, compressor_on=1.0, power_electric=5000.0, aux_heater_power=3000.0, heat_output=11000.0,
              supply_temp=35.0, brine_in_temp=0.0)
    carnot_ = (35 + 2 + 273.15) / 43
    assert a.summarize(f, {}, w, a.Params()).performance.carnot_share_pct == pytest.approx(8 / 2 / carnot_ * 100)
