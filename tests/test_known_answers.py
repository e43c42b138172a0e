"""Known answers on real collectors' data: five days of a simulated heat pump, observed second by second,
written into a real influxd by six collectors in the layouts and sampling shapes real installs have
(tests/collectors.py), then read back by the generator for every range from 1h to 365d.  Each range's KPIs
are compared with the truth over the time the range covers, the truth summed second by second from the
process itself (never with the dashboard's own method).

The days (17 January 18:00 to 23 January 2025, local time) hold a cold snap with add-heat and a
low-brine-flow alarm; the history is shorter than 7d, 30d and 365d and begins late in a local day; the
process runs 7 s off the simulator's grid, so no cycle lines up with any bucket; and the compressor's
heat runs down after every stop.

Why over 300 lines: every known answer reads the same five days written once into one influxd (a module
fixture); the tariff bills at the end are summed by hand from the same process.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from generator.build import build_range_document, make_context
from generator.config import load_config
from generator.core.ranges import BY_KEY, RANGES, Window, window_for
from generator.sources import simulator
from generator.sources.factory import make_cached_source, make_source
from tests.collectors import Layout, Process, Truth, layouts, lines, truth
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

START = pd.Timestamp("2025-01-17T17:00Z")          # 18:00 local: the first local day is a quarter covered
END = pd.Timestamp("2025-01-22T23:00Z")          # local midnight: the 365d window ends exactly here
SHORT_NOW = END - pd.Timedelta(minutes=10)       # 1h, 6h, 24h lie inside the data
LONG_NOW = END + pd.Timedelta(minutes=10)        # 7d, 30d and 365d all end at END and hold all the data
ALL_NOW = pd.Timestamp("2025-02-01T00:10", tz="Europe/Stockholm").tz_convert("UTC")  # "all": January closed
MAX_GAP_S = 900
TZ = "Europe/Stockholm"
# Where each brand's meters look: NIBE's registers give compressor input and internal add-heat, not the
# circulation pump that runs while the compressor rests; the Husdata gateway's meter sees everything.
ELECTRIC = {"ivt": "power_electric", "nibe": "compressor_and_aux", "generic": "power_electric"}


@pytest.fixture(scope="module")
def process() -> Process:
    return Process.simulate(START, END)


@pytest.fixture(scope="module")
def server(influxd: Influxd, process: Process) -> Influxd:
    for name, layout in layouts(process).items():
        db = name.replace("-", "_")
        influxd.create_database(db)
        influxd.write(db, lines(process, layout), precision="s")
    return influxd


@dataclass(frozen=True)
class Reading:
    kpis: dict[str, Any]
    window: Window
    document: dict[str, Any]


def read(server: Influxd, name: str, layout: Layout, key: str, cached: bool = False, **more: Any) -> Reading:
    settings = dict(provider=layout.provider, source__kind="influxql", source__url=server.url,
                    source__database=name.replace("-", "_"), source__tag=layout.tag, source__max_gap_s=MAX_GAP_S,
                    cop__flow_factor=simulator.HEAT_CARRIER_W_PER_K / 1000.0, site__timezone=TZ)
    cfg = load_config(None, environ={}).with_values(**{**settings, **more})
    spec = BY_KEY[key]
    now = (SHORT_NOW if key in ("1h", "6h", "24h") else ALL_NOW if key == "all" else LONG_NOW).to_pydatetime()
    ctx = make_context(cfg, make_cached_source(cfg) if cached else make_source(cfg))
    document = build_range_document(ctx, spec, now, None)
    return Reading(document["kpis"], window_for(spec, now, TZ), document)


@lru_cache(maxsize=None)
def covered_mask(name: str, start: int, end: int) -> np.ndarray:
    """Seconds of the process inside [start, end) that the collector's data covers: all of it, but for the
    generic collector's two hours down (its last sample is held for the staleness limit, then a gap)."""
    t = np.arange(int(START.timestamp()), int(END.timestamp()))
    mask = (t >= start) & (t < end)
    down = layouts_cache()[name].down
    if down is not None:
        mask &= ~((t >= down[0] + MAX_GAP_S) & (t < down[1]))
    return mask


@lru_cache(maxsize=1)
def layouts_cache() -> dict[str, Layout]:
    return layouts(Process(int(START.timestamp()), int(END.timestamp())))


def expected(process: Process, name: str, layout: Layout, window: Window) -> Truth:
    mask = covered_mask(name, int(window.start.timestamp()), int(window.end.timestamp()))
    electric = process.values["power_electric"]
    if ELECTRIC.get(layout.provider) == "compressor_and_aux":
        electric = process.compressor_power + process.values["aux_heater_power"]
    return truth(process, mask, electric)


def tolerance(layout: Layout, t: Truth, transitions: int) -> dict[str, float]:
    """How far a KPI may sit from the truth: one reading interval per on/off edge (a poller sees an edge
    up to one interval late), a counter's resolution, and the KPI's own rounding."""
    interval = 5 if layout.change_only else layout.every_s + layout.jitter_s
    edge_pct = transitions * interval / max(t.seconds, 1) * 100
    energy = 0.15 + 0.02 * max(t.electric_kwh, t.heat_kwh) + transitions * 2.0 * interval / 3600
    return {"pct": edge_pct + 0.15, "energy": energy}


CASES = [(name, key) for name in ("husdata-names-on-change", "husdata-ids-polled-30s", "thermiq-on-change",
                                  "nibe-f-polled-30-60s", "nibe-s-polled-60s", "generic-irregular-with-a-gap",
                                  "husdata-on-change-three-days-down")
         for key in [r.key for r in RANGES]]


@pytest.mark.parametrize("name,key", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_every_range_matches_the_process_over_the_time_it_covers(server, process, name, key):
    layout = layouts(process)[name]
    got = read(server, name, layout, key)
    k = got.kpis
    want = expected(process, name, layout, got.window)
    transitions = 2 * want.starts + 2
    tol = tolerance(layout, want, transitions)
    if key == "all":   # its month runs past END, where the collector's last value still holds max_gap_s
        tol["pct"] += MAX_GAP_S / want.seconds * 100
    assert k["covered_hours"] == pytest.approx(want.seconds / 3600, abs=0.02 + want.seconds / 3600 * 0.005)
    assert k["compressor_runtime_pct"] == pytest.approx(want.compressor_pct, abs=tol["pct"])
    assert k["hot_water_share_pct"] == pytest.approx(want.hot_water_share_pct, abs=tol["pct"] * 3 + 0.5)
    assert k["aux_heater_runtime_pct"] == pytest.approx(want.aux_pct, abs=tol["pct"] + 0.2)
    assert k["compressor_starts"] == pytest.approx(want.starts, abs=1)
    assert k["compressor_starts_per_day"] == pytest.approx(want.starts / want.days, abs=1.05 / want.days + 0.05)
    assert k["outdoor_temp"] == pytest.approx(want.outdoor_mean, abs=0.15)
    if layout.provider == "thermia":  # ThermIQ reports no electricity: no COP, no cost (issue: a separate meter)
        assert k["energy_electric_kwh"] is None and k["cop"] is None and k["cop_basis"] == "radiator"
        return
    assert k["energy_electric_kwh"] == pytest.approx(want.electric_kwh, abs=tol["energy"])
    assert k["energy_heat_kwh"] == pytest.approx(want.heat_kwh, abs=tol["energy"] * 1.5)
    relative = tol["energy"] / want.electric_kwh + tol["energy"] * 1.5 / want.heat_kwh
    assert k["cop"] == pytest.approx(want.cop, rel=relative)
    assert k["energy_electric_kwh_per_day"] == pytest.approx(want.electric_kwh / want.days,
                                                             abs=tol["energy"] / want.days + 0.06)
    assert k["cop_plausible"] is True


@pytest.mark.parametrize("key", ["24h", "7d", "30d"])
def test_the_cache_a_generator_runs_on_gives_the_same_kpis_across_three_days_down(server, process, key):
    name = "husdata-on-change-three-days-down"
    layout = layouts(process)[name]
    bare, cached = read(server, name, layout, key), read(server, name, layout, key, cached=True)
    for kpi in ("cop", "energy_electric_kwh", "energy_heat_kwh", "covered_hours", "compressor_starts"):
        assert cached.kpis[kpi] == pytest.approx(bare.kpis[kpi], rel=1e-3), kpi


@pytest.mark.parametrize("name", ["husdata-names-on-change", "nibe-f-polled-30-60s", "generic-irregular-with-a-gap",
                                  "husdata-on-change-three-days-down"])
def test_the_same_data_gives_the_same_energy_whatever_the_range(server, process, name):
    layout = layouts(process)[name]
    readings = {key: read(server, name, layout, key).kpis for key in ("7d", "30d", "365d")}
    want = expected(process, name, layout, Window(START, END, "1h", TZ))
    for key, kpis in readings.items():
        assert kpis["covered_hours"] == pytest.approx(want.seconds / 3600, abs=0.1), key
        assert kpis["energy_heat_kwh"] == pytest.approx(want.heat_kwh, rel=0.02), key
        assert kpis["energy_electric_kwh"] == pytest.approx(want.electric_kwh, rel=0.02), key
    heats = [k["energy_heat_kwh"] for k in readings.values()]
    assert max(heats) - min(heats) <= 0.01 * max(heats)


@pytest.mark.parametrize("name", ["husdata-names-on-change", "nibe-s-polled-60s", "generic-irregular-with-a-gap"])
@pytest.mark.parametrize("key", ["1h", "24h", "7d"])
def test_the_cop_line_shows_running_cop_without_start_and_stop_spikes(server, process, name, key):
    layout = layouts(process)[name]
    got = read(server, name, layout, key)
    option = got.document["charts"]["cop"]
    column = option["dataset"]["dimensions"].index("cop")
    points = [row[column] for row in option["dataset"]["source"] if row[column] is not None]
    assert points
    on = process.values["compressor_on"] > 0
    running = (process.values["heat_output"] - process.values["aux_heater_power"])[on] / process.compressor_power[on]
    assert max(points) <= running.max() * 1.15   # nothing above what the running compressor ever reached
    assert min(points) >= 1.5


def test_gaps_show_as_gaps_in_the_power_chart_not_as_0_w(server, process):
    name = "generic-irregular-with-a-gap"
    layout = layouts(process)[name]
    option = read(server, name, layout, "7d").document["charts"]["power"]
    dims = option["dataset"]["dimensions"]
    rows = {pd.Timestamp(r[0], unit="ms", tz="UTC"): r for r in option["dataset"]["source"]}
    down = layout.down
    inside = [t for t in rows if down[0] + MAX_GAP_S + 900 <= t.timestamp() < down[1] - 900]
    assert inside
    for column in ("compressor_power", "heat_output", "electric_kwh"):
        assert all(rows[t][dims.index(column)] is None for t in inside), column


def test_add_heat_of_a_cold_day_shows_as_runtime_where_no_on_off_signal_exists(server, process):
    for name in ("husdata-names-on-change", "nibe-f-polled-30-60s"):
        layout = layouts(process)[name]
        got = read(server, name, layout, "7d")
        want = expected(process, name, layout, got.window)
        assert want.aux_pct > 1.0                  # the cold snap needed add-heat
        assert got.kpis["aux_heater_runtime_pct"] == pytest.approx(want.aux_pct, abs=0.5), name


# --- the owner's own sensors (the site config's mapping:, docs/mapping.md) -----------------------------
# A Shelly EM on the heat pump's supply, through Home Assistant's InfluxDB integration: measurement = the
# unit, tags domain and entity_id, field value, a point on every state change (only when it changes).
METER = {"measurement": "W", "tags": {"domain": "sensor", "entity_id": "heat_pump_power"}, "max_gap_s": 86400}
ROOM = {"label": "Vardagsrum", "chart": "temperature", "measurement": "rooms", "tags": {"room": "living"},
        "field": "temperature"}


@pytest.fixture(scope="module")
def owners(server: Influxd, process: Process) -> Influxd:
    """ThermIQ's names plus the owner's meter and a room sensor; and a generic collector whose outdoor
    sensor is named GT1 and reports °F."""
    from tests.collectors import on_change, polled

    reads = polled(process, 5)
    now = process.at(reads)
    server.create_database("thermiq_with_meter")
    server.write("thermiq_with_meter", lines(process, layouts(process)["thermiq-on-change"]), precision="s")
    t, watts = on_change(reads, now["power_electric"], 1.0)
    server.write("thermiq_with_meter", [f"W,domain=sensor,entity_id=heat_pump_power value={v:.10g} {ti}"
                                        for ti, v in zip(t, watts)], precision="s")
    t, room = on_change(reads, now["indoor_temp"] + 1.5, 0.1)
    server.write("thermiq_with_meter", [f"rooms,room=living temperature={v:.10g} {ti}" for ti, v in zip(t, room)],
                 precision="s")
    generic = layouts(process)["generic-irregular-with-a-gap"]
    server.create_database("generic_fahrenheit")
    renamed = [line.replace("name=outdoor_temp value=", "name=GT1 value=") for line in lines(process, generic)]
    server.write("generic_fahrenheit", [_to_fahrenheit(line) if "name=GT1 " in line else line for line in renamed],
                 precision="s")
    return server


def _to_fahrenheit(line: str) -> str:
    head, value, stamp = line.rsplit(" ", 2)[0], line.split("value=")[1].split(" ")[0], line.rsplit(" ", 1)[1]
    return f"{head} value={float(value) * 9 / 5 + 32:.10g} {stamp}"


@pytest.mark.parametrize("key", [r.key for r in RANGES])
def test_a_thermiq_pump_with_its_own_meter_gets_cop_cost_and_sankey(owners, process, key):
    name = "thermiq-on-change"
    layout = layouts(process)[name]
    got = read(owners, "thermiq-with-meter", layout, key, cop__flow_factor=simulator.FLOW_W_PER_K / 1000.0,
               mapping__metrics={"power_electric": METER})
    k = got.kpis
    want = expected(process, name, layout, got.window)
    tol = tolerance(layout, want, 2 * want.starts + 2)
    assert k["cop_basis"] == "radiator"
    assert k["energy_electric_kwh"] == pytest.approx(want.electric_kwh, abs=tol["energy"])
    assert k["cost"] == pytest.approx(want.electric_kwh * 1.5, abs=tol["energy"] * 1.5)   # price.per_kwh 1.5
    relative = tol["energy"] / want.electric_kwh + tol["energy"] * 1.5 / want.heat_kwh
    assert k["cop"] == pytest.approx(want.cop, rel=relative)
    sankey = got.document["charts"]["sankey"]["series"][0]
    sinks = {link["target"] for link in sankey["links"]} - {link["source"] for link in sankey["links"]}
    delivered = sum(link["value"] for link in sankey["links"] if link["target"] in sinks)
    assert delivered == pytest.approx(k["energy_heat_kwh"], abs=0.1 + 0.005 * k["energy_heat_kwh"])


@pytest.mark.parametrize("key", ["24h", "7d"])
def test_a_renamed_sensor_in_fahrenheit_maps_to_the_outdoor_temperature(owners, process, key):
    name = "generic-irregular-with-a-gap"
    layout = layouts(process)[name]
    got = read(owners, "generic-fahrenheit", layout, key,
               mapping__metrics={"outdoor_temp": {"raw": "GT1", "unit": "°F"}})
    want = expected(process, name, layout, got.window)
    assert got.kpis["outdoor_temp"] == pytest.approx(want.outdoor_mean, abs=0.15)


def test_an_extra_room_sensor_is_drawn_on_the_temperature_chart(owners, process):
    name = "thermiq-on-change"
    got = read(owners, "thermiq-with-meter", layouts(process)[name], "24h", mapping__extra=[ROOM])
    option = got.document["charts"]["temperature"]
    [line] = [s for s in option["series"] if s["name"] == "Vardagsrum"]
    dims = option["dataset"]["dimensions"]
    room = [row[dims.index(line["encode"]["y"])] for row in option["dataset"]["source"]]
    indoor = [row[dims.index("indoor_temp")] for row in option["dataset"]["source"]]
    pairs = [(r, i) for r, i in zip(room, indoor) if r is not None and i is not None]
    assert len(pairs) > 600 and all(abs(r - i - 1.5) <= 0.15 for r, i in pairs)
    assert got.kpis["outdoor_temp"] is not None, "the heat pump's own series are read as before"


# --- share of the Carnot COP: a process whose answer is known by hand --------------------------------------
# Three hours written every 10 s into a real influxd under canonical names: an hour of 8 kW of heat from
# 2 kW (COP 4) between a 35 °C supply and 0 °C brine in, an hour of 6 kW from 2 kW (COP 3) between 50 °C
# and 2 °C, and an hour at rest (20 °C and 8 °C, nothing drawn, nothing made).
CARNOT_START = pd.Timestamp("2025-03-03T09:00Z")
CARNOT_PHASES = (  # compressor_on, power_electric W, heat_output W, supply_temp °C, brine_in_temp °C
    (1, 2000.0, 8000.0, 35.0, 0.0),
    (1, 2000.0, 6000.0, 50.0, 2.0),
    (0, 0.0, 0.0, 20.0, 8.0),
)
CARNOT_METRICS = ("compressor_on", "power_electric", "heat_output", "supply_temp", "brine_in_temp")


def test_the_share_of_carnot_is_the_true_cop_over_the_heat_weighted_carnot_cop_of_the_process(influxd):
    start = int(CARNOT_START.timestamp())
    influxd.create_database("carnot")
    influxd.write("carnot", (f"heatpump,name={name} value={value} {start + hour * 3600 + second}"
                             for hour, phase in enumerate(CARNOT_PHASES) for second in range(0, 3600, 10)
                             for name, value in zip(CARNOT_METRICS, phase)), precision="s")
    cfg = load_config(None, environ={}).with_values(provider="generic", source__kind="influxql",
                                                    source__url=influxd.url, source__database="carnot",
                                                    source__max_gap_s=MAX_GAP_S, site__timezone=TZ)
    now = (CARNOT_START + pd.Timedelta(hours=3, minutes=10)).to_pydatetime()
    kpis = build_range_document(make_context(cfg, make_source(cfg)), BY_KEY["6h"], now, None)["kpis"]

    # by hand, in kelvin: condensing 2 K above the supply, evaporating 6 K below the brine in (the defaults)
    carnot_1 = (35 + 2 + 273.15) / ((35 + 2) - (0 - 6))      # 7.213
    carnot_2 = (50 + 2 + 273.15) / ((50 + 2) - (2 - 6))      # 5.806
    heat_1, heat_2, electricity = 8.0, 6.0, 2.0 + 2.0        # kWh of the two running hours
    true_cop = (heat_1 + heat_2) / electricity               # 3.5
    ideal = (heat_1 + heat_2) / (heat_1 / carnot_1 + heat_2 / carnot_2)  # heat-weighted: 6.52
    assert kpis["cop"] == pytest.approx(true_cop, abs=0.01)
    assert kpis["carnot_cop"] == pytest.approx(ideal, abs=0.01)
    assert kpis["carnot_share_pct"] == pytest.approx(true_cop / ideal * 100, abs=0.1)   # 53.7 %


# --- a known tariff bill: electricity × the price in force, summed second by second from the process ------
def _file_price(t: np.ndarray) -> np.ndarray:
    """The price file's price of each second (per kWh): 0.5 + 0.1 × its UTC hour of day."""
    return 0.5 + 0.1 * ((t // 3600) % 24)


def _period_price(t: np.ndarray) -> np.ndarray:
    """06:00–22:00 local on weekdays 2.0, else price.per_kwh 1.0; January in Stockholm is UTC+1."""
    local = t + 3600
    hour, weekday = (local // 3600) % 24, (local // 86400 + 3) % 7   # 1 January 1970 was a Thursday
    return np.where((hour >= 6) & (hour < 22) & (weekday < 5), 2.0, 1.0)


PERIODS = [{"from": "06:00", "to": "22:00", "days": ["mon", "tue", "wed", "thu", "fri"], "price": 2.0}]


@pytest.fixture(scope="module")
def price_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("prices") / "prices.csv"
    first, last = int(START.timestamp()) // 3600 - 48, int(END.timestamp()) // 3600 + 48
    rows = [f"{pd.Timestamp(h * 3600, unit='s', tz='UTC').isoformat()},"
            f"{pd.Timestamp((h + 1) * 3600, unit='s', tz='UTC').isoformat()},{0.5 + 0.1 * (h % 24):.1f}"
            for h in range(first, last)]
    path.write_text("start,end,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def _bill(process: Process, name: str, window: Window, price: np.ndarray) -> tuple[float, float]:
    """Σ electricity × price and Σ heat × price (direct electric) over the covered seconds, by hand."""
    mask = covered_mask(name, int(window.start.timestamp()), int(window.end.timestamp()))
    electric, heat = process.values["power_electric"], process.values["heat_output"]
    return float((electric * price)[mask].sum() / 3.6e6), float((heat * price)[mask].sum() / 3.6e6)


@pytest.mark.parametrize("key,tariff", [("24h", "file"), ("30d", "file"), ("7d", "periods")])
def test_a_known_tariff_bill(server, process, price_file, key, tariff):
    name = "husdata-names-on-change"
    layout = layouts(process)[name]
    more = {"price__file": price_file} if tariff == "file" else {"price__periods": PERIODS, "price__per_kwh": 1.0}
    got = read(server, name, layout, key, **more)
    t = np.arange(int(START.timestamp()), int(END.timestamp()))
    cost, direct = _bill(process, name, got.window, _file_price(t) if tariff == "file" else _period_price(t))
    want = expected(process, name, layout, got.window)
    tol = tolerance(layout, want, 2 * want.starts + 2)["energy"] * 2.8     # the energy's tolerance × the top price
    k = got.kpis
    assert k["tariff"] == tariff and got.document["data_quality"] == []
    assert k["cost"] == pytest.approx(cost, abs=tol)
    assert k["cost_direct_electric"] == pytest.approx(direct, abs=tol * 1.5)
    assert k["cost_saving"] == pytest.approx(direct - cost, abs=tol * 2.5)
    assert k["cost_per_heat_kwh"] == pytest.approx(cost / want.heat_kwh, rel=0.05)


def test_a_daily_bucket_is_billed_at_its_days_mean_price(server, process):
    """365d holds daily energy only: each local day's electricity × the day's time-weighted mean price."""
    name = "husdata-names-on-change"
    layout = layouts(process)[name]
    got = read(server, name, layout, "365d", price__periods=PERIODS, price__per_kwh=1.0)
    t = np.arange(int(START.timestamp()), int(END.timestamp()))
    day = (t + 3600) // 86400                          # the local day of each second
    price = _period_price(t)
    mask = covered_mask(name, int(got.window.start.timestamp()), int(got.window.end.timestamp()))
    electric = process.values["power_electric"]
    bill = 0.0
    for d in np.unique(day):
        seconds_of_day = np.arange(d * 86400 - 3600, (d + 1) * 86400 - 3600)   # the whole local day
        mean_price = float(_period_price(seconds_of_day).mean())
        bill += float(electric[mask & (day == d)].sum() / 3.6e6) * mean_price
    want = expected(process, name, layout, got.window)
    tol = tolerance(layout, want, 2 * want.starts + 2)["energy"] * 2.0
    assert got.kpis["cost"] == pytest.approx(bill, abs=tol)
    assert got.kpis["cost"] != pytest.approx(float((electric * price)[mask].sum() / 3.6e6), abs=0.01)

