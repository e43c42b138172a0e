"""When the database dies: keep the last good files, say so in the manifest, retry, recover by itself.

A real influxd holds six hours of the simulator's samples in the existing-install layout; the test stops
it and starts it again on the same port.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.site import bundle_missing
from generator.sources import simulator
from generator.sources.factory import make_cached_source
from tests.clocks import ManualClock
from tests.influxd import Influxd
from tests.public_contract import validate_tree

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.influxd,
              pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")]


def load_simulated_hours(db: Influxd, database: str, hours: int, end: datetime) -> None:
    """The simulator's samples every 30 s, written as existing collectors write them."""
    end_s = int(end.timestamp()) // 30 * 30
    times = np.arange(end_s - hours * 3600, end_s + 1, 30)
    values = simulator.sample(times, 1)
    lines = [f"heatpump,name={metric} value={float(v)!r} {int(t) * 1000}"
             for metric, column in values.items() for t, v in zip(times, column) if not np.isnan(v)]
    db.create_database(database)
    db.write(database, lines)


def manifest(public: Path) -> dict:
    return json.loads((public / "manifest.json").read_bytes())


@pytest.fixture
def setup(tmp_path):
    db = Influxd(tmp_path / "influxd").start()
    try:
        now = datetime.now(timezone.utc)
        load_simulated_hours(db, "hp", 6, now)
        config = tmp_path / "config.yaml"
        config.write_text(
            f"source:\n  kind: influxql\n  url: {db.url}\n  database: hp\n  timeout_s: 2\n"
            f"output:\n  public_dir: {tmp_path / 'public'}\nschedule:\n  interval_s: 1\n", encoding="utf-8")
        yield db, config, tmp_path / "public"
    finally:
        db.stop()


def fast_ranges(ctx):
    """Ranges up to 24h: the six hours of data cover them, and the run stays quick."""
    from generator.core.ranges import BY_KEY
    return [BY_KEY[k] for k in ("1h", "6h", "24h")]


def test_a_dead_database_keeps_the_last_good_files_marks_them_stale_and_recovery_clears_it(setup):
    db, config, public = setup
    clock = ManualClock(datetime.now(timezone.utc))
    ctx = make_context(load_config(config, {}), make_cached_source(load_config(config, {})), clock)
    good = run_once(ctx, due=fast_ranges(ctx))
    assert good.ok, good.errors
    before = manifest(public)
    assert not before["stale"]

    db.stop()
    failed = run_once(ctx, due=fast_ranges(ctx))
    assert not failed.ok
    stale = manifest(public)
    assert stale["stale"] is True and stale["error"]["code"] == "unreachable"
    assert stale["error"]["params"] == {"url": db.url} and "Connection refused" in stale["error"]["text"]
    for key in ("1h", "6h", "24h"):
        assert stale["ranges"][key]["path"] == before["ranges"][key]["path"], "the last good file is kept"
        assert (public / stale["ranges"][key]["path"]).exists()
        assert stale["ranges"][key]["stale"] is True and stale["ranges"][key]["error"] == stale["error"]
    validate_tree(public)
    status = json.loads((public / "status.json").read_bytes())
    assert status["ok"] is False and status["consecutive_failures"] == 1

    again = run_once(ctx)  # still down, and backing off: a ping, no query
    assert [p.to_json() for p in again.errors] == [stale["error"]]
    db.start()
    recovered = run_once(ctx)  # the same backoff, but the ping answers: data is back within one run
    assert recovered.ok, recovered.errors
    after = manifest(public)
    assert after["stale"] is False and after["error"] is None
    assert not any(entry.get("stale") for entry in after["ranges"].values())


def test_runs_during_the_backoff_do_not_query_the_source(setup):
    db, config, public = setup
    cfg = load_config(config, {}).with_values(schedule__interval_s=60)
    ctx = make_context(cfg, make_cached_source(cfg))
    db.stop()
    run_once(ctx, due=fast_ranges(ctx))
    queries = ctx.source.query_count
    assert queries == 1, "a source that does not answer its first query is not asked once per range"
    again = run_once(ctx)
    assert ctx.source.query_count == queries and not again.ok
    assert manifest(public)["stale"] is True and again.errors[0].to_json() == manifest(public)["error"]


def test_generate_once_exits_1_when_the_source_fails_and_shows_no_secret(setup, tmp_path):
    db, config, public = setup
    db.stop()
    text = config.read_text(encoding="utf-8").replace("  timeout_s: 2\n", "  timeout_s: 2\n  password: hunter2-secret\n  username: u\n")
    config.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--once", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert result.stderr.count("cannot reach InfluxDB") == 1, "each failure is said once"
    assert "1 failure(s)" in result.stdout and "hunter2-secret" not in result.stderr + result.stdout
    assert "hunter2-secret" not in (public / "manifest.json").read_text(encoding="utf-8")


# --- a database that answers but has nothing we can use: one line that says what is wrong --------------
@pytest.mark.parametrize("names, says, code, params", [
    ((), "no data yet in measurement 'heatpump' of database 'empty_or_foreign' (tag 'name'); check that the "
         "collector writes there", "no_data", {"measurement": "heatpump"}),
    (("bt1-outdoor-temperature-40004", "prio-43086"),
     "none of the 2 names in measurement 'heatpump' (tag 'name') maps for provider ivt; run heatpump-dashboard doctor",
     "nothing_maps", {"measurement": "heatpump", "provider": "ivt", "names": 2}),
])
def test_a_database_without_usable_names_is_said_in_one_line(influxd, tmp_path, names, says, code, params):
    database = "empty_or_foreign"
    influxd.query(f'DROP DATABASE "{database}"')
    influxd.create_database(database)
    if names:
        influxd.write(database, [f"heatpump,name={n} value=1 1714521600000" for n in names])
    else:  # another measurement only: the database exists, ours is empty
        influxd.write(database, ["other,name=x value=1 1714521600000"])
    cfg = load_config(None, environ={}).with_values(
        provider="ivt", source__kind="influxql", source__url=influxd.url, source__database=database,
        output__public_dir=str(tmp_path / "public"))
    report = run_once(make_context(cfg, make_cached_source(cfg)), now=datetime.now(timezone.utc))
    assert [p.text for p in report.errors] == [says] and "\n" not in says
    problem = {"code": code, "params": params, "text": says}
    assert manifest(tmp_path / "public")["error"] == problem, "the page words it from code and params"
    status = json.loads((tmp_path / "public" / "status.json").read_bytes())
    assert status["ranges"]["live"]["last_error"] == problem
