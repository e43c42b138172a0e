"""The options laid out by real ECharts (server-side in Node, the npm package the page bundles) at the
sizes a chart card has: a 390 px phone, a narrow three-column card and a wide two-column card. Every
text stays inside the card, whole, and clear of every other text; stacked panels line up."""
from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from generator import analytics
from generator.charts import build_charts
from generator.core.ranges import BY_KEY, window_for
from generator.sources.demo import DemoSource
from tests.clocks import ManualClock

ROOT = Path(__file__).resolve().parents[1]
ECHARTS = ROOT / "node_modules" / "echarts" / "dist" / "echarts.js"
TZ = "Europe/Stockholm"
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)
# The chart canvas inside a card (site_templates/src/app.css: .chart-body minus the canvas inset).
SIZES = {"phone": (358, 366), "narrow": (420, 406), "wide": (650, 406)}
TOLERANCE = 1.0  # px: ECharts measures text server-side by estimate

LAYOUT = r"""
const echarts = require(process.argv[2]);
const { options, sizes } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
function clipped(el) {  // inside a scrolling legend's window: drawn only when scrolled to
  for (let node = el; node; node = node.parent) if (node.getClipPath && node.getClipPath()) return true;
  return false;
}
const out = {};
for (const [size, [width, height]] of Object.entries(sizes)) {
  out[size] = {};
  for (const [key, option] of Object.entries(options)) {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
    chart.setOption(option);
    chart.renderToSVGString();
    const texts = [];
    for (const el of chart.getZr().storage.getDisplayList(true)) {
      if (el.type !== 'tspan' || !el.style.text || el.invisible || el.ignore || clipped(el)) continue;
      const r = el.getBoundingRect().clone();
      if (el.transform) r.applyTransform(el.transform);
      texts.push({ text: String(el.style.text), x: r.x, y: r.y, w: r.width, h: r.height });
    }
    const grids = [];
    chart.getModel().eachComponent('grid', (g) => {
      const r = g.coordinateSystem.getRect();
      grids.push({ x: r.x, y: r.y, w: r.width, h: r.height });
    });
    out[size][key] = { texts, grids };
    chart.dispose();
  }
}
process.stdout.write(JSON.stringify(out));
"""


def demo_options(range_key: str, language: str) -> dict[str, dict[str, Any]]:
    """The seven options of a simulated range, as the generator makes them."""
    spec = BY_KEY[range_key]
    window = window_for(spec, NOW, TZ)
    source = DemoSource(seed=1, clock=ManualClock(NOW))   # its history: the 14 months before NOW
    frame = source.series(window, bands=spec.bands)
    changes = source.state_changes(window, ["compressor_on", "switch_valve", "aux_heater_on", "alarm_code"])
    summary = analytics.summarize(frame, changes, window, analytics.Params())
    return build_charts(frame, summary, window, spec, language, TZ)


@pytest.fixture(scope="module", params=[("24h", "sv"), ("7d", "en")], ids=["24h-sv", "7d-en"])
def drawn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not ECHARTS.exists():
        pytest.skip("needs node and node_modules/echarts (npm ci)")
    options = demo_options(*request.param)
    script = tmp_path_factory.mktemp("layout") / "layout.cjs"
    script.write_text(LAYOUT, encoding="utf-8")
    done = subprocess.run([node, str(script), str(ECHARTS)], input=json.dumps({"options": options, "sizes": SIZES}),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {"options": options, "layout": json.loads(done.stdout)}


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["w"] - TOLERANCE and b["x"] < a["x"] + a["w"] - TOLERANCE
            and a["y"] < b["y"] + b["h"] - TOLERANCE and b["y"] < a["y"] + a["h"] - TOLERANCE)


@pytest.mark.parametrize("size", SIZES)
def test_no_text_runs_off_the_card(drawn, size):
    width, height = SIZES[size]
    outside = [(key, t["text"]) for key, chart in drawn["layout"][size].items() for t in chart["texts"]
               if t["x"] < -TOLERANCE or t["y"] < -TOLERANCE
               or t["x"] + t["w"] > width + TOLERANCE or t["y"] + t["h"] > height + TOLERANCE]
    assert outside == []


@pytest.mark.parametrize("size", SIZES)
def test_no_two_texts_overlap(drawn, size):
    clashes = [(key, a["text"], b["text"]) for key, chart in drawn["layout"][size].items()
               for a, b in itertools.combinations(chart["texts"], 2) if overlap(a, b)]
    assert clashes == []


@pytest.mark.parametrize("size", SIZES)
def test_no_label_is_shortened(drawn, size):
    shortened = [(key, t["text"]) for key, chart in drawn["layout"][size].items() for t in chart["texts"]
                 if t["text"].endswith(("...", "…"))]
    assert shortened == []


@pytest.mark.parametrize("size", SIZES)
def test_every_runtime_slice_shows_its_share_and_names_it_in_the_legend(drawn, size):
    slices = drawn["options"]["runtime"]["series"][0]["data"]
    texts = [t["text"] for t in drawn["layout"][size]["runtime"]["texts"]]
    assert sum(1 for text in texts if text.endswith(" %")) == len(slices)
    assert {s["name"] for s in slices} <= set(texts)


@pytest.mark.parametrize("size", SIZES)
def test_every_sankey_node_is_labelled(drawn, size):
    nodes = drawn["options"]["sankey"]["series"][0]["data"]
    texts = [t["text"] for t in drawn["layout"][size]["sankey"]["texts"]]
    unlabelled = [n["name"] for n in nodes if not any(text.startswith(n["name"]) for text in texts)]
    assert unlabelled == []


@pytest.mark.parametrize("key", ["performance", "power"])
@pytest.mark.parametrize("size", SIZES)
def test_stacked_panels_share_their_left_and_right_edges(drawn, size, key):
    upper, lower = drawn["layout"][size][key]["grids"]
    assert lower["x"] == pytest.approx(upper["x"]) and lower["w"] == pytest.approx(upper["w"])
    assert lower["y"] > upper["y"] + upper["h"]
