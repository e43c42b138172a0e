"""Value transforms as data: scale, bit masks, enumerations, sums, add-heat % × step power — on fixed
inputs, per sample and from the share columns a source delivers for bucketed data."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from providers import load_provider
from providers.transforms import Bits, Direct, Enum

T = pd.date_range("2024-01-01", periods=3, freq="1min", tz="UTC")



def test_scale_multiplies_the_raw_value():
    nibe = load_provider("nibe")
    kw = [0.0, 1.5, 3.25]
    out = nibe.to_canonical(pd.DataFrame({"int-el-add-power-43084": kw}, index=T), "name")
    assert out["aux_heater_power"].tolist() == [v * 1000 for v in kw]


def test_band_columns_of_temperatures_follow_their_metric():
    nibe = load_provider("nibe")
    raw = pd.DataFrame({"bt1-outdoor-temperature-40004": [-2.0], "bt1-outdoor-temperature-40004:min": [-4.0],
                        "bt1-outdoor-temperature-40004:max": [0.5]}, index=T[:1])
    out = nibe.to_canonical(raw, "name")
    assert out.loc[T[0], ["outdoor_temp", "outdoor_temp:min", "outdoor_temp:max"]].tolist() == [-2.0, -4.0, 0.5]


def test_bit_mask_maps_each_sample():
    status = [0x02 | 0x01, 0x08, 0x80]  # compressor+brine pump, hot water, aux 1
    out = load_provider("thermia").to_canonical(pd.DataFrame({"r10": status}, index=T), "name")
    assert out["compressor_on"].tolist() == [1.0, 0.0, 0.0]
    assert out["switch_valve"].tolist() == [0.0, 1.0, 0.0]
    assert out["aux_heater_on"].tolist() == [0.0, 0.0, 1.0]


def test_bit_share_columns_are_used_as_they_come():
    shares = {Bits("r10", 0x02).shares()[0].column: [0.25, 1.0], "r10": [3.0, 2.0]}  # the mean "r10" must be ignored
    out = load_provider("thermia").to_canonical(pd.DataFrame(shares, index=T[:2]), "name")
    assert out["compressor_on"].tolist() == [0.25, 1.0]


def test_bit_fields_give_several_alarms_at_once():
    thermia = load_provider("thermia")
    latest = {"r13": 0x01 | 0x08, "r14": 0x20}  # high pressure + low brine flow, wrong phase order
    assert thermia.active_alarms(latest, "name") == (1301, 1304, 1406)
    assert thermia.alarm_text(1304, "sv") == "Larm lågflöde brine"
    out = thermia.to_canonical(pd.DataFrame({k: [float(v)] for k, v in latest.items()}, index=T[:1]), "name")
    assert out["alarm_active"].iloc[0] == 1.0
    assert out["alarm_code"].iloc[0] == 1301  # the lowest code stands for the bucket


def test_enumeration_maps_each_sample_not_the_mean():
    prio = [20.0, 30.0, 10.0]  # hot water, heating, off
    out = load_provider("nibe").to_canonical(pd.DataFrame({"prio-43086": prio}, index=T), "name")
    assert out["switch_valve"].tolist() == [1.0, 0.0, 0.0]
    state = [60.0, 20.0, 40.0]  # running, stopped, starting: the compressor turns while starting
    out = load_provider("nibe").to_canonical(pd.DataFrame({"compressor-state-ep14-43427": state}, index=T), "name")
    assert out["compressor_on"].tolist() == [1.0, 0.0, 1.0]


def test_enumeration_share_columns_replace_bucket_means():
    # A bucket with half priority 20 and half 30 has mean 25: the share column says 0.5 hot water.
    raw = pd.DataFrame({"prio-43086": [25.0], Enum("prio-43086", (20.0,)).shares()[0].column: [0.5]}, index=T[:1])
    assert load_provider("nibe").to_canonical(raw, "name")["switch_valve"].iloc[0] == 0.5


def test_sum_adds_compressor_input_and_internal_add_heat_both_in_kw():
    compressor_kw, add_heat_kw = [1.5, 1.6], [0.0, 3.0]
    raw = pd.DataFrame({"compr-in-power-43141": compressor_kw, "int-el-add-power-43084": add_heat_kw}, index=T[:2])
    out = load_provider("nibe").to_canonical(raw, "name")
    assert out["power_electric"].tolist() == pytest.approx([(c + a) * 1000 for c, a in zip(compressor_kw, add_heat_kw)])


def test_s_series_compressor_input_is_in_watts_and_add_heat_in_kw():
    raw = pd.DataFrame({"compressor-power-input-31049": [1450.0], "power-internal-additional-heat-31028": [3.0]},
                       index=T[:1])
    assert load_provider("nibe").to_canonical(raw, "name")["power_electric"].iloc[0] == 4450.0


def test_sum_is_missing_where_a_term_is_missing():
    raw = pd.DataFrame({"compr-in-power-43141": [1.5, 1.5], "int-el-add-power-43084": [0.0, np.nan]}, index=T[:2])
    out = load_provider("nibe").to_canonical(raw, "name")
    assert out["power_electric"].iloc[0] == 1500.0 and math.isnan(out["power_electric"].iloc[1])


def test_total_heat_is_heating_plus_hot_water_meters():
    heating, hot_water = [1000.0, 1002.5], [400.0, 400.5]
    raw = pd.DataFrame({"heat-meter-heat-cpr-and-add-ep14-44300": heating,
                        "heat-meter-hw-cpr-and-add-ep14-44298": hot_water}, index=T[:2])
    out = load_provider("nibe").to_canonical(raw, "name")
    assert out["energy_heat"].tolist() == [h + w for h, w in zip(heating, hot_water)]
    assert out["energy_heat_hot_water"].tolist() == hot_water


def test_add_heat_percent_times_configured_steps_gives_power():
    ivt = load_provider("ivt")
    percent = [0.0, 50.0, 100.0]
    out = ivt.to_canonical(pd.DataFrame({"additional_heat_percent": percent}, index=T), "name")
    total = sum(ivt.defaults.aux_step_w)
    assert out["aux_heater_power"].tolist() == [p / 100 * total for p in percent]
    smaller = load_provider("ivt", {"aux_step_w": [1000, 2000]})
    out = smaller.to_canonical(pd.DataFrame({"additional_heat_percent": percent}, index=T), "name")
    assert out["aux_heater_power"].tolist() == [p / 100 * 3000 for p in percent]


def test_add_heat_steps_times_configured_step_power():
    thermia = load_provider("thermia")
    step_3kw, step_6kw = thermia.defaults.aux_step_w
    r0d = [0x00, 0x01, 0x03]
    out = thermia.to_canonical(pd.DataFrame({"r0d": r0d}, index=T), "name")
    assert out["aux_heater_power"].tolist() == [0.0, step_3kw, step_3kw + step_6kw]


def test_without_step_powers_add_heat_percent_is_not_guessed():
    ivt = load_provider("ivt", {"aux_step_w": []})
    out = ivt.to_canonical(pd.DataFrame({"additional_heat_percent": [50.0]}, index=T[:1]), "name")
    assert "aux_heater_power" not in out


def test_missing_samples_stay_missing():
    nan = float("nan")
    assert Bits("r", 2).apply(pd.DataFrame({"r": [nan, 2.0]})).isna().tolist() == [True, False]
    assert Enum("p", (20.0,)).apply(pd.DataFrame({"p": [nan, 20.0]})).isna().tolist() == [True, False]
    assert Direct("x", 0.1).apply(pd.DataFrame({"y": [1.0]})) is None


# --- NIBE: three ways in, one set of canonical metrics -----------------------------------------------
NIBE_PATHS = {
    "H66 names": ("name", {"outdoor_temp": -5.0, "heat_carrier_forward": 35.0, "heat_carrier_return": 30.0,
                           "hot_water_top": 48.0, "brine_in_evaporator": 2.0, "brine_out_condenser": -1.0,
                           "compressor_status": 1.0, "switch_valve_status": 1.0}),
    "H66 ids": ("register_id", {"0007": -5.0, "0004": 35.0, "0003": 30.0, "0009": 48.0, "0005": 2.0,
                                "0006": -1.0, "1A01": 1.0, "1A07": 1.0}),
    "F-series names": ("name", {"bt1-outdoor-temperature-40004": -5.0, "bt2-supply-temp-s1-40008": 35.0,
                                "eb100-ep14-bt3-return-temp-40012": 30.0, "bt7-hw-top-40013": 48.0,
                                "eb100-ep14-bt10-brine-in-temp-40015": 2.0,
                                "eb100-ep14-bt11-brine-out-temp-40016": -1.0,
                                "compressor-state-ep14-43427": 60.0, "prio-43086": 20.0}),
    "F-series ids": ("register_id", {"40004": -5.0, "40008": 35.0, "40012": 30.0, "40013": 48.0, "40015": 2.0,
                                     "40016": -1.0, "43427": 60.0, "43086": 20.0}),
    "S-series names": ("name", {"current-outdoor-temperature-bt1-30002": -5.0, "supply-line-bt2-30006": 35.0,
                                "return-line-bt3-30008": 30.0, "hot-water-top-bt7-30009": 48.0,
                                "brine-in-bt10-30011": 2.0, "brine-out-bt11-30012": -1.0, "priority-31029": 20.0,
                                "compressor-status-31101": 1.0}),
    "S-series ids": ("register_id", {"30002": -5.0, "30006": 35.0, "30008": 30.0, "30009": 48.0, "30011": 2.0,
                                     "30012": -1.0, "31029": 20.0, "31101": 1.0}),
}
EXPECTED = {"outdoor_temp": -5.0, "supply_temp": 35.0, "return_temp": 30.0, "hot_water_temp": 48.0,
            "brine_in_temp": 2.0, "brine_out_temp": -1.0, "switch_valve": 1.0}


@pytest.mark.parametrize("path", NIBE_PATHS)
def test_nibe_maps_every_path_to_the_same_canonical_metrics(path):
    tag, values = NIBE_PATHS[path]
    nibe = load_provider("nibe")
    assert set(values) <= set(nibe.raw_names(tag))
    out = nibe.to_canonical(pd.DataFrame({k: [v] for k, v in values.items()}, index=T[:1]), tag)
    assert {m: out[m].iloc[0] for m in EXPECTED} == EXPECTED
    assert out["compressor_on"].iloc[0] == 1.0
    assert (out["heat_carrier_supply_temp"].iloc[0], out["heat_carrier_return_temp"].iloc[0]) == (35.0, 30.0)


def test_nibe_alarm_code_on_every_path():
    nibe = load_provider("nibe")
    for tag, raw in (("name", "alarm-45001"), ("name", "alarm-number-31976"), ("register_id", "2A20"),
                     ("register_id", "45001"), ("register_id", "31976"), ("name", "alarm_code")):
        assert nibe.active_alarms({raw: 251}, tag) == (251,)
        assert nibe.active_alarms({raw: 0}, tag) == ()
