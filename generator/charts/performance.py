"""Systemprestanda / Performance: brine ΔT and radiator ΔT on top; compressor running (share of time)
and inverter speed where present below; linked time axes."""
from __future__ import annotations

from typing import Any

import pandas as pd

from generator.charts.context import ChartContext
from generator.charts.data import HERTZ, PERCENT, TEMPERATURE, Column, dataset, has_data
from generator.charts.layout import Axis, Line, Panel, empty_chart, time_chart


def _difference(frame: pd.DataFrame, warm: str, cold: str) -> pd.Series | None:
    if has_data(frame, warm) and has_data(frame, cold):
        diff = frame[warm] - frame[cold]
        return diff if diff.notna().any() else None
    return None


def build(ctx: ChartContext) -> dict[str, Any]:
    frame = ctx.frame
    columns: list[Column] = []
    top: list[Line] = []
    # Brine enters warmer than it leaves (the heat pump takes heat out of it); radiators the other way.
    for key, warm, cold in (("brine_dt", "brine_in_temp", "brine_out_temp"),
                            ("heat_carrier_dt", "heat_carrier_supply_temp", "heat_carrier_return_temp"),
                            ("radiator_dt", "supply_temp", "return_temp")):
        diff = _difference(frame, warm, cold)
        if diff is not None:
            columns.append(Column(key, diff, TEMPERATURE))
            top.append(Line(key, ctx.label(key), ctx.colour(key)))
    bottom: list[Line] = []
    bottom_axes: list[Axis] = []
    if has_data(frame, "compressor_on"):
        columns.append(Column("compressor_on", frame["compressor_on"] * 100.0, PERCENT))
        bottom_axes.append(Axis(ctx.label("axis.percent_time"), {"min": 0, "max": 100}))
        bottom.append(Line("compressor_on", ctx.label("compressor_on"), ctx.colour("compressor_on"),
                           style={"step": "end", "areaStyle": {"opacity": 0.3}}))
    if has_data(frame, "compressor_freq"):
        columns.append(Column("compressor_freq", frame["compressor_freq"], HERTZ))
        bottom_axes.append(Axis("Hz", {"min": 0}))
        bottom.append(Line("compressor_freq", ctx.label("compressor_freq"), ctx.colour("compressor_freq"),
                           axis=len(bottom_axes) - 1))
    panels = []
    if top:
        panels.append(Panel((Axis("ΔT °C", {"scale": True}),), tuple(top)))
    if bottom:
        panels.append(Panel(tuple(bottom_axes), tuple(bottom)))
    if not panels:
        return empty_chart(ctx, "performance.title")
    return time_chart(ctx, ctx.label("performance.title"), dataset(frame.index, columns), panels)
