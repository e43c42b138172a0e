"""`heatpump-dashboard export`: one self-contained HTML report of a day that opens from file://.

The page, its bundle and the day's 24h and 7d documents are inlined into one file.  The page finds its
data in the `<script type="application/json" id="embedded-data">` block instead of fetching it, and opens
in snapshot mode on that day.  Documents come from the archive when the day is there, else they are
computed from the source.  Progress goes to stderr: a year-long source query can take a while.
"""
from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from generator import archive
from generator.build import Context, build_range_document
from generator.core.errors import BundleMissing
from generator.core.ranges import BY_KEY
from generator.site import DIST, Assets, bundle_missing, favicon_data_url, render_index

JS_MARK, CSS_MARK = "__EMBEDDED_JS__", "__EMBEDDED_CSS__"


def _script_safe(obj: Any) -> str:
    """JSON that cannot end its <script> element early, and is still valid JSON ("\\/" and "\\u003c" are
    JSON escapes)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def day_documents(ctx: Context, day: date, progress: TextIO) -> dict[str, dict[str, Any]]:
    """The day's archived documents by path, from the archive or computed now."""
    folder = ctx.publisher.public_dir / "archive" / day.isoformat()
    end = archive.local_midnight_after(day, ctx.cfg["site.timezone"])
    documents = {}
    keys = archive.ARCHIVED_RANGES
    for i, key in enumerate(keys, 1):
        stored = folder / f"{key}.json"
        if stored.exists():
            print(f"[{i}/{len(keys)}] {key}: from the archive", file=progress, flush=True)
            documents[f"archive/{day.isoformat()}/{key}.json"] = json.loads(stored.read_bytes())
        else:
            print(f"[{i}/{len(keys)}] {key}: querying {ctx.source.kind} …", file=progress, flush=True)
            documents[f"archive/{day.isoformat()}/{key}.json"] = build_range_document(ctx, BY_KEY[key], end, None)
    return documents


def render_report(ctx: Context, day: date, documents: dict[str, dict[str, Any]]) -> str:
    if bundle_missing():
        raise BundleMissing("site_templates/dist is missing: build the page bundle with `make bundle`")
    ranges = {p.rsplit("/", 1)[-1].removesuffix(".json"): p for p in documents}
    embedded = {
        "snapshot": day.isoformat(),
        "files": {
            **documents,
            "archive/index.json": {"snapshots": [{"date": day.isoformat(), "ranges": ranges}]},
        },
    }
    page = render_index(ctx.cfg, Assets(js_path=JS_MARK, css_path=CSS_MARK, favicon=favicon_data_url()))
    css = (DIST / "app.css").read_text(encoding="utf-8")
    js = (DIST / "app.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    page = re.sub(r'<link[^>]*href="' + CSS_MARK + r'"[^>]*>', lambda _: f"<style>{css}</style>", page)
    page = re.sub(r'<script[^>]*src="' + JS_MARK + r'"[^>]*></script>', "", page)
    tail = (f'<script type="application/json" id="embedded-data">{_script_safe(embedded)}</script>\n'
            f"<script>{js}</script>\n</body>")
    return page.replace("</body>", tail, 1)


def export_report(ctx: Context, day: date, out: Path, progress: TextIO = sys.stderr) -> Path:
    documents = day_documents(ctx, day, progress)
    print(f"writing {out} …", file=progress, flush=True)
    html = render_report(ctx, day, documents)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    print(f"done: {out} ({len(html.encode('utf-8')) // 1024} KiB, opens from file:// with no server)",
          file=progress, flush=True)
    return out
