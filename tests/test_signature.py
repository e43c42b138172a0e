"""Heat signature: daily heat against the day's mean outdoor temperature, per heating season, and the
heating line's heat loss (W/K) and balance temperature.  Hand-made days whose line is known: a house
losing UA watts per kelvin below its balance temperature needs UA × 24/1000 kWh per day and kelvin."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from generator import analytics as a
from generator.analytics.signature import fit_line, season_start
from generator.core.ranges import Window

TZ = "Europe/Stockholm"
UA, BALANCE = 180.0, 16.0
KWH_PER_K = UA * 24 / 1000        # 4.32 kWh per day and kelvin


def house(outdoor: np.ndarray, ua: float = UA, balance: float = BALANCE, base: float = 0.0) -> np.ndarray:
    return base + ua * 24 / 1000 * np.maximum(balance - outdoor, 0.0)


def test_days_on_both_sides_of_the_balance_give_the_heat_loss_and_the_balance_temperature():
    outdoor = np.linspace(-12.0, 24.0, 90)
    fit = fit_line(outdoor, house(outdoor))
    assert fit.ua_w_per_k == pytest.approx(UA, rel=1e-6)
    assert fit.balance_c == pytest.approx(BALANCE, abs=0.05)
    assert fit.change_point and fit.baseline_kwh_per_day == pytest.approx(0.0, abs=1e-6)
    assert fit.r2 == pytest.approx(1.0) and fit.days == 90


def test_with_hot_water_in_the_heat_the_line_levels_off_at_the_hot_water_baseline():
    outdoor = np.linspace(-12.0, 24.0, 90)
    fit = fit_line(outdoor, house(outdoor, base=6.0))
    assert fit.ua_w_per_k == pytest.approx(UA, rel=1e-6)
    assert fit.balance_c == pytest.approx(BALANCE, abs=0.05)
    assert fit.baseline_kwh_per_day == pytest.approx(6.0, abs=1e-6)


def test_winter_days_alone_give_a_straight_line_whose_zero_crossing_is_the_balance_temperature():
    rng = np.random.default_rng(3)
    outdoor = rng.uniform(-10.0, 5.0, 30)
    fit = fit_line(outdoor, house(outdoor) + rng.normal(0, 2.0, 30))
    assert not fit.change_point
    assert fit.ua_w_per_k == pytest.approx(UA, rel=0.05)
    assert fit.balance_c == pytest.approx(BALANCE, abs=1.0)
    assert fit.heating_days == 30


def test_too_few_days_give_no_line():
    outdoor = np.linspace(-10.0, 5.0, 6)
    assert fit_line(outdoor, house(outdoor)) is None


def test_days_within_a_narrow_band_of_temperatures_give_no_line():
    outdoor = np.linspace(0.0, 3.0, 20)
    assert fit_line(outdoor, house(outdoor)) is None


def test_days_needing_no_more_heat_when_colder_give_no_line():
    outdoor = np.linspace(-10.0, 10.0, 20)
    assert fit_line(outdoor, np.full(20, 5.0) + np.linspace(0, 1, 20)) is None


@pytest.mark.parametrize("day,start", [(date(2025, 8, 31), date(2024, 9, 1)), (date(2025, 9, 1), date(2025, 9, 1)),
                                       (date(2026, 1, 15), date(2025, 9, 1))])
def test_a_day_belongs_to_the_heating_season_that_began_on_or_before_it(day, start):
    assert season_start(day, (9, 1)) == start


# --- from a range's frame ------------------------------------------------------------------------------
def daily_window(first: str, days: int) -> Window:
    start = pd.Timestamp(first).tz_localize(TZ).tz_convert("UTC")
    end = (pd.Timestamp(first) + pd.Timedelta(days=days)).tz_localize(TZ).tz_convert("UTC")
    return Window(start, end, "1D", TZ)


def year_frame(w: Window, outdoor: np.ndarray, heat_kwh: np.ndarray, **more: np.ndarray) -> pd.DataFrame:
    index = w.edges()[:-1]
    edges = w.edges()
    hours = np.asarray((edges[1:] - edges[:-1]).total_seconds()) / 3600.0
    return pd.DataFrame({"outdoor_temp": outdoor, "energy_heat": heat_kwh * hours / 24, **more}, index=index)


def seasonal_outdoor(n: int) -> np.ndarray:
    return 6.0 - 12.0 * np.cos(2 * np.pi * (np.arange(n) - 20) / 365)


def test_a_year_splits_into_the_season_before_and_after_the_heating_start_each_with_its_line():
    w = daily_window("2025-01-16", 365)                       # 16 Jan 2025 – 15 Jan 2026
    outdoor = seasonal_outdoor(365)
    days = w.edges()[:-1].tz_convert(TZ)
    this_season = days >= pd.Timestamp("2025-09-01", tz=TZ)
    heat = np.where(this_season, house(outdoor, ua=150.0, balance=15.0), house(outdoor))
    s = a.summarize(year_frame(w, outdoor, heat), {}, w, a.Params())
    last, current = s.signature.seasons
    assert (last.start, current.start) == (date(2024, 9, 1), date(2025, 9, 1))
    assert len(last.dates) + len(current.dates) == 365 and current.dates[0] == date(2025, 9, 1)
    assert last.fit.ua_w_per_k == pytest.approx(UA, rel=1e-3) and last.fit.balance_c == pytest.approx(16.0, abs=0.1)
    assert current.fit.ua_w_per_k == pytest.approx(150.0, rel=1e-3)
    assert current.fit.balance_c == pytest.approx(15.0, abs=0.1)


def test_the_heat_per_day_is_per_24_hours_so_the_short_dst_day_lies_on_the_line():
    w = daily_window("2026-01-01", 120)                       # holds 29 March 2026, 23 h long
    outdoor = np.linspace(-10.0, 10.0, 120)
    s = a.summarize(year_frame(w, outdoor, house(outdoor)), {}, w, a.Params())
    [season] = s.signature.seasons
    i = season.dates.index(date(2026, 3, 29))
    assert season.heat_kwh_per_day[i] == pytest.approx(house(np.array([season.outdoor_c[i]]))[0])


def test_days_with_under_80_percent_coverage_are_left_out_and_counted():
    w = daily_window("2026-01-01", 60)
    outdoor = np.linspace(-10.0, 10.0, 60)
    f = year_frame(w, outdoor, house(outdoor))
    f["outdoor_temp:cov"] = 1.0
    f["energy_heat:cov"] = 1.0
    f.iloc[5, f.columns.get_loc("outdoor_temp:cov")] = 0.5       # half a day of outdoor temperature
    f.iloc[9, f.columns.get_loc("energy_heat")] = np.nan              # no heat at all
    s = a.summarize(f, {}, w, a.Params())
    [season] = s.signature.seasons
    assert len(season.dates) == 58 and date(2026, 1, 6) not in season.dates
    assert s.signature.days_left_out == 2


def test_hot_water_is_taken_out_where_the_meter_splits_it():
    w = daily_window("2026-01-01", 60)
    outdoor = np.linspace(-10.0, 24.0, 60)
    hot_water = np.full(60, 6.0)
    s = a.summarize(year_frame(w, outdoor, house(outdoor) + hot_water, energy_heat_hot_water=hot_water), {}, w,
                    a.Params())
    assert s.signature.heat == "space"
    fit = s.signature.seasons[0].fit
    assert fit.baseline_kwh_per_day == pytest.approx(0.0, abs=0.05)
    assert fit.ua_w_per_k == pytest.approx(UA, rel=0.01)


def test_hourly_buckets_make_local_days_with_the_time_weighted_mean_temperature():
    start = pd.Timestamp("2026-01-01").tz_localize(TZ).tz_convert("UTC")
    w = Window(start, start + pd.Timedelta(days=30), "1h", TZ)
    index = w.edges()[:-1]
    local_hour = index.tz_convert(TZ).hour.to_numpy()
    day = np.arange(len(index)) // 24
    outdoor = -8.0 + 0.5 * day + np.where(local_hour < 12, -2.0, 2.0)  # daily mean −8 + day/2
    f = pd.DataFrame({"outdoor_temp": outdoor, "heat_output": house(outdoor) * 1000 / 24}, index=index)
    s = a.summarize(f, {}, w, a.Params())
    [season] = s.signature.seasons
    assert len(season.dates) == 30 and season.dates[0] == date(2026, 1, 1)
    assert season.outdoor_c[3] == pytest.approx(-6.5)
    assert season.fit.ua_w_per_k == pytest.approx(UA, rel=1e-6)


def test_a_range_under_28_days_has_no_signature():
    w = daily_window("2026-01-01", 7)
    outdoor = np.linspace(-10.0, 10.0, 7)
    assert a.summarize(year_frame(w, outdoor, house(outdoor)), {}, w, a.Params()).signature is None


def test_a_day_the_window_cuts_counts_against_its_whole_length_and_is_left_out():
    start = pd.Timestamp("2026-01-01T12:00").tz_localize(TZ).tz_convert("UTC")   # noon: half of 1 January
    w = Window(start, start + pd.Timedelta(days=30), "1h", TZ)
    index = w.edges()[:-1]
    outdoor = np.linspace(-10.0, 10.0, len(index))
    f = pd.DataFrame({"outdoor_temp": outdoor, "heat_output": house(outdoor) * 1000 / 24}, index=index)
    [season] = a.summarize(f, {}, w, a.Params()).signature.seasons
    assert season.dates[0] == date(2026, 1, 2) and season.dates[-1] == date(2026, 1, 30)
    assert len(season.dates) == 29


# --- seasons.heating_start ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2025-09-01", "9-1", "13-01", "02-29", "09-31", "1 September"])
def test_a_bad_heating_start_is_one_line_naming_the_key_and_the_fix(tmp_path, value):
    from generator.config import load_config
    from generator.core.errors import ConfigError

    path = tmp_path / "config.yaml"
    path.write_text(f"seasons:\n  heating_start: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, {})
    [problem] = err.value.problems
    assert problem.startswith("seasons.heating_start:") and '"MM-DD"' in problem


def test_the_heating_start_moves_the_line_between_seasons(tmp_path):
    from generator.build import make_context
    from generator.config import load_config
    from generator.sources.demo import DemoSource

    path = tmp_path / "config.yaml"
    path.write_text('seasons:\n  heating_start: "07-01"\n', encoding="utf-8")
    cfg = load_config(path, {}).with_values(output__public_dir=str(tmp_path / "public"))
    params = make_context(cfg, DemoSource(seed=1)).params
    assert params.heating_start == (7, 1)
    assert season_start(date(2025, 8, 15), params.heating_start) == date(2025, 7, 1)


def test_heat_from_the_radiator_pair_is_space_heat_already_and_nothing_is_taken_out():
    start = pd.Timestamp("2026-01-01").tz_localize(TZ).tz_convert("UTC")
    w = Window(start, start + pd.Timedelta(days=30), "1h", TZ)
    index = w.edges()[:-1]
    outdoor = -8.0 + 0.5 * (np.arange(len(index)) // 24)
    # radiator ΔT × 2.7 kW/K gives the house's need, the compressor always on, the valve on hot water a quarter
    delta = house(outdoor) / 24 / 2.7
    f = pd.DataFrame({"outdoor_temp": outdoor, "supply_temp": 30.0 + delta, "return_temp": 30.0,
                      "compressor_on": 1.0, "switch_valve": 0.25}, index=index)
    s = a.summarize(f, {}, w, a.Params())
    assert s.heat.basis == "radiator" and s.signature.heat == "space"
    assert s.signature.seasons[0].fit.ua_w_per_k == pytest.approx(UA, rel=1e-6)
