"""The heat-signature chart: a scatter per heating season with its fitted line, the heat loss and balance
temperature in the subtitle, only on 30d and 365d; drawn by real ECharts without a warning."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator import analytics
from generator.charts import build_charts
from generator.core.ranges import BY_KEY
from tests.test_charts_render import render
from tests.test_signature import TZ, daily_window, house, seasonal_outdoor, year_frame


def year_charts(language: str = "sv", range_key: str = "365d") -> dict[str, dict]:
    w = daily_window("2025-01-16", 365)
    outdoor = seasonal_outdoor(365)
    frame = year_frame(w, outdoor, house(outdoor), energy_electric=house(outdoor) / 3.5)
    summary = analytics.summarize(frame, {}, w, analytics.Params())
    return build_charts(frame, summary, w, BY_KEY[range_key], language, TZ)


def test_each_season_is_a_scatter_with_its_line_under_one_legend_name():
    option = year_charts()["signature"]
    kinds = [(s["type"], s["name"]) for s in option["series"]]
    # the last season drawn first (under this one), the lines over the points; the legend names this season first
    assert kinds == [("scatter", "2024/25"), ("scatter", "2025/26"), ("line", "2024/25"), ("line", "2025/26")]
    assert option["legend"]["data"] == ["2025/26", "2024/25"]
    assert option["series"][2]["lineStyle"]["type"] == "dashed" and "type" not in option["series"][3]["lineStyle"]
    assert option["series"][0]["itemStyle"]["color"] != option["series"][1]["itemStyle"]["color"]


def test_the_subtitle_gives_heat_loss_and_balance_temperature_in_the_sites_language():
    sv = year_charts("sv")["signature"]["title"]["subtext"].split("\n")
    en = year_charts("en")["signature"]["title"]["subtext"].split("\n")
    assert sv[0].startswith("2025/26: 180 W/K · balans 16,0 °C")
    assert en[1].startswith("2024/25: 180 W/K · balance 16.0 °C")


def test_the_line_reaches_the_balance_temperature_and_levels_off_at_the_baseline():
    line = year_charts()["signature"]["series"][2]["data"]      # 2024/25 holds the summer
    assert line[1] == [16.0, 0.0] and line[2][1] == 0.0


def test_the_meta_carries_each_seasons_figures_for_the_page():
    meta = year_charts()["signature"]["_meta"]
    assert meta["heat"] == "total"
    assert [s["season"] for s in meta["seasons"]] == ["2024/25", "2025/26"]
    assert meta["seasons"][0]["ua_w_per_k"] == 180 and meta["seasons"][0]["balance_c"] == 16.0


@pytest.mark.parametrize("range_key,shown", [("24h", False), ("7d", False), ("30d", True), ("365d", True)])
def test_the_chart_is_only_in_the_30d_and_365d_files(range_key, shown):
    assert ("signature" in year_charts(range_key=range_key)) is shown


def test_without_outdoor_temperature_the_chart_says_it_has_no_data():
    w = daily_window("2025-01-16", 60)
    frame = pd.DataFrame({"energy_heat": np.full(60, 50.0)}, index=w.edges()[:-1])
    option = build_charts(frame, analytics.summarize(frame, {}, w, analytics.Params()), w, BY_KEY["365d"], "en",
                          TZ)["signature"]
    assert option["_empty"] and option["title"]["text"] == "Heat signature – no data"


def test_the_chart_renders_in_echarts_without_warnings(tmp_path):
    rendered = render({"signature": year_charts()["signature"]}, tmp_path)
    assert rendered["warnings"] == [] and rendered["result"]["signature"]["svg"] > 1000


def test_the_kpis_carry_this_seasons_heat_loss_and_balance_temperature():
    from generator.charts import build_kpis

    w = daily_window("2025-01-16", 365)
    outdoor = seasonal_outdoor(365)
    this_season = w.edges()[:-1].tz_convert(TZ) >= pd.Timestamp("2025-09-01", tz=TZ)
    heat = np.where(this_season, house(outdoor, ua=150.0, balance=15.0), house(outdoor))
    kpis = build_kpis(analytics.summarize(year_frame(w, outdoor, heat), {}, w, analytics.Params()), {})
    assert (kpis["heat_loss_w_per_k"], kpis["balance_temp_c"]) == (150, 15.0)


def test_a_short_range_has_no_heat_loss_kpi():
    from generator.charts import build_kpis

    w = daily_window("2025-01-16", 7)
    outdoor = np.linspace(-5.0, 5.0, 7)
    kpis = build_kpis(analytics.summarize(year_frame(w, outdoor, house(outdoor)), {}, w, analytics.Params()), {})
    assert kpis["heat_loss_w_per_k"] is None and kpis["balance_temp_c"] is None


@pytest.mark.parametrize("language,text", [("sv", "värmeförlust 180 W/K, balans 16,0 °C"),
                                           ("en", "heat loss 180 W/K, balance 16.0 °C")])
def test_the_heat_loss_figure_is_prerendered_as_the_page_writes_it(language, text):
    from generator.prerender import kpi_text

    assert kpi_text("heat_loss_w_per_k", {"heat_loss_w_per_k": 180, "balance_temp_c": 16.0}, language) == text
    assert kpi_text("heat_loss_w_per_k", {"heat_loss_w_per_k": None, "balance_temp_c": None}, language) == ""
