"""Benchmark: one full generation of all ranges (1h … 365d) on the simulator, in a fresh process.

Prints wall time, CPU time, peak RSS and bytes written, for a cold public/ (everything written) and a
warm one (nothing changed, nothing written); and the CPU a running generator spends in an hour on its
schedule (a clock moving 30 s a run: what a Raspberry Pi feels).  Targets on the project machine: < 2 s wall, < 300 MB.
A benchmark, not a test: it prints figures and never fails on them.

    .venv/bin/python bench/bench_generate.py [--repeat 3] [--config FILE]
    .venv/bin/python bench/bench_generate.py --influxd [--days 30] [--step 10] [--repeat 1]
    .venv/bin/python bench/bench_generate.py --both [--json OUT]

--influxd starts a real influxd (tests/influxd.py), loads --days of --step-second data for 15 metrics in
the existing-install layout (bench/bench_influx.py's loader) and, in one fresh process, runs a full
generation of all ranges four times: cold (empty public/, empty closed-bucket cache: full queries), warm
(the same process a moment later, three times: the first catches up with the buckets that closed during
the cold fill, the next two are a running generator's; the cache asks only for tails), then a
restart: a new process on the same public/, whose closed-bucket cache comes from public/.cache.sqlite.
Every run refreshes every range, as if all were due.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from machine import describe

ROOT = Path(__file__).resolve().parent.parent

# argv: public dir, config file ("" = built-in demo), runs in this process (each prints one JSON line).
# The source comes from make_cached_source, as the generator's own (database sources behind the cache).
CHILD = r"""
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.ranges import RANGES
from generator.sources.factory import make_cached_source
cfg = load_config(sys.argv[2] or None).with_values(output__public_dir=sys.argv[1])
ctx = make_context(cfg, make_cached_source(cfg))
t1, c1 = time.perf_counter(), time.process_time()
import_s = t1 - t0
for _ in range(int(sys.argv[3])):
    bytes0, queries0 = ctx.publisher.bytes_written, ctx.source.query_count
    t1, c1 = time.perf_counter(), time.process_time()
    report = run_once(ctx, due=RANGES)
    t2, c2 = time.perf_counter(), time.process_time()
    print(json.dumps({"import_s": import_s, "run_wall_s": t2 - t1, "run_cpu_s": c2 - c1, "ok": report.ok,
                      "errors": report.errors, "bytes": ctx.publisher.bytes_written - bytes0,
                      "files": len(report.written), "queries": ctx.source.query_count - queries0,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
"""


# argv: public dir, config file ("" = built-in demo), ticks.  A running generator's hour on a clock that
# moves 30 s a tick: each run refreshes what its schedule makes due (1h/6h/24h every run, 7d every 5 min,
# 30d every 15 min, 365d hourly; "all" daily, so only in the first run, which is not counted).
SCHEDULE_CHILD = r"""
import json, sys, time
from datetime import datetime, timezone
from generator.build import make_context, run_once
from generator.config import load_config
from generator.sources.factory import make_cached_source
from tests.clocks import ManualClock
cfg = load_config(sys.argv[2] or None).with_values(output__public_dir=sys.argv[1])
clock = ManualClock(datetime.now(timezone.utc).replace(minute=0, second=5, microsecond=0))
ctx = make_context(cfg, make_cached_source(cfg, clock), clock)
run_once(ctx)
cpu = []
for _ in range(int(sys.argv[3])):
    clock.advance(30)
    c0 = time.process_time()
    run_once(ctx)
    cpu.append(time.process_time() - c0)
print(json.dumps({"cpu_s": sum(cpu), "runs": len(cpu), "max_run_cpu_s": max(cpu)}))
"""


def schedule_hour(config: str, ticks: int = 120) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", SCHEDULE_CHILD, str(Path(tmp) / "public"), config, str(ticks)],
                             cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    return describe()


def runs_in_one_process(public: Path, config: str, runs: int) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(public), config, str(runs)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.strip().splitlines()[-runs:]]


def one(public: Path, config: str) -> dict:
    return runs_in_one_process(public, config, 1)[0]


def report(label: str, runs: list[dict]) -> None:
    wall = [r["run_wall_s"] for r in runs]
    print(f"\n{label}: {len(runs)} runs")
    print(f"  run wall     median {statistics.median(wall):.3f} s  (min {min(wall):.3f}, max {max(wall):.3f})")
    print(f"  run CPU      median {statistics.median(r['run_cpu_s'] for r in runs):.3f} s")
    print(f"  import+setup median {statistics.median(r['import_s'] for r in runs):.3f} s")
    print(f"  peak RSS     max    {max(r['peak_rss_mb'] for r in runs):.0f} MB")
    print(f"  written      {runs[-1]['bytes'] / 1024:.0f} KiB in {runs[-1]['files']} data files, "
          f"{runs[-1]['queries']} source queries, ok={runs[-1]['ok']}")
    if not runs[-1]["ok"]:
        print(f"  errors       {runs[-1]['errors']}")
    print(f"  vs target 2 s wall: {statistics.median(wall) / 2.0:.2f}×; vs 300 MB: "
          f"{max(r['peak_rss_mb'] for r in runs) / 300:.2f}×")


def bench_influxd(days: int, step: int, repeat: int) -> dict:
    """Cold and warm generations against a real influxd holding `days` of `step`-second data."""
    import time

    sys.path.insert(0, str(ROOT))
    from bench.bench_influx import METRICS, load
    from tests.influxd import Influxd

    end = int(time.time()) // 60 * 60
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp, Influxd(Path(tmp) / "influxd") as db:
        count, load_s = load(db, "bench", end - days * 86400, end, step)
        print(f"influxd {db.url}: loaded {count:,} points ({days} d × {len(METRICS)} metrics every {step} s) "
              f"in {load_s:.1f} s")
        time.sleep(12)  # let the cache snapshot to TSM, as on a server that has been running a while
        config = Path(tmp) / "config.yaml"
        config.write_text(f"provider: generic\nsource: {{kind: influxql, url: '{db.url}', database: bench, "
                          f"timeout_s: 120}}\n", encoding="utf-8")
        cold, warm, restart, catch_ups = [], [], [], []
        for i in range(repeat):
            public = Path(tmp) / f"public{i}"
            # The first warm run catches up with the buckets that closed during a minutes-long cold
            # fill; the two after it are what a running generator does when every range is due.
            first, catch_up, *steady = runs_in_one_process(public, str(config), 4)
            cold.append(first)
            warm.extend(steady)
            catch_ups.append(catch_up)
            restart.append(one(public, str(config)))  # a new process: the cache comes from public/.cache.sqlite
        report("cold (empty public/, empty cache, fresh process)", cold)
        report("first warm run after the cold fill (catching up with the buckets closed meanwhile)", catch_ups)
        report("warm (same process, the runs after that: cache warm, public/ warm)", warm)
        report("restart (a new process on the same public/: cache read from disk)", restart)
    return {"influxd_days": days, "influxd_step_s": step, "influxd_points": count, "influxd_load_s": round(load_s, 1),
            "influxd_cold_s": median_wall(cold), "influxd_warm_s": median_wall(warm),
            "influxd_catch_up_s": median_wall(catch_ups),
            "influxd_restart_s": median_wall(restart), "influxd_restart_queries": restart[-1]["queries"],
            "influxd_cold_queries": cold[-1]["queries"], "influxd_warm_queries": warm[-1]["queries"]}


def median_wall(runs: list[dict]) -> float:
    return round(statistics.median(r["run_wall_s"] for r in runs), 3)


def bench_demo(config: str, repeat: int) -> dict:
    """Cold and warm generations on the simulator (or `config`), each in a fresh process."""
    print(f"source: {config or 'built-in demo (simulator)'}; ranges 1h 6h 24h 7d 30d 365d + live")
    figures = {}
    for label, key, warm in (("cold (empty public/)", "demo_cold_s", False), ("warm (nothing changed)", "demo_warm_s", True)):
        runs = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                if warm:
                    one(Path(tmp), config)
                runs.append(one(Path(tmp), config))
        report(label, runs)
        figures[key] = median_wall(runs)
        figures[key.replace("_s", "_peak_rss_mb")] = round(max(r["peak_rss_mb"] for r in runs), 1)
    hours = [schedule_hour(config) for _ in range(repeat)]
    cpu = statistics.median(h["cpu_s"] for h in hours)
    print(f"\na running generator's hour (120 runs 30 s apart, each refreshing what is due): {len(hours)} hours")
    print(f"  CPU per hour median {cpu:.2f} s (min {min(h['cpu_s'] for h in hours):.2f}); "
          f"per run {cpu / hours[0]['runs'] * 1000:.0f} ms on average, the longest "
          f"{statistics.median(h['max_run_cpu_s'] for h in hours) * 1000:.0f} ms (the hourly 365d refresh)")
    figures["demo_cpu_per_hour_s"] = round(cpu, 2)
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=None, help="runs per figure (default 3; 1 with --influxd)")
    p.add_argument("--config", default="", help="a config file (default: the built-in demo)")
    p.add_argument("--influxd", action="store_true", help="a real influxd with --days of --step-second data")
    p.add_argument("--both", action="store_true", help="the simulator, then the real influxd")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--step", type=int, default=10, help="seconds between samples (--influxd)")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args()
    print(f"machine: {machine()}")
    figures: dict = {}
    if not args.influxd or args.both:
        figures.update(bench_demo(args.config, args.repeat or 3))
    if args.influxd or args.both:
        print("source: influxql on a real influxd behind the closed-bucket cache; ranges 1h 6h 24h 7d 30d 365d + live")
        figures.update(bench_influxd(args.days, args.step, args.repeat or 1))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "generation": figures}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
