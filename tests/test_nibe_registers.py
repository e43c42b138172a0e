"""providers/nibe.yaml against the authority NIBE collectors install: the `nibe` package on PyPI, whose
data/<model>.json files give every register's name, unit, factor and enumeration.  Nothing here is copied
from the package into the test: each name, unit and enumeration is looked up in the installed package."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import pytest

from generator.core.metrics import BY_NAME
from providers import load_provider
from providers.records import Layout
from providers.transforms import Above, AuxPercent, AuxSteps, Direct, Enum, Sum

NIBE = load_provider("nibe")
TABLE_LAYOUTS = [layout for layout in NIBE.layouts if (layout.register_table or "").startswith("nibe:")]

# The scale that turns a register in the package's unit into the canonical metric's unit.
SCALE = {("W", "kW"): 1000.0, ("W", "W"): 1.0, ("kWh", "kWh"): 1.0, ("°C", "°C"): 1.0, ("Hz", "Hz"): 1.0,
         ("count", None): 1.0, ("int", None): 1.0, ("h", "h"): 1.0, ("DM", "DM"): 1.0}
# What the package's enumeration texts must say for the values we read as 1 (and must not say otherwise).
# A pump's state is running in all but "off" (tests/test_pump_registers.py checks that rule on its own).
PUMP_STATES = {"starting", "on", "10-day mode", "calibration"}
MEANS_ON = {"compressor_on": {"Starting", "Running", "Stopping", "On"}, "switch_valve": {"Hot Water"},
            "brine_pump_on": PUMP_STATES, "heating_pump_on": PUMP_STATES}


@lru_cache(maxsize=None)
def package_table(table: str) -> dict[str, dict[str, Any]]:
    """{register number: entry} of nibe/data/<file>.json as installed."""
    file = table.removeprefix("nibe:") + ".json"
    return json.loads(resources.files("nibe.data").joinpath(file).read_text(encoding="utf-8"))


def entry_for(layout: Layout, raw: str) -> dict[str, Any]:
    table = package_table(layout.register_table or "")
    register = layout.registers[raw]
    assert register in table, f"{layout.id}: register {register} ({raw}) is not in the nibe package's {layout.register_table}"
    entry = table[register]
    assert entry["name"] == raw, f"{layout.id}: register {register} is {entry['name']!r} in the package, not {raw!r}"
    return entry


def uses(layout: Layout) -> list[tuple[str, Any]]:
    """(metric, transform part) of every raw the layout reads by name."""
    found = []
    for metric, alternatives in layout.mappings["name"].metrics.items():
        for alt in alternatives:
            parts = alt.terms if isinstance(alt, Sum) else alt.steps if isinstance(alt, AuxSteps) else (alt,)
            found += [(metric, part) for part in parts]
    return found


def test_every_nibe_library_layout_names_its_register_table():
    assert {layout.id for layout in TABLE_LAYOUTS} == {"nibe-f", "nibe-s"}


@pytest.mark.parametrize("layout", TABLE_LAYOUTS, ids=lambda layout: layout.id)
def test_every_name_and_number_exists_in_the_package_file_the_layout_claims(layout):
    for metric, part in uses(layout):
        entry_for(layout, part.raw)


@pytest.mark.parametrize("layout", TABLE_LAYOUTS, ids=lambda layout: layout.id)
def test_every_number_read_by_register_id_is_the_one_the_name_ends_in(layout):
    by_id = layout.mappings["register_id"]
    for metric, part in uses(layout):
        assert layout.registers[part.raw] in {r for alt in by_id.metrics[metric] for r in alt.inputs()}


@pytest.mark.parametrize("layout", TABLE_LAYOUTS, ids=lambda layout: layout.id)
def test_scaling_turns_the_package_unit_into_the_canonical_unit(layout):
    for metric, part in uses(layout):
        if not isinstance(part, (Direct, AuxPercent)):
            continue
        unit = BY_NAME[metric].unit
        package_unit = entry_for(layout, part.raw).get("unit")
        assert (unit, package_unit) in SCALE, f"{part.raw}: the package says {package_unit!r}, {metric} is in {unit}"
        assert part.scale == SCALE[(unit, package_unit)], (
            f"{part.raw} is in {package_unit} (nibe {layout.register_table}): {metric} in {unit} needs scale "
            f"{SCALE[(unit, package_unit)]:g}, not {part.scale:g}")


@pytest.mark.parametrize("layout", TABLE_LAYOUTS, ids=lambda layout: layout.id)
def test_enumerations_read_as_on_exactly_the_values_the_package_names_so(layout):
    checked = 0
    for metric, part in uses(layout):
        if not isinstance(part, Enum):
            continue
        mappings = entry_for(layout, part.raw).get("mappings") or {}
        assert mappings, f"{part.raw}: the package gives no enumeration"
        on = {int(v) for v in part.values}
        for value, text in mappings.items():
            assert (int(value) in on) == (text in MEANS_ON[metric]), (
                f"{part.raw}: value {value} is {text!r} in the package; {metric} reads it as "
                f"{'on' if int(value) in on else 'off'}")
        checked += 1
    # compressor state and priority; the F-series' two pump states besides
    assert checked == {"nibe-s": 2, "nibe-f": 4}[layout.id]


@pytest.mark.parametrize("layout", TABLE_LAYOUTS, ids=lambda layout: layout.id)
def test_add_heat_runtime_reads_a_power_register(layout):
    parts = [part for metric, part in uses(layout) if metric == "aux_heater_on"]
    assert parts and all(isinstance(p, Above) and entry_for(layout, p.raw).get("unit") in ("kW", "W") for p in parts)


def test_compressor_only_heat_meters_are_read():
    f_series = next(layout for layout in TABLE_LAYOUTS if layout.id == "nibe-f")
    meters = {part.raw for metric, part in uses(f_series) if metric == "energy_heat_compressor"}
    assert {entry_for(f_series, raw)["title"] for raw in meters} == {"Heat Meter - Heat Cpr EP14",
                                                                     "Heat Meter - HW Cpr EP14"}


def test_docs_cite_the_package_file_for_every_unit_they_state_and_list_every_register():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "providers.md").read_text(encoding="utf-8")
    rows = [[c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| ") and line.count("`nibe/data/")]
    documented = set()
    for register, name, unit, source, _ in rows:
        table = package_table("nibe:" + source.removeprefix("nibe/data/").removesuffix(".json"))
        assert table[register]["name"] == name, (register, name)
        assert (table[register].get("unit") or "—") == unit, (register, unit)
        documented.add(name)
    read = {part.raw for layout in TABLE_LAYOUTS for _, part in uses(layout)}
    assert read == documented


# What each lifetime counter's register must be called in the package (its title), and must not.
LIFETIME_TITLES = {
    "compressor_hours_total": (r"(?i)op(er)?\.? ?time.*compr|compr.*oper\. time, total", r"(?i)\bHW\b|hot water"),
    "compressor_hours_hot_water_total": (r"(?i)(\bHW\b|hot water).*compr|compr.*hot water", None),
    "aux_heater_hours_total": (r"(?i)(op\.time|run time) add", r"(?i)\bHW\b|hot water"),
    "aux_heater_hours_hot_water_total": (r"(?i)(\bHW\b.*add|HW run time additional)", None),
    "degree_minutes": (r"^Degree Minutes", None),
}


@pytest.mark.parametrize("layout", TABLE_LAYOUTS, ids=lambda layout: layout.id)
def test_lifetime_counters_read_registers_whose_package_title_says_so(layout):
    read = {metric: part.raw for metric, part in uses(layout) if metric in LIFETIME_TITLES}
    assert {"compressor_hours_total", "aux_heater_hours_total"} <= set(read)
    for metric, raw in read.items():
        title = entry_for(layout, raw)["title"]
        must, must_not = LIFETIME_TITLES[metric]
        assert re.search(must, title), f"{raw}: the package calls it {title!r}, not a register of {metric}"
        assert not (must_not and re.search(must_not, title)), f"{raw}: {title!r} is a part, not {metric}"
        assert entry_for(layout, raw).get("unit") == BY_NAME[metric].unit


def test_the_compressor_hours_belong_to_the_compressor_whose_starts_are_read():
    for layout in TABLE_LAYOUTS:
        compressors = {re.search(r"EB100-EP1[45]", entry_for(layout, part.raw)["title"]).group(0)
                       for metric, part in uses(layout)
                       if metric in ("compressor_starts_total", "compressor_hours_total", "compressor_hours_hot_water_total")}
        assert compressors == {"EB100-EP14"}, (layout.id, compressors)


def test_f_series_degree_minutes_are_the_16_bit_register_nibe_uplink_shows():
    f_series = next(layout for layout in TABLE_LAYOUTS if layout.id == "nibe-f")
    (part,) = [part for metric, part in uses(f_series) if metric == "degree_minutes"]
    assert entry_for(f_series, part.raw)["title"] == "Degree Minutes (16 bit)"


def test_no_lifetime_register_number_means_another_thing_in_the_other_nibe_layout():
    """Read by register number (tag register_id) both layouts meet in one mapping: a number read for a
    lifetime counter or degree-minutes must not be another register in the other layout's package file
    (S-series 40012 is degree-minutes, F-series 40012 the return line: so the S-series reads none)."""
    for layout in TABLE_LAYOUTS:
        other = next(o for o in TABLE_LAYOUTS if o is not layout)
        table = package_table(other.register_table or "")
        for metric, part in uses(layout):
            number = layout.registers[part.raw]
            assert metric not in LIFETIME_TITLES or number not in table, (
                f"{layout.id} reads {number} as {metric}, but in {other.register_table} {number} is "
                f"{table[number]['name']!r}")
