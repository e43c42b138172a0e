"""Each brand's naming read through a real influxd: Thermia via ThermIQ bit registers, IVT by register id
(latched alarm code), NIBE's priority enumeration.  Shares of bit/enum registers are exact when the
register is sampled at its changes (hold semantics)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.core.ranges import Window
from generator.sources.influxql import Connection, InfluxQLSource
from providers import load_provider
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

T0 = pd.Timestamp("2024-05-01T00:00Z")
HOURS = 6


def source(server: Influxd, db: str, provider: str, tag: str = "name") -> InfluxQLSource:
    return InfluxQLSource(Connection(server.url, db, None, None, None, None, 30.0), load_provider(provider), tag=tag)


def window() -> Window:
    return Window(T0 + pd.Timedelta(hours=1), T0 + pd.Timedelta(hours=HOURS - 1), "15min", "Europe/Stockholm")


def every(step_s: int) -> np.ndarray:
    return np.arange(int(T0.timestamp()), int(T0.timestamp()) + HOURS * 3600, step_s)


def r10(t: int) -> int:
    """ThermIQ status bits: compressor (0x02) runs :00–:20 of each hour, hot water (0x08) :40–:50; brine pump always."""
    m = (t % 3600) / 60
    return 0x01 | (0x02 if m < 20 else 0) | (0x08 if 40 <= m < 50 else 0)


@pytest.fixture(scope="module")
def thermiq(influxd: Influxd) -> Influxd:
    influxd.create_database("thermiq")
    lines = [f"heatpump,name=r10 value={r10(t)} {t}" for t in every(30)]
    lines += [f"heatpump,name=r00 value={(t % 3600) / 100} {t}" for t in every(60)]
    influxd.write("thermiq", lines, precision="s")
    return influxd


def test_thermia_thermiq_bits_give_exact_time_shares(thermiq: Influxd):
    frame = source(thermiq, "thermiq", "thermia").series(window(), bands=False)
    quarters = frame.index.minute
    expected_comp = np.where(quarters == 0, 1.0, np.where(quarters == 15, 1 / 3, 0.0))
    assert np.allclose(frame["compressor_on"].to_numpy(), expected_comp)
    expected_valve = np.where(quarters >= 30, 1 / 3, 0.0)  # :40–:45 and :45–:50
    assert np.allclose(frame["switch_valve"].to_numpy(), expected_valve)
    assert frame["outdoor_temp"].notna().all()


def test_thermia_bit_state_changes_are_exact(thermiq: Influxd):
    w = window()
    changes = source(thermiq, "thermiq", "thermia").state_changes(w, ["compressor_on"])["compressor_on"]
    hours = pd.date_range(w.start, w.end, freq="1h", inclusive="left")
    want = [w.start] + [t for h in hours for t in (h + pd.Timedelta(minutes=20), h + pd.Timedelta(hours=1))
                        if t < w.end]
    assert list(changes.index) == want
    assert list(changes.to_numpy()) == [1.0] + [0.0, 1.0] * ((len(want) - 1) // 2) + [0.0] * ((len(want) - 1) % 2)


@pytest.fixture(scope="module")
def ivt(influxd: Influxd) -> Influxd:
    influxd.create_database("ivt")
    lines = [f"heatpump,register_id=0002,name=radiator_forward value={30 + (t % 900) / 90} {t}" for t in every(60)]
    # BA91 keeps the last alarm (3); 1A20 says whether an alarm is active: from 02:00 to 03:00.
    lines += [f"heatpump,register_id=BA91,name=alarm_code value=3 {t}" for t in every(60)]
    lines += [f"heatpump,register_id=1A20,name=alarm_status value={1 if 7200 <= t - T0.timestamp() < 10800 else 0} {t}"
              for t in every(60)]
    influxd.write("ivt", lines, precision="s")
    return influxd


def test_ivt_by_register_id_reads_means_and_latched_alarm_changes(ivt: Influxd):
    src = source(ivt, "ivt", "ivt", tag="register_id")
    frame = src.series(window(), bands=True)
    assert np.allclose(frame["supply_temp"].to_numpy(), 30 + np.mean(np.arange(0, 900, 60)) / 90)
    assert "supply_temp:min" in frame
    changes = src.state_changes(window(), ["alarm_code"])["alarm_code"]
    assert list(changes.index) == [window().start, T0 + pd.Timedelta(hours=2), T0 + pd.Timedelta(hours=3)]
    assert list(changes.to_numpy()) == [0.0, 3.0, 0.0]
    assert src.latest().alarm_codes == ()  # the flag is 0 at the end: the latched code is not active


@pytest.fixture(scope="module")
def nibe(influxd: Influxd) -> Influxd:
    influxd.create_database("nibe")
    # Priority 20 (hot water) from :00 to :05 of every quarter hour, else 30 (heating); written on change
    # plus every 10 minutes, so samples are uneven.
    times = sorted(set(every(600)) | {t for t in every(300) if t % 900 in (0, 300)})
    lines = [f"heatpump,name=prio-43086 value={20 if t % 900 < 300 else 30} {t}" for t in times]
    influxd.write("nibe", lines, precision="s")
    return influxd


def test_nibe_priority_enum_gives_the_hot_water_share(nibe: Influxd):
    frame = source(nibe, "nibe", "nibe").series(window(), bands=False)
    assert np.allclose(frame["switch_valve"].to_numpy(), 1 / 3)
