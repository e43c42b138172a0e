"""Configuration: one table, clear errors that name the key and the fix."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import SETTINGS, load_config
from generator.core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), environ or {})
    return err.value.problems


def test_every_setting_is_documented_in_the_configuration_table():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_.]+)` \|.*$", doc, re.M)}
    for s in SETTINGS:
        assert s.key in rows, f"{s.key} missing from docs/configuration.md"
        if s.env:
            assert s.env in rows[s.key], f"{s.key}: docs do not name ${s.env}"
    assert set(rows) == {s.key for s in SETTINGS}, "docs list a key the program does not know"


def test_the_configuration_doc_is_the_rendered_settings_table():
    from generator.config import configuration_doc
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert doc == configuration_doc(), "regenerate: python -m generator.config > docs/configuration.md"


def test_no_file_means_the_demo():
    cfg = load_config(None, {})
    assert cfg["source.kind"] == "demo" and cfg["provider"] == "generic"
    assert cfg["site.language"] == "sv" and cfg["site.timezone"] == "Europe/Stockholm"
    assert cfg["sidecar.port"] == 8765 and cfg["source.measurement"] == "heatpump"
    assert cfg["source.tag"] == "name" and cfg["source.field"] == "value"


def test_environment_overrides_the_file(tmp_path):
    path = write(tmp_path, "source:\n  kind: influxql\n  url: http://a:8086\n  database: hp\n")
    cfg = load_config(path, {"INFLUXDB_URL": "http://b:8086", "HEATPUMP_BRAND": "generic"})
    assert cfg["source.url"] == "http://b:8086"


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    found = problems(tmp_path, "site:\n  langauge: en\nsource:\n  databse: x\n")
    assert any(p.startswith("site.langauge: unknown key") for p in found)
    assert any("source.databse" in p and "did you mean source.database" in p for p in found)


def test_unknown_source_kind_names_the_key_and_the_choices(tmp_path):
    [p] = problems(tmp_path, "source:\n  kind: mysql\n")
    assert p.startswith("source.kind:") and "demo, influxql, flux" in p


def test_unknown_brand_names_the_key(tmp_path):
    [p] = problems(tmp_path, "provider: daikin\n")
    assert p.startswith("provider:") and "generic" in p


def test_malformed_url_names_the_key_and_an_example(tmp_path):
    found = problems(tmp_path, "source:\n  kind: influxql\n  url: localhost:8086\n  database: hp\n")
    assert found == [f for f in found if f.startswith("source.url:")] and "http://" in found[0]


def test_the_carnot_offsets_default_to_2_k_and_6_k_and_a_negative_one_is_refused(tmp_path):
    cfg = load_config(None, environ={})
    assert (cfg["cop.carnot_condensing_offset_k"], cfg["cop.carnot_evaporating_offset_k"]) == (2, 6)
    found = problems(tmp_path, "cop:\n  carnot_evaporating_offset_k: -6\n")
    assert len(found) == 1 and found[0].startswith("cop.carnot_evaporating_offset_k:") and "from 0 to 30 K" in found[0]


def test_short_cycling_defaults_to_10_minute_runs_30_percent_and_3_starts_an_hour_and_a_zero_share_is_refused(tmp_path):
    cfg = load_config(None, environ={})
    assert (cfg["cycling.short_run_minutes"], cfg["cycling.short_run_share_pct"],
            cfg["cycling.max_starts_per_hour"]) == (10, 30, 3)
    found = problems(tmp_path, "cycling:\n  short_run_share_pct: 0\n  short_run_minutes: two\n")
    assert sorted(p.split(":")[0] for p in found) == ["cycling.short_run_minutes", "cycling.short_run_share_pct"]
    assert any("above 0 up to 100 %" in p for p in found) and any("from 1 to 120 min" in p for p in found)


def test_flux_without_token_is_refused(tmp_path):
    found = problems(tmp_path, "source:\n  kind: flux\n  url: http://a:8086\n  org: o\n  bucket: b\n")
    assert any(p.startswith("source.token:") and "INFLUXDB_TOKEN" in p for p in found)


def test_identifiers_that_could_inject_a_query_are_refused(tmp_path):
    found = problems(tmp_path, 'source:\n  measurement: "heatpump\\" ; DROP DATABASE x"\n')
    assert found[0].startswith("source.measurement:")


def test_every_problem_is_reported_at_once(tmp_path):
    assert len(problems(tmp_path, "site:\n  language: de\n  timezone: Mars/Olympus\nsidecar:\n  port: 99999\n")) == 3


def test_secret_values_never_appear_in_errors(tmp_path):
    found = problems(tmp_path, "source:\n  token: 12345\n")
    assert not any("12345" in p for p in found)


def test_check_config_exits_2_and_names_the_key(tmp_path):
    path = write(tmp_path, "site:\n  language: fi\n")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "check-config", "--config", str(path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "site.language" in result.stderr and "sv, en" in result.stderr


def test_check_config_exits_0_on_a_good_file(tmp_path):
    path = write(tmp_path, "site:\n  language: en\n")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "check-config", "--config", str(path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_a_password_inside_a_url_never_appears_in_errors(tmp_path):
    found = problems(tmp_path, "source:\n  kind: influxql\n  database: hp\n",
                     {"INFLUXDB_URL": "htp://admin:S3cret@influx:8086"})
    assert found[0].startswith("source.url (from $INFLUXDB_URL):")
    assert "S3cret" not in "\n".join(found)


def test_an_unwritable_public_dir_exits_3_with_a_plain_message(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the public dir should be", encoding="utf-8")
    config = write(tmp_path, f"output:\n  public_dir: {blocker / 'public'}\n")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--once", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 3
    assert result.stderr.startswith("cannot publish:") and "Traceback" not in result.stderr


def test_every_setting_the_code_reads_is_in_the_table():
    """A typo in cfg["…"] fails here, not in a run on someone's Pi."""
    import re
    from pathlib import Path

    from generator.config import BY_KEY
    root = Path(__file__).resolve().parent.parent
    read = set()
    for path in [*root.glob("generator/**/*.py"), *root.glob("bench/*.py")]:
        read |= set(re.findall(r"""cfg\[["']([a-z_.]+)["']\]""", path.read_text(encoding="utf-8")))
    assert read and read <= set(BY_KEY), sorted(read - set(BY_KEY))


def test_a_setting_that_does_not_exist_names_the_closest_one():
    cfg = load_config(None, {})
    with pytest.raises(KeyError, match="did you mean 'site.timezone'"):
        cfg["site.timezon"]


@pytest.mark.parametrize("value", ["02-29", "9-1", "13-01", "09-31", 901])
def test_a_heating_season_start_that_is_not_a_day_of_every_year_is_refused_naming_the_fix(tmp_path, value):
    path = tmp_path / "c.yaml"
    path.write_text(f"seasons:\n  heating_start: {value!r}\n" if isinstance(value, str)
                    else f"seasons:\n  heating_start: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert "seasons.heating_start" in str(error.value) and '"MM-DD"' in str(error.value)


def test_the_heating_season_begins_on_1_september_unless_configured(tmp_path):
    assert load_config(None, environ={})["seasons.heating_start"] == "09-01"
    path = tmp_path / "c.yaml"
    path.write_text("seasons:\n  heating_start: 10-01\n", encoding="utf-8")
    assert load_config(path, environ={})["seasons.heating_start"] == "10-01"
