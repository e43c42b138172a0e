"""Temperaturer / Temperatures: every temperature the install has, with min–max bands behind the mean lines on the
long ranges (an invisible min line plus a translucent max−min area stacked on it); below them, where the brand
has them, the controller's degree-minutes (the integral of supply − calculated supply that starts the
compressor), in a panel of their own: they share the time axis with the supply line they integrate."""
from __future__ import annotations

from typing import Any

from generator.charts.context import ChartContext
from generator.charts.data import TEMPERATURE, Column, dataset, extras, has_data
from generator.charts.layout import Axis, Line, Panel, empty_chart, time_chart
from generator.core.metrics import band_column

METRICS: tuple[str, ...] = ("outdoor_temp", "indoor_temp", "supply_temp", "return_temp", "heat_carrier_supply_temp",
                            "heat_carrier_return_temp", "hot_water_temp", "brine_in_temp", "brine_out_temp")
SPAN = "span"  # band dimension suffix: max − min
DEGREE_MINUTES = "degree_minutes"
DM_DECIMALS = 0  # controllers show whole degree-minutes


def _band_lines(metric: str, name: str, colour: str) -> tuple[Line, Line]:
    """Same name as the mean line, so the legend toggles line and band together; kept out of tooltips."""
    stack = {"stack": f"band:{metric}", "stackStrategy": "all",  # "all": bands below 0 °C stack too
             "silent": True, "tooltip": {"show": False}, "lineStyle": {"opacity": 0}}
    low = Line(band_column(metric, "min"), name, colour, style=dict(stack))
    span = Line(band_column(metric, SPAN), name, colour, style={**stack, "areaStyle": {"opacity": 0.15}})
    return low, span


def build(ctx: ChartContext) -> dict[str, Any]:
    frame = ctx.frame
    present = [m for m in METRICS if has_data(frame, m)]
    owners = extras(frame, "temperature")
    if not present and not owners and not has_data(frame, DEGREE_MINUTES):
        return empty_chart(ctx, "temperature.title")
    columns: list[Column] = []
    bands: list[Line] = []
    lines: list[Line] = []
    for metric in present:
        name, colour = ctx.label(metric), ctx.colour(metric)
        columns.append(Column(metric, frame[metric], TEMPERATURE))
        lines.append(Line(metric, name, colour))
        low, high = band_column(metric, "min"), band_column(metric, "max")
        if ctx.spec.bands and has_data(frame, low) and has_data(frame, high):
            columns.append(Column(low, frame[low], TEMPERATURE))
            columns.append(Column(band_column(metric, SPAN),
                                  frame[high].round(TEMPERATURE) - frame[low].round(TEMPERATURE), TEMPERATURE))
            bands.extend(_band_lines(metric, name, colour))
    for column, label in owners:   # the owner's own sensors, under their own labels and the palette's colours
        columns.append(Column(column, frame[column], TEMPERATURE))
        lines.append(Line(column, label))
    panels = [Panel((Axis("°C", {"scale": True}),), tuple(bands + lines))] if lines else []  # bands first: behind
    if has_data(frame, DEGREE_MINUTES):
        columns.append(Column(DEGREE_MINUTES, frame[DEGREE_MINUTES], DM_DECIMALS))
        panels.append(Panel((Axis(ctx.label("axis.degree_minutes"), {"scale": True}),),
                            (Line(DEGREE_MINUTES, ctx.label(DEGREE_MINUTES), ctx.colour(DEGREE_MINUTES)),)))
    return time_chart(ctx, ctx.label("temperature.title"), dataset(frame.index, columns), panels)
