"""Data we did not write, in a real influxd: a shard where the field holds text, a value of 1.7e308, one
name in two series, samples stamped in the future.  Each range still draws the rest, and says what it
left out (data quality) naming the series and when; the figures equal those of the same data without
the bad samples."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pandas as pd
import pytest

from generator.build import build_range_document, make_context
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.sources.factory import make_cached_source, make_source
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

DAY_MS = 86_400_000
STEP_MS = 300_000   # a sample every 5 minutes


def now_ms() -> int:
    return int(time.time()) * 1000


def good_lines(since_ms: int, until_ms: int, extra_tags: str = "", outdoor: float = 3.2) -> list[str]:
    """A running pump: outdoor temperature, 2 kW electric power, compressor on, every 5 minutes."""
    start = since_ms - since_ms % STEP_MS
    return [line for t in range(start, until_ms, STEP_MS) for line in (
        f"heatpump,name=outdoor_temp{extra_tags} value={outdoor} {t}",
        f"heatpump,name=power_electric{extra_tags} value=2000 {t}",
        f"heatpump,name=compressor_on{extra_tags} value=1 {t}")]


def database(influxd: Influxd, name: str, *parts: list[str]) -> str:
    influxd.query(f'DROP DATABASE "{name}"')
    influxd.create_database(name)
    for lines in parts:
        influxd.write(name, lines)
    return name


def read(influxd: Influxd, db: str, key: str, cached: bool = False) -> dict:
    cfg = load_config(None, environ={}).with_values(provider="generic", source__kind="influxql",
                                                    source__url=influxd.url, source__database=db)
    source = make_cached_source(cfg) if cached else make_source(cfg)
    ctx = make_context(cfg, source)
    latest = source.latest()
    document = build_range_document(ctx, BY_KEY[key], datetime.now(timezone.utc), latest)
    document["latest"] = latest
    return document


def problems(document: dict, code: str) -> list[dict]:
    return [p for p in document["data_quality"] if p["code"] == code]


def test_a_shard_where_the_field_holds_text_leaves_the_rest_of_30d_and_365d_drawn(influxd):
    now = now_ms()
    # The week 25 days ago holds one text sample: InfluxDB then refuses numbers in that shard, so the
    # collector's numbers of that week were lost; the last ten days are fine.
    broken_at = now - 25 * DAY_MS
    db = database(influxd, "text_shard", [f'heatpump,name=outdoor_temp value="ERR" {broken_at}'],
                  good_lines(now - 10 * DAY_MS, now))
    for key in ("30d", "365d"):
        document = read(influxd, db, key, cached=True)
        assert document["kpis"]["outdoor_temp"] == pytest.approx(3.2)
        assert document["kpis"]["energy_electric_kwh"] == pytest.approx(2.0 * document["kpis"]["covered_hours"], rel=0.01)
        [problem] = problems(document, "text_values")
        assert problem["params"]["series"] == "outdoor_temp" and problem["params"]["count"] == 1
        first = pd.Timestamp(problem["params"]["first"])
        assert first <= pd.Timestamp(broken_at, unit="ms", tz="UTC") < first + pd.Timedelta(days=1), key
        assert "outdoor_temp" in problem["text"]


def test_a_value_of_1_7e308_is_left_out_and_every_range_still_draws(influxd):
    now = now_ms()
    spike = now - 2 * DAY_MS - 7 * STEP_MS + 1000
    clean = database(influxd, "clean", good_lines(now - 3 * DAY_MS, now))
    spiked = database(influxd, "spiked", good_lines(now - 3 * DAY_MS, now),
                      [f"heatpump,name=power_electric value=1.7e308 {spike}"])
    for key in ("24h", "7d", "30d"):
        want, got = read(influxd, clean, key)["kpis"], read(influxd, spiked, key)
        assert got["kpis"]["energy_electric_kwh"] == pytest.approx(want["energy_electric_kwh"], rel=0.002), key
    [problem] = problems(read(influxd, spiked, "7d"), "absurd_values")
    assert problem["params"]["series"] == "power_electric" and problem["params"]["count"] == 1


def test_one_name_in_two_series_is_read_from_the_newest_and_said(influxd):
    now = now_ms()
    db = database(influxd, "two_series",
                  good_lines(now - 3 * DAY_MS, now, ",host=new", outdoor=3.2),
                  good_lines(now - 3 * DAY_MS, now - 1 * DAY_MS - STEP_MS, ",host=old", outdoor=12.5))
    for key in ("24h", "7d"):
        document = read(influxd, db, key, cached=True)
        assert document["kpis"]["outdoor_temp"] == pytest.approx(3.2), key
        assert document["kpis"]["energy_electric_kwh"] == pytest.approx(2.0 * document["kpis"]["covered_hours"], rel=0.01)
    latest = document["latest"]
    assert latest.values["outdoor_temp"] == pytest.approx(3.2)
    said = {p.params["series"]: p for p in latest.quality if p.code == "duplicate_series"}
    assert set(said) == {"outdoor_temp", "power_electric", "compressor_on"}
    assert said["outdoor_temp"].params == {"series": "outdoor_temp", "count": 2, "using": "host=new"}


def test_samples_stamped_in_the_future_do_not_hide_the_newest_real_one(influxd):
    now = now_ms()
    db = database(influxd, "future", good_lines(now - DAY_MS, now - 60_000),
                  [f"heatpump,name=outdoor_temp value=-40 {now + 10 * 60_000}"])
    document = read(influxd, db, "24h")
    latest = document["latest"]
    assert latest.values["outdoor_temp"] == pytest.approx(3.2)
    assert latest.at <= pd.Timestamp(now, unit="ms", tz="UTC")
    [problem] = [p for p in latest.quality if p.code == "future_samples"]
    assert problem.params == {"series": "outdoor_temp", "count": 1}
    assert document["kpis"]["outdoor_temp"] == pytest.approx(3.2)


def test_clean_data_reports_no_data_quality_problem(influxd):
    now = now_ms()
    db = database(influxd, "all_clean", good_lines(now - DAY_MS, now))
    document = read(influxd, db, "24h")
    assert document["data_quality"] == [] and document["latest"].quality == ()
