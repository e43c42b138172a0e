"""The live schematic in Chromium, against the real pipeline: a real influxd holds what a collector wrote,
`heatpump-dashboard generate --once` publishes the live file, the sidecar pushes it to the page.  The
collector writes change-only samples; a new sample of the compressor, the valve or a pump, then a new
generation, is how a state change reaches the page.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import (
    CLOCK_START,
    TIMEZONE,
    Site,
    free_port,
    generate_once,
    make_site,
    sidecar,
    wait_connection,
    write_config,
)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.influxd]

START = datetime.fromisoformat(CLOCK_START.replace("Z", "+00:00"))
# What the collector last wrote, a few minutes before the generator's clock: the pump makes space heat.
RUNNING = {"outdoor_temp": -7.3, "indoor_temp": 21.2, "brine_in_temp": 3.4, "brine_out_temp": 0.6,
           "supply_temp": 38.5, "return_temp": 33.0, "hot_water_temp": 49.8, "heat_carrier_supply_temp": 40.1,
           "heat_carrier_return_temp": 34.2, "power_electric": 1870, "compressor_on": 1, "switch_valve": 0,
           "aux_heater_on": 0, "brine_pump_on": 1, "heating_pump_on": 1}
# The same as a person reads them off the Swedish drawing: decimal comma, U+2212 minus, one decimal for
# temperatures, kW with two from 1000 W on.
RUNNING_TEXTS = {"outdoor_temp": "\u22127,3 °C", "indoor_temp": "21,2 °C", "brine_in_temp": "3,4 °C",
                 "brine_out_temp": "0,6 °C", "supply_temp": "38,5 °C", "return_temp": "33,0 °C",
                 "hot_water_temp": "49,8 °C", "heat_carrier_supply_temp": "40,1 °C",
                 "heat_carrier_return_temp": "34,2 °C", "power_electric": "1,87 kW",
                 "compressor": "På", "valve": "Värme", "aux": "Av", "brine_pump": "På", "heating_pump": "På"}

STATE = """() => {
  const svg = document.querySelector('#schematic svg');
  return {compressor: svg.dataset.compressor, valve: svg.dataset.valve, aux: svg.dataset.aux,
          brinePump: svg.dataset.brinePump, heatingPump: svg.dataset.heatingPump,
          texts: Object.fromEntries([...svg.querySelectorAll('[data-text]')].map(n => [n.dataset.text, n.textContent])),
          desc: svg.querySelector('desc').textContent};
}"""
STROKE = """(selector) => {
  const style = getComputedStyle(document.querySelector('#schematic ' + selector));
  return {color: style.stroke, width: style.strokeWidth, dashes: style.strokeDasharray,
          animation: style.animationName};
}"""


def lines(values: dict[str, float], at: datetime) -> list[str]:
    ms = int(at.timestamp() * 1000)
    return [f"heatpump,name={name} value={value} {ms}" for name, value in values.items()]


def pump_site(influxd: Any, database: str, workdir: Path, running: dict[str, float] = RUNNING) -> Site:
    """A site whose source is a real influxd with ten minutes of a pump heating the house."""
    influxd.create_database(database)
    written: list[str] = []
    for minutes in (10, 5, 2):  # a collector sampling every few minutes
        written += lines(running, START - timedelta(minutes=minutes))
    influxd.write(database, written)
    site = make_site(workdir)
    write_config(site, source={"kind": "influxql", "url": influxd.url, "database": database})
    generate_once(site)
    return site


@pytest.fixture(scope="module")
def heating_site(influxd: Any, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The running pump, shared by the tests that only look."""
    return pump_site(influxd, "schematic_heating", tmp_path_factory.mktemp("heating"))


CHANGING = "schematic_changing"


@pytest.fixture
def changing_site(influxd: Any, tmp_path: Path) -> Site:
    """The running pump, for a test that writes what happens next."""
    return pump_site(influxd, CHANGING, tmp_path / "site")


def open_page(browser: Any, url: str, *, scheme: str = "light", script: bool = True,
              motion: str = "no-preference") -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                  timezone_id=TIMEZONE, bypass_csp=True, java_script_enabled=script,
                                  reduced_motion=motion)
    page = context.new_page()
    page.clock.set_system_time(CLOCK_START)
    page.set_default_timeout(20000)
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    page.goto(url)
    if script:  # the live strip writes the file's time when the script has drawn the live file
        page.wait_for_function("document.querySelector('.live-time').textContent !== ''")
    return page


def css_colour(page: Any, colour: str) -> str:
    """A CSS colour as getComputedStyle writes it (rgb(…))."""
    return page.evaluate("(c) => { const s = document.createElement('span'); s.style.color = c; document.body.append(s);"
                         " const rgb = getComputedStyle(s).color; s.remove(); return rgb; }", colour)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_schematic_shows_each_live_value_at_its_sensor_on_a_phone(browser, heating_site, scheme):
    port = free_port()
    with sidecar(heating_site, port):
        page = open_page(browser, f"http://127.0.0.1:{port}/", scheme=scheme)
        try:
            state = page.evaluate(STATE)
            assert {key: state["texts"][key] for key in RUNNING_TEXTS} == RUNNING_TEXTS
            assert state["texts"]["aux_heater_power"] == ""  # add-heat is off: no power figure
            assert (state["compressor"], state["valve"], state["aux"]) == ("on", "heating", "off")
            assert (state["brinePump"], state["heatingPump"]) == ("on", "on")
            assert state["desc"].startswith("Kompressor: På. Växelventil: Värme. Tillsats: Av. Köldbärarpump: På. "
                                            "Värmebärarpump: På. Ute \u22127,3 °C")
            assert page.evaluate("document.documentElement.dataset.theme") == scheme
            box = page.locator("#schematic svg").bounding_box()
            assert 300 < box["width"] <= 390 and box["height"] > 200
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
            # the theme's own colour: the heating path is drawn in --warm of this scheme
            warm = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--warm').trim()")
            assert page.evaluate(STROKE, ".pipe-heat")["color"] == css_colour(page, warm)
            assert warm == {"light": "#d9480f", "dark": "#ff8a4c"}[scheme]
            # each running pump in its circuit's colour of this scheme: brine cold, heating warm
            cold = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--cold').trim()")
            assert page.evaluate(STROKE, ".pump-brine circle")["color"] == css_colour(page, cold)
            assert page.evaluate(STROKE, ".pump-heating circle")["color"] == css_colour(page, warm)
            assert page.evaluate(STROKE, ".pump-brine circle")["width"] == "3px"
            for pump in ("brine", "heating"):  # readable on a phone: the pump sits inside the drawing
                circle = page.locator(f"#schematic .pump-{pump} circle").bounding_box()
                assert circle["width"] >= 14
                assert box["x"] <= circle["x"] and circle["x"] + circle["width"] <= box["x"] + box["width"]
            assert page.script_errors == []
        finally:
            page.context.close()


def test_the_schematic_changes_when_the_compressor_stops_and_the_valve_turns_to_hot_water(
        browser, influxd, changing_site):
    port = free_port()
    with sidecar(changing_site, port):
        page = open_page(browser, f"http://127.0.0.1:{port}/")
        try:
            wait_connection(page, "connected")
            assert page.evaluate(STATE)["compressor"] == "on"
            heating, hot_water = page.evaluate(STROKE, ".pipe-heat"), page.evaluate(STROKE, ".pipe-hw")
            assert heating["width"] == "4px" and heating["dashes"] != "none"  # flowing to the radiators
            assert hot_water["width"] == "2px" and hot_water["dashes"] == "none"
            page.evaluate("document.querySelector('#schematic [data-text=\"compressor\"]').marked = true")

            # The compressor stops, and the brine pump with it: the collector writes the changes only; the
            # valve stays on heating and the heating pump keeps the radiators circulating.
            influxd.write(CHANGING, lines({"compressor_on": 0, "brine_pump_on": 0, "power_electric": 35},
                                                       START - timedelta(minutes=1)))
            generate_once(changing_site)
            page.wait_for_function("document.querySelector('#schematic svg').dataset.compressor === 'off'")
            state = page.evaluate(STATE)
            assert (state["valve"], state["texts"]["compressor"], state["texts"]["power_electric"]) == ("heating", "Av", "35 W")
            assert (state["brinePump"], state["heatingPump"]) == ("off", "on")
            assert (state["texts"]["brine_pump"], state["texts"]["heating_pump"]) == ("Av", "På")
            assert page.evaluate(STROKE, ".pump-brine circle")["width"] == "2px"  # grey and thin: stopped
            heating = page.evaluate(STROKE, ".pipe-heat")
            assert heating["width"] == "4px" and heating["dashes"] == "none"  # the valve's path, not flowing
            assert page.evaluate(STROKE, ".pipe-brine")["width"] == "2px"

            # Then it starts on hot water: the valve turns, the flow goes to the tank; the brine pump runs
            # again and the heating pump stops (the radiators get nothing during a charge).
            influxd.write(CHANGING, lines({"compressor_on": 1, "switch_valve": 1, "brine_pump_on": 1, "heating_pump_on": 0,
                                           "power_electric": 2100}, START - timedelta(seconds=30)))
            generate_once(changing_site)
            page.wait_for_function("document.querySelector('#schematic svg').dataset.valve === 'hot_water'")
            state = page.evaluate(STATE)
            assert (state["compressor"], state["texts"]["valve"], state["texts"]["compressor"]) == ("on", "Varmvatten", "På")
            assert (state["brinePump"], state["heatingPump"]) == ("on", "off")
            assert (state["texts"]["brine_pump"], state["texts"]["heating_pump"]) == ("På", "Av")
            assert page.evaluate(STROKE, ".pipe-heat")["width"] == "2px"
            hot_water = page.evaluate(STROKE, ".pipe-hw")
            assert hot_water["width"] == "4px" and hot_water["dashes"] != "none"
            assert page.evaluate("document.querySelector('#schematic [data-text=\"compressor\"]').marked") is True, \
                "the text nodes are updated in place, not drawn anew"
            assert page.script_errors == []
        finally:
            page.context.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_a_running_part_is_marked_by_more_than_colour_and_moves_only_when_motion_is_welcome(
        browser, heating_site, motion):
    port = free_port()
    with sidecar(heating_site, port):
        page = open_page(browser, f"http://127.0.0.1:{port}/", motion=motion)
        try:
            brine, heating = page.evaluate(STROKE, ".pipe-brine"), page.evaluate(STROKE, ".pipe-heat")
            rotor = page.evaluate(STROKE, ".compressor-rotor")
            pumps = [page.evaluate(STROKE, f".pump-{pump} path")["animation"] for pump in ("brine", "heating")]
        finally:
            page.context.close()
    # thick and dashed whatever the motion setting, and the state is written out (tested above)
    assert brine["width"] == heating["width"] == "4px" and "none" not in (brine["dashes"], heating["dashes"])
    moving = {"no-preference": ("sch-flow", "sch-spin"), "reduce": ("none", "none")}[motion]
    assert (heating["animation"], rotor["animation"]) == moving
    assert pumps == [moving[1]] * 2


def test_the_schematic_shows_before_any_script_as_the_script_draws_it(browser, heating_site):
    port = free_port()
    with sidecar(heating_site, port):
        before_page = open_page(browser, f"http://127.0.0.1:{port}/", script=False)
        try:
            before = {"compressor": before_page.get_attribute("#schematic svg", "data-compressor"),
                      "valve": before_page.get_attribute("#schematic svg", "data-valve"),
                      "aux": before_page.get_attribute("#schematic svg", "data-aux"),
                      "brinePump": before_page.get_attribute("#schematic svg", "data-brine-pump"),
                      "heatingPump": before_page.get_attribute("#schematic svg", "data-heating-pump"),
                      "texts": {el.get_attribute("data-text"): el.text_content()
                                for el in before_page.query_selector_all("#schematic [data-text]")},
                      "desc": before_page.text_content("#schematic desc")}
        finally:
            before_page.context.close()
        after_page = open_page(browser, f"http://127.0.0.1:{port}/")
        try:
            after = after_page.evaluate(STATE)
        finally:
            after_page.context.close()
    assert before["texts"]["brine_in_temp"] == "3,4 °C" and before["texts"]["brine_pump"] == "På"
    assert before == after


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_brand_without_pump_registers_shows_the_pumps_unknown_not_off(browser, influxd, tmp_path, scheme):
    no_pumps = {k: v for k, v in RUNNING.items() if not k.endswith("_pump_on")}
    site = pump_site(influxd, f"schematic_no_pumps_{scheme}", tmp_path / "site", running=no_pumps)
    port = free_port()
    with sidecar(site, port):
        page = open_page(browser, f"http://127.0.0.1:{port}/", scheme=scheme)
        try:
            state = page.evaluate(STATE)
            assert (state["compressor"], state["brinePump"], state["heatingPump"]) == ("on", "unknown", "unknown")
            assert (state["texts"]["brine_pump"], state["texts"]["heating_pump"]) == ("–", "–")
            assert "Köldbärarpump: okänt. Värmebärarpump: okänt." in state["desc"]
            body = page.evaluate(STROKE, ".pump-brine circle")
            assert body["dashes"] != "none" and body["width"] == "2px"  # dotted, not the solid grey of off
            assert page.evaluate(STROKE, ".pump-brine path")["animation"] == "none"
            assert page.script_errors == []
        finally:
            page.context.close()
