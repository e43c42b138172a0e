"""Known answer in a real influxd: a house whose heat loss and balance temperature we set, observed for a
year by a collector, must come back out of the published 365d file's heat signature.

The house loses UA watts per kelvin below its balance temperature: its space heating is UA × (Tb − T)
while positive, minute by minute, at the outdoor temperature T of that minute (a seasonal swing, weather
that wanders from day to day and a daily swing).  Last season the house lost 220 W/K below 17 °C; on
1 September it was insulated and now loses 180 W/K below 16 °C, so the two seasons' lines must differ.  The
hot-water tank takes 5 kW for an hour every morning, through the same heat meter and a hot-water meter of
its own: left in, it would lift the line by 5 kWh a day.  The collector polls every 5 minutes (outdoor
temperature written on change, meters and power every poll), was down for two days in November and for
three hours one March afternoon.

Tolerance: the line is fitted on daily means, and a day whose mean lies near the balance temperature
still has some colder hours that need heat (its daily swing), so those days lie a little above the line;
within UA ± 3 % and Tb ± 0.5 K the dashboard has found the house, and mixing up the seasons (22 % and 1 K
apart), counting hot water, or a wrong kWh/day → W/K factor would all fail it.
"""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from generator.build import build_range_document, make_context
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.sources.factory import make_source
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

TZ = "Europe/Stockholm"
START = pd.Timestamp("2025-01-15T00:00Z")          # before the 365d window: no day of it is cut
END = pd.Timestamp("2026-01-19T23:00Z")            # local midnight, 20 January 2026
NOW = END + pd.Timedelta(minutes=10)
INSULATED = pd.Timestamp("2025-09-01T00:00", tz=TZ)  # the heating season starts then (default 09-01)
LAST, THIS = (220.0, 17.0), (180.0, 16.0)          # (UA W/K, balance °C) before and after
HOT_WATER_W, HOT_WATER_HOUR = 5000.0, 6            # one hour each local morning
POLL_S = 300
DOWN = [(pd.Timestamp("2025-11-10T08:00", tz=TZ), pd.Timestamp("2025-11-12T14:00", tz=TZ)),   # 3 days cut
        (pd.Timestamp("2025-03-05T13:00", tz=TZ), pd.Timestamp("2025-03-05T16:00", tz=TZ))]   # 21 h left
UA_REL, TB_ABS = 0.03, 0.5


def outdoor(minutes: pd.DatetimeIndex) -> np.ndarray:
    """°C each minute: −4 °C in mid-January to 18 °C in mid-July, weather wandering ±3 K from day to day
    (interpolated through the day), and a 2 K daily swing (warmest at 15:00)."""
    rng = np.random.default_rng(11)
    days = (minutes - START).total_seconds().to_numpy() / 86400.0
    weather_days = np.arange(int(days.max()) + 2)
    weather = np.zeros(len(weather_days))
    for i in range(1, len(weather)):
        weather[i] = 0.8 * weather[i - 1] + rng.normal(0.0, 1.8)
    local_hour = minutes.tz_convert(TZ).hour.to_numpy() + minutes.minute.to_numpy() / 60.0
    seasonal = 7.0 - 11.0 * np.cos(2 * np.pi * (days - 15.0) / 365.0)
    return seasonal + np.interp(days, weather_days, weather) + 2.0 * np.cos(2 * np.pi * (local_hour - 15.0) / 24.0)


def lines(minutes: pd.DatetimeIndex) -> list[str]:
    temp = outdoor(minutes)
    after = minutes >= INSULATED
    ua = np.where(after, THIS[0], LAST[0])
    balance = np.where(after, THIS[1], LAST[1])
    space_w = ua * np.maximum(balance - temp, 0.0)
    hot_water_w = np.where(minutes.tz_convert(TZ).hour == HOT_WATER_HOUR, HOT_WATER_W, 0.0)
    heat_kwh = np.cumsum(space_w + hot_water_w) / 60_000.0          # the meters integrate every minute
    hot_water_kwh = np.cumsum(hot_water_w) / 60_000.0
    electric_w = (space_w + hot_water_w) / 3.5 + 30.0
    seconds = (minutes - START).total_seconds().to_numpy().astype(np.int64)
    heard = seconds % POLL_S == 0
    for begin, end in DOWN:
        heard &= ~((minutes >= begin) & (minutes < end))
    t = int(START.timestamp()) + seconds[heard]
    out: list[str] = []
    rounded_temp = np.round(temp[heard], 1)
    changed = np.r_[True, rounded_temp[1:] != rounded_temp[:-1]]   # outdoor temperature: on change
    out += [f"heatpump,name=outdoor_temp value={v:.1f} {s}" for s, v in zip(t[changed], rounded_temp[changed])]
    out += [f"heatpump,name=energy_heat value={v:.3f} {s}" for s, v in zip(t, heat_kwh[heard])]
    out += [f"heatpump,name=energy_heat_hot_water value={v:.3f} {s}" for s, v in zip(t, hot_water_kwh[heard])]
    out += [f"heatpump,name=power_electric value={v:.0f} {s}" for s, v in zip(t, electric_w[heard])]
    return out


@pytest.fixture(scope="module")
def published(influxd: Influxd) -> dict:
    influxd.create_database("house")
    influxd.write("house", lines(pd.date_range(START, END, freq="1min", inclusive="left")), precision="s")
    cfg = load_config(None, environ={}).with_values(provider="generic", source__kind="influxql", source__url=influxd.url,
                                                    source__database="house", source__tag="name", site__timezone=TZ)
    ctx = make_context(cfg, make_source(cfg))
    documents = {key: build_range_document(ctx, BY_KEY[key], NOW.to_pydatetime(), None) for key in ("365d", "30d")}
    return json.loads(json.dumps(documents))      # as published: plain JSON


def test_each_season_gives_its_houses_heat_loss_and_balance_temperature(published):
    meta = published["365d"]["charts"]["signature"]["_meta"]
    last, this = meta["seasons"]
    assert (last["start"], this["start"]) == ("2024-09-01", "2025-09-01")
    assert last["ua_w_per_k"] == pytest.approx(LAST[0], rel=UA_REL), last
    assert last["balance_c"] == pytest.approx(LAST[1], abs=TB_ABS), last
    assert this["ua_w_per_k"] == pytest.approx(THIS[0], rel=UA_REL), this
    assert this["balance_c"] == pytest.approx(THIS[1], abs=TB_ABS), this
    assert last["r2"] > 0.95 and this["r2"] > 0.95


def test_hot_water_is_taken_out_by_its_own_meter(published):
    meta = published["365d"]["charts"]["signature"]["_meta"]
    assert meta["heat"] == "space"
    # left in, the morning hour would lift the line's floor by 5 kWh a day; taken out, what remains is the
    # heat of the cold hours of days whose mean lies just above the balance (about 1 kWh a day)
    assert all(abs(season["baseline_kwh_per_day"]) < 2.0 for season in meta["seasons"]), meta["seasons"]


def test_days_the_collector_was_mostly_down_are_left_out_and_the_short_gap_is_not(published):
    meta = published["365d"]["charts"]["signature"]["_meta"]
    assert meta["days_left_out"] == 2            # 10 and 12 November, partly heard; the 11th has no data at all
    assert sum(season["days"] for season in meta["seasons"]) == 365 - 3
    points = {item["name"].split(" · ")[0] for series in published["365d"]["charts"]["signature"]["series"]
              if series["type"] == "scatter" for item in series["data"]}
    assert date(2025, 3, 5).isoformat() in points and date(2025, 11, 11).isoformat() not in points


def test_the_subtitle_says_the_current_seasons_figures_first(published):
    subtitle = published["365d"]["charts"]["signature"]["title"]["subtext"].split("\n")
    assert subtitle[0].startswith("2025/26: ") and subtitle[1].startswith("2024/25: ")


def test_the_30d_file_draws_this_winters_days(published):
    option = published["30d"]["charts"]["signature"]
    [season] = option["_meta"]["seasons"]
    assert season["season"] == "2025/26" and season["days"] >= 28
    assert [s["type"] for s in option["series"]] == ["scatter", "line"]
