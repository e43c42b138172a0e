"""Lifetime counters and degree-minutes through a real influxd and a real generation: Husdata-shaped
samples (measurement heatpump, tags register_id/name/type/unit, field value, written on change as the
gateways publish) for IVT's runtime registers 6C55/6C56/6C58/6C59, Thermia's 6C60 and 8105, NIBE H66's
8105 and the starts counter BC61, read through each brand's provider; the published live file must carry
the counters as the pump's registers stood last, and the 7d range file the degree-minutes' held means.

The process, known by construction: a 90-minute cycle from T0, repeated four times.  Minutes 0–9 the
compressor makes hot water; minutes 10–59 it rests, and the degree-minutes fall 1 DM a minute (supply
1 K below the calculated supply); minutes 60–89 it heats the house (a start; it runs on into the next
cycle's hot water), the degree-minutes rise
2 DM a minute back to 0, and in minutes 80–89 the add-heat helps.  Counters hold whole hours, as the
registers do (Husdata type 6: hours)."""
from __future__ import annotations

import json
from typing import Iterator

import pandas as pd
import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.sources.factory import make_source
from tests.clocks import ManualClock
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

T0 = pd.Timestamp("2025-02-03T00:00Z")
CYCLE_MIN, CYCLES = 90, 4
END = T0 + pd.Timedelta(minutes=CYCLE_MIN * CYCLES)
NOW = END + pd.Timedelta(seconds=20)
BASE = {"6C55": 4210, "6C56": 812, "6C58": 31, "6C59": 4, "6C60": 10234, "BC61": 2301}


def minute_of_cycle(m: int) -> int:
    return m % CYCLE_MIN


def degree_minutes(m: int) -> int:
    """DM at the end of minute m: falling 1/min while resting, rising 2/min while heating."""
    c = minute_of_cycle(m)
    return 0 if c < 10 else -(c - 9) if c < 60 else -50 + 2 * (c - 59) if c < 85 else 0


def runs(m: int) -> dict[str, bool]:
    c = minute_of_cycle(m)
    return {"hot_water": c < 10, "heating": 60 <= c < 90, "aux_heating": 80 <= c < 90}


def whole_hours(minutes_run: int) -> int:
    return minutes_run // 60


def process() -> Iterator[tuple[int, dict[str, float]]]:
    """(epoch seconds, register id → value) at the start of every minute of the process."""
    run = {"hot_water": 0, "heating": 0, "aux_heating": 0}
    starts = 0
    was_on = False
    for m in range(CYCLE_MIN * CYCLES):
        now = runs(m)
        on = now["hot_water"] or now["heating"]
        starts += on and not was_on
        was_on = on
        yield int((T0 + pd.Timedelta(minutes=m)).timestamp()), {
            "6C55": BASE["6C55"] + whole_hours(run["heating"]), "6C56": BASE["6C56"] + whole_hours(run["hot_water"]),
            "6C58": BASE["6C58"] + whole_hours(run["aux_heating"]), "6C59": BASE["6C59"],
            "6C60": BASE["6C60"] + whole_hours(run["heating"] + run["hot_water"]), "BC61": BASE["BC61"] + starts,
            "8105": degree_minutes(m), "1A01": float(on)}
        for key, running in now.items():
            run[key] += running


NAMES = {  # (brand, register) → (name tag, type tag, unit tag) as the collectors write them
    "ivt": {"6C55": ("compressor_runtime_heating", "runtime", "hours"), "6C56": ("compressor_runtime_hotwater", "runtime", "hours"),
            "6C58": ("aux_runtime_heating", "runtime", "hours"), "6C59": ("aux_runtime_hotwater", "runtime", "hours"),
            "BC61": ("compressor_starts", "counter", ""), "1A01": ("compressor_status", "status", "")},
    "thermia": {"6C60": ("compressor_runtime", "runtime", "hours"), "8105": ("degree_minutes", "setting", ""),
                "BC61": ("compressor_starts", "counter", ""), "1A01": ("compressor_status", "status", "")},
    "nibe": {"8105": ("degree_minutes_integral", "setting", "DM"), "1A01": ("compressor_status", "status", "")},
}


def husdata_lines(brand: str) -> list[str]:
    """Line protocol as a Husdata collector writes it: a point only when a register's value changed."""
    last: dict[str, float] = {}
    lines = []
    for t, values in process():
        for register, value in values.items():
            if register not in NAMES[brand] or last.get(register) == value:
                continue
            last[register] = value
            name, kind, unit = NAMES[brand][register]
            unit_tag = f",unit={unit}" if unit else ""
            lines.append(f"heatpump,register_id={register},name={name},type={kind}{unit_tag} value={value} {t}")
    return lines


def publish(influxd: Influxd, brand: str, tag: str, tmp_path) -> tuple[dict, dict]:
    """One real generation (`run_once`) on the brand's database: the live file and the 7d range file."""
    db = f"lifetime_{brand}"
    influxd.create_database(db)
    influxd.write(db, husdata_lines(brand), precision="s")
    public = tmp_path / brand
    cfg = load_config(None, environ={}).with_values(provider=brand, source__kind="influxql", source__url=influxd.url,
                                                    source__database=db, source__tag=tag,
                                                    output__public_dir=str(public), site__timezone="Europe/Stockholm")
    clock = ManualClock(NOW.to_pydatetime())
    run_once(make_context(cfg, make_source(cfg), clock), now=NOW.to_pydatetime(), due=[BY_KEY["7d"]])
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    live = json.loads((public / manifest["live"]["path"]).read_text(encoding="utf-8"))
    week = json.loads((public / manifest["ranges"]["7d"]["path"]).read_text(encoding="utf-8"))
    return live, week


# The process's totals, by hand: 4 cycles × (10 min hot water + 30 min heating + 10 min add-heat);
# the last minute's registers show the runtime before it (whole hours only).
HEATING_MIN, HOT_WATER_MIN, AUX_MIN = 4 * 30 - 1, 4 * 10, 4 * 10 - 1   # the last minute is not yet counted


@pytest.mark.parametrize("tag", ["register_id", "name"])
def test_ivt_live_file_sums_heating_and_hot_water_hours(influxd, tmp_path, tag):
    live, _ = publish(influxd, "ivt", tag, tmp_path / tag)
    values = live["values"]
    heating, hot_water = 4210 + HEATING_MIN // 60, 812 + HOT_WATER_MIN // 60     # 4211 and 812
    assert values["compressor_hours_total"] == heating + hot_water == 5023
    assert values["compressor_hours_hot_water_total"] == hot_water
    assert values["aux_heater_hours_total"] == 31 + 4 == 35                      # 39 min of add-heat: no whole hour yet
    assert values["aux_heater_hours_hot_water_total"] == 4
    assert values["compressor_starts_total"] == 2301 + 5   # minute 0, then minute 60 of each cycle (heating runs on into hot water)
    assert "degree_minutes" not in values                                          # IVT has none


def test_thermia_live_file_has_compressor_hours_and_degree_minutes(influxd, tmp_path):
    live, week = publish(influxd, "thermia", "name", tmp_path)
    values = live["values"]
    assert values["compressor_hours_total"] == 10234 + (HEATING_MIN + HOT_WATER_MIN) // 60 == 10236
    assert values["degree_minutes"] == degree_minutes(CYCLE_MIN * CYCLES - 1) == 0
    assert "aux_heater_hours_total" not in values    # Thermia counts its add-heat steps apart: no total
    # The 7d file's degree-minutes: each 15-minute bucket holds 15 one-minute values of one linear phase,
    # so its held mean is the value in its middle minute, by hand from the process.
    chart = week["charts"]["temperature"]
    dims = chart["dataset"]["dimensions"]
    rows = {row[dims.index("time")]: row[dims.index("degree_minutes")] for row in chart["dataset"]["source"]}
    checked = 0
    for k in range(CYCLE_MIN * CYCLES // 15):
        start = T0 + pd.Timedelta(minutes=15 * k)
        expected = sum(degree_minutes(15 * k + i) for i in range(15)) / 15
        assert rows[int(start.timestamp() * 1000)] == pytest.approx(round(expected), abs=0.5), start
        checked += 1
    assert checked == 24 and min(rows[int((T0 + pd.Timedelta(minutes=45)).timestamp() * 1000)], 0) == -43


def test_nibe_h66_reads_the_original_apps_degree_minutes_name(influxd, tmp_path):
    live, _ = publish(influxd, "nibe", "name", tmp_path)
    assert live["values"]["degree_minutes"] == 0
    assert not {"compressor_hours_total", "aux_heater_hours_total"} & set(live["values"])
