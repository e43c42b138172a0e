"""The simulated heat pump: a pure function of absolute time and a seed that behaves like a Swedish
ground-source heat pump (generator/sources/simulator.py), calibrated against published measurements of
real ground-source systems (the figures and their sources are in its docstring)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.sources import simulator
from generator.sources.simulator import SAMPLE_SECONDS, sample


def epoch(text: str) -> int:
    return int(pd.Timestamp(text, tz="UTC").timestamp())


def grid(start: str, days: float) -> np.ndarray:
    t0 = epoch(start)
    return np.arange(t0, t0 + int(days * 86400), SAMPLE_SECONDS, dtype=np.int64)


def runs(on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start index, length in samples) of each complete on-period of a 0/1 array."""
    edges = np.diff(on.astype(np.int8))
    starts = np.flatnonzero(edges == 1) + 1
    stops = np.flatnonzero(edges == -1) + 1
    stops = stops[stops > starts[0]] if starts.size else stops[:0]
    n = min(starts.size, stops.size)
    return starts[:n], stops[:n] - starts[:n]


@pytest.fixture(scope="module")
def winter_week() -> dict[str, np.ndarray]:
    return sample(grid("2025-01-13", 7), seed=1)


@pytest.fixture(scope="module")
def year() -> dict[str, np.ndarray]:
    """July 2024 – June 2025, only the metrics the year-long checks need (keeps memory small)."""
    return sample(grid("2024-07-01", 365), seed=1,
                  metrics=("outdoor_temp", "brine_in_temp", "compressor_on", "aux_heater_on", "aux_heater_power",
                           "switch_valve", "alarm_code", "heat_output", "power_electric", "degree_minutes"))


# --- a pure function of absolute time and a seed --------------------------------------------------
def test_the_same_seed_gives_the_same_values():
    t = grid("2025-02-01", 1)
    a, b = sample(t, seed=7), sample(t, seed=7)
    for name in simulator.METRICS:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_another_seed_gives_another_heat_pump():
    t = grid("2025-02-01", 1)
    a, b = sample(t, seed=1), sample(t, seed=2)
    assert not np.array_equal(a["outdoor_temp"], b["outdoor_temp"])
    assert not np.array_equal(a["compressor_on"], b["compressor_on"])


def test_a_value_depends_only_on_its_own_instant():
    # A two-day grid, sampled at once, in pieces, and at scattered single instants, agrees everywhere.
    t = grid("2025-03-30", 2)
    whole = sample(t, seed=3)
    pieces = [sample(t[i:i + 997], seed=3) for i in range(0, t.size, 997)]
    picks = np.random.default_rng(0).choice(t.size, 40, replace=False)
    for name in simulator.METRICS:
        np.testing.assert_array_equal(whole[name], np.concatenate([p[name] for p in pieces]), err_msg=name)
        for i in picks:
            assert sample(t[i:i + 1], seed=3)[name][0] == whole[name][i], (name, i)


def test_a_value_is_the_same_asked_in_order_or_out_of_it_and_across_the_noise_tables_wrap():
    wrap = (epoch("2025-03-01") // SAMPLE_SECONDS // 65536 + 1) * 65536 * SAMPLE_SECONDS  # the sensor table's
    t = np.arange(wrap - 3600, wrap + 3600, SAMPLE_SECONDS)                           # index wraps here
    whole = sample(t, seed=3)
    order = np.random.default_rng(1).permutation(t.size)
    shuffled = sample(t[order], seed=3)
    for name in simulator.METRICS:
        np.testing.assert_array_equal(whole[name][order], shuffled[name], err_msg=name)


def test_only_the_metrics_asked_for_are_returned():
    out = sample(grid("2025-01-01", 0.1), seed=1, metrics=("outdoor_temp", "compressor_on"))
    assert set(out) == {"outdoor_temp", "compressor_on"}


def test_instants_that_are_not_times_are_refused():
    with pytest.raises(ValueError, match="finite"):
        sample(np.array([1.7e9, np.nan]), seed=1)
    with pytest.raises(ValueError, match="epoch_seconds"):
        sample(np.array(["2025-01-01"]), seed=1)


def test_an_unknown_metric_is_refused_by_name():
    with pytest.raises(ValueError, match="no_such_metric"):
        sample(grid("2025-01-01", 0.1), seed=1, metrics=("no_such_metric",))


# --- climate ---------------------------------------------------------------------------------------
def test_seasons_are_swedish():
    jan = sample(grid("2025-01-01", 31), seed=1, metrics=("outdoor_temp",))["outdoor_temp"].mean()
    jul = sample(grid("2025-07-01", 31), seed=1, metrics=("outdoor_temp",))["outdoor_temp"].mean()
    assert -9.0 < jan < 1.0
    assert 13.0 < jul < 21.0


def test_afternoons_are_warmer_than_early_mornings():
    t = grid("2025-06-01", 30)
    out = sample(t, seed=1, metrics=("outdoor_temp",))["outdoor_temp"]
    hour = (t % 86400) // 3600
    assert out[(hour >= 12) & (hour < 15)].mean() > out[(hour >= 2) & (hour < 5)].mean() + 3.0


def test_brine_falls_through_the_winter(year):
    t = grid("2024-07-01", 365)
    month = pd.to_datetime(t, unit="s").month
    brine = year["brine_in_temp"]
    assert brine[month == 10].mean() > brine[month == 12].mean() > brine[month == 3].mean()


# --- physics ---------------------------------------------------------------------------------------
def compressor_cop(s: dict[str, np.ndarray], on: np.ndarray) -> np.ndarray:
    return (s["heat_output"][on] - s["aux_heater_power"][on]) / (s["power_electric"][on] - s["aux_heater_power"][on])


def test_heat_is_electricity_times_the_cop_of_the_lift(winter_week):
    s = winter_week
    on = s["compressor_on"] == 1
    from_lift = simulator.cop(s["heat_carrier_supply_temp"][on], s["brine_in_temp"][on])
    # The reported temperatures carry 0.1 K steps and sensor noise: the COP from them is within 2 %.
    np.testing.assert_allclose(compressor_cop(s, on), from_lift, rtol=0.02)


def test_the_heat_carrier_pair_times_its_flow_is_the_condenser_heat(winter_week):
    s = winter_week
    condenser = s["heat_output"] - s["aux_heater_power"]
    from_pair = (s["heat_carrier_supply_temp"] - s["heat_carrier_return_temp"]) * simulator.HEAT_CARRIER_W_PER_K
    # each temperature carries ±0.05 K of noise and is rounded to 0.1 K: the pair is within ±0.2 K
    assert np.abs(from_pair - condenser).max() <= 0.2 * simulator.HEAT_CARRIER_W_PER_K
    assert from_pair.sum() == pytest.approx(condenser.sum(), rel=0.01)


def test_the_compressor_cop_stays_between_2_and_6(winter_week):
    on = winter_week["compressor_on"] == 1
    cop = compressor_cop(winter_week, on)
    assert cop.min() >= 2.0 and cop.max() <= 6.0


def test_a_winter_week_has_a_plausible_spf(winter_week):
    spf = winter_week["heat_output"].sum() / winter_week["power_electric"].sum()
    assert 2.5 < spf < 4.5


def test_at_rest_only_the_pumps_draw_power_and_heat_runs_down_within_minutes(winter_week):
    s = winter_week
    idle = (s["compressor_on"] == 0) & (s["aux_heater_on"] == 0)
    assert idle.any()
    assert set(np.unique(s["power_electric"][idle])) == {simulator.IDLE_W}
    stops = np.flatnonzero(np.diff(s["compressor_on"]) == -1) + 1
    after = s["heat_output"][stops[:-1]]
    assert (after > 1000.0).all()                        # right after a stop the condenser still gives heat
    later = s["heat_output"][stops[:-1] + 10]            # five minutes later it has run down
    assert (later < 0.01 * after + 1.0).all()


def test_the_valve_on_hot_water_means_the_compressor_runs(winter_week):
    valve = winter_week["switch_valve"] == 1
    assert valve.any()
    assert (winter_week["compressor_on"][valve] == 1).all()


def test_brine_out_is_colder_than_brine_in_while_running(winter_week):
    on = winter_week["compressor_on"] == 1
    assert (winter_week["brine_out_temp"][on] < winter_week["brine_in_temp"][on]).all()


def test_supply_is_warmer_than_return_while_running(winter_week):
    on = winter_week["compressor_on"] == 1
    assert (winter_week["supply_temp"][on] > winter_week["return_temp"][on]).all()


def test_supply_rises_as_a_run_begins_and_falls_as_a_rest_begins(winter_week):
    s = winter_week
    heating = (s["compressor_on"] == 1) & (s["switch_valve"] == 0)
    starts, lengths = runs(heating.astype(float))
    rises = [s["supply_temp"][a + 10] - s["supply_temp"][a] for a, n in zip(starts, lengths)
             if n > 20 and a > 0 and s["compressor_on"][a - 1] == 0]  # a start, not the end of a charge
    falls = [s["supply_temp"][a + n + 10] - s["supply_temp"][a + n] for a, n in zip(starts, lengths)
             if a + n + 10 < len(heating) and not heating[a + n: a + n + 11].any()]
    assert np.mean(rises) > 2.0 and np.mean(falls) < -1.0
    # A sawtooth, not a flat line: several kelvin between the low and the high of a few hours.
    spans = s["supply_temp"][: s["supply_temp"].size // 480 * 480].reshape(-1, 480)
    assert np.median(spans.max(axis=1) - spans.min(axis=1)) > 3.0


# --- cycles ----------------------------------------------------------------------------------------
def test_hot_water_is_made_two_or_three_times_a_day_for_25_to_45_minutes(winter_week):
    starts, lengths = runs(winter_week["switch_valve"])
    hours_between = np.diff(starts) * SAMPLE_SECONDS / 3600
    assert 2 * 7 <= starts.size <= 3 * 7
    assert hours_between.min() >= 4.0 and hours_between.max() <= 12.0
    minutes = lengths * SAMPLE_SECONDS / 60
    assert minutes.min() >= 25 and minutes.max() <= 45


def test_the_hot_water_tank_swings_between_about_45_and_52(winter_week):
    hw = winter_week["hot_water_temp"]
    assert 43.5 <= hw.min() <= 47.0
    assert 51.0 <= hw.max() <= 53.0
    starts, lengths = runs(winter_week["switch_valve"])
    # Each charge heats the tank: warmer at its end than at its start.
    assert (hw[starts + lengths - 1] > hw[starts] + 3.0).all()


def test_a_winter_week_runs_long_and_seldom(winter_week):
    _, lengths = runs(winter_week["compressor_on"])
    minutes = lengths * SAMPLE_SECONDS / 60
    assert minutes.min() >= 20                     # no short cycling (no alarm this week)
    assert np.median(minutes) >= 60
    assert 3 <= minutes.size / 7 <= 9              # starts a day


# --- a year against published measurements (the sources are in the simulator's docstring) ------------
def test_a_year_has_the_spf_of_real_ground_source_systems(year):
    spf = year["heat_output"].sum() / year["power_electric"].sum()
    assert 3.2 <= spf <= 3.8   # fixed-speed F1145 3.3 (heatpumpmonitor.org), ground-source mean 3.7–3.8 (Fraunhofer ISE)


def test_a_year_has_a_few_starts_a_day_and_no_short_cycling(year):
    starts, lengths = runs(year["compressor_on"])
    per_day = starts.size / 365
    assert 3.0 <= per_day <= 8.0            # heatpumpmonitor.org ground source: 0.7–8, fixed-speed F1145 2.1 and 7.2
    minutes = lengths * SAMPLE_SECONDS / 60
    assert np.mean(minutes < 20) < 0.005    # only a run an alarm cut short
    assert np.mean(minutes) >= 40           # the fixed-speed F1145: 22 and 40 min on average


def test_hot_water_takes_a_realistic_share_of_a_years_heat(year):
    share = (year["heat_output"] * year["switch_valve"]).sum() / year["heat_output"].sum()
    assert 0.10 <= share <= 0.25            # heatpumpmonitor.org ground source: median 16 %, 0.3–31 %


def test_add_heat_runs_only_on_cold_days(year):
    aux = year["aux_heater_on"] == 1
    assert aux.any(), "a Swedish winter should need some add-heat"
    assert year["outdoor_temp"][aux].max() < 0.0
    assert year["outdoor_temp"][aux].mean() < -8.0
    assert year["aux_heater_power"].sum() / year["heat_output"].sum() < 0.02


# --- alarms ----------------------------------------------------------------------------------------
def test_alarms_are_rare_short_and_stop_the_compressor(year):
    code = year["alarm_code"]
    starts, lengths = runs(code != 0)
    assert 1 <= starts.size <= 12
    assert set(np.unique(code)) == {0, simulator.ALARM_LOW_BRINE_FLOW}
    minutes = lengths * SAMPLE_SECONDS / 60
    assert minutes.min() >= 10 and minutes.max() <= 45
    assert not year["compressor_on"][code != 0].any()


def test_alarm_events_match_the_sampled_alarm_code(year):
    t = grid("2024-07-01", 365)
    events = simulator.alarm_events(t[0], t[-1] + SAMPLE_SECONDS, seed=1)
    starts, lengths = runs(year["alarm_code"] != 0)
    assert [e.start for e in events] == list(t[starts])
    assert [e.end for e in events] == list(t[starts + lengths])


# --- degree-minutes (the lifetime counters: test_simulator_counters.py) -------------------------------
def test_degree_minutes_stay_between_the_deepest_add_heat_step_and_zero(year):
    deepest = simulator.DM_START_COMPRESSOR - simulator.DM_START_ADD_HEAT_DIFF - 2 * simulator.DM_ADD_HEAT_STEP_DIFF
    dm = year["degree_minutes"]
    assert dm.min() >= deepest and dm.max() <= 0


def test_degree_minutes_rise_while_space_heating_runs_and_fall_while_it_rests(winter_week):
    dm, on, valve = winter_week["degree_minutes"], winter_week["compressor_on"], winter_week["switch_valve"]
    step = np.diff(dm)
    heating = (on[1:] == 1) & (on[:-1] == 1) & (valve[1:] == 0) & (valve[:-1] == 0)
    resting = (on[1:] == 0) & (on[:-1] == 0)
    assert (step[heating] >= 0).mean() > 0.97 and (step[resting] <= 0).mean() > 0.97


def test_a_space_heating_run_starts_at_the_start_compressor_value(winter_week):
    dm, on, valve = winter_week["degree_minutes"], winter_week["compressor_on"], winter_week["switch_valve"]
    starts = np.flatnonzero((np.diff(on) == 1) & (valve[1:] == 0)) + 1
    assert starts.size > 5
    # −60 DM, or deeper where add-heat is due; rounded to whole DM, one sample after the start
    assert np.all(dm[starts] <= simulator.DM_START_COMPRESSOR + 2)
