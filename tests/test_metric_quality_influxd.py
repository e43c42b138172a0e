"""Per-metric data quality end to end, in a real influxd: a collector writes every minute, one room sensor
is stuck at one value, the whole collector is silent for three hours, the brine sensor dies six and a
half hours before now while the rest goes on, and three samples are stamped two hours ahead.  The published 24 h file's table says each of these."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.sources.factory import make_source
from tests.influxd import Influxd

pytestmark = pytest.mark.influxd

H = 3_600_000
STEP = 60_000


def lines(now: int) -> list[str]:
    gap = (now - 10 * H, now - 7 * H)               # nothing at all is written
    brine_dies = now - int(6.5 * H)
    out = []
    for i, t in enumerate(range(now - 25 * H - now % STEP, now, STEP)):
        if gap[0] <= t < gap[1]:
            continue
        out += [f"heatpump,name=outdoor_temp value={-3 + (i % 97) * 0.1:.1f} {t}",
                f"heatpump,name=indoor_temp value=21.5 {t}",                      # stuck
                f"heatpump,name=power_electric value={1900 + i % 23 * 10} {t}",
                f"heatpump,name=compressor_on value=1 {t}"]
        if t < brine_dies:
            out.append(f"heatpump,name=brine_in_temp value={2 + (i % 31) * 0.1:.1f} {t}")
    # a collector whose clock runs two hours ahead wrote three outdoor samples "from the future"
    return out + [f"heatpump,name=outdoor_temp value=9.9 {now + 2 * H + i * STEP}" for i in range(3)]


def test_a_stuck_sensor_a_silent_collector_and_a_dead_sensor_are_in_the_published_table(influxd: Influxd, tmp_path):
    now = int(time.time()) * 1000
    influxd.query('DROP DATABASE "quality"')
    influxd.create_database("quality")
    influxd.write("quality", lines(now))
    cfg = load_config(None, environ={}).with_values(provider="generic", source__kind="influxql", source__url=influxd.url,
                                                    source__database="quality", output__public_dir=str(tmp_path))
    ctx = make_context(cfg, make_source(cfg))
    assert run_once(ctx, now=datetime.fromtimestamp(now / 1000, timezone.utc), due=[BY_KEY["24h"]]).ok
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    document = json.loads((tmp_path / manifest["ranges"]["24h"]["path"]).read_text(encoding="utf-8"))
    table = document["metric_quality"]
    rows = {row[0]: dict(zip(table["columns"], row)) for row in table["rows"]}

    # The silence: its last minute's sample holds for source.max_gap_s (15 min), the rest is a gap.
    silent_h = 3.0 - 0.25 + STEP / H
    for metric in ("outdoor_temp", "indoor_temp", "power_electric", "compressor_on"):
        assert rows[metric]["gaps"] == 1, metric
        assert rows[metric]["longest_gap_h"] == pytest.approx(silent_h, abs=0.05), metric
        assert rows[metric]["coverage_pct"] == pytest.approx((24 - silent_h) / 24 * 100, abs=0.3), metric
    assert rows["outdoor_temp"]["flags"] == ["gaps", "future"] and rows["outdoor_temp"]["future"] == 3
    assert rows["power_electric"]["flags"] == ["gaps"]
    # The room sensor: 21.5 from the window's start until the silence, ~14 h (the longer of its two runs).
    assert rows["indoor_temp"]["stuck_h"] == pytest.approx(24 - 10 + 0.25 - STEP / H, abs=0.1)
    assert "stuck" in rows["indoor_temp"]["flags"]
    assert rows["outdoor_temp"]["stuck_h"] == 0 and rows["power_electric"]["stuck_h"] == 0
    # The brine sensor: held at its last value for 6.5 h, and its newest sample that far behind the others.
    brine = rows["brine_in_temp"]
    assert brine["behind_h"] == pytest.approx(6.5, abs=0.05)
    assert {"behind", "stuck"} <= set(brine["flags"])
    assert "indoor_temp" in document["charts"]["temperature"]["_meta"]["metrics"]
    assert "power_electric" in document["charts"]["power"]["_meta"]["metrics"]
