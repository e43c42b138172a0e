"""The site config's mapping: (generator/mapping.py): each bad mapping is one line naming the key and the
fix; units convert to the canonical unit; a mapped series that is not in the database says so in one
line; doctor shows the mapping like the provider's own.  Known answers on a real influxd are in
tests/test_known_answers.py (a ThermIQ pump with a separate meter, a sensor in °F, a room sensor)."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.errors import ConfigError
from generator.doctor import run_doctor
from generator.mapping import parse_mapping
from generator.sources.factory import make_cached_source
from tests.influxd import Influxd

ROOT = Path(__file__).resolve().parent.parent
T = 1714521600  # 2024-05-01T00:00Z


def refused(metrics=None, extra=None) -> list[str]:
    return parse_mapping(metrics if metrics is not None else {}, extra if extra is not None else [])[1]


@pytest.mark.parametrize(("metrics", "says"), [
    ({"outside_temp": {"raw": "GT1"}},
     "mapping.metrics.outside_temp: 'outside_temp' is not a canonical metric; use one of outdoor_temp"),
    ({"power_electric": {"field": "power"}},
     "mapping.metrics.power_electric: give exactly one of raw (a name in source.measurement) or measurement"),
    ({"power_electric": {"measurement": "shelly", "unit": "kWh"}},
     "mapping.metrics.power_electric.unit: 'kWh' cannot be converted to W; use one of W, kW, MW"),
    ({"energy_electric": {"measurement": "meter", "offset": 100}},
     "mapping.metrics.energy_electric: an offset cancels out of a counter's increase; give scale (or unit) only"),
    ({"outdoor_temp": {"raw": "GT1", "unit": "°F", "scale": 2}},
     "mapping.metrics.outdoor_temp: give unit or scale/offset, not both"),
    ({"outdoor_temp": {"raw": "GT1", "colour": "red"}}, "mapping.metrics.outdoor_temp: unknown key 'colour'"),
    ({"power_electric": {"measurement": "shelly", "kind": "flux"}},
     "mapping.metrics.power_electric.kind: 'flux' is not how a mapped series can be read; use influxql"),
    ({"power_electric": {"measurement": "shelly", "url": "http://admin:secret@10.0.0.2:8086"}},
     "mapping.metrics.power_electric.url: 'http://admin:secret@10.0.0.2:8086' is not an http(s) URL without credentials"),
])
def test_a_bad_mapping_is_one_line_naming_the_key_and_the_fix(metrics, says):
    [problem] = refused(metrics)
    assert problem.startswith(says) and "\n" not in problem


def test_a_bad_extra_series_names_its_place_in_the_list():
    [problem] = refused(extra=[{"label": "Hall", "chart": "cop", "raw": "x"}])
    assert problem.startswith("mapping.extra[0].chart: 'cop' is not a chart that takes extra series")


@pytest.mark.parametrize(("unit", "raw", "canonical"), [("°F", 212.0, 100.0), ("K", 273.15, 0.0), ("kW", 1.5, 1500.0),
                                                        ("Wh", 2500.0, 2.5)])
def test_a_unit_converts_to_the_canonical_unit(unit, raw, canonical):
    metric = {"°F": "outdoor_temp", "K": "outdoor_temp", "kW": "power_electric", "Wh": "energy_electric"}[unit]
    mapping, problems = parse_mapping({metric: {"raw": "x", "unit": unit}}, [])
    ref = mapping.metrics[metric]
    assert problems == [] and raw * ref.scale + ref.offset == pytest.approx(canonical)


def test_check_config_names_a_bad_mapping_in_one_line_and_exits_2(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("source: {kind: influxql, url: 'http://127.0.0.1:8086', database: hp}\n"
                    "mapping:\n  metrics:\n    power_electric: {measurement: shelly, unit: kWh}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "check-config", "--config", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == ("configuration error: mapping.metrics.power_electric.unit: 'kWh' cannot be "
                                   "converted to W; use one of W, kW, MW (or scale/offset)")


def test_a_mapping_needs_a_database_source(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("mapping:\n  metrics:\n    outdoor_temp: {raw: GT1}\n", encoding="utf-8")   # the demo source
    with pytest.raises(ConfigError) as refused_:
        load_config(path, {})
    assert refused_.value.problems == ["mapping: the owner's own series are read from InfluxDB; set source.kind: "
                                       "influxql or flux, or remove mapping (source.kind is demo)"]


FLUX = "source: {kind: flux, url: 'http://127.0.0.1:8086', token: t, org: home, bucket: hp}\n"


def test_under_a_flux_source_each_mapped_series_names_its_v1_database(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(FLUX + "mapping:\n  metrics:\n    power_electric: {measurement: shelly, field: power}\n"
                    "  extra:\n    - {label: Hall, chart: temperature, measurement: rooms, database: sensors}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as refused_:
        load_config(path, {})
    [problem] = refused_.value.problems
    assert problem.startswith("mapping.metrics.power_electric.database: required when source.kind is flux")


def test_under_a_flux_source_a_mapping_with_databases_is_taken(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(FLUX + "mapping:\n  metrics:\n    power_electric: {measurement: shelly, database: meters, "
                    "kind: influxql}\n", encoding="utf-8")
    ref = load_config(path, {}).mapping().metrics["power_electric"]
    assert (ref.measurement, ref.database) == ("shelly", "meters")


@pytest.fixture(scope="module")
def meterless(influxd: Influxd) -> Influxd:
    influxd.create_database("mapping_hp")
    influxd.write("mapping_hp", [f"heatpump,name={m} value={v} {T + i}" for i in range(0, 6 * 3600, 60)
                                 for m, v in (("outdoor_temp", 2.0), ("supply_temp", 35), ("return_temp", 30),
                                              ("compressor_on", 1))], precision="s")
    return influxd


def cfg_with(influxd: Influxd, tmp_path: Path, mapping: str):
    path = tmp_path / "config.yaml"
    path.write_text(f"provider: generic\noutput: {{public_dir: {tmp_path / 'public'}}}\n"
                    f"source: {{kind: influxql, url: '{influxd.url}', database: mapping_hp}}\n{mapping}",
                    encoding="utf-8")
    return load_config(path, {})


def test_a_mapped_measurement_the_database_lacks_is_said_in_one_line(meterless, tmp_path):
    cfg = cfg_with(meterless, tmp_path, "mapping:\n  metrics:\n    power_electric: {measurement: shelly, field: power}\n")
    report = run_once(make_context(cfg, make_cached_source(cfg)))
    [problem] = report.errors
    assert problem.code == "no_data" and problem.params == {"measurement": "shelly"}


def test_doctor_shows_a_mapped_metric_like_the_providers_own(meterless, tmp_path):
    meterless.write("mapping_hp", [f"shelly,device=heatpump-em power={1200 + i % 7} {T + i}"
                                   for i in range(0, 6 * 3600, 60)], precision="s")
    cfg = cfg_with(meterless, tmp_path, "mapping:\n  metrics:\n    power_electric: {measurement: shelly, "
                                        "tags: {device: heatpump-em}, field: power, unit: W}\n")
    out = io.StringIO()
    assert run_doctor(cfg, out, now=None) == 0
    [line] = [t for t in out.getvalue().splitlines() if t.strip().startswith("power_electric")]
    assert "mapping: measurement 'shelly', device=heatpump-em, field 'power'" in line and "newest 2024-05-01" in line
