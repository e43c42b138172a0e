"""The offline report of `heatpump-dashboard export`, opened from file:// in headless Debian chromium:
everything it shows comes from the one HTML file, with no server and no request leaving it."""
from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.browser_support import (
    CLI,
    DEFAULT_CHARTS,
    ROOT,
    TIMEZONE,
    artifact,
    ensure_bundle,
    wait_drawn,
    wait_shown_hash,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

# A day inside the demo's history (the 14 months before now): before it the demo, like a database, is empty.
DAY = (date.today() - timedelta(days=20)).isoformat()
EMBEDDED = re.compile(r'(<script type="application/json" id="embedded-data">)(.*?)(</script>)', re.S)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real CLI exporting one demo day into a temp dir (no archive there: computed from the source)."""
    ensure_bundle()
    workdir = tmp_path_factory.mktemp("export")
    config = workdir / "config.yaml"
    config.write_text(yaml.safe_dump({
        "output": {"public_dir": str(workdir / "public")},
        "site": {"language": "sv", "timezone": TIMEZONE},
        "source": {"kind": "demo", "seed": 1},
    }), encoding="utf-8")
    out = workdir / "report.html"
    result = subprocess.run([CLI, "export", "--config", str(config), "--date", DAY, "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"export failed:\n{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture
def open_report(browser: Any) -> Iterator[Any]:
    """open_report(path, query='') → a page with .requests, .sockets and .script_errors recorded."""
    contexts: list[Any] = []

    def open_(path: Path, query: str = "") -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id=TIMEZONE,
                                      color_scheme="light")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.requests, page.sockets, page.script_errors = [], [], []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("websocket", lambda ws: page.sockets.append(ws.url))
        page.on("pageerror", lambda error: page.script_errors.append(str(error)))
        page.goto(path.as_uri() + query)
        return page

    yield open_
    for context in contexts:
        context.close()


def only_the_file_itself(page: Any, path: Path) -> bool:
    """Every request the page made was for its own file (a URL with another query is still that file)."""
    return bool(page.requests) and all(url.split("?")[0] == path.as_uri() for url in page.requests)


def kpi_texts(page: Any) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-kpi]')]
        .map(el => [el.dataset.kpi, el.textContent]))""")


def test_report_from_file_draws_all_charts_and_kpis_without_any_network(report, open_report):
    page = open_report(report)
    wait_shown_hash(page, f"archive/{DAY}/24h.json")
    wait_drawn(page)
    for key in DEFAULT_CHARTS:
        assert page.locator(f"[data-chart='{key}'][data-drawn='1'] canvas").count() >= 1, key
    kpis = kpi_texts(page)
    for key in ("cop", "energy_electric_kwh", "compressor_runtime_pct", "outdoor_temp", "cost"):
        assert kpis[key] not in ("", "–"), f"KPI {key} still shows a placeholder: {kpis[key]!r}"
    page.wait_for_timeout(1000)  # time for a socket or poll to be (wrongly) attempted
    assert only_the_file_itself(page, report), page.requests
    assert page.sockets == []
    assert page.script_errors == []
    page.screenshot(path=str(artifact("export.png")), full_page=True)


def test_report_says_it_is_an_offline_report_of_its_day(report, open_report):
    page = open_report(report)
    page.wait_for_selector("#connection[data-connection='report']")
    assert page.text_content("#connection") == f"Rapport {DAY}"
    assert page.evaluate("() => heatpumpDashboard.view") == {"range": "24h", "snapshot": DAY}


def test_report_offers_only_the_ranges_it_holds(report, open_report):
    page = open_report(report)
    wait_drawn(page)
    offered = page.evaluate("() => [...document.querySelectorAll('button[data-range]')].map(b => b.dataset.range)")
    assert offered == ["24h", "7d"]


def test_report_switches_to_7d_and_the_back_button_returns(report, open_report):
    page = open_report(report)
    wait_shown_hash(page, f"archive/{DAY}/24h.json")
    page.click("button[data-range='7d']")
    wait_shown_hash(page, f"archive/{DAY}/7d.json")
    wait_drawn(page)
    assert page.url == report.as_uri() + "?range=7d"
    assert page.get_attribute("button[data-range='7d']", "aria-pressed") == "true"
    page.go_back()
    wait_shown_hash(page, f"archive/{DAY}/24h.json")
    assert page.url == report.as_uri()
    assert only_the_file_itself(page, report), page.requests
    assert page.script_errors == []


def test_report_opens_the_range_named_in_the_url(report, open_report):
    page = open_report(report, "?range=7d")
    wait_shown_hash(page, f"archive/{DAY}/7d.json")
    wait_drawn(page)


def test_report_missing_a_file_shows_the_error_banner(report, open_report, tmp_path):
    html = report.read_text(encoding="utf-8")
    match = EMBEDDED.search(html)
    embedded = json.loads(match.group(2))
    del embedded["files"][f"archive/{DAY}/7d.json"]
    text = json.dumps(embedded, separators=(",", ":")).replace("</", "<\\/")
    broken = tmp_path / "broken.html"
    broken.write_text(html[:match.start(2)] + text + html[match.end(2):], encoding="utf-8")

    page = open_report(broken, "?range=7d")
    banner = page.wait_for_selector("[data-banner='error']")
    assert f"archive/{DAY}/7d.json" in banner.text_content()
    assert only_the_file_itself(page, broken), page.requests
