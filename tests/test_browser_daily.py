"""The daily chart and the season SPF cards in Chromium: drawn on 30d and 365d in both themes on a 390 px
phone, hidden on 24 h (the range file has neither), against `generate --once` and the sidecar."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from tests.browser_support import (
    Site,
    artifact,
    free_port,
    generate_once,
    make_site,
    open_page,
    sidecar,
    wait_shown_hash,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

DAILY = "[data-chart='daily']"
SERIES = "() => heatpumpDashboard.chart('daily').getOption().series.map(s => s.type)"
AXIS_COLOUR = """() => heatpumpDashboard.chart('daily').getModel().getComponent('xAxis')
    .getModel('axisLabel').get('color')"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = make_site(tmp_path_factory.mktemp("daily"))
    generate_once(site)
    return site


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    opened: list[Any] = []

    def open_phone(url: str, scheme: str = "light") -> Any:
        return open_page(opened, browser, url, width=390, height=844, scheme=scheme)

    yield open_phone
    for page in opened:
        page.context.close()


def wait_daily_drawn(page: Any) -> None:
    page.locator(f"{DAILY}[data-drawn='1'] canvas").first.wait_for()


def luminance(css_color: str) -> float:
    r, g, b = ((int(css_color[i:i + 2], 16) for i in (1, 3, 5)) if css_color.startswith("#")
               else (int(x) for x in re.findall(r"\d+", css_color)[:3]))
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("range_key", ["30d", "365d"])
def test_the_daily_chart_draws_bars_and_points_on_a_phone_in_both_themes(browser, phone, site, range_key):
    port = free_port()
    colours = {}
    with sidecar(site, port):
        for scheme in ("light", "dark"):
            page = phone(f"http://127.0.0.1:{port}/?range={range_key}", scheme)
            wait_shown_hash(page, site.range_hash(range_key))
            page.locator(DAILY).scroll_into_view_if_needed()
            wait_daily_drawn(page)
            assert page.evaluate(SERIES) == ["bar", "bar", "scatter"]
            box = page.locator(DAILY).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] > 200
            widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], f"horizontal scroll on a phone: {widths}"
            colours[scheme] = page.evaluate(AXIS_COLOUR)
            page.locator(DAILY).screenshot(path=str(artifact(f"daily-{range_key}-{scheme}.png")))
            assert page.script_errors == []
    assert luminance(colours["dark"]) > luminance(colours["light"]), colours   # the dark theme reached the chart


def test_on_24h_the_daily_card_and_the_season_cards_are_hidden_and_365d_shows_them(browser, phone, site):
    port = free_port()
    with sidecar(site, port):
        page = phone(f"http://127.0.0.1:{port}/")
        wait_shown_hash(page, site.range_hash("24h"))
        assert page.get_attribute(DAILY, "data-state") == "absent" and not page.locator(DAILY).is_visible()
        for card in ("spf_year", "spf_season"):
            assert not page.locator(f"[data-kpi-card='{card}']").is_visible(), card

        page.click("[data-range='365d']")
        wait_shown_hash(page, site.range_hash("365d"))
        assert page.locator("[data-kpi-card='spf_season']").is_visible()
        assert re.fullmatch(r"\d+,\d\d", page.text_content("[data-kpi='spf_year']") or ""), "SPF in Swedish"
        assert (page.text_content("[data-kpi='season_from']") or "").startswith("sedan ")
        page.locator(DAILY).scroll_into_view_if_needed()
        wait_daily_drawn(page)
        assert page.locator(DAILY).is_visible()

        page.click("[data-range='24h']")
        wait_shown_hash(page, site.range_hash("24h"))
        assert not page.locator(DAILY).is_visible()
        assert not page.locator("[data-kpi-card='spf_season']").is_visible()
        assert page.script_errors == []
