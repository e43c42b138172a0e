"""Brand providers: shipped files load, bad files are refused with file, key and fix, the interface
other code uses (raw names, aggregations, overrides) behaves as documented."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from generator.core.errors import ProviderError
from generator.core.metrics import NAMES
from providers import available_providers, load_provider, load_provider_file

SHIPPED = ("generic", "ivt", "nibe", "thermia")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = textwrap.dedent("""\
    name: acme
    display_name: Acme
    colours: {primary: "#112233", accent: "#445566"}
    layouts:
      acme:
        description: Acme's own collector
        metrics:
          outdoor_temp: ute
""")


def test_every_brand_has_a_data_file():
    assert set(SHIPPED) <= set(available_providers())


@pytest.mark.parametrize("brand", available_providers())
def test_every_shipped_file_loads(brand):
    provider = load_provider(brand)
    assert provider.name == brand
    assert provider.display_name
    assert {"primary", "accent"} <= set(provider.colours)
    assert provider.defaults.flow_factor_kw_per_k > 0


@pytest.mark.parametrize("brand", available_providers())
def test_every_shown_alarm_text_names_its_source(brand):
    provider = load_provider(brand)
    for code, info in provider.alarms.table.items():
        if info.shown:
            assert info.source and info.text_sv and info.text_en, (brand, code)


def test_load_provider_is_cached_per_overrides():
    assert load_provider("ivt") is load_provider("ivt")
    assert load_provider("ivt", {"cop.flow_factor": 3.1}) is not load_provider("ivt")


def test_overrides_replace_brand_defaults_and_empty_config_keeps_them():
    brand = load_provider("ivt")
    assert load_provider("ivt", {"cop.flow_factor": None}).defaults == brand.defaults
    changed = load_provider("ivt", {"cop.flow_factor": 3.1, "carnot_efficiency": 0.45,
                                    "aux_step_w": [2000, 4000], "alarm_code_base": 0})
    assert changed.defaults.flow_factor_kw_per_k == 3.1
    assert changed.defaults.carnot_efficiency == 0.45
    assert changed.defaults.aux_step_w == (2000.0, 4000.0)
    assert changed.defaults.alarm_code_base == 0


def test_unknown_override_names_the_key_and_the_choices():
    with pytest.raises(ProviderError) as err:
        load_provider("ivt", {"flowfactor": 3})
    assert "flowfactor" in str(err.value) and "flow_factor_kw_per_k" in str(err.value)


def test_unknown_brand_lists_the_brands_there_are():
    with pytest.raises(ProviderError) as err:
        load_provider("daikin")
    assert "daikin" in str(err.value) and "nibe" in str(err.value)


def test_generic_maps_canonical_names_to_themselves():
    generic = load_provider("generic")
    assert generic.raw_names("name") == NAMES
    assert generic.raw_names("register_id") == ()
    raw = pd.DataFrame({"outdoor_temp": [-3.5], "power_electric": [1200.0]})
    out = generic.to_canonical(raw, "name")
    pd.testing.assert_frame_equal(out[["outdoor_temp", "power_electric"]], raw)


def test_a_tag_outside_the_schema_is_refused_with_the_fix():
    with pytest.raises(ProviderError) as err:
        load_provider("nibe").raw_names("sensor")
    assert "source.tag" in str(err.value) and "register_id" in str(err.value)


def test_raw_reading_follows_the_kind_of_value():
    nibe = load_provider("nibe")
    assert nibe.raw_reading("bt1-outdoor-temperature-40004", "name") == "hold"
    assert nibe.raw_reading("compr-in-power-43141", "name") == "hold"
    assert nibe.raw_reading("compressor-starts-eb100-ep14-43416", "name") == "increase"
    assert nibe.raw_reading("alarm-45001", "name") == "last"
    assert nibe.raw_reading("prio-43086", "name") is None  # read only through its share columns
    assert load_provider("thermia").raw_reading("r13", "name") is None


def test_enum_bit_and_threshold_raws_name_the_share_columns_a_source_delivers():
    prio = load_provider("nibe").share_columns("prio-43086", "name")
    assert [(c.column, c.kind, c.operand) for c in prio] == [("prio-43086==20", "enum", 20.0)]
    status = {c.column for c in load_provider("thermia").share_columns("r10", "name")}
    assert status == {"r10&1", "r10&2", "r10&4", "r10&8", "r10&144"}  # brine pump, compressor, supply pump, valve, aux
    add_heat = load_provider("nibe").share_columns("int-el-add-power-43084", "name")
    assert [(c.column, c.kind) for c in add_heat] == [("int-el-add-power-43084>0", "above")]


def test_raw_reading_of_an_unknown_raw_says_what_to_ask_for():
    with pytest.raises(ProviderError) as err:
        load_provider("nibe").raw_reading("nonsense", "name")
    assert "raw_names" in str(err.value)


def test_roles_tell_code_what_a_brand_has_without_naming_it():
    assert load_provider("nibe").roles("name").heat.method.value == "measured"
    assert load_provider("ivt").roles("name").heat.basis.value == "heat_carrier"
    assert load_provider("thermia").roles("name").heat.basis.value == "radiator"
    assert load_provider("ivt").roles("name").aux_power.value == "from_percent"
    assert {s.value for s in load_provider("thermia").roles("name").alarm_styles} == {"code", "bits"}
    assert {s.value for s in load_provider("ivt").roles("name").alarm_styles} == {"latched_code"}
    bare = load_provider("generic").roles("name", available=["supply_temp", "return_temp"])
    assert bare.heat.basis.value == "radiator" and not bare.inverter


def test_layouts_name_the_collectors_a_brand_is_read_through():
    assert [layout.id for layout in load_provider("nibe").layouts] == ["nibe-s", "nibe-f", "husdata-h66"]
    assert load_provider("ivt").layouts[0].mappings.keys() == {"name", "register_id"}
    thermiq = load_provider("thermia").layouts[1]
    assert thermiq.id == "thermiq" and set(thermiq.mappings) == {"name"}  # ThermIQ has no register ids


def test_provided_by_names_the_raw_that_gives_a_metric():
    nibe = load_provider("nibe")
    assert nibe.provided_by("outdoor_temp", "name", {"bt1-outdoor-temperature-40004", "x"}) == (
        "bt1-outdoor-temperature-40004",)
    assert nibe.provided_by("power_electric", "name", {"compr-in-power-43141"}) is None  # one term of two
    assert nibe.provided_by("indoor_temp", "name", set()) is None


# --- validation: every error names the file, the key and the fix -----------------------------------
def assert_refused(path: Path, key: str, fix_words: str) -> None:
    with pytest.raises(ProviderError) as err:
        load_provider_file(path)
    message = str(err.value)
    assert path.name in message, message
    assert key in message, message
    assert fix_words in message, message


def test_a_minimal_file_loads(tmp_path):
    provider = load_provider_file(write(tmp_path, "acme", MINIMAL))
    assert provider.raw_names("name") == ("ute",)


def test_unknown_canonical_metric_is_refused(tmp_path):
    path = write(tmp_path, "acme", MINIMAL.replace("outdoor_temp: ute", "outside_temp: ute"))
    assert_refused(path, "layouts.acme.metrics.outside_temp", "use one of generator/core/metrics.py")


def test_unquoted_register_id_is_refused_with_the_quoting_fix(tmp_path):
    path = write(tmp_path, "acme", MINIMAL.replace("outdoor_temp: ute", "outdoor_temp: 0007"))
    assert_refused(path, "layouts.acme.metrics.outdoor_temp", "quote register ids")


def test_enum_with_a_yaml_boolean_key_is_refused(tmp_path):
    path = write(tmp_path, "acme", MINIMAL.replace("outdoor_temp: ute", "switch_valve: {enum: {raw: prio, on: [20]}}"))
    assert_refused(path, "layouts.acme.metrics.switch_valve.enum", "values: [20]")


def test_bad_colour_is_refused(tmp_path):
    path = write(tmp_path, "acme", MINIMAL.replace('"#445566"', "red"))
    assert_refused(path, "colours.accent", "hex colour")


def test_name_must_match_the_file(tmp_path):
    path = write(tmp_path, "acme", MINIMAL.replace("name: acme", "name: other"))
    assert_refused(path, "name", "set name: acme")


def test_invalid_yaml_is_refused(tmp_path):
    path = write(tmp_path, "acme", "name: [unclosed\n")
    assert_refused(path, "not valid YAML", "fix the syntax")


def test_alarm_code_base_needs_a_numbering(tmp_path):
    path = write(tmp_path, "acme", MINIMAL + "defaults: {alarm_code_base: 0}\n")
    assert_refused(path, "defaults.alarm_code_base", "alarms.numbering.0")


def test_latched_code_without_its_flag_is_refused(tmp_path):
    text = MINIMAL.replace("outdoor_temp: ute", "alarm_code: BA91") + "alarms: {latched: true}\n"
    assert_refused(write(tmp_path, "acme", text), "alarms.latched", "map alarm_active")


def test_one_raw_read_as_two_kinds_of_value_is_refused(tmp_path):
    text = MINIMAL.replace("outdoor_temp: ute", "outdoor_temp: x\n      energy_electric: x")
    assert_refused(write(tmp_path, "acme", text), "metric energy_electric", "one kind of value only")


def test_a_raw_may_be_held_and_read_through_a_threshold_too(tmp_path):
    text = MINIMAL.replace("outdoor_temp: ute", "aux_heater_power: x\n      aux_heater_on: {above: {raw: x}}")
    provider = load_provider_file(write(tmp_path, "acme", text))
    assert provider.raw_reading("x", "name") == "hold" and provider.share_columns("x", "name")


def test_a_layout_with_registers_maps_every_name_by_its_id_too(tmp_path):
    text = MINIMAL.replace("    metrics:", "    registers: {ute: '0007'}\n    metrics:")
    provider = load_provider_file(write(tmp_path, "acme", text))
    assert provider.raw_names("register_id") == ("0007",)


def test_a_name_without_its_register_is_refused(tmp_path):
    text = MINIMAL.replace("    metrics:", "    registers: {other: '0008'}\n    metrics:")
    assert_refused(write(tmp_path, "acme", text), "layouts.acme.registers", "add ute: '<id>'")


def test_an_alarm_text_without_both_languages_is_refused(tmp_path):
    text = MINIMAL + "alarms:\n  table:\n    7: {en: Low flow, source: manual}\n"
    assert_refused(write(tmp_path, "acme", text), "alarms.table.7.sv", "translated: sv")


def test_all_problems_are_reported_at_once(tmp_path):
    text = MINIMAL.replace('"#445566"', "red").replace("outdoor_temp: ute", "outside_temp: ute")
    with pytest.raises(ProviderError) as err:
        load_provider_file(write(tmp_path, "acme", text))
    assert "colours.accent" in str(err.value) and "outside_temp" in str(err.value)


def test_raws_for_name_what_some_metrics_need():
    ivt = load_provider("ivt")
    assert set(ivt.raws_for(["alarm_code"], "register_id")) == {"BA91", "1A20"}
    assert set(ivt.raws_for(["compressor_on"], "register_id")) == {"1A01"}
    thermia = load_provider("thermia")
    assert {"r13", "r14", "r11"} <= set(thermia.raws_for(["alarm_active"], "name"))
