"""The "all" range and the monthly bars: local calendar months, folded from local days, with the same
month a year before.  Expected energies are hours × watts worked out by hand from the calendar."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from generator import analytics as a
from generator.core.ranges import BY_KEY, MONTHS, Window, window_for
from generator.sources import fold as m

TZ = "Europe/Stockholm"


def daily(w: Window, **columns: object) -> pd.DataFrame:
    index = pd.DatetimeIndex(w.edges()[:-1])
    return pd.DataFrame({k: (np.full(len(index), v, dtype=float) if np.isscalar(v) else np.asarray(v, dtype=float))
                         for k, v in columns.items()}, index=index)


def month_window(start: str, end: str) -> Window:
    return Window(pd.Timestamp(start, tz=TZ).tz_convert("UTC"), pd.Timestamp(end, tz=TZ).tz_convert("UTC"), MONTHS, TZ)


def test_the_all_window_ends_at_the_last_local_month_start_and_looks_back_ten_years():
    w = window_for(BY_KEY["all"], datetime(2026, 4, 15, 12, tzinfo=timezone.utc), TZ)
    assert w.end == pd.Timestamp("2026-03-31T22:00Z")      # 1 April 00:00 CEST
    assert w.start == pd.Timestamp("2016-03-31T22:00Z")
    assert len(w.edges()) == 121


def test_month_edges_are_local_midnights_across_both_dst_changes():
    w = month_window("2026-02-01", "2026-12-01")
    hours = np.diff(w.edges().as_unit("s").asi8) / 3600
    # Feb 672, Mar 743 (an hour lost), Apr 720, ..., Oct 745 (an hour gained), Nov 720
    assert hours.tolist() == [672, 743, 720, 744, 720, 744, 744, 720, 745, 720]


def test_a_month_of_constant_power_is_watts_times_its_743_hours_in_march():
    months = month_window("2026-03-01", "2026-04-01")
    days = m.days_of(months)
    frame = daily(days, power_electric=1000.0, **{"power_electric:cov": 1.0}, heat_output=3000.0,
                  **{"heat_output:cov": 1.0})
    folded = m.fold(frame, days, months)
    assert folded["power_electric"].tolist() == [pytest.approx(1000.0)]
    assert folded["power_electric:cov"].tolist() == [pytest.approx(1.0)]
    s = a.summarize(folded, {}, months, a.Params())
    (march,) = a.months(folded, months, s.heat, last_year=True)
    assert march.electric_kwh == pytest.approx(743.0)
    assert march.heat_kwh == pytest.approx(3 * 743.0)
    assert march.cop == pytest.approx(3.0)
    assert not march.partial and march.last_year is None


def test_held_means_are_weighted_by_covered_hours_and_counters_summed():
    months = month_window("2026-01-01", "2026-02-01")
    days = m.days_of(months)
    power = np.full(31, 1000.0)
    power[:10] = 4000.0
    cov = np.ones(31)
    cov[:10] = 0.5                         # ten days half covered at 4 kW, 21 whole days at 1 kW
    meter_cov = np.ones(31)
    meter_cov[30] = 0.25                   # the meter silent for the last 18 hours
    frame = daily(days, power_electric=power, **{"power_electric:cov": cov}, energy_electric=2.0,
                  **{"energy_electric:cov": meter_cov})
    folded = m.fold(frame, days, months)
    covered_h = 10 * 12 + 21 * 24
    assert folded["power_electric"].iloc[0] == pytest.approx((4000 * 120 + 1000 * 504) / covered_h)
    assert folded["power_electric:cov"].iloc[0] == pytest.approx(covered_h / 744)
    assert folded["energy_electric"].iloc[0] == pytest.approx(62.0)
    assert folded["energy_electric:cov"].iloc[0] == pytest.approx((30 * 24 + 6) / 744)


def test_a_gap_month_has_no_bars_and_no_last_year_for_the_month_after_a_year():
    months = month_window("2025-05-01", "2026-08-01")          # 15 months; June 2025 is empty
    days = m.days_of(months)
    frame = daily(days, power_electric=500.0, **{"power_electric:cov": 1.0})
    june = (frame.index >= pd.Timestamp("2025-06-01", tz=TZ)) & (frame.index < pd.Timestamp("2025-07-01", tz=TZ))
    frame.loc[june, :] = np.nan
    folded = m.fold(frame, days, months)
    s = a.summarize(folded, {}, months, a.Params())
    table = {t.start.tz_convert(TZ).strftime("%Y-%m"): t for t in a.months(folded, months, s.heat, last_year=True)}
    assert table["2025-06"].electric_kwh is None
    assert table["2026-06"].last_year is not None and table["2026-06"].last_year.electric_kwh is None
    assert table["2026-05"].last_year.electric_kwh == pytest.approx(500 * 744 / 1000)
    assert table["2026-07"].last_year.electric_kwh == pytest.approx(500 * 744 / 1000)
    assert table["2025-12"].last_year is None                 # the history is shorter than that


def test_the_all_range_starts_at_the_first_month_with_data():
    months = month_window("2024-01-01", "2025-04-01")
    frame = pd.DataFrame({"power_electric": [np.nan] * 12 + [1.0, 2.0, 3.0]}, index=pd.DatetimeIndex(months.edges()[:-1]))
    w, f = a.from_first_data(months, frame)
    assert w.start == pd.Timestamp("2025-01-01", tz=TZ).tz_convert("UTC") and w.end == months.end
    assert f["power_electric"].tolist() == [1.0, 2.0, 3.0]


def test_on_365d_the_first_and_last_months_are_partial_and_no_year_before_is_shown():
    w = window_for(BY_KEY["365d"], datetime(2026, 1, 15, 11, tzinfo=timezone.utc), TZ)
    frame = daily(w, power_electric=1000.0, **{"power_electric:cov": 1.0})
    s = a.summarize(frame, {}, w, a.Params())
    table = a.months(frame, w, s.heat, last_year=False)
    assert [t.partial for t in table] == [True] + [False] * 11 + [True]
    assert table[0].electric_kwh == pytest.approx(24.0 * 17)   # 15–31 January 2025
    assert table[-1].electric_kwh == pytest.approx(24.0 * 14)  # 1–14 January 2026
    assert all(t.last_year is None for t in table)


def test_the_all_range_is_refreshed_daily_unless_schedule_all_s_says_otherwise():
    from generator.build import refresh_intervals
    from generator.config import load_config

    assert refresh_intervals(load_config(None, environ={}))["all"] == 86400
    assert refresh_intervals(load_config(None, environ={}).with_values(schedule__all_s=3600))["all"] == 3600


def test_a_bad_schedule_all_s_names_the_key_and_the_range(tmp_path):
    from generator.config import load_config
    from generator.core.errors import ConfigError

    path = tmp_path / "c.yaml"
    path.write_text("schedule:\n  all_s: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"schedule\.all_s.*from 60"):
        load_config(path, environ={})


def chart(frame: pd.DataFrame, w: Window, key: str) -> dict:
    from generator.charts import build_charts

    return build_charts(frame, a.summarize(frame, {}, w, a.Params()), w, BY_KEY[key], "en", TZ)["monthly"]


def test_a_partial_month_is_drawn_lighter_and_named_in_the_subtitle():
    months = month_window("2025-01-01", "2025-04-01")
    cov = [1.0, 0.5, 1.0]                                   # February half covered
    frame = pd.DataFrame({"power_electric": 1000.0, "power_electric:cov": cov, "heat_output": 3000.0,
                          "heat_output:cov": cov}, index=pd.DatetimeIndex(months.edges()[:-1]))
    option = chart(frame, months, "all")
    bars = [s for s in option["series"] if s["type"] == "bar"]
    assert [s["name"] for s in bars] == ["Electricity", "Heat"]
    february = bars[0]["data"][1]
    assert february["itemStyle"]["opacity"] < 1 and february["value"][1] == pytest.approx(672 * 0.5)
    assert isinstance(bars[0]["data"][0], list)               # a whole month: a plain point
    assert option["title"]["subtext"] == "lighter bar: partial month"
    assert option["_meta"]["partial_months"] == [february["value"][0]]


def test_a_long_history_opens_on_its_last_two_years():
    months = month_window("2020-01-01", "2026-01-01")
    frame = pd.DataFrame({"power_electric": 1000.0, "power_electric:cov": 1.0},
                         index=pd.DatetimeIndex(months.edges()[:-1]))
    option = chart(frame, months, "all")
    start = pd.Timestamp(option["dataZoom"][0]["startValue"], unit="ms", tz="UTC").tz_convert(TZ)
    assert start == pd.Timestamp("2024-01-01", tz=TZ)
    assert option["dataZoom"][1]["startValue"] == option["dataZoom"][0]["startValue"]


def test_without_electricity_or_heat_the_monthly_chart_says_it_has_no_data():
    months = month_window("2025-01-01", "2025-03-01")
    frame = pd.DataFrame({"outdoor_temp": 1.0, "outdoor_temp:cov": 1.0}, index=pd.DatetimeIndex(months.edges()[:-1]))
    assert chart(frame, months, "all")["_empty"] is True
