"""One generation run on the simulator, end to end: the public/ contract, quiet rewrites, atomicity."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from generator.build import make_context, run_once
from generator.charts import CHARTS, shown_on
from generator.config import load_config
from generator.core.clock import StartedClock
from generator.core.ranges import BY_KEY, RANGES
from generator.site import bundle_missing
from generator.sources.demo import DemoSource
from tests.clocks import ManualClock
from tests.public_contract import validate_tree

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 1, 15, 11, 0, 7, tzinfo=timezone.utc)  # the last hour holds a run and a hot-water charge

pytestmark = pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")


def context(public: Path, clock: ManualClock, **settings):
    cfg = load_config(None, {}).with_values(output__public_dir=str(public), **settings)
    return make_context(cfg, DemoSource(seed=1, clock=clock), clock)


def manifest(public: Path) -> dict:
    return json.loads((public / "manifest.json").read_bytes())


def test_one_generation_writes_every_range_and_a_manifest_that_satisfy_the_contract(tmp_path):
    clock = ManualClock(NOW)
    report = run_once(context(tmp_path, clock), now=NOW)
    assert report.ok, report.errors
    checked = validate_tree(tmp_path)
    m = manifest(tmp_path)
    assert set(m["ranges"]) == {r.key for r in RANGES}
    assert not m["stale"] and m["error"] is None and not m["data_old"]
    for key, entry in m["ranges"].items():
        assert entry["path"] in checked and (tmp_path / (entry["path"] + ".gz")).exists()
        doc = json.loads((tmp_path / entry["path"]).read_bytes())
        assert doc["range"] == key
        assert set(doc["charts"]) == {name for name in CHARTS if shown_on(name, key)}
        assert {"sankey", "cop", "runtime", "temperature", "performance", "power", "valve"} <= set(doc["charts"])
        assert not any(opt.get("_empty") for opt in doc["charts"].values()), key
        assert 2.0 <= doc["kpis"]["cop"] <= 6.0 and doc["kpis"]["cop_method"] == "measured"
    assert (tmp_path / "index.html").exists() and (tmp_path / "index.html.gz").exists()
    assert m["live"]["path"] in checked


def test_a_range_window_ends_at_its_last_closed_bucket(tmp_path):
    run_once(context(tmp_path, ManualClock(NOW)), now=NOW)
    m = manifest(tmp_path)
    assert m["ranges"]["24h"]["to"] == "2026-01-15T11:00:00Z"
    assert m["ranges"]["1h"]["from"] == "2026-01-15T10:00:00Z"
    assert m["ranges"]["365d"]["to"] == "2026-01-14T23:00:00Z"  # local midnight in Stockholm


def test_unchanged_input_writes_nothing_and_leaves_the_manifest_alone(tmp_path):
    clock = ManualClock(NOW)
    ctx = context(tmp_path, clock)
    run_once(ctx, now=NOW)
    before = (tmp_path / "manifest.json").stat().st_mtime_ns
    again = run_once(ctx, now=NOW + timedelta(seconds=5))  # no bucket closes, no new sample
    assert again.written == [] and not again.manifest_written
    assert (tmp_path / "manifest.json").stat().st_mtime_ns == before


def test_only_ranges_whose_bucket_closed_change(tmp_path):
    clock = ManualClock(NOW)
    ctx = context(tmp_path, clock)
    run_once(ctx, now=NOW)
    first = manifest(tmp_path)["ranges"]
    clock.advance(30)  # the 30-s bucket of 1h closes; the 2-min bucket of 24h not
    run_once(ctx, due=[BY_KEY["1h"], BY_KEY["24h"]])
    second = manifest(tmp_path)["ranges"]
    assert second["1h"]["hash"] != first["1h"]["hash"]
    assert second["24h"]["hash"] == first["24h"]["hash"]


def test_the_1h_and_24h_files_agree_where_they_cover_the_same_moments(tmp_path):
    run_once(context(tmp_path, ManualClock(NOW)), now=NOW, due=[BY_KEY["1h"], BY_KEY["24h"]])
    ranges = manifest(tmp_path)["ranges"]

    def temperatures(key: str) -> pd.DataFrame:
        option = json.loads((tmp_path / ranges[key]["path"]).read_bytes())["charts"]["temperature"]
        ds = option["dataset"] if isinstance(option["dataset"], dict) else option["dataset"][0]
        frame = pd.DataFrame(ds["source"], columns=[d if isinstance(d, str) else d["name"] for d in ds["dimensions"]])
        return frame.set_index(frame.columns[0])

    fine, coarse = temperatures("1h"), temperatures("24h")
    # four 30-s buckets of the 1h file make one 2-min bucket of the 24h file
    fine.index = (fine.index // 120_000) * 120_000
    regrouped = fine.groupby(level=0).mean()
    common = regrouped.index.intersection(coarse.index)
    assert len(common) >= 25
    diff = (regrouped.loc[common, "outdoor_temp"] - coarse.loc[common, "outdoor_temp"]).abs()
    assert diff.max() <= 0.1  # equal up to rounding to 0.1 °C


def test_superseded_files_stay_for_the_grace_period_then_go(tmp_path):
    clock = ManualClock(NOW)
    ctx = context(tmp_path, clock, output__grace_s=100)
    run_once(ctx, now=NOW, due=[BY_KEY["1h"]])
    old = manifest(tmp_path)["ranges"]["1h"]["path"]
    clock.advance(30)
    run_once(ctx, due=[BY_KEY["1h"]])
    assert manifest(tmp_path)["ranges"]["1h"]["path"] != old
    assert (tmp_path / old).exists(), "a viewer of the old manifest must still get its file"
    past = (tmp_path / old).stat().st_mtime - 101
    os.utime(tmp_path / old, (past, past))
    os.utime(tmp_path / (old + ".gz"), (past, past))
    run_once(ctx, due=[])
    assert not (tmp_path / old).exists() and not (tmp_path / (old + ".gz")).exists()


def test_a_reader_never_sees_a_half_written_or_missing_file_during_200_generations(tmp_path):
    clock = ManualClock(NOW)
    # a grace period far shorter than the test, so superseded files really are deleted while it reads
    ctx = context(tmp_path, clock, output__grace_s=2)
    run_once(ctx, now=NOW, due=[BY_KEY["1h"]])
    stop = threading.Event()
    problems: list[str] = []
    reads = [0]

    def reader() -> None:
        while not stop.is_set():
            try:
                m = json.loads((tmp_path / "manifest.json").read_bytes())
                for entry in [*m["ranges"].values(), m["live"]]:
                    json.loads((tmp_path / entry["path"]).read_bytes())
                reads[0] += 1
            except (json.JSONDecodeError, FileNotFoundError) as exc:
                problems.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(200):
            clock.advance(30)
            run_once(ctx, due=[BY_KEY["1h"]])
    finally:
        stop.set()
        thread.join()
    assert problems == []
    assert reads[0] > 200
    assert len(list((tmp_path / "data").glob("1h.*.json"))) < 150, "superseded files were deleted meanwhile"


def test_generate_once_command_writes_a_valid_tree_and_exits_0(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"output:\n  public_dir: {tmp_path / 'public'}\nsite:\n  language: en\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--once", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    validate_tree(tmp_path / "public")
    assert 'lang="en"' in (tmp_path / "public" / "index.html").read_text(encoding="utf-8")


def test_a_collector_that_stopped_writing_shows_as_old_data(tmp_path):
    stopped = ManualClock(NOW - timedelta(minutes=30))  # the newest sample is half an hour old
    run_once(context(tmp_path, stopped), now=NOW, due=[])
    m = manifest(tmp_path)
    assert m["data_old"] is True and not m["stale"]
    assert m["latest_data_at"] == "2026-01-15T10:30:00Z"


def test_fresh_data_is_not_old(tmp_path):
    run_once(context(tmp_path, ManualClock(NOW)), now=NOW, due=[])
    assert manifest(tmp_path)["data_old"] is False


def test_each_range_is_due_at_its_own_cadence(tmp_path):
    from generator.build import due_ranges
    ctx = context(tmp_path, ManualClock(NOW))
    assert [r.key for r in due_ranges(ctx)] == [r.key for r in RANGES], "everything is due at start"
    run_once(ctx)
    assert due_ranges(ctx) == []
    ctx.clock.advance(31)  # only ranges refreshed every 30 s are due
    assert [r.key for r in due_ranges(ctx)] == ["1h", "6h", "24h"]
    ctx.clock.advance(300)
    assert [r.key for r in due_ranges(ctx)] == ["1h", "6h", "24h", "7d"]


def test_the_scheduler_loop_keeps_the_heartbeat_going(tmp_path):
    from generator.scheduler import start_background
    ctx = context(tmp_path, StartedClock(NOW), schedule__live_s=1, schedule__interval_s=1)  # time passes
    run_once(ctx, now=NOW)
    first = json.loads((tmp_path / "status.json").read_bytes())["last_run_at"]
    scheduler = start_background(ctx)
    try:
        [job] = scheduler.get_jobs()
        assert job.max_instances == 1 and job.coalesce is True, "runs never overlap nor pile up"
        deadline = time.monotonic() + 10
        while json.loads((tmp_path / "status.json").read_bytes())["last_run_at"] == first:
            assert time.monotonic() < deadline, "the loop never ran"
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)


def test_the_generate_loop_publishes_and_stops_cleanly_on_sigterm(tmp_path):
    import signal
    config = tmp_path / "config.yaml"
    config.write_text(f"output:\n  public_dir: {tmp_path / 'public'}\nschedule:\n  live_s: 1\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "generate", "--config", str(config)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status = tmp_path / "public" / "status.json"
        deadline = time.monotonic() + 60
        seen: set[str] = set()
        while len(seen) < 2:  # the first run and at least one tick of the loop
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else "no tick"
            if status.exists():
                seen.add(json.loads(status.read_bytes())["last_run_at"])
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    validate_tree(tmp_path / "public")


class YearTimesOut(DemoSource):
    """The simulator, except that a year-long query (365d's hours, "all"'s days) fails the way a slow
    database times out."""

    def series(self, window, bands):
        if window.end - window.start > pd.Timedelta(days=60):
            from generator.core.errors import SourceError
            raise SourceError("InfluxDB did not answer within 30 s", "timeout", url="http://db:8086", seconds=30)
        return super().series(window, bands)


def test_one_failing_range_is_marked_stale_and_retried_alone_while_the_others_go_on(tmp_path):
    clock = ManualClock(NOW)
    cfg = load_config(None, {}).with_values(output__public_dir=str(tmp_path), schedule__interval_s=60)
    ctx = make_context(cfg, YearTimesOut(seed=1, clock=clock), clock)
    first = run_once(ctx)
    assert [p.text for p in first.errors] == ["InfluxDB did not answer within 30 s"]
    m = manifest(tmp_path)
    assert "365d" not in m["ranges"] and m["stale"] is True  # nothing good to keep yet
    assert set(m["ranges"]) == {"1h", "6h", "24h", "7d", "30d"}
    clock.advance(60)  # a minute later: every short range is due, and 365d's first backoff (60 s) is over
    second = run_once(ctx)
    assert second.latest is not None, "the source answers: no global backoff"
    assert manifest(tmp_path)["ranges"]["1h"]["hash"] != m["ranges"]["1h"]["hash"], "1h went on"
    assert ctx.state.ranges["365d"].backoff.failures == 2, "365d was asked again, and failed again"
    clock.advance(60)  # its backoff has doubled to 120 s: the others go on without it
    before = manifest(tmp_path)["ranges"]["1h"]["hash"]
    third = run_once(ctx)
    assert third.errors == [] and ctx.state.ranges["365d"].backoff.failures == 2, "365d waits alone"
    assert manifest(tmp_path)["ranges"]["1h"]["hash"] != before


def test_a_manifest_whose_gz_copy_is_older_is_mended_on_the_next_run(tmp_path):
    import gzip
    ctx = context(tmp_path, ManualClock(NOW))
    run_once(ctx, now=NOW, due=[BY_KEY["1h"]])
    (tmp_path / "manifest.json.gz").write_bytes(gzip.compress(b'{"format": 1, "ranges": {}}'))  # a crash
    run_once(ctx, now=NOW, due=[])
    assert gzip.decompress((tmp_path / "manifest.json.gz").read_bytes()) == (tmp_path / "manifest.json").read_bytes()


def test_bundles_of_earlier_releases_are_removed_after_the_grace_period(tmp_path):
    old = tmp_path / "assets" / "app.0123456789ab.js"
    old.parent.mkdir(parents=True)
    old.write_text("old release", encoding="utf-8")
    past = time.time() - 700
    os.utime(old, (past, past))
    run_once(context(tmp_path, ManualClock(NOW)), now=NOW, due=[])
    assert not old.exists()
    assert len(list((tmp_path / "assets").glob("app.*.js"))) == 1


def test_the_bundle_goes_out_with_the_brotli_and_gzip_files_the_build_packed(tmp_path):
    """Quality-11 brotli runs once per build (site_templates/pack.mjs), not in every fresh generator."""
    from generator.site import DIST
    from generator.writer import prepacked

    data = (DIST / "app.js").read_bytes()
    built = prepacked(DIST / "app.js", data)
    if built is None:
        pytest.skip("the bundle was built without site_templates/pack.mjs: run `make bundle`")
    ctx = context(tmp_path / "public", ManualClock(NOW))
    run_once(ctx)
    served = next((tmp_path / "public" / "assets").glob("app.*.js"))
    assert served.read_bytes() == data
    assert served.with_name(served.name + ".br").read_bytes() == built[".br"]
    assert served.with_name(served.name + ".gz").read_bytes() == built[".gz"]


def test_packed_files_that_do_not_unpack_to_the_bundle_are_not_used(tmp_path):
    import brotli

    from generator.writer import prepacked

    source = tmp_path / "app.js"
    source.write_bytes(b"new bundle")
    source.with_name("app.js.br").write_bytes(brotli.compress(b"old bundle"))
    source.with_name("app.js.gz").write_bytes(b"not gzip at all")
    assert prepacked(source, b"new bundle") is None
    source.with_name("app.js.gz").unlink()
    assert prepacked(source, b"new bundle") is None
