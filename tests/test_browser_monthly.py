"""The "all" range in Chromium: its button reads "Allt", and the monthly chart draws its bars, the same
month a year before and the COP points, in both themes on a 390-px phone without horizontal scroll."""
from __future__ import annotations

import pytest

from tests.browser_support import artifact, free_port, open_page, sidecar
from tests.test_browser import generated, site  # noqa: F401 (fixtures)

MONTHLY_DRAWN = "document.querySelector('[data-chart=\"monthly\"][data-drawn=\"1\"]') !== null"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_all_draws_the_monthly_chart_on_a_phone_in_both_themes(browser, pages, site, scheme):  # noqa: F811
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", width=390, height=844, scheme=scheme)
        button = page.locator("[data-range='all']")
        button.wait_for()
        assert button.text_content() == "Allt"
        button.click()
        page.locator("[data-chart='monthly']").scroll_into_view_if_needed()
        page.wait_for_function(MONTHLY_DRAWN)
        assert page.url.endswith("?range=all")
        assert page.get_attribute("html", "data-theme") == scheme
        series = page.evaluate("""() => heatpumpDashboard.chart('monthly').getOption().series
            .map(s => [s.type, s.name, s.data.filter(p => (Array.isArray(p) ? p : p.value)[1] !== null).length])""")
        bars = [s for s in series if s[0] == "bar"]
        assert [s[1] for s in bars] == ["El", "Värme"] and all(count >= 12 for _, _, count in bars), series
        # the demo's history is 14 months, so two months have the year before beside them
        assert [s[2] for s in series if s[1] in ("El året innan", "Värme året innan")] == [2, 2], series
        assert any(s[1] == "COP" and s[2] >= 12 for s in series), series
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"horizontal scroll on a phone: {widths}"
        page.locator("[data-chart='monthly']").screenshot(path=str(artifact(f"monthly-all-{scheme}.png")))
    assert page.script_errors == []
