"""The metrics each chart is drawn from, written as its `_meta.metrics`: the page badges a chart when any
of them has a data-quality problem in the range's table (docs/public-format.md, "metric_quality"), so
nobody trusts a COP whose power, heat or temperatures are suspect.  A figure made from heat reads the
metrics heat is known from in this run (analytics.heat(): the meter, or the temperature pair), and the
electricity the analytics use (the counter where there is one, else the power)."""
from __future__ import annotations

from typing import Callable

from generator.analytics import column
from generator.charts.context import ChartContext
from generator.core.metrics import TEMPERATURES

HEAT: dict[str, tuple[str, ...]] = {
    "energy_heat": ("energy_heat",),
    "heat_output": ("heat_output",),
    "heat_carrier": ("heat_carrier_supply_temp", "heat_carrier_return_temp", "compressor_on"),
    "radiator": ("supply_temp", "return_temp", "compressor_on"),
    "supply_brine": ("supply_temp", "brine_in_temp", "power_electric"),
}


def _electricity(ctx: ChartContext) -> tuple[str, ...]:
    used = "energy_electric" if column(ctx.frame, "energy_electric") is not None else "power_electric"
    return (used, "aux_heater_power")


def _heat(ctx: ChartContext) -> tuple[str, ...]:
    return HEAT.get(ctx.summary.heat.basis or "", ())


INPUTS: dict[str, Callable[[ChartContext], tuple[str, ...]]] = {
    "sankey": lambda ctx: (*_electricity(ctx), *_heat(ctx), "switch_valve", "energy_heat_hot_water"),
    "cop": lambda ctx: (*_electricity(ctx), *_heat(ctx), "compressor_on", "supply_temp", "brine_in_temp"),
    "daily": lambda ctx: (*_electricity(ctx), *_heat(ctx)),
    "runtime": lambda ctx: ("compressor_on", "aux_heater_on", "switch_valve"),
    # run lengths and starts per hour (the cycling chart, merged from its own branch)
    "cycling": lambda ctx: ("compressor_on", "compressor_starts_total"),
    "temperature": lambda ctx: (*TEMPERATURES, "degree_minutes"),
    "performance": lambda ctx: ("brine_in_temp", "brine_out_temp", "heat_carrier_supply_temp",
                                "heat_carrier_return_temp", "supply_temp", "return_temp", "compressor_on",
                                "compressor_freq"),
    "power": lambda ctx: ("power_electric", "aux_heater_power", "heat_output", *_heat(ctx)),
    "valve": lambda ctx: ("switch_valve", "hot_water_temp", "supply_temp"),
    # daily heat (less hot water where it is split) against the day's mean outdoor temperature
    "monthly": lambda ctx: (*_electricity(ctx), *_heat(ctx)),
    "signature": lambda ctx: (*_heat(ctx), "outdoor_temp", "switch_valve", "energy_heat_hot_water"),
}


def metrics_of(key: str, ctx: ChartContext) -> list[str]:
    """The metrics chart `key` reads that the range has, each once, in the order given."""
    wanted = INPUTS[key](ctx) if key in INPUTS else ()
    return [m for m in dict.fromkeys(wanted) if column(ctx.frame, m) is not None]
