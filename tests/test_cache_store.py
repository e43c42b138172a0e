"""The closed-bucket cache on disk (generator/sources/cache_store.py): a restarted generator asks the
database only for what is new, and gets the same buckets; a cache of another format or source, or a
damaged row, is dropped and filled again."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pandas as pd
import pytest

from generator.config import load_config
from generator.core.ranges import BY_KEY, window_for
from generator.sources.cache_store import CacheStore
from generator.sources.cached import CachedSource
from generator.sources.factory import (
    CACHE_FILE,
    cache_fingerprint,
    make_cached_source,
    make_source,
)
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

T0 = pd.Timestamp("2024-03-01T00:00Z")
NOW = datetime(2024, 3, 31, 12, 0, 7)


@pytest.fixture(scope="module")
def history(influxd: Influxd) -> Influxd:
    influxd.create_database("cache_disk")
    start = int(T0.timestamp())
    influxd.write("cache_disk", [f"heatpump,name={m} value={v + (i // 600) % 7} {start + i}"
                                 for i in range(0, 31 * 86400, 120)
                                 for m, v in (("outdoor_temp", -3.0), ("power_electric", 1500.0), ("compressor_on", 0))],
                  precision="s")
    return influxd


def config(influxd: Influxd, tmp_path, **more):
    return load_config(None, environ={}).with_values(
        provider="generic", source__kind="influxql", source__url=influxd.url, source__database="cache_disk",
        output__public_dir=str(tmp_path / "public"), site__timezone="UTC", **more)


def month(cfg):
    return window_for(BY_KEY["30d"], NOW.replace(tzinfo=None), cfg["site.timezone"])


def test_a_restarted_generator_asks_only_for_the_tail_and_gets_the_same_buckets(history, tmp_path):
    cfg = config(history, tmp_path)
    window = month(cfg)
    first = make_cached_source(cfg)
    first.series(window, bands=True)
    cold_queries = first.query_count
    restarted = make_cached_source(cfg)   # a new process: nothing in memory
    got = restarted.series(window, bands=True)
    assert restarted.query_count == 0, "the same window again: no bucket closed, so nothing is asked"
    pd.testing.assert_frame_equal(got, make_source(cfg).series(window, bands=True), check_exact=False, rtol=1e-9)
    later = window_for(BY_KEY["30d"], NOW.replace(tzinfo=None) + timedelta(hours=3), cfg["site.timezone"])
    got = restarted.series(later, bands=True)
    # which series each name is read from, and the tail: not the month again, and no re-check at once
    assert restarted.query_count <= 2 < cold_queries
    pd.testing.assert_frame_equal(got, make_source(cfg).series(later, bands=True), check_exact=False, rtol=1e-9)


def test_another_source_drops_the_cache_on_disk(history, tmp_path):
    cfg = config(history, tmp_path)
    window = month(cfg)
    make_cached_source(cfg).series(window, bands=False)
    other = cfg.with_values(source__max_gap_s=600)   # buckets made another way
    again = make_cached_source(other)
    again.series(window, bands=False)
    assert again.cold_calls == 1 and again.query_count > 2


def test_a_damaged_row_is_dropped_and_filled_again(history, tmp_path):
    cfg = config(history, tmp_path)
    window = month(cfg)
    want = make_cached_source(cfg).series(window, bands=False)
    with sqlite3.connect(tmp_path / "public" / CACHE_FILE) as db:
        db.execute("UPDATE entries SET payload = substr(payload, 1, length(payload) - 8) || zeroblob(8)")
    again = make_cached_source(cfg)
    pd.testing.assert_frame_equal(again.series(window, bands=False), want)
    assert again.cold_calls == 1


def test_a_cache_of_another_format_is_dropped(history, tmp_path):
    cfg = config(history, tmp_path)
    window = month(cfg)
    make_cached_source(cfg).series(window, bands=False)
    with sqlite3.connect(tmp_path / "public" / CACHE_FILE) as db:
        db.execute("UPDATE meta SET value = '0' WHERE name = 'format'")
    again = make_cached_source(cfg)
    again.series(window, bands=False)
    assert again.cold_calls == 1


def test_short_grids_are_written_to_disk_at_most_every_ten_minutes(history, tmp_path):
    cfg = config(history, tmp_path)
    now = [0.0]
    path = tmp_path / "public" / CACHE_FILE
    path.parent.mkdir(parents=True)
    source = CachedSource(make_source(cfg), clock=lambda: now[0], disk=CacheStore(path, cache_fingerprint(cfg)))

    def saved_at() -> list:
        return sqlite3.connect(path).execute("SELECT end_ns FROM entries ORDER BY end_ns").fetchall()

    day = window_for(BY_KEY["24h"], NOW, "UTC")
    source.series(day, bands=False)
    first = saved_at()
    assert len(first) == 1, "a restart need not read 24 hours of 10-s data again (≈ 2 s)"
    now[0] += 30
    source.series(window_for(BY_KEY["24h"], NOW + timedelta(minutes=2), "UTC"), bands=False)
    assert saved_at() == first, "writing it every 30 s would wear an SD card"
    now[0] += 600
    source.series(window_for(BY_KEY["24h"], NOW + timedelta(minutes=12), "UTC"), bands=False)
    assert saved_at() != first
