"""Known answers for the "all" range in a real influxd: fourteen local months (January 2025 to February
2026, Stockholm) of a collector that writes electrical power and heat output every ten minutes, each
constant through a month and changing at the local month's first midnight, with June 2025 missing
altogether (the collector was down).  Each month's kWh is its watts × its hours (March has 743, October
745), worked out here from the calendar; the same month a year before is January and February 2025."""
from __future__ import annotations

import pandas as pd
import pytest

from generator.build import build_range_document, make_context
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.sources.factory import make_cached_source, make_source
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

TZ = "Europe/Stockholm"
DB = "all_range"
FIRST = pd.Timestamp("2025-01-01", tz=TZ)
WRITTEN_UNTIL = pd.Timestamp("2026-03-05T12:00", tz=TZ)   # data of the open month too; "all" stops before it
NOW = WRITTEN_UNTIL + pd.Timedelta(minutes=5)
GAP = "2025-06"
STEP = pd.Timedelta(minutes=10)
MAX_GAP = pd.Timedelta(seconds=900)      # source.max_gap_s's default: the collector's silence limit


def month_starts() -> list[pd.Timestamp]:
    return list(pd.date_range(FIRST, pd.Timestamp("2026-03-01", tz=TZ), freq="MS"))


def watts(i: int) -> tuple[float, float]:
    """The i-th month's electrical power and heat output: 1000 + 100 i W at a COP of 3 + 0.1 i."""
    electric = 1000.0 + 100.0 * i
    return electric, electric * (3.0 + 0.1 * i)


def samples() -> list[tuple[pd.Timestamp, float, float]]:
    """(time, electric W, heat W) of every sample the collector writes."""
    starts = month_starts() + [pd.Timestamp("2026-04-01", tz=TZ)]
    out = []
    for i, (a, b) in enumerate(zip(starts[:-1], starts[1:])):
        if a.strftime("%Y-%m") != GAP:
            out += [(t, *watts(i)) for t in pd.date_range(a, min(b, WRITTEN_UNTIL), freq=STEP, inclusive="left")]
    return out


def booking_bound(i: int, which: int) -> float:
    """kWh a month's bar may differ from watts × hours by the data layer's booking (docs/decisions.md): an
    interval up to max_gap_s is booked to the bucket of its later sample, so one ten-minute interval at
    each of the month's two edges may move, at this or the month before's watts (and a silence's edge
    holds max_gap_s)."""
    most = max(watts(i)[which], watts(max(i - 1, 0))[which])
    return 2 * most * MAX_GAP.total_seconds() / 3600.0 / 1000.0


def steady(i: int) -> tuple[float, float]:
    """Month i's kWh as watts × its local hours: the figure the bars show within the booking's ten minutes."""
    a, b = month_starts()[i], month_starts()[i + 1]
    hours = (b - a).total_seconds() / 3600.0
    e, h = watts(i)
    return e * hours / 1000.0, h * hours / 1000.0


@pytest.fixture(scope="module")
def server(influxd: Influxd) -> Influxd:
    influxd.create_database(DB)
    lines: list[str] = []
    for t, e, h in samples():
        s = int(t.timestamp())
        lines += [f"heatpump,name=power_electric value={e} {s}", f"heatpump,name=heat_output value={h} {s}"]
    influxd.write(DB, lines, precision="s")
    return influxd


def all_document(server: Influxd, tmp_path, cached: bool) -> dict:
    cfg = load_config(None, environ={}).with_values(
        provider="generic", source__kind="influxql", source__url=server.url, source__database=DB,
        source__tag="name", site__timezone=TZ, output__public_dir=str(tmp_path))
    ctx = make_context(cfg, make_cached_source(cfg) if cached else make_source(cfg))
    return build_range_document(ctx, BY_KEY["all"], NOW.to_pydatetime(), None)


def table(document: dict) -> dict[str, dict[str, float | None]]:
    ds = document["charts"]["monthly"]["dataset"]
    names = ds["dimensions"]
    return {pd.Timestamp(row[0], unit="ms", tz="UTC").tz_convert(TZ).strftime("%Y-%m"): dict(zip(names, row))
            for row in ds["source"]}


@pytest.mark.parametrize("cached", [False, True], ids=["bare", "cached"])
def test_each_months_kwh_is_its_watts_times_its_local_hours(server, tmp_path, cached):
    document = all_document(server, tmp_path, cached)
    assert document["from"] == "2024-12-31T23:00:00Z" and document["to"] == "2026-02-28T23:00:00Z"
    got = table(document)
    assert sorted(got) == [s.strftime("%Y-%m") for s in month_starts()[:-1]]
    for i, start in enumerate(month_starts()[:-1]):
        month = start.strftime("%Y-%m")
        if month == GAP:
            continue
        e, h = steady(i)
        assert got[month]["month_electric_kwh"] == pytest.approx(e, abs=booking_bound(i, 0)), month
        assert got[month]["month_heat_kwh"] == pytest.approx(h, abs=booking_bound(i, 1)), month
        assert got[month]["month_covered_pct"] == 100, month
    # a steady month between steady months: exactly its 743 and 745 hours (the edges' bookings cancel
    # within 0.1 kWh): March 1200 W, October 1900 W
    assert got["2025-03"]["month_electric_kwh"] == pytest.approx(1200 * 743 / 1000, abs=0.06)
    assert got["2025-10"]["month_electric_kwh"] == pytest.approx(1900 * 745 / 1000, abs=0.06)
    assert got[GAP]["month_covered_pct"] == 0 and got[GAP]["month_electric_kwh"] < 0.2  # 5 min of May's hold


def test_january_and_february_2026_show_the_same_months_of_2025_beside_them(server, tmp_path):
    got = table(all_document(server, tmp_path, cached=False))
    assert got["2026-01"]["month_electric_kwh_last_year"] == pytest.approx(steady(0)[0], abs=booking_bound(0, 0))
    assert got["2026-02"]["month_heat_kwh_last_year"] == pytest.approx(steady(1)[1], abs=booking_bound(1, 1))
    assert got["2026-01"]["month_electric_kwh_last_year"] == got["2025-01"]["month_electric_kwh"]
    assert got["2025-12"]["month_electric_kwh_last_year"] is None      # before the history
    assert got["2026-02"]["month_cop"] == pytest.approx(3.0 + 0.1 * 13, abs=0.006)

