"""The circulation pumps (brine_pump_on, heating_pump_on) in every provider file, against their authorities:
the team's brand reference (tests/fixtures/reference/brands.md: the Husdata table and ThermIQ's r10 bits) and
the installed `nibe` package's register files.  Both are read here at test time; nothing is copied."""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from providers import available_providers, load_provider
from providers.records import Layout
from providers.transforms import Above, Bits, Direct, Enum

REFERENCE = Path(__file__).parent / "fixtures" / "reference" / "brands.md"
PUMPS = ("brine_pump_on", "heating_pump_on")
HUSDATA = [(brand, layout) for brand in available_providers() for layout in load_provider(brand).layouts
           if layout.registers and layout.register_table is None]
NIBE = load_provider("nibe")
NIBE_TABLES = [layout for layout in NIBE.layouts if (layout.register_table or "").startswith("nibe:")]


def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def husdata_row(word: str) -> tuple[str, str]:
    """(register id, name tag) of the reference's Husdata row whose name tag is `<word>_pump_status`."""
    for line in reference_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[0-9A-F]{4}", cells[0]) and cells[1] == f"{word}_pump_status":
            return cells[0], cells[1]
    raise AssertionError(f"brands.md has no Husdata row {word}_pump_status")


# The reference's words for each pump: the collector's brine pump, and the radiator (heating circuit) pump.
HUSDATA_WORD = {"brine_pump_on": "brine", "heating_pump_on": "radiator"}


def test_the_reference_names_both_pumps():
    assert husdata_row("brine") == ("1A04", "brine_pump_status")
    assert husdata_row("radiator") == ("1A06", "radiator_pump_status")


def test_every_husdata_brand_maps_both_pumps():
    assert {brand for brand, layout in HUSDATA if all(m in layout.mappings["name"].metrics for m in PUMPS)} \
        == {"ivt", "thermia", "nibe"}


@pytest.mark.parametrize("brand,layout", HUSDATA, ids=lambda v: v if isinstance(v, str) else v.id)
@pytest.mark.parametrize("metric", PUMPS)
def test_each_husdata_pump_reads_the_register_and_name_the_reference_gives_it(brand, layout: Layout, metric):
    register, name = husdata_row(HUSDATA_WORD[metric])
    assert layout.mappings["name"].metrics[metric] == (Direct(name),), "a 0/1 status, read as it is"
    assert layout.mappings["register_id"].metrics[metric] == (Direct(register),)
    assert layout.registers[name] == register


def r10_bits() -> dict[str, int]:
    """{what: mask} of the reference's ThermIQ "Status r10 bits: 0x01 brine pump, 0x02 compressor, …"."""
    found = re.search(r"Status r10 bits: ([^.]*)\.", reference_text().replace("\n  ", " "))
    assert found, "brands.md: no ThermIQ r10 status bits"
    return {text: int(mask, 16) for mask, text in re.findall(r"(0x[0-9A-Fa-f]+) ([a-z -]+?)(?:,|$)", found.group(1))}


def test_thermiq_reads_the_r10_bits_the_reference_names_brine_pump_and_supply_pump():
    bits = r10_bits()
    assert bits["compressor"] == 0x02  # the row is read as the reference writes it
    thermiq = next(layout for layout in load_provider("thermia").layouts if layout.id == "thermiq")
    assert thermiq.mappings["name"].metrics["brine_pump_on"] == (Bits("r10", bits["brine pump"]),)
    # ThermIQ's supply pump is the heating circuit's: its name there is supply_pump_on.
    assert thermiq.mappings["name"].metrics["heating_pump_on"] == (Bits("r10", bits["supply pump"]),)


# --- NIBE: the installed package's register files -------------------------------------------------
def package_file(file: str) -> dict[str, dict[str, Any]]:
    return json.loads(resources.files("nibe.data").joinpath(file).read_text(encoding="utf-8"))


def parts(layout: Layout, metric: str) -> tuple[Any, ...]:
    return layout.mappings["name"].metrics.get(metric, ())


def entry(layout: Layout, raw: str) -> dict[str, Any]:
    table = package_file(layout.register_table.removeprefix("nibe:") + ".json")
    number = layout.registers[raw]
    assert number in table and table[number]["name"] == raw, f"{layout.id}: {raw} is not register {number} of the package"
    return table[number]


# What the package calls each pump (title), and what it must not be: NIBE numbers the heating medium pump
# GP1 and the brine pump GP2; the F-series calls GP1 the "supply pump".
TITLES = {"brine_pump_on": (r"(?i)\bbrine pump\b", r"(?i)ground ?water|cooling|GP1\b"),
          "heating_pump_on": (r"(?i)\bsupply pump\b|heating medium pump", r"(?i)brine|cooling|hot water|GP2\b")}


@pytest.mark.parametrize("layout", NIBE_TABLES, ids=lambda layout: layout.id)
@pytest.mark.parametrize("metric", PUMPS)
def test_each_nibe_pump_reads_a_register_the_package_calls_that_pump(layout, metric):
    assert parts(layout, metric), f"{layout.id} maps no {metric}"
    must, must_not = TITLES[metric]
    for part in parts(layout, metric):
        title = entry(layout, part.raw)["title"]
        assert re.search(must, title) and not re.search(must_not, title), f"{part.raw}: the package calls it {title!r}"
        assert "write" not in entry(layout, part.raw), f"{part.raw} is a setting, not what the pump does now"


@pytest.mark.parametrize("layout", NIBE_TABLES, ids=lambda layout: layout.id)
@pytest.mark.parametrize("metric", PUMPS)
def test_a_pump_state_reads_as_running_every_state_but_off(layout, metric):
    for part in parts(layout, metric):
        if isinstance(part, Enum):
            mappings = entry(layout, part.raw)["mappings"]
            off = {int(value) for value, text in mappings.items() if text.lower() == "off"}
            assert len(off) == 1, mappings
            assert {int(v) for v in part.values} == {int(value) for value in mappings} - off


@pytest.mark.parametrize("layout", NIBE_TABLES, ids=lambda layout: layout.id)
@pytest.mark.parametrize("metric", PUMPS)
def test_a_pump_speed_reads_as_running_above_zero_percent(layout, metric):
    for part in parts(layout, metric):
        if isinstance(part, Above):
            assert entry(layout, part.raw).get("unit") == "%" and part.threshold == 0.0
    assert all(isinstance(part, (Enum, Above)) for part in parts(layout, metric))


@pytest.mark.parametrize("metric", PUMPS)
def test_the_f_series_reads_the_state_first_and_the_speed_where_only_that_is_stored(metric):
    f_series = next(layout for layout in NIBE_TABLES if layout.id == "nibe-f")
    assert [type(part) for part in parts(f_series, metric)] == [Enum, Above]


@pytest.mark.parametrize("layout", NIBE_TABLES, ids=lambda layout: layout.id)
def test_every_model_the_layout_names_has_the_pump_registers_under_the_same_number_and_name(layout):
    """The layout names its models (F1145/F1155/F1245/F1255); each model's own file in the package must have
    the registers it reads for the pumps, not only the file the layout reads its names from."""
    models = re.findall(r"[FS]\d{4}", layout.description)
    files = {f.name for f in resources.files("nibe.data").iterdir() if f.name.endswith(".json")
             and any(model.lower() in f.name for model in models)}
    assert len(files) >= 1 and layout.register_table.removeprefix("nibe:") + ".json" in files
    for file in sorted(files):
        table = package_file(file)
        for metric in PUMPS:
            for part in parts(layout, metric):
                number = layout.registers[part.raw]
                assert table.get(number, {}).get("name") == part.raw, f"{file}: register {number} is not {part.raw}"


def test_no_pump_register_number_means_another_thing_in_the_other_nibe_layout():
    """Read by register number both NIBE layouts meet in one mapping (the S-series first)."""
    for layout in NIBE_TABLES:
        other = next(o for o in NIBE_TABLES if o is not layout)
        table = package_file(other.register_table.removeprefix("nibe:") + ".json")
        for metric in PUMPS:
            for part in parts(layout, metric):
                assert layout.registers[part.raw] not in table, (layout.id, part.raw)


def test_the_generic_provider_reads_the_pumps_under_their_own_names():
    generic = load_provider("generic").mapping("name").metrics
    assert all(generic[m] == (Direct(m),) for m in PUMPS)
