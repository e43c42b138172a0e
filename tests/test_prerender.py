"""Numbers before any script: index.html carries the default range's KPI figures and the live values
(generator/prerender.py), a browser without JavaScript shows them, and the page's script takes over with
exactly the same texts, in Swedish and English, so nothing flashes."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator import prerender
from tests.browser_support import (
    CLOCK_START,
    TIMEZONE,
    free_port,
    generate_once,
    make_site,
    sidecar,
    wait_drawn,
)

ROOT = Path(__file__).resolve().parent.parent
TEXTS = """() => Object.fromEntries([...document.querySelectorAll('[data-kpi], [data-live]')]
    .map(el => [el.dataset.kpi || ('live:' + el.dataset.live), el.textContent]))"""


# --- the numbers themselves, held to the browser engine's own Intl ------------------------------------
VALUES = [0, 0.125, 2.675, 3.5049, 999.95, 1234.5, 12345.678, -0.04, -1234.56, 1e6, 0.5, 1.005]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_numbers_are_written_as_intl_writes_them(language, digits):
    locale = {"sv": "sv-SE", "en": "en-GB"}[language]
    script = (f"const f = new Intl.NumberFormat('{locale}', {{minimumFractionDigits: {digits}, "
              f"maximumFractionDigits: {digits}}}); console.log(JSON.stringify({json.dumps(VALUES)}.map(v => f.format(v))))")
    intl = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert [prerender.number(v, digits, language) for v in VALUES] == intl


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("currency", ["SEK", "NOK", "DKK", "EUR", "GBP"])
def test_money_is_written_as_intl_writes_it_or_left_to_the_script(language, currency):
    locale = {"sv": "sv-SE", "en": "en-GB"}[language]
    script = (f"console.log(JSON.stringify({json.dumps(VALUES)}.map(v => new Intl.NumberFormat('{locale}', "
              f"{{style: 'currency', currency: '{currency}', maximumFractionDigits: v >= 1000 ? 0 : 2}}).format(v))))")
    intl = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    ours = [prerender.money(v, currency, language) for v in VALUES]
    if ours[0] is None:   # a currency the generator does not write (sv with GBP): the script alone says it
        assert set(ours) == {None}
    else:
        assert ours == intl


def test_every_kpi_card_and_figure_is_on_the_page_once():
    cards = prerender.page()["kpiCards"]
    figures = [key for card in cards for key in (card["main"], *card["subs"])]
    assert len({card["card"] for card in cards}) == len(cards)
    assert sorted(set(figures)) == sorted(figures)


def test_a_missing_number_is_a_dash_as_on_the_page():
    assert prerender.number(None, 1, "sv") == "–" and prerender.number(float("nan"), 1, "en") == "–"


# --- in Chromium ----------------------------------------------------------------------------------------
def page_texts(browser: Any, url: str, *, script: bool) -> dict[str, str]:
    context = browser.new_context(java_script_enabled=script, timezone_id=TIMEZONE, bypass_csp=True)
    try:
        page = context.new_page()
        page.clock.set_system_time(CLOCK_START)
        page.goto(url)
        if script:
            wait_drawn(page)
        return page.evaluate(TEXTS) if script else {
            el.get_attribute("data-kpi") or "live:" + el.get_attribute("data-live"): el.text_content()
            for el in page.query_selector_all("[data-kpi], [data-live]")}
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_figures_show_before_any_script_and_the_script_keeps_their_texts(browser, tmp_path, language):
    site = make_site(tmp_path / "site", language=language)
    generate_once(site)
    html = (site.public / "index.html").read_bytes()
    assert len(html) < 12 * 1024, "index.html stays small: it is fetched without caching on every visit"
    port = free_port()
    with sidecar(site, port):
        before = page_texts(browser, f"http://127.0.0.1:{port}/", script=False)
        after = page_texts(browser, f"http://127.0.0.1:{port}/", script=True)
    shown = {key: text for key, text in before.items() if text}
    assert {"cop", "energy_electric_kwh", "compressor_runtime_pct", "outdoor_temp", "cost", "live:outdoor_temp"} <= set(shown)
    assert {key: after.get(key) for key in shown} == shown, "the script says exactly what the page said already"
