"""Benchmark: one full generation of all ranges (1h … 365d) on the simulator, in a fresh process.

Prints wall time, CPU time, peak RSS and bytes written, for a cold public/ (everything written) and a
warm one (nothing changed, nothing written).  Targets on the project machine: < 2 s wall, < 300 MB.
A benchmark, not a test: it prints figures and never fails on them.

    .venv/bin/python bench/bench_generate.py [--repeat 3] [--config FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from datetime import datetime, timezone
t0, c0 = time.perf_counter(), time.process_time()
from generator.build import make_context, run_once
from generator.config import load_config
from generator.sources.factory import make_source
cfg = load_config(sys.argv[2] or None).with_values(output__public_dir=sys.argv[1])
ctx = make_context(cfg, make_source(cfg))
t1, c1 = time.perf_counter(), time.process_time()
report = run_once(ctx)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import_s": t1 - t0, "run_wall_s": t2 - t1, "run_cpu_s": c2 - c1, "ok": report.ok,
                  "errors": report.errors, "bytes": ctx.publisher.bytes_written,
                  "files": len(report.written), "queries": ctx.source.query_count,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}: {os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def one(public: Path, config: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(public), config], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--config", default="", help="a config file (default: the built-in demo)")
    args = p.parse_args()
    print(f"machine: {machine()}")
    print(f"source: {args.config or 'built-in demo (simulator)'}; ranges 1h 6h 24h 7d 30d 365d + live")
    for label, warm in (("cold (empty public/)", False), ("warm (nothing changed)", True)):
        runs = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                if warm:
                    one(Path(tmp), args.config)
                runs.append(one(Path(tmp), args.config))
        wall = [r["run_wall_s"] for r in runs]
        print(f"\n{label}: {args.repeat} runs")
        print(f"  run wall     median {statistics.median(wall):.3f} s  (min {min(wall):.3f}, max {max(wall):.3f})")
        print(f"  run CPU      median {statistics.median(r['run_cpu_s'] for r in runs):.3f} s")
        print(f"  import+setup median {statistics.median(r['import_s'] for r in runs):.3f} s")
        print(f"  peak RSS     max    {max(r['peak_rss_mb'] for r in runs):.0f} MB")
        print(f"  written      {runs[-1]['bytes'] / 1024:.0f} KiB in {runs[-1]['files']} data files, "
              f"{runs[-1]['queries']} source queries, ok={runs[-1]['ok']}")
        print(f"  vs target 2 s wall: {statistics.median(wall) / 2.0:.2f}×; vs 300 MB: "
              f"{max(r['peak_rss_mb'] for r in runs) / 300:.2f}×")


if __name__ == "__main__":
    main()
