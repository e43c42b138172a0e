"""The simulated heat pump's lifetime counters (generator/sources/simulator.py, counters()): what its
controller's register ticks read, and how close that comes to the 30 s samples a collector records."""
from __future__ import annotations

import numpy as np
import pytest

from generator.sources import simulator
from generator.sources.simulator import SAMPLE_SECONDS, sample
from tests.test_simulator import epoch, grid


@pytest.fixture(scope="module")
def winter_week() -> dict[str, np.ndarray]:
    return sample(grid("2025-01-13", 7), seed=1, metrics=["compressor_on"])


TICK = simulator.REGISTER_SECONDS


def ticks_between(t1: int, t2: int) -> np.ndarray:
    """The register ticks t1 ≤ g < t2."""
    return np.arange(-(-t1 // TICK) * TICK, t2, TICK)


def test_counters_increase_by_what_the_register_ticks_between_two_instants_read():
    t1, t2 = epoch("2025-01-13T05:17:00"), epoch("2025-01-16T19:03:30")   # not on day, span or tick edges
    seen = sample(ticks_between(t1, t2), seed=1, metrics=["compressor_on", "switch_valve", "aux_heater_on"])
    before, after = simulator.counters(t1, 1), simulator.counters(t2, 1)
    assert seen["compressor_on"].sum() * TICK / 3600 > 20   # a winter stretch: the check has something to count
    for counter, metric in (("compressor_hours_total", "compressor_on"),
                            ("compressor_hours_hot_water_total", "switch_valve"),
                            ("aux_heater_hours_total", "aux_heater_on")):
        assert after[counter] - before[counter] == pytest.approx(seen[metric].sum() * TICK / 3600, abs=1e-9), counter


def test_compressor_starts_count_every_start_the_register_ticks_see():
    t1, t2 = epoch("2025-03-02T11:00:30"), epoch("2025-03-09T02:00:00")
    on = sample(ticks_between(t1 - TICK, t2), seed=1, metrics=["compressor_on"])["compressor_on"]
    starts = int(np.count_nonzero(np.diff(on) == 1))
    assert starts > 10
    assert simulator.counters(t2, 1)["compressor_starts_total"] - simulator.counters(t1, 1)["compressor_starts_total"] == starts


def test_a_winters_counters_match_the_30_second_samples_runtime_and_starts(winter_week):
    """The ticks are the controller's; the 30 s samples are what a collector records: over a week of
    winter they agree to within a start and a tick per run."""
    t, on = grid("2025-01-13", 7), winter_week["compressor_on"]
    before, after = simulator.counters(int(t[0]), 1), simulator.counters(int(t[-1]), 1)
    starts = int(np.count_nonzero(np.diff(on) == 1))
    assert starts > 10
    assert abs(after["compressor_starts_total"] - before["compressor_starts_total"] - starts) <= 1
    runtime_h = on[1:].sum() * SAMPLE_SECONDS / 3600
    assert after["compressor_hours_total"] - before["compressor_hours_total"] == pytest.approx(runtime_h, abs=starts * TICK / 3600)


def test_counters_never_fall_and_start_at_the_installation():
    assert set(simulator.counters(simulator.INSTALLED_S - 86400, 1).values()) == {0.0}
    readings = [simulator.counters(epoch(day), 1) for day in ("2024-10-01", "2025-02-01", "2025-07-01", "2026-01-15")]
    for name in simulator.COUNTERS:
        values = [r[name] for r in readings]
        assert values == sorted(values) and values[-1] > 0, name   # add-heat: none before the first cold spell


def test_a_year_of_counters_looks_like_a_swedish_ground_source_pump():
    """3,000–5,000 compressor hours a year and a few starts a day (the calibration in the docstring)."""
    year = {k: simulator.counters(epoch("2026-01-01"), 1)[k] - simulator.counters(epoch("2025-01-01"), 1)[k]
            for k in simulator.COUNTERS}
    assert 3000 < year["compressor_hours_total"] < 5000
    assert 2 * 365 < year["compressor_starts_total"] < 8 * 365
    assert 0.1 < year["compressor_hours_hot_water_total"] / year["compressor_hours_total"] < 0.3
    assert 2.8 < year["energy_heat"] / year["energy_electric"] < 4.2    # the year's SPF
