"""`doctor` against a real influxd: lists names, mapping, coverage, the COP method; says what is wrong."""
from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest

from generator.config import load_config
from generator.doctor import run_doctor
from tests.influxd import Influxd, free_port

pytestmark = pytest.mark.influxd

T = 1714521600  # 2024-05-01T00:00Z


def config(tmp_path: Path, text: str):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, {})


def doctor(cfg) -> tuple[int, str]:
    out = io.StringIO()
    code = run_doctor(cfg, out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def ivt_db(influxd: Influxd) -> Influxd:
    influxd.create_database("doctor_ivt")
    lines = []
    for i in range(0, 3600 * 6, 30):
        lines += [f"heatpump,register_id=0002,name=radiator_forward value=35 {T + i}",
                  f"heatpump,register_id=0001,name=radiator_return value=30 {T + i}",
                  f"heatpump,register_id=1A01,name=compressor_status value=1 {T + i}",
                  f"heatpump,register_id=FFFF,name=mystery_sensor value=1 {T + i}"]
    influxd.write("doctor_ivt", lines, precision="s")
    return influxd


def line_of(text: str, metric: str) -> str:
    return next(line for line in text.splitlines() if line.split()[:1] == [metric])


def test_doctor_names_the_raw_that_provides_each_metric_or_none(ivt_db: Influxd, tmp_path: Path):
    cfg = config(tmp_path, f"provider: ivt\nsource: {{kind: influxql, url: '{ivt_db.url}', database: doctor_ivt}}\n")
    code, text = doctor(cfg)
    assert code == 0, text
    supply = line_of(text, "supply_temp")
    assert "radiator_forward" in supply and "about every 30 s" in supply
    assert "2024-05-01 02:00" in supply   # 00:00 UTC in the site's time zone (Europe/Stockholm, summer time)
    assert line_of(text, "brine_in_temp").split()[1:] == ["none"]
    assert "heat_carrier_forward" not in text  # only what provides a metric, not every name the brand knows
    assert "not read by provider ivt: mystery_sensor" in text
    assert "layout: IVT Rego 600/637 via a Husdata H60 gateway" in text and "looks like" not in text
    assert "heat: estimated: (supply_temp − return_temp) × 2.70 kW/K" in text
    assert "newest sample: 2024-05-01 07:59 Europe/Stockholm" in text and "OLDER than site.stale_after_s" in text


def test_doctor_says_which_provider_the_names_look_like(ivt_db: Influxd, tmp_path: Path):
    cfg = config(tmp_path, f"provider: nibe\nsource: {{kind: influxql, url: '{ivt_db.url}', database: doctor_ivt}}\n")
    code, text = doctor(cfg)
    assert "looks like IVT Rego 600/637 via a Husdata H60 gateway: use provider ivt" in text


@pytest.fixture(scope="module")
def nibe_s_db(influxd: Influxd) -> Influxd:
    influxd.create_database("doctor_nibe_s")
    names = ("current-outdoor-temperature-bt1-30002", "supply-line-bt2-30006", "return-line-bt3-30008",
             "compressor-status-31101", "priority-31029", "compressor-power-input-31049")
    influxd.write("doctor_nibe_s", [f"heatpump,name={n} value=1 {T + i}" for n in names for i in range(0, 600, 60)],
                  precision="s")
    return influxd


def test_doctor_recognises_nibe_s_series_names_under_another_provider(nibe_s_db: Influxd, tmp_path: Path):
    cfg = config(tmp_path, f"provider: ivt\nsource: {{kind: influxql, url: '{nibe_s_db.url}', database: doctor_nibe_s}}\n")
    code, text = doctor(cfg)
    assert "looks like NIBE S1155/S1255 via the nibe library (Modbus, myUplink): use provider nibe" in text
    assert code != 0 and "none of the names in the database maps for provider 'ivt'" in text


@pytest.fixture(scope="module")
def simulated_db(influxd: Influxd) -> Influxd:
    """A day of the simulated pump in canonical names: the heat-carrier pair, power and, in a second
    database, its heat meter."""
    from generator.sources import simulator
    t = np.arange(T, T + 86400, 30)
    values = simulator.sample(t, seed=1)
    plain = ("heat_carrier_supply_temp", "heat_carrier_return_temp", "supply_temp", "brine_in_temp",
             "compressor_on", "switch_valve", "power_electric")
    for db, names in (("doctor_pair", plain), ("doctor_meter", plain + ("heat_output",))):
        influxd.create_database(db)
        influxd.write(db, [f"heatpump,name={n} value={v} {s}" for n in names for s, v in zip(t, values[n])],
                      precision="s")
    return influxd


def test_doctor_marks_a_cop_above_its_carnot_bound_as_implausible_and_suggests_a_flow_factor(simulated_db, tmp_path):
    cfg = config(tmp_path, f"source: {{kind: influxql, url: '{simulated_db.url}', database: doctor_pair}}\n"
                           "cop: {flow_factor: 3.5}\nheat_pump: {nominal_heat_kw: 7.0}\n")
    code, text = doctor(cfg)
    assert code == 0, text
    assert "heat: estimated: (heat_carrier_supply_temp − heat_carrier_return_temp) × 3.50 kW/K, cop.flow_factor" in text
    assert "IMPLAUSIBLE" in text and "beats its Carnot bound" in text
    suggested = float(re.search(r"suggested cop.flow_factor: ([\d.]+) kW/K \(heat_pump.nominal_heat_kw 7", text).group(1))
    assert 0.8 < suggested < 1.4   # the process's 0.25 kg/s × 4.18 = 1.05 kW/K, within the nominal's accuracy


def test_doctor_suggests_the_flow_factor_a_heat_meter_implies(simulated_db, tmp_path):
    from generator.sources import simulator
    cfg = config(tmp_path, f"source: {{kind: influxql, url: '{simulated_db.url}', database: doctor_meter}}\n")
    code, text = doctor(cfg)
    assert "heat: measured: heat_output" in text and "plausible" in text
    suggested = float(re.search(r"suggested cop.flow_factor: ([\d.]+) kW/K \(from the heat meter", text).group(1))
    assert suggested == pytest.approx(simulator.HEAT_CARRIER_W_PER_K / 1000, rel=0.05)


def test_doctor_with_the_wrong_tag_says_nothing_is_mapped(ivt_db: Influxd, tmp_path: Path):
    cfg = config(tmp_path, f"provider: nibe\nsource: {{kind: influxql, url: '{ivt_db.url}', database: doctor_ivt, "
                           f"tag: type}}\n")
    code, text = doctor(cfg)
    assert code != 0
    assert "tag 'type'" in text


def test_doctor_on_an_empty_measurement_says_what_to_check(ivt_db: Influxd, tmp_path: Path):
    cfg = config(tmp_path, f"source: {{kind: influxql, url: '{ivt_db.url}', database: doctor_ivt, measurement: hp2}}\n")
    code, text = doctor(cfg)
    assert code == 1
    assert "holds no values of tag 'name'" in text and "source.measurement" in text


def test_doctor_reports_an_unreachable_database_without_the_password(tmp_path: Path):
    cfg = config(tmp_path, f"source: {{kind: influxql, url: 'http://127.0.0.1:{free_port()}', database: hp, "
                           "username: u, password: pw-123-secret}\n")
    code, text = doctor(cfg)
    assert code == 1
    assert "FAILED: cannot reach InfluxDB" in text and "pw-123-secret" not in text


def test_doctor_reports_a_missing_database(influxd: Influxd, tmp_path: Path):
    cfg = config(tmp_path, f"source: {{kind: influxql, url: '{influxd.url}', database: not_there}}\n")
    code, text = doctor(cfg)
    assert code == 1 and "no database 'not_there'" in text


def test_make_source_builds_the_configured_kind(influxd: Influxd, tmp_path: Path):
    from generator.sources.demo import DemoSource
    from generator.sources.factory import make_source
    from generator.sources.flux import FluxSource
    from generator.sources.influxql import InfluxQLSource

    assert isinstance(make_source(config(tmp_path, "source: {kind: demo}\n")), DemoSource)
    src = make_source(config(tmp_path, f"source: {{kind: influxql, url: '{influxd.url}', database: x, tag: register_id}}\n"))
    assert isinstance(src, InfluxQLSource) and src.tag == "register_id"
    token = tmp_path / "token"
    token.write_text("tok\n", encoding="utf-8")
    flux = make_source(config(tmp_path, f"source: {{kind: flux, url: 'http://127.0.0.1:1', org: o, bucket: b, "
                                        f"token_file: '{token}'}}\n"))
    assert isinstance(flux, FluxSource) and flux._token == "tok"
    flux.close()
