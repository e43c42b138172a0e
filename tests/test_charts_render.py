"""The options through real ECharts (the npm package the page bundles), rendered server-side in Node:
every chart draws without an exception or an ECharts warning."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.test_charts import charts_for, full_frame, small_window

ECHARTS = Path(__file__).resolve().parents[1] / "node_modules" / "echarts" / "dist" / "echarts.js"

RENDER = r"""
const echarts = require(process.argv[2]);
const options = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const warnings = [];
console.warn = console.error = (...a) => warnings.push(a.join(' '));
const result = {};
for (const [key, option] of Object.entries(options)) {
  const chart = echarts.init(null, null, {renderer: 'svg', ssr: true, width: 800, height: 450});
  try {
    chart.setOption(option);
    result[key] = {svg: chart.renderToSVGString().length};
  } catch (e) {
    result[key] = {error: String(e)};
  }
  chart.dispose();
}
process.stdout.write(JSON.stringify({result, warnings}));
"""


def render(options: dict[str, dict], tmp_path: Path) -> dict:
    node = shutil.which("node")
    if node is None or not ECHARTS.exists():
        pytest.skip("needs node and node_modules/echarts (npm ci)")
    script = tmp_path / "render.cjs"
    script.write_text(RENDER, encoding="utf-8")
    done = subprocess.run([node, str(script), str(ECHARTS)], input=json.dumps(options), capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def sparse_frame(window) -> pd.DataFrame:
    frame = full_frame(window)[["outdoor_temp", "supply_temp", "hot_water_temp", "power_electric"]]
    frame.iloc[1:3, :] = np.nan
    return frame


@pytest.mark.parametrize("range_key, make_frame", [
    ("24h", lambda w: full_frame(w)),
    ("30d", lambda w: full_frame(w, bands=True)),
    ("24h", sparse_frame),
    ("24h", lambda w: pd.DataFrame(index=w.edges()[:-1])),
], ids=["full", "bands", "sparse", "empty"])
def test_every_chart_renders_in_echarts_without_warnings(tmp_path, range_key, make_frame):
    window = small_window()
    options = charts_for(make_frame(window), window, range_key)
    rendered = render(options, tmp_path)
    assert rendered["warnings"] == []
    for key, outcome in rendered["result"].items():
        assert "error" not in outcome, (key, outcome)
        assert outcome["svg"] > 0
