"""Daily bars and seasonal SPFs, known by hand: a month of a heat pump written into a real influxd the way
a collector does (every 5 minutes, values held between samples, a six-hour silence), and the published 30d
and 365d files read back.

Every local day in Europe/Stockholm (the 25-hour day of 25 October included):
* 00:00–06:00 hot water: 2 kW in, 5 kW out (COP 2.5), valve on hot water;
* 06:00–24:00 space heating: 1 kW in, 4 kW out (COP 4);
* 1–3 November, 18:00–20:00: 3 kW of add-heat on top (4 kW in, 7 kW out);
* 20 October: the collector is silent from 11:50 (its 11:45 sample holds to 12:00) until 18:00.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.sources.factory import make_source
from tests.clocks import ManualClock
from tests.influxd import Influxd
from tests.public_contract import validate_tree

pytestmark = pytest.mark.influxd

TZ = "Europe/Stockholm"
FIRST = pd.Timestamp("2026-10-09T23:55").tz_localize(TZ)     # 5 min before the first local day
NOW = pd.Timestamp("2026-11-09T10:10").tz_localize(TZ)       # the data reaches now
STEP_S = 300
GAP = (pd.Timestamp("2026-10-20T11:50").tz_localize(TZ), pd.Timestamp("2026-10-20T18:00").tz_localize(TZ))
AUX_DAYS = {"2026-11-01", "2026-11-02", "2026-11-03"}
METRICS = ("compressor_on", "switch_valve", "power_electric", "heat_output", "aux_heater_power")


def phase(local: pd.Timestamp) -> tuple[float, float, float, float, float]:
    """(compressor_on, switch_valve, W in, W out, add-heat W) in force at a local moment."""
    if local.hour < 6:
        return 1, 1, 2000.0, 5000.0, 0.0
    if local.strftime("%Y-%m-%d") in AUX_DAYS and 18 <= local.hour < 20:
        return 1, 0, 4000.0, 7000.0, 3000.0
    return 1, 0, 1000.0, 4000.0, 0.0


def samples() -> list[pd.Timestamp]:
    ticks = pd.date_range(FIRST.tz_convert("UTC"), NOW.tz_convert("UTC"), freq=f"{STEP_S}s")
    return [t for t in ticks if not GAP[0] <= t < GAP[1]]


def truth(day: str, until: pd.Timestamp | None = None, since: pd.Timestamp | None = None) -> tuple[float, float]:
    """(kWh in, kWh out) of a local day, integrated minute by minute from the phases (a DST day has 25 h);
    the silence counts from 12:00, where the held 11:45 sample stops."""
    start = pd.Timestamp(day).tz_localize(TZ)
    end = (pd.Timestamp(day) + pd.Timedelta(days=1)).tz_localize(TZ)
    start, end = max(start, since or start), min(end, until or end)
    e = h = 0.0
    for minute in pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq="1min", inclusive="left"):
        if pd.Timestamp("2026-10-20T12:00").tz_localize(TZ) <= minute < GAP[1]:
            continue
        _, _, w_in, w_out, _ = phase(minute.tz_convert(TZ))
        e, h = e + w_in / 60_000, h + w_out / 60_000
    return e, h


@pytest.fixture(scope="module")
def public(influxd: Influxd, tmp_path_factory: pytest.TempPathFactory) -> Path:
    influxd.create_database("days")
    influxd.write("days", (f"heatpump,name={name} value={value} {int(t.timestamp())}"
                           for t in samples() for name, value in zip(METRICS, phase(t.tz_convert(TZ)))),
                  precision="s")
    public = tmp_path_factory.mktemp("days") / "public"
    cfg = load_config(None, environ={}).with_values(
        provider="generic", source__kind="influxql", source__url=influxd.url, source__database="days",
        source__max_gap_s=900, site__timezone=TZ, site__language="en", output__public_dir=str(public),
        seasons__heating_start="10-26")
    now = NOW.tz_convert("UTC").to_pydatetime()
    clock = ManualClock(now)
    run_once(make_context(cfg, make_source(cfg, clock), clock), now=now)
    return public


@pytest.fixture(scope="module")
def published(public: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    return {key: json.loads((public / entry["path"]).read_text(encoding="utf-8"))
            for key, entry in manifest["ranges"].items()}


def bars(document: dict[str, Any], name: str) -> dict[str, tuple[float | None, bool]]:
    """Local day → (kWh, drawn pale) of one bar series."""
    series = next(s for s in document["charts"]["daily"]["series"] if s["name"] == name)
    out = {}
    for point in series["data"]:
        pale = isinstance(point, dict)
        time, value = point["value"] if pale else point
        out[pd.Timestamp(time, unit="ms", tz="UTC").tz_convert(TZ).strftime("%Y-%m-%d")] = (value, pale)
    return out


def day_cops(document: dict[str, Any]) -> dict[str, float | None]:
    data = document["charts"]["daily"]["dataset"]
    position = data["dimensions"].index("day_cop")
    return {pd.Timestamp(row[0], unit="ms", tz="UTC").tz_convert(TZ).strftime("%Y-%m-%d"): row[position]
            for row in data["source"]}


def test_the_30d_bars_are_each_local_days_kwh_and_the_days_the_window_or_a_silence_cut_are_pale(published):
    doc = published["30d"]
    electric, heat = bars(doc, "Electricity"), bars(doc, "Heat")
    window_start = pd.Timestamp(doc["from"]).tz_convert(TZ)               # 10 October 11:00 local
    assert window_start == pd.Timestamp("2026-10-10T11:00").tz_localize(TZ)
    days = pd.date_range("2026-10-10", "2026-11-09", freq="1D").strftime("%Y-%m-%d")
    assert list(electric) == list(days)
    pale = {"2026-10-10", "2026-10-20", "2026-11-09"}
    for day in days:
        e, h = truth(day, since=window_start, until=pd.Timestamp("2026-11-09T10:00").tz_localize(TZ))
        assert electric[day] == (pytest.approx(e, abs=0.051), day in pale), day
        assert heat[day] == (pytest.approx(h, abs=0.051), day in pale), day
    # by hand: a plain day, the 25-hour day, the silent afternoon, an add-heat evening
    assert (electric["2026-10-15"][0], heat["2026-10-15"][0]) == (30.0, 102.0)
    assert (electric["2026-10-25"][0], heat["2026-10-25"][0]) == (32.0, 107.0)   # 7 hours of hot water
    assert (electric["2026-10-20"][0], heat["2026-10-20"][0]) == (24.0, 78.0)    # 18 h covered, not stretched
    assert (electric["2026-11-02"][0], heat["2026-11-02"][0]) == (36.0, 108.0)
    assert (electric["2026-10-10"][0], electric["2026-11-09"][0]) == (13.0, 16.0)  # 11:00–24:00; 00:00–10:00


def test_the_days_cop_is_its_heat_over_its_electricity(published):
    cops = day_cops(published["30d"])
    assert cops["2026-10-15"] == pytest.approx(102 / 30, abs=0.005)
    assert cops["2026-10-25"] == pytest.approx(107 / 32, abs=0.005)
    assert cops["2026-11-02"] == pytest.approx(108 / 36, abs=0.005)


def test_the_365d_bars_start_where_the_history_does_and_cover_whole_days(published):
    doc = published["365d"]
    electric = bars(doc, "Electricity")
    assert len(electric) == 365 and electric["2025-11-09"] == (None, True)
    # The first sample, 23:55 on 9 October, holds until midnight: 5 minutes at 1 kW on a pale first day.
    assert electric["2026-10-09"] == (pytest.approx(1.0 * 5 / 60, abs=0.051), True)
    for day in pd.date_range("2026-10-10", "2026-11-08", freq="1D").strftime("%Y-%m-%d"):
        e, _ = truth(day)
        assert electric[day] == (pytest.approx(e, abs=0.051), day == "2026-10-20"), day


def test_the_spfs_of_the_year_and_the_season_with_and_without_add_heat_and_split(published):
    kpis = published["365d"]["kpis"]
    # the year (the window holds 10 October – 8 November): 25 plain days, the silent one, the 25-hour one,
    # three with add-heat.  Hot water: 25×12 + 12 + 14 + 3×12 = 362 kWh in at COP 2.5; the compressor's
    # heating 25×18 + 12 + 18 + 3×18 = 534 kWh at COP 4; add-heat 3 × 6 kWh at COP 1.
    hot_in, space_in, aux = 362.0, 534.0, 18.0
    heat = hot_in * 2.5 + space_in * 4 + aux
    assert kpis["spf_year"] == pytest.approx(heat / (hot_in + space_in + aux), abs=0.005)              # 3.35
    assert kpis["spf_year_without_aux"] == pytest.approx((heat - aux) / (hot_in + space_in), abs=0.005)  # 3.39
    assert kpis["spf_year_hot_water"] == pytest.approx(2.5, abs=0.005)
    assert kpis["spf_year_space"] == pytest.approx((space_in * 4 + aux) / (space_in + aux), abs=0.005)  # 3.90
    # the range's own split on daily buckets is the hours' split too (a day's split gives both modes its COP)
    assert (kpis["spf_hot_water"], kpis["spf_space"]) == (kpis["spf_year_hot_water"], kpis["spf_year_space"])
    # the season from 26 October: 11 plain days and the three with add-heat
    hot_in, space_in = 14 * 12.0, 14 * 18.0
    heat = hot_in * 2.5 + space_in * 4 + aux
    assert kpis["season_from"] == "2026-10-25T23:00:00Z"                  # local midnight, CET after the change
    assert kpis["spf_season"] == pytest.approx(heat / (hot_in + space_in + aux), abs=0.005)              # 3.30
    assert kpis["spf_season_without_aux"] == pytest.approx((heat - aux) / (hot_in + space_in), abs=0.005)  # 3.40
    assert kpis["spf_season_hot_water"] == pytest.approx(2.5, abs=0.005)
    assert kpis["spf_season_space"] == pytest.approx((space_in * 4 + aux) / (space_in + aux), abs=0.005)  # 3.80


def test_shorter_ranges_have_neither_the_daily_chart_nor_the_season_figures(published):
    for key in ("1h", "6h", "24h", "7d"):
        assert "daily" not in published[key]["charts"]
        assert "spf_season" not in published[key]["kpis"] and "spf_year" not in published[key]["kpis"]
    assert "daily" in published["30d"]["charts"] and "spf_season" not in published["30d"]["kpis"]


def test_the_files_keep_the_public_format(public):
    assert validate_tree(public)
