"""A known run-length histogram in a real influxd: a collector writes the compressor state only when it
changes (as Husdata gateways and Home Assistant do) beside a once-a-minute outdoor temperature that keeps
it alive, through one two-hour-free gap; the generator publishes the 24h range and its cycling chart must
count exactly the runs and pauses laid out here, worked out by hand below."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.site import bundle_missing
from generator.sources.factory import make_cached_source

pytestmark = [pytest.mark.influxd,
              pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")]

NOW = datetime(2025, 2, 10, 12, 0, 30, tzinfo=timezone.utc)
START = pd.Timestamp("2025-02-09T12:00Z")   # the 24h window: [START, 2025-02-10T12:00Z), 2-minute buckets
END = START + pd.Timedelta(hours=24)
S = START + pd.Timedelta("1h58min30s")     # the first start, 90 s before an hour edge, mid-bucket
SILENT = (S + pd.Timedelta(minutes=300), S + pd.Timedelta(minutes=360))  # 18:58:30–19:58:30: nothing written


def t(minutes_after_s: float) -> pd.Timestamp:
    return S + pd.Timedelta(minutes=minutes_after_s)


# (time, state) as the collector writes them: only changes.
STATE = [
    (START - pd.Timedelta(minutes=30), 1),      # already running when the window begins …
    (START + pd.Timedelta("20min7s"), 0),       # … so this run is cut off: not in the histogram, no start
    (t(0), 1), (t(5), 0),                       # run 5 min   (13:58:30, across 14:00)
    (t(15), 1), (t(20), 0),                     # run 5 min
    (t(65), 1), (t(90), 0),                     # run 25 min
    (t(220), 1), (t(260), 0),                   # run 40 min
    # the collector is silent 18:58:30–19:58:30: the pause 18:18:30–20:38:30 has no known length
    (t(400), 1), (t(415), 0),                   # run 15 min
    (END - pd.Timedelta(minutes=30), 1),        # still running at the window's end: cut off
]
# By hand, bins [0,5) [5,10) [10,20) [20,30) [30,60) [60,120) [120,240) [240,∞) minutes:
RUNS = [0, 2, 1, 1, 1, 0, 0, 0]                # 5, 5 | 15 | 25 | 40
# pauses: 12:20:07–13:58:30 = 98.4 min, 10, 45, 130, and 20:53:30–11:30 = 876.5 min
PAUSES = [0, 0, 1, 0, 1, 1, 1, 1]
INCOMPLETE = 3                               # the run at the start, the pause across the gap, the run at the end
# starts at 13:58:30, 14:13:30, 15:03:30, 17:38:30, 20:38:30 and 11:30; the silence leaves 19:13–19:59
# uncovered (15 min after the last sample the collector counts as gone, back at 19:59:00)
STARTS = 6
UNCOVERED_H = 46 / 60


def lines() -> list[str]:
    out = [f"heatpump,name=compressor_on value={v} {int(ts.timestamp() * 1000)}" for ts, v in STATE]
    minute = START - pd.Timedelta(hours=2)
    while minute <= END:
        if not SILENT[0] <= minute < SILENT[1]:
            out.append(f"heatpump,name=outdoor_temp value=-4.5 {int(minute.timestamp() * 1000)}")
        minute += pd.Timedelta(minutes=1)
    return out


@pytest.fixture(scope="module")
def published(influxd, tmp_path_factory) -> dict[str, dict]:
    influxd.create_database("cycling")
    influxd.write("cycling", lines())
    public = tmp_path_factory.mktemp("public")
    cfg = load_config(None, {}).with_values(source__kind="influxql", source__url=influxd.url,
                                            source__database="cycling", output__public_dir=str(public),
                                            site__language="en", source__max_gap_s=900)
    ctx = make_context(cfg, make_cached_source(cfg))
    assert run_once(ctx, now=NOW, due=[BY_KEY["1h"], BY_KEY["24h"]]).ok
    manifest = json.loads((public / "manifest.json").read_bytes())
    return {key: json.loads((public / manifest["ranges"][key]["path"]).read_bytes()) for key in ("1h", "24h")}


def test_the_published_histograms_count_exactly_the_complete_runs_and_pauses(published):
    day = published["24h"]
    assert (day["from"], day["to"]) == ("2025-02-09T12:00:00Z", "2025-02-10T12:00:00Z")
    option = day["charts"]["cycling"]
    bars = {s["name"]: s["data"] for s in option["series"] if s["type"] == "bar"}
    assert bars == {"Runs": RUNS, "Pauses": PAUSES}
    assert (option["_meta"]["runs"], option["_meta"]["pauses"], option["_meta"]["incomplete"]) == (5, 5, INCOMPLETE)


def test_starts_per_hour_counts_each_start_once_in_its_hour_and_skips_the_hour_of_the_gap(published):
    option = published["24h"]["charts"]["cycling"]
    rows = {pd.Timestamp(ms, unit="ms", tz="UTC"): rate for ms, rate in option["dataset"]["source"]}
    assert len(rows) == 24
    hour = lambda h: START + pd.Timedelta(hours=h)  # noqa: E731
    started = {hour(1), hour(2), hour(3), hour(5), hour(8), hour(23)}   # 13:, 14:, 15:, 17:, 20:, 11:
    assert rows[hour(7)] is None                                      # 19:00–20:00: 14 min with data
    assert {h: r for h, r in rows.items() if h != hour(7)} == {h: (1.0 if h in started else 0.0)
                                                                for h in rows if h != hour(7)}


def test_the_kpi_flags_short_cycling_from_two_short_runs_of_five(published):
    kpis = published["24h"]["kpis"]
    assert kpis["short_cycling"] is True and kpis["short_run_share_pct"] == 40.0   # 2 of 5 under 10 min
    assert kpis["short_run_minutes"] == 10.0
    assert kpis["starts_per_hour"] == pytest.approx(STARTS / (24 - UNCOVERED_H), abs=0.01)


def test_the_hour_range_has_no_cycling_chart(published):
    assert "cycling" not in published["1h"]["charts"] and "cycling" in published["24h"]["charts"]
