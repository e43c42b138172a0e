"""Benchmark: one full generation of all ranges (1h … 365d) on the simulator, in a fresh process.

Prints wall time, CPU time, peak RSS and bytes written, for a cold public/ (everything written) and a
warm one (nothing changed, nothing written).  Targets on the project machine: < 2 s wall, < 300 MB.
A benchmark, not a test: it prints figures and never fails on them.

    .venv/bin/python bench/bench_generate.py [--repeat 3] [--config FILE]
    .venv/bin/python bench/bench_generate.py --influxd [--days 30] [--step 10] [--repeat 1]

--influxd starts a real influxd (tests/influxd.py), loads --days of --step-second data for 15 metrics in
the existing-install layout (bench/bench_influx.py's loader) and, in one fresh process, runs a full
generation of all ranges twice: cold (empty public/, empty closed-bucket cache: full queries) and warm
(the same process a moment later: the cache asks only for tails, public/ mostly unchanged).  Both runs
refresh every range, as if all were due.
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


def bench_influxd(days: int, step: int, repeat: int) -> None:
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
        cold, warm = [], []
        for i in range(repeat):
            public = Path(tmp) / f"public{i}"
            first, second = runs_in_one_process(public, str(config), 2)
            cold.append(first)
            warm.append(second)
        report("cold (empty public/, empty cache, fresh process)", cold)
        report("warm (same process right after: cache warm, public/ warm)", warm)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=None, help="runs per figure (default 3; 1 with --influxd)")
    p.add_argument("--config", default="", help="a config file (default: the built-in demo)")
    p.add_argument("--influxd", action="store_true", help="a real influxd with --days of --step-second data")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--step", type=int, default=10, help="seconds between samples (--influxd)")
    args = p.parse_args()
    print(f"machine: {machine()}")
    if args.influxd:
        print("source: influxql on a real influxd behind the closed-bucket cache; ranges 1h 6h 24h 7d 30d 365d + live")
        bench_influxd(args.days, args.step, args.repeat or 1)
        return
    repeat = args.repeat or 3
    print(f"source: {args.config or 'built-in demo (simulator)'}; ranges 1h 6h 24h 7d 30d 365d + live")
    for label, warm in (("cold (empty public/)", False), ("warm (nothing changed)", True)):
        runs = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                if warm:
                    one(Path(tmp), args.config)
                runs.append(one(Path(tmp), args.config))
        report(label, runs)


if __name__ == "__main__":
    main()
