"""Benchmark: what a first visit downloads, and what the tree-shaken ECharts bundle saves.

Generates public/ once with `heatpump-dashboard generate --once` (demo source) into a temp dir, or
reads an existing one with --public-dir, and prints the raw and gzip bytes of everything the first
load of the default range fetches: index.html, the JS and CSS bundles, manifest.json, the 24h data
file and the live file. Then it compares site_templates/dist/app.js (ECharts core plus only the
charts and components the page uses, plus the page's own code) with the full
node_modules/echarts/dist/echarts.min.js. A benchmark, not a test: it prints figures, never fails.

    npm ci && npm run build
    .venv/bin/python bench/bench_first_load.py [--public-dir DIR]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "heatpump-dashboard"
BUNDLE = ROOT / "site_templates" / "dist" / "app.js"
FULL_ECHARTS = ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"


def gz(data: bytes) -> int:
    """Bytes on the wire with gzip at level 6 (nginx's usual gzip_comp_level is 1–6)."""
    return len(gzip.compress(data, compresslevel=6))


def generate(public: Path) -> None:
    config = public.parent / "config.yaml"
    config.write_text(f"output:\n  public_dir: {json.dumps(str(public))}\nsource:\n  kind: demo\n", encoding="utf-8")
    subprocess.run([str(CLI), "generate", "--once", "--config", str(config)], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)


def first_load_files(public: Path, range_key: str) -> list[tuple[str, Path]]:
    html = (public / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:src|href)="(assets/[^"]+)"', html)
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    files = [("index.html", public / "index.html")]
    files += [(path, public / path) for path in assets]
    files.append(("manifest.json", public / "manifest.json"))
    files.append((manifest["ranges"][range_key]["path"], public / manifest["ranges"][range_key]["path"]))
    if manifest.get("live"):
        files.append((manifest["live"]["path"], public / manifest["live"]["path"]))
    return files


def kib(n: int) -> str:
    return f"{n / 1024:8.1f} KiB"


def report(public: Path, range_key: str) -> None:
    rows = []
    for name, path in first_load_files(public, range_key):
        data = path.read_bytes()
        rows.append((name, len(data), gz(data)))
    width = max(len(name) for name, _, _ in rows)
    print(f"First load of the {range_key} view from {public}:")
    print(f"  {'file':<{width}}  {'raw':>12}  {'gzip':>12}")
    for name, raw, zipped in rows:
        print(f"  {name:<{width}}  {kib(raw)}  {kib(zipped)}")
    total_raw = sum(r for _, r, _ in rows)
    total_gz = sum(z for _, _, z in rows)
    print(f"  {'total':<{width}}  {kib(total_raw)}  {kib(total_gz)}")

    if BUNDLE.is_file() and FULL_ECHARTS.is_file():
        bundle, full = BUNDLE.read_bytes(), FULL_ECHARTS.read_bytes()
        print("\nECharts: the page's whole bundle (tree-shaken ECharts + page code) vs the full library alone:")
        print(f"  site_templates/dist/app.js              {kib(len(bundle))}  {kib(gz(bundle))} gzip")
        print(f"  node_modules/echarts/dist/echarts.min.js {kib(len(full))}  {kib(gz(full))} gzip")
        print(f"  bundle / full: {len(bundle) / len(full):.0%} raw, {gz(bundle) / gz(full):.0%} gzip")
    else:
        print("\n(no bundle comparison: run `npm ci && npm run build` first)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-dir", type=Path, help="an already generated public/ (default: generate one)")
    parser.add_argument("--range", default="24h", help="the range the first visit shows")
    args = parser.parse_args()
    if args.public_dir:
        report(args.public_dir.resolve(), args.range)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-first-load-") as tmp:
        public = Path(tmp) / "public"
        generate(public)
        report(public, args.range)
    return 0


if __name__ == "__main__":
    sys.exit(main())
