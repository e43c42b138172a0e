"""The daily chart: on 30d and 365d only, a bar per local day of electricity and heat (kWh), the day's COP
as points on a second axis, partial days paler; figures worked out by hand on small frames."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from generator import analytics
from generator.charts import build_charts
from generator.core.ranges import BY_KEY, Window

TZ = "Europe/Stockholm"


def two_days() -> tuple[Window, pd.DataFrame]:
    """15 and 16 January 2026, hourly: 1 kW → 3 kW all of the first day; the second has data until noon."""
    w = Window(pd.Timestamp("2026-01-14T23:00Z"), pd.Timestamp("2026-01-16T23:00Z"), "1h", TZ)
    power = [1000.0] * 36 + [np.nan] * 12
    heat = [3000.0] * 36 + [np.nan] * 12
    return w, pd.DataFrame({"power_electric": power, "heat_output": heat, "compressor_on": 1.0},
                           index=w.edges()[:-1])


def daily_of(w: Window, f: pd.DataFrame, range_key: str = "30d", language: str = "en") -> dict:
    s = analytics.summarize(f, {}, w, analytics.Params())
    return build_charts(f, s, w, BY_KEY[range_key], language, TZ).get("daily")


def named(option: dict, name: str) -> dict:
    return next(s for s in option["series"] if s["name"] == name)


def points(series: dict) -> list[tuple[int, float | None, bool]]:
    """(time, kWh, pale) of each bar."""
    return [(p["value"][0], p["value"][1], True) if isinstance(p, dict) else (p[0], p[1], False)
            for p in series["data"]]


@pytest.mark.parametrize("range_key, shown", [("1h", False), ("24h", False), ("7d", False), ("30d", True),
                                              ("365d", True)])
def test_the_daily_chart_is_only_in_the_ranges_of_days(range_key, shown):
    w, f = two_days()
    assert (daily_of(w, f, range_key) is not None) is shown


def test_each_day_is_a_bar_of_its_kwh_and_the_partial_day_is_paler():
    w, f = two_days()
    option = daily_of(w, f)
    first, second = (pd.Timestamp("2026-01-14T23:00Z"), pd.Timestamp("2026-01-15T23:00Z"))
    ms = [int(t.timestamp() * 1000) for t in (first, second)]
    assert points(named(option, "Electricity")) == [(ms[0], 24.0, False), (ms[1], 12.0, True)]
    assert points(named(option, "Heat")) == [(ms[0], 72.0, False), (ms[1], 36.0, True)]
    assert option["title"]["subtext"] == "Paler bar: part of the day has no data"
    assert option["_meta"]["partial_days"] == 1


def test_the_days_cop_is_points_on_the_second_axis():
    w, f = two_days()
    option = daily_of(w, f)
    cop = named(option, "Day's COP")
    assert cop["type"] == "scatter" and cop["yAxisIndex"] == 1 and cop["encode"]["y"] == "day_cop"
    dims = option["dataset"]["dimensions"]
    assert [row[dims.index("day_cop")] for row in option["dataset"]["source"]] == [3.0, 3.0]
    assert [row[dims.index("day_covered_pct")] for row in option["dataset"]["source"]] == [100.0, 50.0]
    assert [axis["name"] for axis in option["yAxis"]] == ["kWh", "COP"]


def test_the_heat_bar_stands_behind_the_electricity_bar():
    w, f = two_days()
    bars = [s for s in daily_of(w, f)["series"] if s["type"] == "bar"]
    assert [s["name"] for s in bars] == ["Heat", "Electricity"]      # drawn first: behind
    assert all(s["barGap"] == "-100%" for s in bars)


def test_without_heat_there_are_electricity_bars_and_no_cop():
    w, f = two_days()
    option = daily_of(w, f.drop(columns=["heat_output"]))
    assert [s["name"] for s in option["series"]] == ["Electricity"]
    assert option["yAxis"]["name"] == "kWh"


def test_without_electricity_or_heat_the_chart_says_there_is_no_data():
    w, f = two_days()
    option = daily_of(w, f[["compressor_on"]], language="sv")
    assert option["_empty"] is True and option["title"]["text"] == "El och värme per dygn – ingen data"


def test_the_option_is_plain_json_without_nan():
    w, f = two_days()
    text = json.dumps(daily_of(w, f), allow_nan=False)
    assert "NaN" not in text
