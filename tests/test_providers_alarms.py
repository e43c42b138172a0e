"""Alarms: latched codes, code numbering, sourced texts and the 'Larm <code>' fallback."""
from __future__ import annotations

import pandas as pd
import pytest

from providers import load_provider

T = pd.date_range("2024-01-01", periods=3, freq="1min", tz="UTC")


def test_ivt_last_alarm_counts_only_while_the_alarm_flag_is_set():
    ivt = load_provider("ivt")
    assert ivt.active_alarms({"BA91": 3, "1A20": 1}, "register_id") == (3,)
    assert ivt.active_alarms({"BA91": 3, "1A20": 0}, "register_id") == ()
    assert ivt.active_alarms({"BA91": 3}, "register_id") == ()  # no flag, no claim


def test_ivt_last_alarm_series_is_zero_while_the_flag_is_clear():
    raw = pd.DataFrame({"alarm_code": [3.0, 3.0, 3.0], "alarm_status": [0.0, 1.0, 0.0]}, index=T)
    out = load_provider("ivt").to_canonical(raw, "name")
    assert out["alarm_code"].tolist() == [0.0, 3.0, 0.0]
    assert out["alarm_active"].tolist() == [0.0, 1.0, 0.0]


def test_ivt_husdata_codes_count_from_one():
    ivt = load_provider("ivt")  # alarm_code_base 1 in ivt.yaml
    assert ivt.active_alarms({"BA91": 3, "1A20": 1}, "register_id") == (3,)
    assert ivt.alarm_text(3, "en") == "Hot water sensor GT3"
    assert ivt.active_alarms({"BA91": 0, "1A20": 1}, "register_id") == ()


def test_raw_rego_codes_count_from_zero_and_255_means_none():
    rego = load_provider("ivt", {"alarm_code_base": 0})
    assert rego.active_alarms({"BA91": 2, "1A20": 1}, "register_id") == (3,)  # 0-based 2 = GT3
    assert rego.alarm_text(3, "en") == "Hot water sensor GT3"
    assert rego.active_alarms({"BA91": 0, "1A20": 1}, "register_id") == (1,)  # 0 is GT1, not "none"
    assert rego.active_alarms({"BA91": 255, "1A20": 1}, "register_id") == ()


def test_sourced_text_and_our_translation_are_marked():
    info = load_provider("ivt").alarm_info(15)
    assert info.text_en == "High pressure switch HP" and info.translated == "sv"
    assert "Husdata" in info.source
    assert info.severity is None  # no source gives a severity
    thermia = load_provider("thermia").alarm_info(1301)
    assert thermia.translated is None  # ThermIQ ships both languages


@pytest.mark.parametrize("brand, code", [("nibe", 42), ("generic", 7), ("ivt", 99)])
def test_unknown_codes_show_the_code(brand, code):
    provider = load_provider(brand)
    assert provider.alarm_info(code) is None
    assert provider.alarm_text(code, "sv") == f"Larm {code}"
    assert provider.alarm_text(code, "en") == f"Alarm {code}"


def test_unverified_codes_show_the_code_not_the_circulating_text():
    thermia = load_provider("thermia")
    info = thermia.alarm_info(10)
    assert info is not None and not info.verified
    assert thermia.alarm_text(10, "sv") == "Larm 10"
    assert thermia.alarm_text(10, "en") == "Alarm 10"


def test_alarm_text_refuses_an_unknown_language():
    with pytest.raises(ValueError):
        load_provider("nibe").alarm_text(251, "de")
