"""The live schematic as index.html carries it before any script (generator/prerender.py's schematic()):
the same states and texts as site_templates/src/schematic.js draws (tests/test_browser_schematic.py holds
the two to the same page), here the mapping itself."""
from __future__ import annotations

from generator import prerender
from generator.config import load_config
from generator.site import Assets, render_index

LIVE = {"latest_data_at": "2026-01-15T11:00:00Z",
        "values": {"compressor_on": 1.0, "switch_valve": 1.0, "aux_heater_on": 1.0, "aux_heater_power": 3000.0,
                   "brine_in_temp": 3.4, "outdoor_temp": -12.25, "power_electric": 4620.0},
        "status": {"compressor_on": 1, "switch_valve": 1, "aux_heater_on": 1}, "alarms": [], "data_quality": []}


def test_without_a_live_file_every_figure_is_a_dash_and_every_state_unknown():
    state = prerender.schematic(None, "sv")
    assert (state.compressor, state.valve, state.aux) == ("unknown", "unknown", "unknown")
    assert (state.brine_pump, state.heating_pump) == ("unknown", "unknown")
    assert set(state.texts.values()) == {"–", ""}  # the add-heat power is only written while it runs
    assert state.heat_carrier is False
    assert state.desc == ("Kompressor: okänt. Växelventil: okänt. Tillsats: okänt. Köldbärarpump: okänt. "
                          "Värmebärarpump: okänt.")


def test_valve_one_is_hot_water_and_the_running_parts_say_so():
    state = prerender.schematic(LIVE, "en")
    assert (state.compressor, state.valve, state.aux) == ("on", "hot_water", "on")
    assert (state.texts["compressor"], state.texts["valve"], state.texts["aux"]) == ("On", "Hot water", "On")
    assert state.texts["aux_heater_power"] == "3.00 kW"
    assert state.texts["power_electric"] == "4.62 kW"
    assert state.texts["outdoor_temp"] == "-12.3 °C"  # half away from zero, as Intl rounds
    assert state.texts["supply_temp"] == "–"


def test_a_pump_the_brand_does_not_report_is_unknown_not_off():
    state = prerender.schematic(LIVE, "en")  # compressor, valve and add-heat, but no pump register
    assert (state.brine_pump, state.heating_pump) == ("unknown", "unknown")
    assert (state.texts["brine_pump"], state.texts["heating_pump"]) == ("–", "–")
    assert "Brine pump: unknown. Heating pump: unknown." in state.desc


def test_a_running_brine_pump_and_a_stopped_heating_pump_say_so_in_words():
    pumps = {"brine_pump_on": 1, "heating_pump_on": 0}
    live = {**LIVE, "values": {**LIVE["values"], **pumps}, "status": {**LIVE["status"], **pumps}}
    state = prerender.schematic(live, "sv")
    assert (state.brine_pump, state.heating_pump) == ("on", "off")
    assert (state.texts["brine_pump"], state.texts["heating_pump"]) == ("På", "Av")
    assert "Tillsats: På (3,00 kW). Köldbärarpump: På. Värmebärarpump: Av. Ute \u221212,3 °C" in state.desc


def test_index_html_carries_the_drawing_in_the_live_files_state():
    cfg = load_config(None, {}).with_values(site__language="sv")
    html = render_index(cfg, Assets(js_path="app.js", css_path="app.css", favicon="icon.svg"), live=LIVE)
    assert 'data-compressor="on" data-valve="hot_water" data-aux="on"' in html
    assert 'data-brine-pump="unknown" data-heating-pump="unknown"' in html
    assert 'data-text="brine_pump">–</text>' in html and 'data-text="heating_pump">–</tspan>' in html
    assert 'data-text="brine_in_temp">3,4 °C</text>' in html
    assert 'role="img"' in html and "<desc id=\"schematic-desc\">Kompressor: På. Växelventil: Varmvatten." in html
