"""`make bench`: every bench script in one run, one table, and bench/results.json.

Runs, one after another on this machine (nothing else should run meanwhile):
  1. bench_generate.py --both: full generations on the simulator (cold, warm) and on a real influxd with
     30 days of 10-s data (cold, warm, restart from the on-disk cache);
  2. bench_viewers.py: our sidecar and the per-viewer baseline (bench/baselines/) with the same viewers
     and the same updates, N = 100, 1 000 (both), 5 000 and 10 000 (ours; the baseline extrapolated);
  3. bench_browser.py: Chromium through nginx: time to the first KPI and to all seven charts on fast 3G and
     4G, bytes over the wire on a first load, and freshness (a point written to influxd → shown).
Each script's own JSON is merged into bench/results.json with the machine described; the script's full
printout goes to the terminal as it runs.  A benchmark, not a test: it never fails on a figure.

    .venv/bin/python bench/run_all.py [--out bench/results.json] [--only generation viewers browser]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from machine import describe

BENCH = Path(__file__).resolve().parent
STEPS = {  # name: (script and its arguments, timeout in seconds)
    "generation": (["bench_generate.py", "--both"], 480),
    "viewers": (["bench_viewers.py"], 300),
    "browser": (["bench_browser.py"], 240),
}


def run_step(name: str, out: Path) -> dict[str, Any]:
    command, timeout = STEPS[name]
    started = time.monotonic()
    print(f"\n=== {name}: {' '.join(command)} ===", flush=True)
    try:
        subprocess.run([sys.executable, str(BENCH / command[0]), *command[1:], "--json", str(out)],
                       cwd=BENCH.parent, check=True, timeout=timeout)
        figures = json.loads(out.read_text(encoding="utf-8"))
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        print(f"{name}: FAILED: {exc}", flush=True)
        figures = {"error": str(exc)}
    figures.pop("machine", None)
    figures["seconds"] = round(time.monotonic() - started, 1)
    return figures


def cell(value: Any, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}" if isinstance(value, (int, float)) else str(value)


def table(results: dict[str, Any]) -> str:
    lines = ["", f"machine: {results['machine']}", ""]
    viewers = results.get("viewers") or []
    if viewers:
        lines.append(f"{'viewers':>8} {'notify p50':>11} {'p99':>8} {'sidecar CPU/update':>19} {'RSS':>7} "
                     f"{'baseline CPU/update':>20} {'ratio':>7}")
        for row in viewers:
            baseline = cell(row.get("baseline_cpu_s_per_update"), " s", 3) + ("*" if row.get("baseline_extrapolated") else "")
            lines.append(f"{row['n']:>8,} {cell(row['notify_p50_ms'], ' ms'):>11} {cell(row['notify_p99_ms'], ' ms'):>8} "
                         f"{cell(row['sidecar_cpu_s_per_update'], ' s', 4):>19} {cell(row['sidecar_rss_mb'], ' MB'):>7} "
                         f"{baseline:>20} {cell(row.get('cpu_ratio'), '×'):>7}")
        lines.append("  * extrapolated from the baseline's measured CPU per viewer")
    for key in ("generation", "freshness_ms", "bytes", "first_paint_ms"):
        section = results.get(key)
        if isinstance(section, dict):
            flat = {k: v for k, v in section.items() if not isinstance(v, (list, dict))}
            nested = {k: v for k, v in section.items() if isinstance(v, dict)}
            lines.append(f"{key}: " + ", ".join(f"{k} {cell(v, '', 3 if isinstance(v, float) else 0)}"
                                                for k, v in flat.items()))
            for sub, values in nested.items():
                lines.append(f"  {sub}: " + ", ".join(f"{k} {cell(v, '', 0 if isinstance(v, int) else 1)}"
                                                      for k, v in values.items() if not isinstance(v, (list, dict))))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument("--only", nargs="+", choices=list(STEPS), default=list(STEPS))
    args = parser.parse_args()
    began = time.monotonic()
    results: dict[str, Any] = {"machine": describe(), "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "viewers": None, "generation": None, "freshness_ms": None, "bytes": None,
                               "first_paint_ms": None}
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        for name in args.only:
            figures = run_step(name, Path(tmp) / f"{name}.json")
            if name == "browser":  # one script, three of the result's keys
                for key in ("freshness_ms", "bytes", "first_paint_ms"):
                    results[key] = figures.get(key, {"error": figures.get("error", "not reported")})
                results["browser_seconds"] = figures["seconds"]
            elif name == "viewers":
                results["viewers"] = figures.get("viewers", [])
                results["viewers_seconds"] = figures["seconds"]
            else:
                results["generation"] = {**figures.get("generation", {}), "seconds": figures["seconds"]}
    results["total_seconds"] = round(time.monotonic() - began, 1)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nwritten: {args.out} ({results['total_seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
