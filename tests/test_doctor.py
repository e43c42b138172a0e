"""`doctor` against a real influxd: lists names, mapping, coverage, the COP method; says what is wrong."""
from __future__ import annotations

import io
from pathlib import Path

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


def test_doctor_lists_mapped_unmapped_missing_coverage_and_cop_method(ivt_db: Influxd, tmp_path: Path):
    cfg = config(tmp_path, f"provider: ivt\nsource: {{kind: influxql, url: '{ivt_db.url}', database: doctor_ivt}}\n")
    code, text = doctor(cfg)
    assert code == 0, text
    assert "mapped    radiator_forward -> supply_temp" in text
    assert "2024-05-01 00:00" in text and "about every 30 s" in text
    assert "unmapped  mystery_sensor" in text
    assert "missing   brine_in_evaporator" in text
    assert "COP method: delta_t" in text
    assert "newest sample: 2024-05-01 05:59:30 UTC" in text and "OLDER than site.stale_after_s" in text


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
