"""The "Lifetime" panel in headless chromium: the heat pump's own counters from the live file (compressor
hours and starts, the average run they give, add-heat hours, the meters), on a phone, in both themes and
both languages, against a real `heatpump-dashboard generate --once` on the demo (its simulator's counters)."""
from __future__ import annotations

import json
import re

import pytest

from tests.browser_support import (
    CLOCK_START,
    TIMEZONE,
    artifact,
    free_port,
    generate_once,
    luminance,
    make_site,
    sidecar,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


def digits(text: str) -> str:
    """The figure without its grouping spaces or unit: "5 081 h" → "5081"."""
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("scheme,language,title", [("light", "sv", "Livstid"), ("dark", "en", "Lifetime")])
def test_the_lifetime_panel_shows_the_live_files_counters_on_a_phone(browser, tmp_path, scheme, language, title):
    site = make_site(tmp_path / "site", language=language)
    generate_once(site)
    live = json.loads((site.public / site.manifest()["live"]["path"]).read_text(encoding="utf-8"))["values"]
    hours, starts = live["compressor_hours_total"], live["compressor_starts_total"]
    assert hours > 1000 and starts > 100   # the demo's pump has run for over a year

    port = free_port()
    with sidecar(site, port):
        context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                      timezone_id=TIMEZONE, bypass_csp=True)
        try:
            page = context.new_page()
            page.clock.set_system_time(CLOCK_START)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#lifetime:not([hidden]) [data-lifetime='compressor_hours_total']", timeout=20000)
            shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#lifetime [data-lifetime]')]
                .map(el => [el.dataset.lifetime, el.textContent]))""")
            assert page.text_content("#lifetime .card-title") == title
            assert digits(shown["compressor_hours_total"]) == str(round(hours))
            assert shown["compressor_hours_total"].endswith(" h")
            assert digits(shown["compressor_hours_hot_water_total"]) == str(round(live["compressor_hours_hot_water_total"]))
            assert digits(shown["compressor_starts_total"]) == str(round(starts))
            assert digits(shown["average_run"]) == str(round(hours * 60 / starts))     # minutes per start
            assert digits(shown["aux_heater_hours_total"]) == str(round(live["aux_heater_hours_total"]))
            assert digits(shown["energy_electric"]) == str(round(live["energy_electric"]))
            assert digits(shown["energy_heat"]) == str(round(live["energy_heat"]))

            # Readable: on the phone nothing scrolls sideways and the panel fits; the figures stand out
            # from the card in either theme.
            widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], f"horizontal scroll on a phone: {widths}"
            box = page.locator("#lifetime").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
            text, card = page.evaluate("""() => {
                const dd = document.querySelector("#lifetime [data-lifetime='compressor_hours_total']");
                return [getComputedStyle(dd).color, getComputedStyle(document.getElementById('lifetime')).backgroundColor];
            }""")
            assert abs(luminance(text) - luminance(card)) > 0.5, (scheme, text, card)
            assert (luminance(text) > luminance(card)) == (scheme == "dark")
            page.locator("#lifetime").screenshot(path=str(artifact(f"lifetime-{scheme}.png")))
            assert errors == []
        finally:
            context.close()


def test_the_lifetime_panel_follows_a_new_live_file(browser, tmp_path):
    site = make_site(tmp_path / "site")
    generate_once(site)
    port = free_port()
    with sidecar(site, port):
        context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id=TIMEZONE, bypass_csp=True)
        try:
            page = context.new_page()
            page.clock.set_system_time(CLOCK_START)
            page.goto(f"http://127.0.0.1:{port}/")
            hours = page.wait_for_selector("#lifetime:not([hidden]) [data-lifetime='compressor_hours_total']")
            before = hours.text_content()
            generate_once(site, seed=2)    # another simulated pump: every counter differs
            live = json.loads((site.public / site.manifest()["live"]["path"]).read_text(encoding="utf-8"))["values"]
            expected = str(round(live["compressor_hours_total"]))
            assert digits(before) != expected
            page.wait_for_function("""(want) => (document.querySelector("#lifetime [data-lifetime='compressor_hours_total']")
                ?.textContent || '').replace(/\\D/g, '') === want""", arg=expected, timeout=20000)
        finally:
            context.close()
