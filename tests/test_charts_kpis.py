"""The KPIs above the charts: every key present, rounded for reading, null where unknown."""
from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd

from generator.analytics import (
    Coverage,
    Cycles,
    Cycling,
    Energy,
    Heat,
    HotWater,
    Performance,
    Runtime,
    Summary,
)
from generator.charts import build_kpis

KEYS = {"cop", "cop_method", "cop_basis", "flow_factor_kw_per_k", "cop_plausible", "carnot_spf", "carnot_cop",
        "carnot_share_pct",
        "energy_electric_kwh", "energy_heat_kwh", "energy_electric_kwh_per_day", "energy_heat_kwh_per_day",
        "compressor_runtime_pct", "aux_heater_runtime_pct", "hot_water_share_pct", "compressor_starts",
        "compressor_starts_per_day", "avg_cycle_minutes", "cost", "currency", "outdoor_temp", "indoor_temp",
        "hot_water_temp", "spf_without_aux", "spf_space", "spf_hot_water", "hot_water_cycles", "covered_hours",
        "coverage_pct", "covered_from", "covered_to", "tariff", "cost_per_day", "cost_per_heat_kwh",
        "cost_direct_electric", "cost_saving", "short_cycling", "short_run_share_pct", "short_run_minutes",
        "starts_per_hour", "heat_loss_w_per_k", "balance_temp_c"}
T = pd.Timestamp("2026-01-10T00:00Z")


def summary(known: bool = True) -> Summary:
    value = (lambda v: v) if known else (lambda v: None)
    return Summary(
        heat=Heat(pd.Series(dtype=float), "delta_t" if known else None, "heat_carrier" if known else None,
                  value(1.1)),
        energy=Energy(value(10.04), value(9.5), value(0.54), value(31.26), value(25.0), value(6.26),
                      value(21.22), value(8.0), value(2.04)),
        performance=Performance(value(3.113545), value(3.2333), value(3.125), value(3.0686), value(7.91), value(True)),
        runtime=Runtime(value(54.166), value(3.333), value(20.01), value(43.33), value(10.83), value(1.0),
                        value(44.8)),
        cycles=Cycles(value(12), value(2.9876), value(41.66)),
        hot_water=HotWater(value(3), value(25.5), value(6.26)),
        alarm_events=(),
        coverage=Coverage(96.123 if known else 0.0, 0.5716 if known else 0.0, T if known else None,
                          T + pd.Timedelta(days=4) if known else None),
        electric_kwh_per_day=value(2.51),
        heat_kwh_per_day=value(7.815),
        outdoor_mean=value(-3.26),
        cost=value(15.0604),
        currency="SEK",
    )


def test_kpis_have_every_key_and_are_json():
    kpis = build_kpis(summary(), {})
    assert set(kpis) == KEYS
    json.dumps(kpis, allow_nan=False)


def test_kpi_cop_is_the_energy_weighted_spf_to_two_decimals_and_says_how_heat_is_known():
    kpis = build_kpis(summary(), {})
    assert kpis["cop"] == 3.11 and kpis["cop_method"] == "delta_t" and kpis["cop_basis"] == "heat_carrier"
    assert kpis["flow_factor_kw_per_k"] == 1.1 and kpis["cop_plausible"] is True and kpis["carnot_spf"] == 7.91
    assert (kpis["spf_without_aux"], kpis["spf_space"], kpis["spf_hot_water"]) == (3.23, 3.12, 3.07)


def test_kpis_are_rounded_for_reading():
    kpis = build_kpis(summary(), {"indoor_temp": 21.04, "hot_water_temp": 52.36})
    assert (kpis["outdoor_temp"], kpis["indoor_temp"], kpis["hot_water_temp"]) == (-3.3, 21.0, 52.4)
    assert (kpis["energy_electric_kwh"], kpis["energy_heat_kwh"]) == (10.0, 31.3)
    assert (kpis["energy_electric_kwh_per_day"], kpis["energy_heat_kwh_per_day"]) == (2.5, 7.8)
    assert (kpis["compressor_runtime_pct"], kpis["aux_heater_runtime_pct"], kpis["hot_water_share_pct"]) == \
        (54.2, 3.3, 20.0)
    assert (kpis["compressor_starts"], kpis["compressor_starts_per_day"], kpis["avg_cycle_minutes"]) == \
        (12, 3.0, 41.7)
    assert (kpis["cost"], kpis["currency"], kpis["hot_water_cycles"]) == (15.06, "SEK", 3)


def test_the_covered_time_of_the_range_is_stated():
    kpis = build_kpis(summary(), {})
    assert (kpis["covered_hours"], kpis["coverage_pct"]) == (96.12, 57.2)
    assert (kpis["covered_from"], kpis["covered_to"]) == ("2026-01-10T00:00:00Z", "2026-01-14T00:00:00Z")


def test_unknown_figures_are_null():
    kpis = build_kpis(summary(known=False), {})
    assert {k for k, v in kpis.items() if v is not None} == {"currency", "tariff", "covered_hours", "coverage_pct"}


def test_a_nan_mean_is_null():
    assert build_kpis(summary(), {"indoor_temp": float("nan")})["indoor_temp"] is None


def test_the_short_cycling_kpi_says_the_verdict_with_the_figures_behind_it():
    cycling = Cycling((5.0, 5.0, 25.0, 40.0), (30.0, 20.0, 25.0), 2, pd.Series(dtype=float), 1.0 / 0.75, 50.0,
                      True, 10.0)
    kpis = build_kpis(replace(summary(), cycling=cycling), {})
    assert (kpis["short_cycling"], kpis["short_run_share_pct"], kpis["short_run_minutes"],
            kpis["starts_per_hour"]) == (True, 50.0, 10.0, 1.33)
    assert build_kpis(summary(), {})["short_cycling"] is None  # no compressor state: not known
