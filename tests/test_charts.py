"""The seven chart options: complete, plain JSON, honest about their data (on small hand-made frames).

Over 300 lines because it is a list of behaviours, one short test each.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator import analytics, i18n
from generator import charts as charts_module
from generator.charts import build_charts
from generator.core.ranges import BY_KEY, Window

TZ = "Europe/Stockholm"
START = pd.Timestamp("2024-01-15T00:00Z")
TIME_SERIES = ("cop", "temperature", "performance", "power", "valve")
ALL_CHARTS = ("sankey", "cop", "runtime", "temperature", "performance", "power", "valve")  # on every range
ORIGINAL_COLOURS = {"hot_water_temp": "#ff9800", "supply_temp": "#dc143c", "return_temp": "#ffd700",
                    "indoor_temp": "#4caf50", "outdoor_temp": "#64b5f6", "brine_in_temp": "#00d4ff",
                    "brine_out_temp": "#1565c0"}


def small_window(bucket: str = "1h", buckets: int = 6) -> Window:
    return Window(START, START + buckets * pd.Timedelta(bucket), bucket, TZ)


def full_frame(window: Window, bands: bool = False) -> pd.DataFrame:
    """Six buckets of a heat pump that heats, makes hot water once, idles and uses add-heat once."""
    frame = pd.DataFrame({
        "outdoor_temp": [-3.26, -2.04, -1.55, np.nan, -4.0, -5.01],
        "indoor_temp": [21.04, 21.06, 21.1, 21.0, 20.96, 21.0],
        "supply_temp": [35.04, 50.0, 30.0, 30.0, 36.0, 34.0],
        "return_temp": [30.0, 45.0, 29.0, 29.0, 30.0, 31.0],
        "hot_water_temp": [48.0, 52.36, 51.0, 50.0, 49.0, 48.5],
        "brine_in_temp": [2.0, 2.0, 2.5, 2.5, 1.8, 1.9],
        "brine_out_temp": [-1.0, -1.0, 2.4, 2.4, -1.5, 0.4],
        "compressor_on": [1.0, 1.0, 0.0, 0.0, 1.0, 0.5],
        "compressor_freq": [60.04, 80.0, 0.0, 0.0, 70.0, 35.0],
        "switch_valve": [0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        "aux_heater_on": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        "power_electric": [2000.4, 2100.6, 20.0, 20.0, 2500.0, 1000.0],
        "aux_heater_power": [0.0, 0.0, 0.0, 0.0, 500.0, 0.0],
        "heat_output": [6000.4, 5800.6, 0.0, 0.0, 7000.0, 3000.0],
    }, index=window.edges()[:-1])
    if bands:
        for metric in ("outdoor_temp", "supply_temp"):
            frame[f"{metric}:min"] = frame[metric] - 1.04
            frame[f"{metric}:max"] = frame[metric] + 0.98
    return frame


def charts_for(frame: pd.DataFrame, window: Window, range_key: str = "24h", language: str = "sv",
               summary: analytics.Summary | None = None) -> dict[str, dict]:
    summary = summary or analytics.summarize(frame, {}, window, analytics.Params())
    return build_charts(frame, summary, window, BY_KEY[range_key], language, TZ)


def column(option: dict, name: str) -> list:
    """One dataset column by its dimension name."""
    position = option["dataset"]["dimensions"].index(name)
    return [row[position] for row in option["dataset"]["source"]]


def series_named(option: dict, name: str) -> list[dict]:
    return [s for s in option["series"] if s["name"] == name]


def plotted_columns(option: dict) -> set[str]:
    return {s["encode"]["y"] for s in option["series"]}


@pytest.fixture
def window() -> Window:
    return small_window()


@pytest.fixture
def frame(window: Window) -> pd.DataFrame:
    return full_frame(window)


# --- the shape every option shares -----------------------------------------------------------------
def test_build_charts_returns_every_chart_and_on_ranges_past_an_hour_the_cycling_chart(frame, window):
    assert set(charts_for(frame, window, "1h")) == set(ALL_CHARTS)
    assert set(charts_for(frame, window, "24h")) == set(ALL_CHARTS) | {"cycling"}


def test_the_pages_fallback_chart_keys_are_the_generated_charts_in_their_order():
    keys_js = (Path(__file__).resolve().parent.parent / "site_templates/src/keys.js").read_text(encoding="utf-8")
    listed = re.search(r"CHART_KEYS = \[([^\]]*)\]", keys_js)
    assert listed is not None
    assert re.findall(r"'([a-z_]+)'", listed.group(1)) == list(charts_module.CHARTS)


def test_a_chart_meant_for_some_ranges_is_left_out_of_the_others(frame, window, monkeypatch):
    monkeypatch.setitem(charts_module.ONLY_FOR, "valve", frozenset({"30d"}))
    assert "valve" not in charts_for(frame, window, "24h")
    assert "valve" in charts_for(frame, window, "30d")


@pytest.mark.parametrize("drop", [[], ["indoor_temp", "heat_output"], ["power_electric", "compressor_on"],
                                  ["heat_output", "supply_temp", "return_temp", "brine_in_temp"]])
def test_every_option_is_json_without_nan(frame, window, drop):
    frame.iloc[2, :] = np.nan  # a bucket without data
    options = charts_for(frame.drop(columns=[c for c in drop if c in frame]), window, "30d")
    for key, option in options.items():
        json.dumps(option, allow_nan=False)  # raises on NaN, numpy or pandas scalars


def test_options_hold_only_plain_python_types(frame, window):
    def walk(value):
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            assert value is None or type(value) in (str, int, float, bool), type(value)

    for option in charts_for(full_frame(window, bands=True), window, "30d").values():
        walk(option)


@pytest.mark.parametrize("key", TIME_SERIES)
def test_time_series_charts_use_one_dataset_with_one_time_column(frame, window, key):
    option = charts_for(frame, window)[key]
    dimensions = option["dataset"]["dimensions"]
    assert dimensions[0] == "time" and dimensions.count("time") == 1
    assert len(set(dimensions)) == len(dimensions)
    expected_ms = [int(t.timestamp() * 1000) for t in window.edges()[:-1]]
    assert [row[0] for row in option["dataset"]["source"]] == expected_ms
    assert all(len(row) == len(dimensions) for row in option["dataset"]["source"])
    for series in option["series"]:
        assert "data" not in series and series["encode"]["x"] == "time"
        assert series["encode"]["y"] in dimensions


@pytest.mark.parametrize("key", TIME_SERIES)
def test_time_series_charts_zoom_by_touch_and_slider_with_axis_tooltip(frame, window, key):
    option = charts_for(frame, window)[key]
    x_axes = option["xAxis"] if isinstance(option["xAxis"], list) else [option["xAxis"]]
    assert all(axis["type"] == "time" for axis in x_axes)
    assert sorted(z["type"] for z in option["dataZoom"]) == ["inside", "slider"]
    assert option["tooltip"]["trigger"] == "axis"
    assert option["aria"] == {"enabled": True}
    assert "toolbox" not in option  # the card's own button saves a PNG; a hidden toolbox is dead weight
    assert "backgroundColor" not in option


def test_legend_only_where_more_than_one_series(frame, window):
    assert "legend" not in charts_for(frame.drop(columns=["brine_in_temp"]), window)["cop"]  # no Carnot line
    assert "legend" in charts_for(frame, window)["temperature"]


# --- rounding ----------------------------------------------------------------------------------------
def test_temperatures_are_rounded_to_a_tenth(frame, window):
    option = charts_for(frame, window)["temperature"]
    assert column(option, "outdoor_temp") == [-3.3, -2.0, -1.6, None, -4.0, -5.0]
    assert column(option, "hot_water_temp")[1] == 52.4


def test_power_is_rounded_to_whole_watts(frame, window):
    option = charts_for(frame, window)["power"]
    assert column(option, "heat_output")[:2] == [6000, 5801]
    assert all(isinstance(v, int) for v in column(option, "compressor_power"))


def test_cop_is_rounded_to_hundredths(frame, window):
    option = charts_for(frame, window)["cop"]
    expected = [round(6000.4 / 2000.4, 2), round(5800.6 / 2100.6, 2)]
    assert column(option, "cop")[:2] == expected


# --- COP ---------------------------------------------------------------------------------------------
def test_cop_has_gaps_where_the_compressor_is_off(frame, window):
    cop = column(charts_for(frame, window)["cop"], "cop")
    off = frame["compressor_on"].to_numpy() == 0
    assert all(v is None for v, o in zip(cop, off) if o)
    assert all(v is not None for v, o in zip(cop, off) if not o)


def test_cop_average_line_is_the_summary_spf(frame, window):
    summary = analytics.summarize(frame, {}, window, analytics.Params())
    option = charts_for(frame, window, summary=summary)["cop"]
    (line,) = option["series"][0]["markLine"]["data"]
    assert line["yAxis"] == round(summary.performance.spf, 2)
    # energy-weighted, not the mean of the per-bucket ratios
    assert line["yAxis"] != round(float(np.nanmean([v for v in column(option, "cop") if v is not None])), 2)


def test_cop_chart_draws_the_carnot_cop_dashed_on_the_buckets_of_the_cop_line(frame, window):
    option = charts_for(frame, window)["cop"]
    (line,) = series_named(option, "Carnot-COP")
    assert line["encode"]["y"] == "carnot_cop" and line["lineStyle"]["type"] == "dashed"
    cop, ideal = column(option, "cop"), column(option, "carnot_cop")
    assert [v is None for v in cop] == [v is None for v in ideal]
    expected = [None if c is None else round((s + 2 + 273.15) / (s + 2 - (b - 6)), 2)
                for c, s, b in zip(cop, frame["supply_temp"], frame["brine_in_temp"])]
    assert ideal == expected


def test_cop_chart_data_holds_each_buckets_share_of_carnot(frame, window):
    option = charts_for(frame, window)["cop"]
    shares = [(c, i, p) for c, i, p in zip(column(option, "cop"), column(option, "carnot_cop"),
                                            column(option, "carnot_share_pct")) if c is not None]
    assert shares and all(p == pytest.approx(c / i * 100, abs=0.2) for c, i, p in shares)


def test_cop_chart_without_brine_temperature_draws_no_carnot_line(frame, window):
    option = charts_for(frame.drop(columns=["brine_in_temp"]), window)["cop"]
    assert [s["encode"]["y"] for s in option["series"]] == ["cop"]
    assert "carnot_cop" not in option["dataset"]["dimensions"]


@pytest.mark.parametrize("drop, method, key", [([], "measured", "cop.method.measured"),
                                               (["heat_output"], "delta_t", "cop.method.delta_t.radiator"),
                                               (["heat_output", "return_temp"], "carnot", "cop.method.carnot")])
def test_cop_option_names_its_method_and_the_flow_factor_of_an_estimate(frame, window, drop, method, key):
    option = charts_for(frame.drop(columns=drop), window)["cop"]
    assert option["_meta"]["cop_method"] == method
    assert option["title"]["subtext"].startswith(i18n.label("sv", key, factor="2,70"))


def test_the_heat_carrier_pair_wins_over_the_radiator_pair_and_says_so(frame, window):
    pair = frame.drop(columns=["heat_output"]).assign(heat_carrier_supply_temp=frame["supply_temp"] + 1.0,
                                                      heat_carrier_return_temp=frame["return_temp"])
    option = charts_for(pair, window)["cop"]
    assert option["_meta"]["cop_basis"] == "heat_carrier" and option["_meta"]["flow_factor_kw_per_k"] == 1.0
    assert "värmebärar-ΔT" in option["title"]["subtext"] and "1,00 kW/K" in option["title"]["subtext"]


def test_cop_without_any_heat_estimate_is_empty(frame, window):
    option = charts_for(frame[["outdoor_temp", "compressor_on"]], window)["cop"]
    assert option["_empty"] is True and option["_meta"]["cop_method"] is None
    assert "ingen data" in option["title"]["text"]


# --- sankey ------------------------------------------------------------------------------------------
def links_by_name(option: dict, language: str = "sv") -> dict[tuple[str, str], float]:
    names = {i18n.label(language, f"node.{k}"): k for k in
             ("ground", "compressor", "aux", "heat_pump", "space", "hot_water", "heat")}
    return {(names[l["source"]], names[l["target"]]): l["value"] for l in option["series"][0]["links"]}


def test_sankey_flows_balance_at_every_node(frame, window):
    summary = analytics.summarize(frame, {}, window, analytics.Params())
    links = links_by_name(charts_for(frame, window, summary=summary)["sankey"])
    into_pump = links[("ground", "heat_pump")] + links[("compressor", "heat_pump")]
    out_of_pump = links[("heat_pump", "space")] + links[("heat_pump", "hot_water")]
    assert into_pump == pytest.approx(out_of_pump, abs=1e-9)
    electric = links[("compressor", "heat_pump")] + links[("aux", "space")]
    assert links[("ground", "heat_pump")] + electric == pytest.approx(summary.energy.heat_kwh, abs=0.15)
    assert electric == pytest.approx(summary.energy.electric_kwh, abs=0.1)


def test_sankey_uses_real_energies_in_kwh(frame, window):
    summary = analytics.summarize(frame, {}, window, analytics.Params())
    links = links_by_name(charts_for(frame, window, summary=summary)["sankey"])
    assert links[("ground", "heat_pump")] == round(summary.energy.ground_kwh, 1)
    assert links[("aux", "space")] == round(summary.energy.aux_kwh, 1)
    assert links[("heat_pump", "hot_water")] == round(summary.energy.heat_hot_water_kwh, 1)


def test_sankey_node_values_are_rounded_sums_of_their_links(frame, window):
    series = charts_for(frame, window, language="en")["sankey"]["series"][0]
    values = {node["name"]: node["value"] for node in series["data"]}
    into_space = sum(l["value"] for l in series["links"] if l["target"] == "Space heating")
    assert values["Space heating"] == round(into_space, 1)
    assert values["Heat pump"] == round(sum(l["value"] for l in series["links"] if l["target"] == "Heat pump"), 1)


def test_sankey_title_shows_spf_and_free_energy_share(frame, window):
    summary = analytics.summarize(frame, {}, window, analytics.Params())
    option = charts_for(frame, window, "24h", "en", summary=summary)["sankey"]
    energy = summary.energy
    share = 100 * energy.ground_kwh / (energy.ground_kwh + energy.electric_kwh)
    assert f"SPF {summary.performance.spf:.2f}" in option["title"]["subtext"]
    assert f"{share:.0f} % free energy" in option["title"]["subtext"]


def test_sankey_does_not_split_heat_without_valve_data(frame, window):
    links = links_by_name(charts_for(frame.drop(columns=["switch_valve"]), window)["sankey"])
    assert ("heat_pump", "heat") in links and ("heat_pump", "hot_water") not in links


def test_sankey_without_heat_is_empty(frame, window):
    option = charts_for(frame[["power_electric"]], window)["sankey"]
    assert option["_empty"] is True


# --- runtime -----------------------------------------------------------------------------------------
def test_runtime_donut_shows_time_weighted_shares_adding_up_to_100(frame, window):
    option = charts_for(frame, window, language="en")["runtime"]
    values = {d["name"]: d["value"] for d in option["series"][0]["data"]}
    assert values["Compressor, space heating"] == pytest.approx(100 * 2.5 / 6, abs=0.05)
    assert values["Compressor, hot water"] == pytest.approx(100 / 6, abs=0.05)
    assert values["Idle"] == pytest.approx(100 * 2.5 / 6, abs=0.05)
    assert sum(values.values()) == pytest.approx(100, abs=0.2)


def test_runtime_without_compressor_data_is_empty(frame, window):
    option = charts_for(frame.drop(columns=["compressor_on"]), window)["runtime"]
    assert option["_empty"] is True and "series" not in option
    assert option["title"]["text"].startswith(i18n.label("sv", "runtime.title"))


# --- temperatures ------------------------------------------------------------------------------------
def test_temperature_lines_have_the_original_colours(frame, window):
    option = charts_for(frame, window)["temperature"]
    colours = {s["encode"]["y"]: s["itemStyle"]["color"] for s in option["series"]}
    assert colours == ORIGINAL_COLOURS


def test_missing_indoor_temperature_gives_no_indoor_series(frame, window):
    option = charts_for(frame.drop(columns=["indoor_temp"]), window)["temperature"]
    assert "indoor_temp" not in plotted_columns(option)
    assert "indoor_temp" not in option["dataset"]["dimensions"]
    assert series_named(option, i18n.label("sv", "indoor_temp")) == []


def test_an_all_nan_metric_counts_as_missing(frame, window):
    frame["brine_out_temp"] = np.nan
    assert "brine_out_temp" not in plotted_columns(charts_for(frame, window)["temperature"])


def test_without_degree_minutes_the_temperature_chart_has_one_panel(frame, window):
    option = charts_for(frame, window)["temperature"]
    assert isinstance(option["grid"], dict) and "degree_minutes" not in option["dataset"]["dimensions"]


def test_degree_minutes_get_a_panel_of_their_own_below_the_temperatures(frame, window):
    frame["degree_minutes"] = [-12.4, -60.0, -3.0, np.nan, -455.6, 0.0]
    option = charts_for(frame, window, language="en")["temperature"]
    (dm,) = series_named(option, "Degree minutes")
    assert dm["xAxisIndex"] == 1 and dm["yAxisIndex"] == 1 and len(option["grid"]) == 2
    assert option["yAxis"][1]["name"] == "DM" and option["yAxis"][0]["name"] == "°C"
    assert column(option, "degree_minutes") == [-12, -60, -3, None, -456, 0]   # whole DM, as controllers show
    assert {s["encode"]["y"] for s in option["series"] if s.get("xAxisIndex")} == {"degree_minutes"}


def test_degree_minutes_alone_still_draw_their_panel(frame, window):
    only = frame[[]].assign(degree_minutes=[-1.0, -2.0, -3.0, -4.0, -5.0, -6.0])
    option = charts_for(only, window)["temperature"]
    assert "_empty" not in option and plotted_columns(option) == {"degree_minutes"}


@pytest.mark.parametrize("range_key", ["30d", "365d"])
def test_bands_sit_behind_the_mean_lines_on_long_ranges(window, range_key):
    frame = full_frame(window, bands=True)
    option = charts_for(frame, window, range_key)["temperature"]
    outdoor = series_named(option, i18n.label("sv", "outdoor_temp"))
    low, span, mean = outdoor
    assert [low["encode"]["y"], span["encode"]["y"], mean["encode"]["y"]] == \
        ["outdoor_temp:min", "outdoor_temp:span", "outdoor_temp"]
    assert low["stack"] == span["stack"] and "stack" not in mean
    assert span["stackStrategy"] == "all"  # bands below 0 °C must stack too
    assert low["lineStyle"]["opacity"] == 0 and "areaStyle" not in low and 0 < span["areaStyle"]["opacity"] < 1
    lows, spans = column(option, "outdoor_temp:min"), column(option, "outdoor_temp:span")
    highs = [round(v, 1) if not np.isnan(v) else None for v in frame["outdoor_temp:max"]]
    assert [round(a + b, 1) if a is not None else None for a, b in zip(lows, spans)] == highs
    assert option["series"].index(span) < option["series"].index(mean)


def test_no_bands_on_24h_even_when_the_frame_has_them(window):
    option = charts_for(full_frame(window, bands=True), window, "24h")["temperature"]
    assert not any(":" in d for d in option["dataset"]["dimensions"])
    assert not any("stack" in s for s in option["series"])


# --- performance, power, valve ------------------------------------------------------------------------
def test_performance_links_two_panels_under_one_zoom(frame, window):
    option = charts_for(frame, window)["performance"]
    assert len(option["grid"]) == 2 and len(option["xAxis"]) == 2
    assert option["axisPointer"]["link"] == [{"xAxisIndex": "all"}]
    assert all(z["xAxisIndex"] == [0, 1] for z in option["dataZoom"])
    assert column(option, "brine_dt")[0] == 3.0 and column(option, "radiator_dt")[0] == 5.0
    below = {s["encode"]["y"] for s in option["series"] if s.get("xAxisIndex") == 1}
    assert below == {"compressor_on", "compressor_freq"}


def test_performance_without_inverter_shows_no_speed(frame, window):
    option = charts_for(frame.drop(columns=["compressor_freq"]), window)["performance"]
    assert "compressor_freq" not in plotted_columns(option)


def test_power_stacks_compressor_and_add_heat_to_the_total(frame, window):
    option = charts_for(frame, window)["power"]
    stacked = [s for s in option["series"] if s.get("stack")]
    assert {s["encode"]["y"] for s in stacked} == {"compressor_power", "aux_heater_power"}
    totals = [a + b for a, b in zip(column(option, "compressor_power"), column(option, "aux_heater_power"))]
    assert totals == [round(v) for v in frame["power_electric"]]


def test_power_cumulative_energy_is_the_running_sum_of_bucket_energies(frame, window):
    option = charts_for(frame, window)["power"]
    expected = (frame["power_electric"] * 1.0 / 1000).cumsum().round(1).tolist()  # 1 h buckets, 0.1 kWh
    assert column(option, "electric_kwh") == expected
    assert column(option, "heat_kwh")[-1] == pytest.approx(frame["heat_output"].sum() / 1000, abs=0.05)
    assert {s["encode"]["y"] for s in option["series"] if s.get("xAxisIndex") == 1} == {"electric_kwh", "heat_kwh"}


def test_valve_shows_hot_water_cycles_as_a_step_area(frame, window):
    option = charts_for(frame, window)["valve"]
    assert column(option, "switch_valve") == [0.0, 100.0, 0.0, 0.0, 0.0, 0.0]
    (valve,) = [s for s in option["series"] if s["encode"]["y"] == "switch_valve"]
    assert valve["step"] and "areaStyle" in valve
    assert plotted_columns(option) == {"switch_valve", "hot_water_temp", "supply_temp"}


# --- degrading gracefully -------------------------------------------------------------------------------
def test_an_empty_frame_gives_seven_empty_charts(window):
    frame = pd.DataFrame(index=window.edges()[:-1])
    options = charts_for(frame, window)
    assert all(option["_empty"] is True for option in options.values())
    assert all("ingen data" in option["title"]["text"] for option in options.values())


def test_only_temperatures_still_draw_temperatures(frame, window):
    options = charts_for(frame[["outdoor_temp", "indoor_temp"]], window)
    assert "_empty" not in options["temperature"]
    assert all(options[k]["_empty"] for k in ("sankey", "cop", "runtime", "performance", "power", "valve"))


def test_integer_and_nullable_columns_are_drawn_as_plain_numbers(frame, window):
    frame["compressor_on"] = frame["compressor_on"].round().astype("int64")
    frame["outdoor_temp"] = frame["outdoor_temp"].astype("Float64")  # NaN becomes pd.NA
    options = charts_for(frame, window)
    json.dumps(options, allow_nan=False)
    assert column(options["temperature"], "outdoor_temp")[3] is None
    assert column(options["performance"], "compressor_on")[:3] == [100.0, 100.0, 0.0]


# --- language and colours -------------------------------------------------------------------------------
def test_english_labels_with_language_en(frame, window):
    options = charts_for(frame, window, language="en")
    assert options["temperature"]["title"]["text"] == "Temperatures"
    assert options["sankey"]["title"]["text"] == "Energy flow"
    assert {s["name"] for s in options["temperature"]["series"]} >= {"Outdoor", "Indoor", "Hot water"}
    assert "Ground energy" in {n["name"] for n in options["sankey"]["series"][0]["data"]}


def test_swedish_is_the_default_and_writes_decimal_commas(frame, window):
    summary = analytics.summarize(frame, {}, window, analytics.Params())
    option = charts_for(frame, window, summary=summary)["sankey"]
    assert option["title"]["text"] == "Energiflöde"
    assert f"SPF {summary.performance.spf:.2f}".replace(".", ",") in option["title"]["subtext"]


def test_an_unknown_language_names_the_setting(frame, window):
    with pytest.raises(ValueError, match="site.language"):
        charts_for(frame, window, language="de")


def test_colours_can_be_overridden_and_unknown_keys_are_refused(frame, window):
    summary = analytics.summarize(frame, {}, window, analytics.Params())
    options = build_charts(frame, summary, window, BY_KEY["24h"], "sv", TZ, {"outdoor_temp": "#000000"})
    (outdoor,) = [s for s in options["temperature"]["series"] if s["encode"]["y"] == "outdoor_temp"]
    assert outdoor["itemStyle"]["color"] == "#000000"
    with pytest.raises(ValueError, match="outdoor"):
        build_charts(frame, summary, window, BY_KEY["24h"], "sv", TZ, {"outdoor": "#000000"})


def test_local_days_with_a_dst_change_keep_one_row_per_bucket():
    # 2024-03-31 is 23 hours long in Stockholm
    start = pd.Timestamp("2024-03-29", tz=TZ).tz_convert("UTC")
    window = Window(start, pd.Timestamp("2024-04-02", tz=TZ).tz_convert("UTC"), "1D", TZ)
    frame = pd.DataFrame({"outdoor_temp": [1.0, 2.0, 3.0, 4.0], "power_electric": [1000.0] * 4},
                         index=window.edges()[:-1])
    option = charts_for(frame, window, "365d")["power"]
    assert column(option, "electric_kwh") == [24.0, 48.0, 71.0, 95.0]


# --- cycling ------------------------------------------------------------------------------------------
def run_schedule(window: Window) -> dict[str, pd.Series]:
    """Off at the start; runs of 5, 5, 25 and 40 min with pauses of 30, 20 and 20 min between them."""
    minutes = [(0, 0), (10, 1), (15, 0), (45, 1), (50, 0), (70, 1), (95, 0), (115, 1), (155, 0)]
    return {"compressor_on": pd.Series([v for _, v in minutes],
                                       index=pd.DatetimeIndex([window.start + pd.Timedelta(minutes=m) for m, _ in minutes]))}


def test_the_cycling_chart_counts_complete_runs_and_pauses_over_fixed_minute_bins(frame, window):
    frame["compressor_on:cov"] = 1.0
    summary = analytics.summarize(frame, run_schedule(window), window, analytics.Params())
    option = charts_for(frame, window, "24h", "en", summary=summary)["cycling"]
    bars = {s["name"]: s["data"] for s in option["series"] if s["type"] == "bar"}
    assert option["xAxis"][0]["data"] == ["<5 min", "5–10", "10–20", "20–30", "30–60", "1–2 h", "2–4 h", "≥4 h"]
    assert bars == {"Runs": [0, 2, 0, 1, 1, 0, 0, 0], "Pauses": [0, 0, 0, 2, 1, 0, 0, 0]}  # 20, 20 | 30 (bins closed below)
    assert option["_meta"]["incomplete"] == 2  # before the first start, after the last stop
    assert column(option, "starts_per_hour") == [2.0, 2.0, 0.0, 0.0, 0.0, 0.0]  # 00:10 00:45 | 01:10 01:55
    assert option["title"]["subtext"] == "Short cycling · 50 % < 10 min · 0.7 starts/h"
    json.dumps(option, allow_nan=False)


def test_the_cycling_chart_is_empty_without_compressor_state(frame, window):
    option = charts_for(frame, window, "24h")["cycling"]
    assert option["_empty"] is True and option["title"]["text"].startswith("Cykler")
