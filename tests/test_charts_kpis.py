"""The KPIs above the charts: every key present, rounded for reading, null where unknown."""
from __future__ import annotations

import json

import pandas as pd

from generator.analytics import Cycles, Energy, Heat, HotWater, Performance, Runtime, Summary
from generator.charts import build_kpis

KEYS = {"cop", "cop_method", "energy_electric_kwh", "energy_heat_kwh", "compressor_runtime_pct",
        "aux_heater_runtime_pct", "hot_water_share_pct", "compressor_starts", "compressor_starts_per_day",
        "avg_cycle_minutes", "cost", "currency", "outdoor_temp", "indoor_temp", "hot_water_temp",
        "spf_without_aux", "spf_space", "spf_hot_water", "hot_water_cycles"}


def summary(known: bool = True) -> Summary:
    value = (lambda v: v) if known else (lambda v: None)
    return Summary(
        heat=Heat(pd.Series(dtype=float), "delta_t" if known else None),
        energy=Energy(value(10.04), value(9.5), value(0.54), value(31.26), value(25.0), value(6.26),
                      value(21.22), value(8.0), value(2.04)),
        performance=Performance(value(3.113545), value(3.2333), value(3.125), value(3.0686)),
        runtime=Runtime(value(54.166), value(3.333), value(20.01), value(43.33), value(10.83), value(1.0),
                        value(44.8)),
        cycles=Cycles(value(12), value(2.9876), value(41.66)),
        hot_water=HotWater(value(3), value(25.5), value(6.26)),
        alarm_events=(),
        cost=value(15.0604),
        currency="SEK",
    )


def test_kpis_have_every_key_and_are_json():
    kpis = build_kpis(summary(), {"outdoor_temp": -3.26})
    assert set(kpis) == KEYS
    json.dumps(kpis, allow_nan=False)


def test_kpi_cop_is_the_energy_weighted_spf_to_two_decimals():
    kpis = build_kpis(summary(), {})
    assert kpis["cop"] == 3.11 and kpis["cop_method"] == "delta_t"
    assert (kpis["spf_without_aux"], kpis["spf_space"], kpis["spf_hot_water"]) == (3.23, 3.12, 3.07)


def test_kpis_are_rounded_for_reading():
    kpis = build_kpis(summary(), {"outdoor_temp": -3.26, "indoor_temp": 21.04, "hot_water_temp": 52.36})
    assert (kpis["outdoor_temp"], kpis["indoor_temp"], kpis["hot_water_temp"]) == (-3.3, 21.0, 52.4)
    assert (kpis["energy_electric_kwh"], kpis["energy_heat_kwh"]) == (10.0, 31.3)
    assert (kpis["compressor_runtime_pct"], kpis["aux_heater_runtime_pct"], kpis["hot_water_share_pct"]) == \
        (54.2, 3.3, 20.0)
    assert (kpis["compressor_starts"], kpis["compressor_starts_per_day"], kpis["avg_cycle_minutes"]) == \
        (12, 3.0, 41.7)
    assert (kpis["cost"], kpis["currency"], kpis["hot_water_cycles"]) == (15.06, "SEK", 3)


def test_unknown_figures_are_null():
    kpis = build_kpis(summary(known=False), {})
    assert {k for k, v in kpis.items() if v is not None} == {"currency"}


def test_a_nan_latest_value_is_null():
    assert build_kpis(summary(), {"outdoor_temp": float("nan")})["outdoor_temp"] is None
