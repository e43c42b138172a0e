"""The heat signature in headless chromium on a phone (390 px), light and dark: two seasons drawn as
scatter series with their lines, inside the card, with the theme's text colour; hidden on ranges without it."""
from __future__ import annotations

import re

import pytest

from tests.browser_support import (
    Site,
    artifact,
    free_port,
    generate_once,
    luminance,
    make_site,
    open_page,
    sidecar,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One demo generation (seed 1): its 365d window holds this heating season and most of the last."""
    generated = make_site(tmp_path_factory.mktemp("signature"))
    generate_once(generated)
    return generated


SIGNATURE = """() => { const chart = heatpumpDashboard.chart('signature'); const option = chart.getOption();
    return {types: option.series.map(s => s.type), names: option.series.map(s => s.name),
            subtitle: option.title[0].subtext, width: chart.getWidth(),
            text: chart.getModel().getComponent('xAxis').getModel('axisLabel').get('color')}; }"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_heat_signature_draws_two_seasons_on_a_phone(browser, pages, site, scheme):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/?range=365d", width=390, height=844,
                         scheme=scheme)
        card = page.locator("[data-chart='signature'][data-drawn='1']")
        card.locator("canvas").first.wait_for()
        card.scroll_into_view_if_needed()
        drawn = page.evaluate(SIGNATURE)
        assert drawn["types"] == ["scatter", "scatter", "line", "line"]
        assert drawn["names"] == ["2024/25", "2025/26", "2024/25", "2025/26"]
        assert "W/K" in drawn["subtitle"] and "balans" in drawn["subtitle"]
        # the KPI card says this season's line, as the subtitle's first line does
        heat_loss = page.text_content("[data-kpi='heat_loss_w_per_k']")
        figures = re.compile(r"(\d+) W/K.*?balans (-?\d+,\d) °C")
        assert heat_loss.startswith("värmeförlust ")
        assert figures.search(heat_loss).groups() == figures.search(drawn["subtitle"].split("\n")[0]).groups()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and drawn["width"] <= box["width"]
        bright = luminance(drawn["text"]) > 0.5
        assert bright is (scheme == "dark"), drawn["text"]
        card.screenshot(path=str(artifact(f"signature-{scheme}-390.png")))
    assert page.script_errors == []


def test_the_heat_signature_card_is_hidden_on_a_range_without_it(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/?range=24h")
        page.locator("[data-chart='cop'][data-drawn='1'] canvas").first.wait_for()
        assert page.get_attribute("[data-chart='signature']", "data-state") == "absent"
        assert not page.locator("[data-chart='signature']").is_visible()
    assert page.script_errors == []
