"""Active alarms carry code, text and since-when, also from a database that only gives the newest code."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.site import bundle_missing
from generator.sources.factory import make_cached_source

pytestmark = [pytest.mark.influxd,
              pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")]


def test_an_alarm_that_began_three_hours_ago_is_active_since_then(influxd, tmp_path):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    began = (now - timedelta(hours=3)).replace(second=0)
    lines = []
    t = (now - timedelta(hours=8)).replace(second=0)  # samples on whole minutes and half minutes
    while t <= now:
        code = 14 if t >= began else 0
        ms = int(t.timestamp() * 1000)
        lines += [f"heatpump,name=alarm_code value={code} {ms}", f"heatpump,name=outdoor_temp value=-3.5 {ms}"]
        t += timedelta(seconds=30)
    influxd.create_database("alarms")
    influxd.write("alarms", lines)
    cfg = load_config(None, {}).with_values(source__kind="influxql", source__url=influxd.url,
                                            source__database="alarms", output__public_dir=str(tmp_path),
                                            site__language="en")
    ctx = make_context(cfg, make_cached_source(cfg))
    assert run_once(ctx, now=now, due=[BY_KEY["24h"]]).ok
    manifest = json.loads((tmp_path / "manifest.json").read_bytes())
    live = json.loads((tmp_path / manifest["live"]["path"]).read_bytes())
    day = json.loads((tmp_path / manifest["ranges"]["24h"]["path"]).read_bytes())
    expected = {"code": 14, "text": "Alarm 14", "severity": None, "since": began.strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert live["alarms"] == [expected]
    assert day["alarms"]["active"] == [expected]
    assert [(e["code"], e["start"], e["end"]) for e in day["alarms"]["events"]] == [(14, expected["since"], None)]
