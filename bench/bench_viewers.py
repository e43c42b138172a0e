"""Our sidecar against the usual design, with the same viewers and the same trigger.

In one run, on one machine, one pool of viewer worker processes (bench_sidecar.ViewerPool: raw-socket
websocket clients) is held first on our sidecar (`heatpump-dashboard sidecar`: one manifest frame,
serialised once, broadcast to all) and then on bench/baselines/per_viewer.py (the Dash / Flask-SocketIO
way: every viewer's charts computed for that viewer by our own source, analytics and chart code, on every
update).  Both are woken by the same atomic rename of public/manifest.json.  Per number of viewers N:

* notify latency p50/p99: from the rename until the LAST of the N viewers holds the new seq;
* server CPU seconds per update: all threads of the server process (/proc schedstat), from just before
  the rename until the server settles after the last viewer got it;
* server RSS MB (the largest seen with N viewers held).

Our sidecar runs at every --sizes, the baseline at --baseline-sizes with fewer reps (one update takes it
tens of seconds at 1,000 viewers).  Above the largest baseline size its CPU per update is extrapolated
from the per-viewer cost measured there (linear: the work is a loop over viewers; "extrapolated": true
in the JSON).  cpu_ratio = baseline CPU per update / sidecar CPU per update.  Usage:

    .venv/bin/python bench/bench_viewers.py [--sizes 100 1000 5000 10000] [--baseline-sizes 100 1000]
        [--reps 5] [--baseline-reps 3] [--workers 2] [--json OUT]

The target for the sidecar is 10,000 viewers notified within 500 ms (p99) in at most 250 MB RSS; the
script says whether it was met.  Viewers, servers and other jobs share the machine's cores.
"""
from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from bench_sidecar import (
    REPO,
    Row,
    Updates,
    ViewerPool,
    machine,
    measure,
    raise_open_files_limit,
    sidecar_command,
    start_server,
    stop_server,
)

BASELINE = REPO / "bench" / "baselines" / "per_viewer.py"
TARGET_N, TARGET_P99_MS, TARGET_RSS_MB = 10_000, 500.0, 250.0


def baseline_command(public: Path) -> list[str]:
    return [sys.executable, str(BASELINE), "--public-dir", str(public), "--host", "127.0.0.1", "--port", "0"]


def check_capacity(largest: int, workers: int) -> int:
    """Enough descriptors for the server and for each worker's share, and enough loopback ports;
    returns the number of workers to use (more when one worker's limit cannot hold its share)."""
    soft, hard = (n if n != resource.RLIM_INFINITY else 2**20 for n in raise_open_files_limit())
    if soft < largest + 200:
        raise SystemExit(f"open-files limit {soft} is below {largest} viewers + 200; raise it (ulimit -n)")
    workers = max(workers, math.ceil(largest / (hard - 200)))  # each worker lifts its soft limit to `hard`
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    if high - low + 1 < largest:
        raise SystemExit(f"{high - low + 1} loopback ephemeral ports, fewer than {largest} viewers")
    print(f"open files {soft}/{hard}; ephemeral ports {low}-{high}; {workers} viewer workers", flush=True)
    return workers


def run_server(command: list[str], updates: Updates, pool: ViewerPool, sizes: list[int], reps: int,
               timeout_for: Callable[[int, dict[int, Row]], float], count_held: bool, label: str) -> dict[int, Row]:
    """Start one server, measure it at each size (timeout_for(size, rows_so_far) gives the update timeout)."""
    proc, port = start_server(command)
    rows: dict[int, Row] = {}
    try:
        time.sleep(0.5)
        for size in sizes:
            started = time.monotonic()
            timeout_s = timeout_for(size, rows)
            row = measure(proc, port, updates, pool, size, reps, timeout_s=timeout_s, count_held=count_held)
            rows[size] = row
            print(f"{label} n={size}: p50 {row.p50_ms:.0f} ms, p99 {row.p99_ms:.0f} ms, CPU "
                  f"{row.cpu_ms_per_update / 1000:.3f} s/update, RSS {row.rss_mb:.0f} MB "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        stop_server(proc)
    return rows


def baseline_timeout(size: int, rows: dict[int, Row]) -> float:
    """Generous: 0.2 s per viewer before anything is known (≈ 5× what one build costs), then 3× the
    slowest wall time per viewer seen so far."""
    if not rows:
        return 30 + 0.2 * size
    per_viewer_s = max(r.max_ms / 1000 / r.viewers for r in rows.values())
    return 30 + 3 * per_viewer_s * size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--baseline-sizes", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--reps", type=int, default=5, help="updates per size for our sidecar")
    parser.add_argument("--baseline-reps", type=int, default=3, help="updates per size for the baseline")
    parser.add_argument("--workers", type=int, default=2, help="viewer worker processes (more if needed)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    sizes, baseline_sizes = sorted(args.sizes), sorted(args.baseline_sizes)
    largest = max(sizes + baseline_sizes)
    workers = check_capacity(largest, args.workers)

    begun = time.monotonic()
    public = Path(tempfile.mkdtemp(prefix="bench-viewers-"))
    updates = Updates(public)  # one seq counter, one public/ for both servers
    try:
        with ViewerPool(workers) as pool:
            ours = run_server(sidecar_command(public, max(15000, largest + 1000)), updates, pool, sizes,
                              args.reps, lambda size, rows: 30, True, "sidecar")
            theirs = run_server(baseline_command(public), updates, pool, baseline_sizes, args.baseline_reps,
                                baseline_timeout, False, "baseline") if baseline_sizes else {}
    finally:
        shutil.rmtree(public, ignore_errors=True)
    wall_s = time.monotonic() - begun

    # The baseline's per-viewer CPU cost at its largest measured size; beyond that, cost = per viewer × n.
    reference = theirs[max(theirs)] if theirs else None
    per_viewer_s = reference.cpu_ms_per_update / 1000 / reference.viewers if reference else None
    results = []
    for n in sorted(set(sizes) | set(baseline_sizes)):
        mine, base = ours.get(n), theirs.get(n)
        sidecar_cpu = mine.cpu_ms_per_update / 1000 if mine else None
        extrapolated = base is None and per_viewer_s is not None and n > max(theirs)
        base_cpu = base.cpu_ms_per_update / 1000 if base else (per_viewer_s * n if extrapolated else None)
        results.append({
            "n": n,
            "notify_p50_ms": round(mine.p50_ms, 1) if mine else None,
            "notify_p99_ms": round(mine.p99_ms, 1) if mine else None,
            "sidecar_cpu_s_per_update": round(sidecar_cpu, 4) if sidecar_cpu is not None else None,
            "sidecar_rss_mb": round(mine.rss_mb, 1) if mine else None,
            "baseline_cpu_s_per_update": round(base_cpu, 3) if base_cpu is not None else None,
            "baseline_extrapolated": extrapolated if base_cpu is not None else None,
            "baseline_cpu_ms_per_viewer": round(base.cpu_ms_per_update / n, 2) if base else None,
            "baseline_notify_p50_ms": round(base.p50_ms, 1) if base else None,
            "baseline_notify_p99_ms": round(base.p99_ms, 1) if base else None,
            "baseline_rss_mb": round(base.rss_mb, 1) if base else None,
            "cpu_ratio": round(base_cpu / sidecar_cpu) if base_cpu and sidecar_cpu else None,
        })

    print(f"\nmachine: {machine()}")
    print(f"{workers} viewer workers on the same cores; {args.reps} updates per size for the sidecar, "
          f"{args.baseline_reps} for the baseline; notify = rename → last viewer holds it; wall {wall_s:.0f} s")
    header = ("n", "notify p50 ms", "p99 ms", "sidecar CPU s/upd", "sidecar RSS MB", "baseline CPU s/upd",
              "ratio", "baseline p50 s")
    print(" | ".join(f"{h:>18}" for h in header))
    print("-+-".join("-" * 18 for _ in header))

    def cell(value: float | None, form: str) -> str:
        return "—" if value is None else format(value, form)

    for r in results:
        base_cpu = cell(r["baseline_cpu_s_per_update"], ".2f") + (" (extrap.)" if r["baseline_extrapolated"] else "")
        p50 = r["baseline_notify_p50_ms"]
        cells = (f"{r['n']:,}", cell(r["notify_p50_ms"], ".1f"), cell(r["notify_p99_ms"], ".1f"),
                 cell(r["sidecar_cpu_s_per_update"], ".4f"), cell(r["sidecar_rss_mb"], ".1f"), base_cpu,
                 cell(r["cpu_ratio"], ",d") + ("×" if r["cpu_ratio"] else ""), cell(p50 and p50 / 1000, ".1f"))
        print(" | ".join(f"{c:>18}" for c in cells))
    if per_viewer_s is not None:
        print(f"baseline CPU per viewer per update: {1000 * per_viewer_s:.1f} ms (at n={reference.viewers:,})")
    target = ours.get(TARGET_N)
    if target:
        met = target.p99_ms <= TARGET_P99_MS and target.rss_mb <= TARGET_RSS_MB
        print(f"target {TARGET_N:,} viewers ≤ {TARGET_P99_MS:.0f} ms p99, ≤ {TARGET_RSS_MB:.0f} MB: "
              f"{'met' if met else 'MISSED'} (p99 {target.p99_ms:.0f} ms, RSS {target.rss_mb:.0f} MB)")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "viewers": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
