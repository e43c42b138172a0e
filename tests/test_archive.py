"""The daily archive, its retention, and the self-contained export."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.export import export_report
from generator.site import bundle_missing
from generator.sources.demo import DemoSource
from tests.clocks import ManualClock
from tests.public_contract import validate_file, validate_tree

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 30, 6, 0, 7, tzinfo=timezone.utc)  # the day after the spring DST change

pytestmark = pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")


def context(public: Path, **settings):
    cfg = load_config(None, {}).with_values(output__public_dir=str(public), **settings)
    return make_context(cfg, DemoSource(seed=1, clock=ManualClock(NOW)), ManualClock(NOW))


def test_a_run_archives_the_local_day_that_ended_with_its_24h_and_7d_documents(tmp_path):
    run_once(context(tmp_path), now=NOW, due=[])
    folder = tmp_path / "archive" / "2026-03-29"
    day = validate_file(tmp_path, "archive/2026-03-29/24h.json")
    week = validate_file(tmp_path, "archive/2026-03-29/7d.json")
    # the snapshot ends at the local midnight after the day (the 29th of March 2026 in Stockholm is a
    # 23-hour day, so the 24 hours reach one hour into the 28th)
    assert (day["from"], day["to"]) == ("2026-03-28T22:00:00Z", "2026-03-29T22:00:00Z")
    assert week["to"] == day["to"]
    index = validate_file(tmp_path, "archive/index.json")
    assert index["snapshots"][0] == {"date": "2026-03-29", "ranges": {
        "24h": "archive/2026-03-29/24h.json", "7d": "archive/2026-03-29/7d.json"}}
    assert folder.is_dir()


def test_the_archive_is_taken_once_a_day(tmp_path):
    ctx = context(tmp_path)
    run_once(ctx, now=NOW, due=[])
    path = tmp_path / "archive" / "2026-03-29" / "24h.json"
    before = path.stat().st_mtime_ns
    run_once(ctx, now=NOW.replace(hour=7), due=[])
    assert path.stat().st_mtime_ns == before


def test_snapshots_older_than_the_retention_are_deleted(tmp_path):
    ctx = context(tmp_path, output__archive_days=3)
    for day in ("2026-03-20", "2026-03-27"):
        (tmp_path / "archive" / day).mkdir(parents=True)
        (tmp_path / "archive" / day / "24h.json").write_text("{}", encoding="utf-8")
    run_once(ctx, now=NOW, due=[])
    assert not (tmp_path / "archive" / "2026-03-20").exists()
    assert (tmp_path / "archive" / "2026-03-27").exists()
    dates = [s["date"] for s in json.loads((tmp_path / "archive" / "index.json").read_bytes())["snapshots"]]
    assert dates == ["2026-03-29", "2026-03-27"]


def test_archive_command_snapshots_a_chosen_day(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"output:\n  public_dir: {tmp_path / 'public'}\n", encoding="utf-8")
    day = (pd.Timestamp.now(tz="Europe/Stockholm") - pd.Timedelta(days=3)).date().isoformat()
    result = subprocess.run([sys.executable, "-m", "generator.cli", "archive", "--config", str(config),
                             "--date", day], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    validate_tree(tmp_path / "public")
    assert (tmp_path / "public" / "archive" / day / "7d.json").exists()


def test_export_inlines_page_bundle_and_data_and_reports_progress(tmp_path, capsys):
    import io
    progress = io.StringIO()
    out = export_report(context(tmp_path / "public"), date(2026, 3, 29), tmp_path / "report.html", progress)
    html = out.read_text(encoding="utf-8")
    assert 'id="embedded-data"' in html and "<style>" in html
    assert 'src="assets/' not in html and 'href="assets/' not in html, "nothing may be fetched from a server"
    embedded = html.split('id="embedded-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(embedded)  # valid JSON as it stands
    assert data["snapshot"] == "2026-03-29"
    assert set(data["files"]) == {"archive/2026-03-29/24h.json", "archive/2026-03-29/7d.json", "archive/index.json"}
    lines = progress.getvalue().splitlines()
    assert lines[0].startswith("[1/2] 24h") and lines[-1].startswith("done:")
