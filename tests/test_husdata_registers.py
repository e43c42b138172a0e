"""Husdata layouts (IVT H60, Thermia, NIBE H66) against the team's brand reference: every register a
provider maps by id maps by its Husdata name too, each name belongs to its id, and each id reads the
canonical metric (and scale) the reference gives it.  The reference table is read from
tests/fixtures/reference/brands.md; names it lacks come from husdata_names.yaml, each with its source."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from providers import available_providers, load_provider
from providers.records import Layout
from providers.transforms import AuxSteps, Direct, Sum

REFERENCE = Path(__file__).parent / "fixtures" / "reference"
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def reference_rows() -> list[tuple[list[str], list[str], str | None]]:
    """(ids, names, canonical metric) of each row of the Husdata table in brands.md."""
    rows = []
    for line in (REFERENCE / "brands.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.match(r"^[0-9A-F]{4}(, [0-9A-F]{4})*$", cells[0]):
            continue
        ids = cells[0].split(", ")
        text = re.sub(r"\([^)]*\)", "", cells[1]).split(":")[0]
        names = [t.strip() for t in re.split(r"[,/]", text) if SNAKE.match(t.strip())]
        metric = cells[2].split(" ")[0].rstrip(",")
        rows.append((ids, names, metric if SNAKE.match(metric) else None))
    return rows


def names_by_id() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for ids, names, _ in reference_rows():
        if len(ids) == len(names):  # "1A02, 1A03 | add_heat_step_1, add_heat_step_2": pairwise
            for register, name in zip(ids, names):
                found.setdefault(register, set()).add(name)
        else:
            for register in ids:
                found.setdefault(register, set()).update(names)
    for extra in yaml.safe_load((REFERENCE / "husdata_names.yaml").read_text(encoding="utf-8")):
        assert extra["source"], extra
        found.setdefault(extra["id"], set()).add(extra["name"])
    return found


def metric_by_id() -> dict[str, str]:
    return {register: metric for ids, _, metric in reference_rows() if metric for register in ids}


HUSDATA = [(brand, layout) for brand in available_providers() for layout in load_provider(brand).layouts
           if layout.registers and layout.register_table is None]


def test_the_reference_table_is_read():
    by_id = names_by_id()
    assert by_id["0001"] == {"radiator_return"} and by_id["1A03"] == {"add_heat_step_2"}
    assert metric_by_id()["CFAA"] == "power_electric"


def test_every_husdata_brand_has_a_husdata_layout():
    assert {brand for brand, _ in HUSDATA} == {"ivt", "nibe", "thermia"}


@pytest.mark.parametrize("brand,layout", HUSDATA, ids=lambda v: v if isinstance(v, str) else v.id)
def test_every_register_mapped_by_id_maps_by_its_name_too(brand, layout: Layout):
    by_name, by_id = layout.mappings["name"], layout.mappings["register_id"]
    assert set(by_name.metrics) == set(by_id.metrics)
    for metric, alternatives in by_name.metrics.items():
        renamed = dict.fromkeys(alt.renamed(layout.registers) for alt in alternatives)  # two names of one id: once
        assert list(renamed) == list(by_id.metrics[metric])


@pytest.mark.parametrize("brand,layout", HUSDATA, ids=lambda v: v if isinstance(v, str) else v.id)
def test_every_name_is_the_name_collectors_write_for_its_id(brand, layout: Layout):
    known = names_by_id()
    for name, register in layout.registers.items():
        assert name in known.get(register, set()), (
            f"{brand} {layout.id}: {name!r} is not a known name of Husdata register {register} "
            f"(reference: {sorted(known.get(register, set())) or 'none'})")


@pytest.mark.parametrize("brand,layout", HUSDATA, ids=lambda v: v if isinstance(v, str) else v.id)
def test_every_id_reads_the_metric_the_reference_gives_it(brand, layout: Layout):
    expected = metric_by_id()
    read: dict[str, set[str]] = {}
    for metric, alternatives in layout.mappings["register_id"].metrics.items():
        for alt in alternatives:
            for raw in alt.inputs():
                read.setdefault(raw, set()).add(metric)
    for register, metrics in read.items():
        if register in expected:
            assert expected[register] in metrics, f"{brand}: {register} reads {sorted(metrics)}, the reference says {expected[register]}"


def test_add_heat_kw_of_the_h66_is_scaled_to_watts():
    h66 = next(layout for brand, layout in HUSDATA if layout.id == "husdata-h66")
    (alt,) = h66.mappings["register_id"].metrics["aux_heater_power"]
    assert alt == Direct("9124", 1000.0)


@pytest.mark.parametrize("metric", ["aux_heater_power", "compressor_starts_total"])
def test_add_heat_and_starts_map_by_name_on_every_husdata_brand_that_maps_them_by_id(metric):
    for brand, layout in HUSDATA:
        if metric in layout.mappings["register_id"].metrics:
            assert metric in layout.mappings["name"].metrics, (brand, metric)


def test_ivt_add_heat_steps_keep_their_order():
    ivt = next(layout for brand, layout in HUSDATA if brand == "ivt")
    steps = next(a for a in ivt.mappings["register_id"].metrics["aux_heater_power"] if isinstance(a, AuxSteps))
    assert [s.raw for s in steps.steps] == ["1A02", "1A03"]
    assert not any(isinstance(a, Sum) for a in ivt.mappings["name"].metrics["aux_heater_power"])


# --- lifetime counters and degree-minutes: the reference gives them no canonical metric, only what each
# register counts ("compressor hours heating / hot water, aux hours heating / hot water (IVT)"), so the
# test reads those words and checks that each counter is built from exactly the registers they name.
def described(brand_word: str) -> dict[str, str]:
    """{register id: what it counts} of the reference's row of runtime hours for one brand."""
    for ids, _, _ in reference_rows():
        line = next(line for line in (REFERENCE / "brands.md").read_text(encoding="utf-8").splitlines()
                    if line.startswith(f"| {', '.join(ids)} |"))
        text = line.split("|")[2].strip()
        if f"({brand_word})" not in text or "hours" not in text:
            continue
        text = text.removesuffix(f"({brand_word})").strip()
        if brand_word == "IVT":   # "compressor hours heating / hot water, aux hours heating / hot water"
            parts = [f"{what} hours {use}" for what, uses in (p.split(" hours ") for p in text.split(", "))
                     for use in uses.split(" / ")]
        else:                     # "compressor / add heat 3 kW / hot water / add heat 6 kW runtime hours"
            parts = [p.strip() for p in text.removesuffix("runtime hours").split(" / ")]
        assert len(parts) == len(ids), (ids, parts)
        return dict(zip(ids, parts))
    raise AssertionError(f"no runtime-hours row for {brand_word} in brands.md")


def ids_read(brand: str, metric: str) -> set[str]:
    layout = next(layout for b, layout in HUSDATA if b == brand and layout.registers)
    return {raw for alt in layout.mappings["register_id"].metrics.get(metric, ()) for raw in alt.inputs()}


def test_the_runtime_rows_of_the_reference_are_read():
    assert described("IVT") == {"6C55": "compressor hours heating", "6C56": "compressor hours hot water",
                                "6C58": "aux hours heating", "6C59": "aux hours hot water"}
    assert described("Thermia")["6C60"] == "compressor"


def test_ivt_compressor_and_add_heat_hours_are_the_sum_of_heating_and_hot_water():
    hours = described("IVT")
    for metric, what in (("compressor_hours_total", "compressor"), ("aux_heater_hours_total", "aux")):
        assert ids_read("ivt", metric) == {i for i, d in hours.items() if d.startswith(what + " hours")}
        (alt,) = next(layout for b, layout in HUSDATA if b == "ivt").mappings["register_id"].metrics[metric]
        assert isinstance(alt, Sum) and all(term.scale == 1.0 for term in alt.terms)   # hours as stored
    for metric, what in (("compressor_hours_hot_water_total", "compressor"), ("aux_heater_hours_hot_water_total", "aux")):
        assert ids_read("ivt", metric) == {i for i, d in hours.items() if d == f"{what} hours hot water"}


def test_thermia_compressor_hours_read_the_compressor_register_only():
    hours = described("Thermia")
    assert ids_read("thermia", "compressor_hours_total") == {i for i, d in hours.items() if d == "compressor"}
    # add-heat steps and the hot-water hours have no counter here: summed step hours are not add-heat hours
    assert not ids_read("thermia", "aux_heater_hours_total") and not ids_read("thermia", "compressor_hours_hot_water_total")


@pytest.mark.parametrize("brand", ["thermia", "nibe"])
def test_degree_minutes_read_the_register_the_reference_names_degree_minutes(brand):
    named = {register for register, names in names_by_id().items() if "degree_minutes" in names}
    assert ids_read(brand, "degree_minutes") == named == {"8105"}


def test_ivt_has_no_degree_minutes():
    """No source gives a degree-minute register for the Rego 6xx: the metric is simply absent."""
    assert not ids_read("ivt", "degree_minutes")
