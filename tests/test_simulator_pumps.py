"""The simulated heat pump's two circulation pumps (generator/sources/simulator.py, "Pumps"): the brine pump
runs with the compressor, the heating pump while the house needs heat and the valve is on heating.  Each
check reads only the sampled metrics a collector would see (compressor, valve, alarm, outdoor temperature),
never the simulator's internals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.sources.simulator import SAMPLE_SECONDS, sample

DAY_SAMPLES = 86400 // SAMPLE_SECONDS
# The house's demand is decided from what it felt up to a day before (six 2-hour marks, at a slot start up to
# 12 h back): 26 hours of outdoor readings cover every reading it can have felt.
FELT_WINDOW = 26 * 3600 // SAMPLE_SECONDS
# Demand = 240 W/K × (20.5 °C − felt) − 800 W: none from 17.17 °C felt up (the simulator's documented house).
NO_DEMAND_FROM_C = 20.5 - 800.0 / 240.0
SENSOR_SLACK_C = 0.2   # a sampled reading is the true air ± 0.15 K noise, rounded to 0.1 K


@pytest.fixture(scope="module")
def year() -> dict[str, np.ndarray]:
    t0 = int(pd.Timestamp("2024-07-01", tz="UTC").timestamp())
    t = np.arange(t0, t0 + 365 * 86400, SAMPLE_SECONDS, dtype=np.int64)
    return sample(t, seed=1, metrics=("outdoor_temp", "compressor_on", "switch_valve", "alarm_active",
                                      "brine_pump_on", "heating_pump_on"))


def test_both_pumps_are_on_off_states(year):
    for name in ("brine_pump_on", "heating_pump_on"):
        assert set(np.unique(year[name])) == {0.0, 1.0}, name


def test_the_brine_pump_runs_exactly_while_the_compressor_runs(year):
    np.testing.assert_array_equal(year["brine_pump_on"], year["compressor_on"])


def test_an_alarm_stops_the_brine_pump_but_not_the_heating_pump(year):
    alarm = year["alarm_active"] == 1
    assert alarm.sum() > 0, "the year must hold an alarm for this to say anything"
    assert not year["brine_pump_on"][alarm].any()
    cold_alarm = alarm & (pd.Series(year["outdoor_temp"]).rolling(FELT_WINDOW).max() < 16.0).to_numpy()
    if cold_alarm.any():  # a winter alarm: the radiators keep circulating
        assert year["heating_pump_on"][cold_alarm].all()


def test_the_heating_pump_stops_while_the_valve_sends_the_heat_to_the_tank(year):
    hot_water = year["switch_valve"] == 1
    assert hot_water.sum() > 365 * 40  # two or three charges a day
    assert not year["heating_pump_on"][hot_water].any()


def test_after_a_cold_day_the_heating_pump_runs_whenever_the_valve_is_on_heating(year):
    # Every reading of the last 26 h below 16 °C: the house felt less than 17.17 °C, so it needs heat.
    cold = (pd.Series(year["outdoor_temp"]).rolling(FELT_WINDOW).max() < NO_DEMAND_FROM_C - 1.0).to_numpy()
    assert cold.sum() > 200 * DAY_SAMPLES
    np.testing.assert_array_equal(year["heating_pump_on"][cold], 1.0 - year["switch_valve"][cold])


def test_the_heating_pump_rests_on_heating_only_after_warm_hours_and_does_in_summer(year):
    resting = (year["heating_pump_on"] == 0) & (year["switch_valve"] == 0)
    warmest = pd.Series(year["outdoor_temp"]).rolling(FELT_WINDOW).max().to_numpy()
    # No demand means the house felt 17.17 °C or more: some reading of the last 26 h was that warm (the
    # first 26 h of the sample have no such history: NaN, left out).
    known = ~np.isnan(warmest)
    assert (warmest[resting & known] >= NO_DEMAND_FROM_C - SENSOR_SLACK_C).all()
    july = slice(0, 31 * DAY_SAMPLES)
    assert resting[july].mean() > 0.1, "summer days need no heat for hours"
    january = slice(184 * DAY_SAMPLES, 215 * DAY_SAMPLES)
    assert resting[january].mean() == 0.0
