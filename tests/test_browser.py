"""The page in headless chromium, against the real pipeline: `heatpump-dashboard demo`, or
`heatpump-dashboard generate --once` with the sidecar (or a plain file server) on free loopback ports.
A new generation is made on demand by generating again with another simulator seed, so every file
changes at once without waiting for the simulator's 30 s sample grid.

Over 300 lines because it is a list of behaviours, one short test each.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.charts import shown_on
from tests.browser_support import (
    CHART_KEYS,
    DEFAULT_CHARTS,
    TIMEZONE,
    Site,
    artifact,
    demo,
    free_port,
    generate_once,
    luminance,
    make_site,
    new_page,
    open_page,
    shown_hash,
    sidecar,
    static_server,
    wait_connection,
    wait_drawn,
    wait_shown_hash,
    write_config,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


# --- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One generation (seed 1), copied by each test that changes it."""
    site = make_site(tmp_path_factory.mktemp("generated"))
    generate_once(site)
    return site


@pytest.fixture
def site(generated: Site, tmp_path: Path) -> Site:
    copy = make_site(tmp_path / "site")
    shutil.copytree(generated.public, copy.public)
    return copy


def kpi_texts(page: Any) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-kpi]')]
        .map(el => [el.dataset.kpi, el.textContent]))""")


# --- first load and live updates -------------------------------------------------------------------------
def test_demo_draws_seven_charts_and_kpis_then_follows_a_new_generation(browser, pages, tmp_path):
    site = make_site(tmp_path / "demo")
    port = free_port()
    with demo(site, port):
        # 1h: its file changes with every closed 30 s bucket, so the demo publishes a new one soon.
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/?range=1h")
        wait_drawn(page)
        on_1h = [key for key in CHART_KEYS if shown_on(key, "1h")]  # the cycling chart is not on 1h
        assert page.locator("[data-chart][data-drawn='1']").count() == len(on_1h) < len(CHART_KEYS)
        for key in on_1h:
            assert page.locator(f"[data-chart='{key}'][data-drawn='1'] canvas").count() >= 1, key
        assert page.locator("[data-chart='cycling']").is_hidden()
        kpis = kpi_texts(page)
        for key in ("cop", "energy_electric_kwh", "compressor_runtime_pct", "outdoor_temp", "cost"):
            assert kpis[key] not in ("", "–"), f"KPI {key} still shows a placeholder: {kpis[key]!r}"
        assert re.fullmatch(r"\d+,\d\d", kpis["cop"]), f"Swedish page, decimal comma expected: {kpis['cop']!r}"
        wait_connection(page, "connected")
        assert page.text_content("#connection") == "Ansluten"

        first = shown_hash(page)
        page.wait_for_function("(h) => document.getElementById('dashboard').dataset.hash !== h", arg=first,
                               timeout=45000)
        wait_drawn(page)
        assert page.script_errors == []


def test_the_page_works_under_its_strict_content_security_policy(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = new_page(browser, bypass_csp=False)
        pages.append(page)
        violations: list[str] = []
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        response = page.goto(f"http://127.0.0.1:{port}/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector("#connection[data-connection='connected']")
        drawn = page.locator("[data-chart][data-drawn='1']")
        drawn.nth(len(DEFAULT_CHARTS) - 1).wait_for()  # locators need no eval(); the page's own code ran
        assert drawn.count() == len(DEFAULT_CHARTS)
        assert violations == [] and page.script_errors == []


def test_the_page_links_an_icon_and_no_request_of_a_load_fails(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = new_page(browser)
        pages.append(page)
        failed: list[str] = []
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(f"http://127.0.0.1:{port}/")
        wait_drawn(page)
        icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
        answer = page.request.get(icon)
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
        assert failed == []


def test_reconnects_after_sidecar_restart_and_catches_up_on_what_it_missed(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/")
        wait_drawn(page)
        wait_connection(page, "connected")
        before = shown_hash(page)
    wait_connection(page, "disconnected")
    assert page.text_content("#connection") == "Frånkopplad"

    generate_once(site, seed=2)  # a generation while the sidecar is away
    after = site.range_hash("24h")
    assert after != before
    with sidecar(site, port):
        wait_connection(page, "connected", timeout_ms=40000)
        wait_shown_hash(page, after)
        wait_drawn(page)
    assert page.script_errors == []


def test_polls_the_manifest_when_websockets_cannot_connect(browser, pages, site):
    port = free_port()
    with static_server(site, port):  # no /ws at all: the sidecar is down from the start
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/?poll=1")
        wait_drawn(page)
        wait_connection(page, "polling")
        before = shown_hash(page)
        generate_once(site, seed=3)
        after = site.range_hash("24h")
        assert after != before
        wait_shown_hash(page, after, timeout_ms=15000)
        assert page.get_attribute("#connection", "data-connection") == "polling"
    assert page.script_errors == []


def test_switches_from_polling_back_to_the_websocket_when_it_returns(browser, pages, site):
    port = free_port()
    with static_server(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/?poll=1")
        wait_connection(page, "polling")
    with sidecar(site, port):
        wait_connection(page, "connected", timeout_ms=40000)
        # Polling has stopped: no manifest request for a while although the interval is 1 s.
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.wait_for_timeout(2500)
        assert not [url for url in requests if url.endswith("/manifest.json")]


def test_an_update_keeps_the_zoom_window_legend_selection_and_scroll_position(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/")
        wait_drawn(page)
        wait_connection(page, "connected")
        legend_name = page.evaluate("() => heatpumpDashboard.chart('temperature').getOption().series[0].name")
        page.evaluate("""(name) => {
            const chart = heatpumpDashboard.chart('temperature');
            chart.dispatchAction({type: 'dataZoom', start: 40, end: 70});
            chart.dispatchAction({type: 'legendUnSelect', name});
        }""", legend_name)
        page.locator("[data-chart='temperature']").scroll_into_view_if_needed()
        scroll_before = page.evaluate("() => window.scrollY")
        assert scroll_before > 0
        before = shown_hash(page)

        generate_once(site, seed=4)
        after = site.range_hash("24h")
        assert after != before
        wait_shown_hash(page, after)

        state = page.evaluate("""() => {
            const option = heatpumpDashboard.chart('temperature').getOption();
            return {zoom: option.dataZoom.map(z => [z.start, z.end]), legend: option.legend[0].selected,
                    source: option.dataset[0].source.length};
        }""")
        assert all(start == pytest.approx(40) and end == pytest.approx(70) for start, end in state["zoom"])
        assert state["legend"][legend_name] is False
        assert state["source"] > 0
        assert page.evaluate("() => window.scrollY") == scroll_before
    assert page.script_errors == []


# --- ranges, archive, theme, exports ---------------------------------------------------------------------
def test_range_selector_fetches_only_that_file_and_the_back_button_returns(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/")
        wait_drawn(page)
        requests: list[str] = []  # data files only: the browser may ask for the page's icon again on a new URL
        page.on("request", lambda request: requests.append(request.url) if "/data/" in request.url else None)
        page.click("[data-range='7d']")
        wait_shown_hash(page, site.range_hash("7d"))
        wait_drawn(page)
        assert page.url.endswith("?range=7d")
        assert page.get_attribute("[data-range='7d']", "aria-pressed") == "true"
        assert requests == [f"http://127.0.0.1:{port}/{site.manifest()['ranges']['7d']['path']}"]

        page.go_back()
        wait_shown_hash(page, site.range_hash("24h"))
        assert "range=" not in page.url
        assert page.get_attribute("[data-range='24h']", "aria-pressed") == "true"


def test_range_in_the_url_is_shown_and_survives_a_reload(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/?range=30d")
        wait_shown_hash(page, site.range_hash("30d"))
        page.reload()
        wait_shown_hash(page, site.range_hash("30d"))
        wait_drawn(page)
        assert page.get_attribute("[data-range='30d']", "aria-pressed") == "true"


ECHARTS_TEXT_COLOR = """() => heatpumpDashboard.chart('cop').getModel().getComponent('xAxis')
    .getModel('axisLabel').get('color')"""


def test_dark_mode_toggle_switches_page_and_charts_and_is_remembered(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", scheme="light")
        wait_drawn(page)
        assert page.get_attribute("html", "data-theme") == "light"
        light_text = page.evaluate(ECHARTS_TEXT_COLOR)

        page.click("[data-theme-toggle]")
        assert page.get_attribute("html", "data-theme") == "dark"
        assert luminance(page.evaluate("() => getComputedStyle(document.body).backgroundColor")) < 0.2
        dark_text = page.evaluate(ECHARTS_TEXT_COLOR)
        assert luminance(dark_text) > luminance(light_text)  # the ECharts theme changed too

        page.reload()
        wait_drawn(page)
        assert page.get_attribute("html", "data-theme") == "dark"
        assert page.evaluate(ECHARTS_TEXT_COLOR) == dark_text
    assert page.script_errors == []


def test_dark_mode_follows_the_system_until_chosen(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", scheme="dark")
        wait_drawn(page)
        assert page.get_attribute("html", "data-theme") == "dark"


def test_png_export_and_csv_download_produce_files(browser, pages, site, tmp_path):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/")
        wait_drawn(page)
        with page.expect_download() as png_download:
            page.click("[data-export='cop']")
        png = tmp_path / png_download.value.suggested_filename
        png_download.value.save_as(png)
        assert png.name.endswith("-cop.png")
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000

        with page.expect_download() as csv_download:
            page.click("[data-download-csv]")
        target = tmp_path / csv_download.value.suggested_filename
        csv_download.value.save_as(target)
        assert target.suffix == ".csv"
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
        header, body = rows[0], rows[1:]
        assert header[:2] == ["time_utc", f"time_{TIMEZONE}"]
        document = site.range_document("24h")
        temperature = document["charts"]["temperature"]["dataset"]
        assert set(temperature["dimensions"][1:]) <= set(header)
        assert len(body) == len(temperature["source"])
        column = header.index(temperature["dimensions"][1])
        first_value = temperature["source"][0][1]
        # compared as numbers: JavaScript writes 3.0 as "3", Python as "3.0"
        if first_value is None:
            assert body[0][column] == ""
        else:
            assert float(body[0][column]) == first_value


def test_english_page_uses_english_texts_and_decimal_points(browser, pages, tmp_path):
    site = make_site(tmp_path / "en", language="en")
    generate_once(site)
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/")
        wait_drawn(page)
        wait_connection(page, "connected")
        assert page.text_content("#connection") == "Connected"
        assert re.fullmatch(r"\d+\.\d\d", kpi_texts(page)["cop"])


def test_failed_range_fetch_shows_an_error_banner(browser, pages, site):
    (site.public / site.manifest()["ranges"]["24h"]["path"]).unlink()
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/")
        banner = page.wait_for_selector("[data-banner='error']")
        assert "24h" in banner.text_content() and "404" in banner.text_content()


# --- layout --------------------------------------------------------------------------------------------
def test_phone_viewport_stacks_charts_without_horizontal_scroll(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", width=390, height=844)
        wait_drawn(page)
        page.wait_for_timeout(300)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"horizontal scroll on a phone: {widths}"
        lefts = {round(page.locator(f"[data-chart='{key}']").bounding_box()["x"]) for key in DEFAULT_CHARTS}
        assert len(lefts) == 1, f"charts are not stacked: x = {lefts}"
        page.screenshot(path=str(artifact("phone.png")), full_page=True)


# Pixels of the run bars' colour (DEFAULT_COLOURS["compressor"], #42a5f5) on the cycling chart's canvas.
BAR_PIXELS = """() => {
    const canvas = document.querySelector("[data-chart='cycling'] canvas");
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - 0x42) < 8 && Math.abs(data[i + 1] - 0xa5) < 8 && Math.abs(data[i + 2] - 0xf5) < 8) n++;
    }
    return n;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_cycling_chart_draws_its_bars_on_a_phone_in_both_themes(browser, pages, site, scheme):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", width=390, height=844, scheme=scheme)
        wait_drawn(page)
        assert page.get_attribute("html", "data-theme") == scheme
        card = page.locator("[data-chart='cycling'][data-drawn='1']")
        card.scroll_into_view_if_needed()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.evaluate(BAR_PIXELS) > 50, "no run bars drawn"
        assert page.text_content("[data-kpi='short_cycling']") != ""  # the verdict, with its figures
        card.screenshot(path=str(artifact(f"cycling-{scheme}.png")))
    assert page.script_errors == []


def test_a_short_cycling_pump_is_flagged_on_its_kpi_card_with_the_figures_behind_it(browser, pages, tmp_path):
    site = make_site(tmp_path / "site", language="en")
    config = yaml.safe_load(site.config.read_text(encoding="utf-8"))
    config["cycling"] = {"short_run_minutes": 120}   # the demo's runs of 30 min to 2 h all count as short now
    site.config.write_text(yaml.safe_dump(config), encoding="utf-8")
    generate_once(site)
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", width=390, height=844)
        wait_drawn(page)
        flag = page.locator("[data-kpi='short_cycling']")
        assert re.fullmatch(r"Short cycling: \d+ % < 120 min, \d+\.\d starts/h", flag.text_content()), \
            flag.text_content()
        assert flag.get_attribute("data-warning") == "true"
    assert page.script_errors == []


def test_the_charts_in_view_are_set_up_first_and_the_rest_after_them(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = new_page(browser, width=1280, height=900)
        pages.append(page)
        # The viewer is at the foot of the page before any data arrives: the last charts are the ones in
        # view, so page order and view order differ.
        page.add_init_script("""document.addEventListener('DOMContentLoaded',
            () => window.scrollTo(0, document.documentElement.scrollHeight))""")
        page.goto(f"http://127.0.0.1:{port}/")
        wait_drawn(page)   # the rest come when the page is idle, as on a wall tablet nobody scrolls
        # cards of charts this range does not have (data-state absent) are never set up
        setup = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
            '[data-chart]:not([data-state="absent"])')]
            .map(card => [card.dataset.chart, Number(card.dataset.setup)]))""")
    assert sorted(setup.values()) == list(range(1, len(DEFAULT_CHARTS) + 1)), setup
    assert setup["valve"] < setup["sankey"], f"the chart in view waited for the one above it: {setup}"


def test_desktop_lays_charts_out_in_a_grid(browser, pages, site):
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", width=1440, height=900)
        wait_drawn(page)
        page.wait_for_timeout(300)
        lefts = {round(page.locator(f"[data-chart='{key}']").bounding_box()["x"]) for key in DEFAULT_CHARTS}
        assert len(lefts) >= 2, "charts should sit side by side on a wide screen"
        page.screenshot(path=str(artifact("desktop.png")), full_page=True)


# --- banners and the archive ---------------------------------------------------------------------------
def test_stale_manifest_shows_its_age_the_source_error_and_how_old_the_data_is(browser, pages, site):
    # The source becomes unreachable: the generator keeps the last good files and marks them stale.
    write_config(site, source={"kind": "influxql", "url": "http://127.0.0.1:9", "database": "heatpump",
                               "timeout_s": 2}, stale_after_s=1)
    generate_once(site, expect_ok=False)
    assert site.manifest()["stale"] is True
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/")
        wait_drawn(page)  # the last good files are still drawn
        stale = page.wait_for_selector("[data-banner='stale']").text_content()
        assert "inaktuell" in stale and "Databasen på http://127.0.0.1:9 svarar inte" in stale, "worded in Swedish"
        old = page.wait_for_selector("[data-banner='old']").text_content()
        assert old.startswith("Senaste data ") and old.endswith(" sedan")


def test_archive_snapshot_opens_from_the_url_without_live_updates(browser, pages, site):
    index = json.loads((site.public / "archive" / "index.json").read_text(encoding="utf-8"))
    day = index["snapshots"][0]["date"]
    port = free_port()
    with sidecar(site, port):
        page = new_page(browser)
        pages.append(page)
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(f"http://127.0.0.1:{port}/?snapshot={day}")
        wait_shown_hash(page, f"archive/{day}/24h.json")
        wait_drawn(page)
        assert page.get_attribute("#connection", "data-connection") == "snapshot"
        assert page.input_value("[data-archive]") == day
        page.wait_for_timeout(500)
        assert sockets == []

        page.select_option("[data-archive]", "")  # back to live
        wait_connection(page, "connected")
        wait_shown_hash(page, site.range_hash("24h"))
        assert "snapshot=" not in page.url


# --- data quality --------------------------------------------------------------------------------------
def flag_metrics(site: Site, flags: dict[str, dict[str, Any]]) -> None:
    """Marks rows of every range file's metric_quality as a collector's faults would (the generator side is
    tests/test_metric_quality*.py); the packed siblings go, so the server sends the edited text."""
    for entry in site.manifest()["ranges"].values():
        path = site.public / entry["path"]
        document = json.loads(path.read_text(encoding="utf-8"))
        columns = document["metric_quality"]["columns"]
        for row in document["metric_quality"]["rows"]:
            row[columns.index("flags")] = []
            for key, value in flags.get(row[0], {}).items():
                row[columns.index(key)] = value
        path.write_text(json.dumps(document), encoding="utf-8")
        for packed in (".gz", ".br"):
            path.with_name(path.name + packed).unlink(missing_ok=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_flagged_metric_badges_its_charts_and_the_data_panel_lists_it_on_a_phone(browser, pages, site, scheme):
    flag_metrics(site, {"indoor_temp": {"stuck_h": 8.5, "flags": ["stuck"]},
                        "power_electric": {"out_of_range": 2, "worst": 250000.0, "flags": ["range"]},
                        "brine_in_temp": {"behind_h": 7.0, "flags": ["behind"]}})
    port = free_port()
    with sidecar(site, port):
        page = open_page(pages, browser, f"http://127.0.0.1:{port}/", width=390, height=844, scheme=scheme)
        wait_drawn(page)
        badged = page.evaluate("() => [...document.querySelectorAll('[data-chart][data-quality] .quality-badge')]"
                               ".map(b => [b.closest('[data-chart]').dataset.chart, b.title])")
        titles = dict(badged)
        assert "Inne: oförändrat värde i 8,5 h" in titles["temperature"]
        assert "Eleffekt: 2 värden utanför fysiska gränser" in titles["cop"]   # nobody trusts a wrong COP
        assert {"power", "sankey", "performance"} <= set(titles) and "runtime" not in titles and "valve" not in titles
        assert "Köldbärare in: senaste värdet 7,0 h efter de andra" in titles["performance"]
        assert "Eleffekt" in page.get_attribute("[data-kpi-card='cop'] .quality-mark", "title")  # the COP figure too
        assert page.locator("[data-kpi-card='starts'] .quality-mark").count() == 0
        assert page.locator("#data-panel").get_attribute("open") is None   # collapsed until asked
        page.click("[data-chart='cop'] .quality-badge")
        page.wait_for_selector("#data-panel[open]")
        row = page.locator("#data-panel tr[data-metric='indoor_temp']")
        assert row.get_attribute("data-flags") == "stuck" and "8,5 h" in row.text_content()
        assert page.locator("#data-panel tr[data-metric='outdoor_temp']").count() == 1
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the table widens the page on a phone: {widths}"
        flagged = page.locator("#data-panel tr[data-metric='power_electric'] td.flagged").first
        colour, background = flagged.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]")
        assert abs(luminance(colour) - luminance(background)) > 0.3, (colour, background)   # readable in both themes
        assert not page.script_errors
        page.locator("#data-panel").screenshot(path=str(artifact(f"data-panel-{scheme}.png")))
        page.locator("[data-chart='performance']").screenshot(path=str(artifact(f"quality-badge-{scheme}.png")))
        page.locator("[data-kpi-card='cop']").screenshot(path=str(artifact(f"quality-kpi-{scheme}.png")))
