"""Local days and seasons on hand-made frames: each day's kWh is the sum of its buckets' held power ×
covered time, a DST day is 23 or 25 hours, a half-covered day is marked partial and never stretched, and
the SPFs of the year and the season split only where the data can.  Expected figures are worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator import analytics as a
from generator.core.ranges import BY_KEY, Window, window_for

TZ = "Europe/Stockholm"


def hourly(start: str, end: str) -> Window:
    return Window(pd.Timestamp(start), pd.Timestamp(end), "1h", TZ)


def frame(w: Window, **columns: object) -> pd.DataFrame:
    index = w.edges()[:-1]
    return pd.DataFrame({k: (np.full(len(index), v, dtype=float) if np.isscalar(v) else np.asarray(v, dtype=float))
                         for k, v in columns.items()}, index=index)


def days_of(f: pd.DataFrame, w: Window) -> a.Days:
    return a.daily(f, w, a.heat(f, w, a.Params()))


def test_the_spring_dst_day_has_23_hours_of_energy_and_the_autumn_one_25():
    # 2026-03-29 (23 h) starts 2026-03-28T23:00Z; 2026-10-25 (25 h) starts 2026-10-24T22:00Z
    for start, end, length in (("2026-03-28T23:00Z", "2026-03-29T22:00Z", 23),
                               ("2026-10-24T22:00Z", "2026-10-25T23:00Z", 25)):
        w = hourly(start, end)
        d = days_of(frame(w, power_electric=1000.0, heat_output=3000.0), w)
        assert d.hours.tolist() == [length]
        assert d.electric_kwh.tolist() == [pytest.approx(length * 1.0)]
        assert d.heat_kwh.tolist() == [pytest.approx(length * 3.0)]
        assert d.cop.tolist() == [pytest.approx(3.0)] and not d.partial.any()


def test_a_half_covered_day_is_not_stretched_and_is_marked_partial():
    w = hourly("2026-01-14T23:00Z", "2026-01-16T23:00Z")        # two local days
    power = [1000.0] * 24 + [1000.0] * 12 + [np.nan] * 12       # the second day has data until noon
    cov = [1.0] * 24 + [1.0] * 12 + [0.0] * 12
    d = days_of(frame(w, power_electric=power, **{"power_electric:cov": cov}), w)
    assert d.electric_kwh.tolist() == [pytest.approx(24.0), pytest.approx(12.0)]
    assert d.covered_hours.tolist() == [pytest.approx(24.0), pytest.approx(12.0)]
    assert d.partial.tolist() == [False, True]


def test_a_partly_covered_bucket_counts_only_its_covered_time():
    w = hourly("2026-01-14T23:00Z", "2026-01-15T23:00Z")
    cov = [1.0] * 23 + [0.25]                                    # the collector fell silent at 23:15
    d = days_of(frame(w, power_electric=2000.0, **{"power_electric:cov": cov}), w)
    assert d.electric_kwh.tolist() == [pytest.approx(23 * 2.0 + 0.25 * 2.0)]
    assert not d.partial.any()                                   # 23.25 of 24 h: above 95 %


def test_the_30d_window_cuts_its_first_and_last_local_day_so_both_are_partial():
    w = window_for(BY_KEY["30d"], pd.Timestamp("2026-01-20T10:30Z").to_pydatetime(), TZ)
    d = days_of(frame(w, power_electric=500.0), w)
    assert len(d.hours) == 31                                    # 30 days of hours touch 31 local days
    assert d.partial.tolist() == [True] + [False] * 29 + [True]
    assert d.electric_kwh.iloc[0] == pytest.approx(0.5 * 13)     # 2025-12-21 from 10:00Z = 11:00 local
    assert d.electric_kwh.iloc[-1] == pytest.approx(0.5 * 11)    # today so far: 00:00–11:00 local


def test_a_day_without_data_is_no_bar_not_zero_and_a_history_shorter_than_the_range_starts_late():
    w = hourly("2026-01-11T23:00Z", "2026-01-14T23:00Z")        # three days; data from the third only
    power = [np.nan] * 48 + [800.0] * 24
    d = days_of(frame(w, power_electric=power), w)
    assert d.electric_kwh.isna().tolist() == [True, True, False]
    assert d.partial.tolist() == [True, True, False]


def test_the_days_cop_is_energy_weighted_over_the_hours_both_are_known():
    w = hourly("2026-01-14T23:00Z", "2026-01-15T23:00Z")
    # 12 h at 1 kW → 4 kW (COP 4), 6 h at 2 kW → 5 kW (COP 2.5), 6 h at 1 kW with no heat reading
    power = [1000.0] * 12 + [2000.0] * 6 + [1000.0] * 6
    heat = [4000.0] * 12 + [5000.0] * 6 + [np.nan] * 6
    d = days_of(frame(w, power_electric=power, heat_output=heat), w)
    assert d.electric_kwh.iloc[0] == pytest.approx(12 + 12 + 6)  # every kWh drawn is in the bar
    assert d.heat_kwh.iloc[0] == pytest.approx(48 + 30)
    assert d.cop.iloc[0] == pytest.approx((48 + 30) / (12 + 12))  # not the mean of 4 and 2.5


def test_daily_buckets_are_the_days_themselves():
    w = Window(pd.Timestamp("2026-03-27T23:00Z"), pd.Timestamp("2026-03-30T22:00Z"), "1D", TZ)
    d = days_of(frame(w, energy_electric=[10.0, 9.0, 11.0], energy_heat=[40.0, 27.0, 44.0]), w)
    assert d.hours.tolist() == [24, 23, 24]
    assert d.electric_kwh.tolist() == [10.0, 9.0, 11.0]
    assert d.cop.tolist() == [pytest.approx(4.0), pytest.approx(3.0), pytest.approx(4.0)]


@pytest.mark.parametrize("last_day, season", [("2026-11-29", "2026-09-01"), ("2026-09-01", "2026-09-01"),
                                              ("2026-08-31", "2025-09-01")])
def test_the_season_is_the_latest_heating_start_on_or_before_the_windows_last_day(last_day, season):
    end = (pd.Timestamp(last_day) + pd.Timedelta(days=1)).tz_localize(TZ).tz_convert("UTC")
    w = Window(end - pd.Timedelta(days=365), end, "1D", TZ)
    assert a.season_began(w, (9, 1)) == pd.Timestamp(season).tz_localize(TZ).tz_convert("UTC")


def year(**columns: object) -> tuple[Window, pd.DataFrame]:
    """Twenty local days ending on 10 September 2026 (the season began 1 September: the last ten)."""
    end = pd.Timestamp("2026-09-11").tz_localize(TZ).tz_convert("UTC")
    w = Window(pd.Timestamp("2026-08-22").tz_localize(TZ).tz_convert("UTC"), end, "1D", TZ)
    return w, frame(w, **columns)


def test_the_season_spf_counts_only_the_days_since_the_heating_start():
    # before the season 10 kWh → 30 kWh a day (SPF 3), in it 10 kWh → 40 kWh (SPF 4)
    w, f = year(energy_electric=10.0, energy_heat=[30.0] * 10 + [40.0] * 10)
    s = a.seasons(f, w, a.heat(f, w, a.Params()), a.Params())
    assert s.year.spf == pytest.approx(700 / 200) and s.season.spf == pytest.approx(4.0)
    assert s.season.start == pd.Timestamp("2026-09-01").tz_localize(TZ).tz_convert("UTC")


def test_the_season_spf_without_add_heat_takes_the_add_heats_kwh_out_of_both_sides():
    # 24 kWh a day, 4.8 of them add-heat (200 W held all day), which makes 4.8 kWh of heat; 68 kWh of heat
    w, f = year(energy_electric=24.0, energy_heat=68.0, aux_heater_power=200.0)
    s = a.seasons(f, w, a.heat(f, w, a.Params()), a.Params())
    assert s.season.spf == pytest.approx(68 / 24)
    assert s.season.spf_without_aux == pytest.approx((68 - 4.8) / (24 - 4.8))


def hours_of(w: Window) -> Window:
    return Window(w.start, w.end, "1h", w.tz)


def test_the_split_into_space_and_hot_water_reads_the_hours_the_valve_was_on_hot_water():
    # each day: 4 hours of hot water at 2 kW → 5 kW (COP 2.5), 20 hours of heating at 1 kW → 4 kW (COP 4)
    w, f = year(energy_electric=28.0, energy_heat=100.0, compressor_on=1.0, switch_valve=4 / 24)
    hw = hours_of(w)
    on_hot_water = np.asarray(hw.edges()[:-1].tz_convert(TZ).hour < 4)
    hourly = pd.DataFrame({"power_electric": np.where(on_hot_water, 2000.0, 1000.0),
                           "heat_output": np.where(on_hot_water, 5000.0, 4000.0),
                           "compressor_on": 1.0, "switch_valve": on_hot_water.astype(float)},
                          index=hw.edges()[:-1])
    s = a.seasons(f, w, a.heat(f, w, a.Params()), a.Params(), hourly)
    assert s.season.spf_hot_water == pytest.approx(2.5) and s.year.spf_hot_water == pytest.approx(2.5)
    assert s.season.spf_space == pytest.approx(4.0)
    assert s.season.spf == pytest.approx(100 / 28)


def test_daily_bucket_means_give_no_split_they_would_say_the_days_cop_for_both():
    w, f = year(energy_electric=28.0, energy_heat=100.0, compressor_on=1.0, switch_valve=4 / 24)
    s = a.seasons(f, w, a.heat(f, w, a.Params()), a.Params())
    assert s.season.spf == pytest.approx(100 / 28)
    assert s.season.spf_space is None and s.season.spf_hot_water is None


def test_without_valve_data_the_split_is_none_not_all_space():
    w, f = year(energy_electric=6.0, energy_heat=18.0, compressor_on=0.5)
    hw = hours_of(w)
    hourly = pd.DataFrame({"power_electric": 250.0, "heat_output": 750.0, "compressor_on": 0.5},
                          index=hw.edges()[:-1])
    s = a.seasons(f, w, a.heat(f, w, a.Params()), a.Params(), hourly)
    assert s.year.spf == pytest.approx(3.0)
    assert s.year.spf_space is None and s.year.spf_hot_water is None


def test_without_heat_every_spf_is_none():
    w, f = year(energy_electric=6.0, compressor_on=0.5, switch_valve=0.1)
    s = a.seasons(f, w, a.heat(f, w, a.Params()), a.Params())
    assert (s.year.spf, s.year.spf_without_aux, s.season.spf, s.season.spf_space) == (None, None, None, None)


def test_until_the_seasons_first_day_has_closed_the_season_shown_is_the_last_one():
    end = pd.Timestamp("2026-09-01").tz_localize(TZ).tz_convert("UTC")   # the last closed day: 31 August
    w = window_for(BY_KEY["365d"], (end + pd.Timedelta(hours=5)).to_pydatetime(), TZ)
    assert w.end == end
    f = frame(w, energy_electric=6.0, energy_heat=18.0)
    s = a.seasons(f, w, a.heat(f, w, a.Params()), a.Params())
    assert s.season.start == pd.Timestamp("2025-09-01").tz_localize(TZ).tz_convert("UTC") == w.start
    assert s.season.spf == pytest.approx(3.0)


def test_the_season_uses_the_configured_start():
    w, f = year(energy_electric=10.0, energy_heat=[30.0] * 15 + [40.0] * 5)
    params = a.Params(heating_start=(9, 6))
    s = a.seasons(f, w, a.heat(f, w, params), params)
    assert s.season.spf == pytest.approx(4.0)


def test_seasons_are_figured_only_where_buckets_are_days():
    w = hourly("2026-01-14T23:00Z", "2026-01-15T23:00Z")
    assert a.summarize(frame(w, power_electric=1000.0), {}, w, a.Params()).seasons is None
    wy, fy = year(energy_electric=6.0, energy_heat=18.0)
    assert a.summarize(fy, {}, wy, a.Params()).seasons is not None
