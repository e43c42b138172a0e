"""Effekt / Power: electrical power split into compressor and add-heat (stacked), heat output where
known, and below it cumulative energy (the running sum of bucket energies, kWh); linked time axes.
Where a bucket has no data the lines break: a gap, never a 0 W line."""
from __future__ import annotations

from typing import Any

import pandas as pd

from generator import analytics
from generator.charts.context import ChartContext
from generator.charts.data import KWH, WATTS, Column, dataset, extras, has_data
from generator.charts.layout import Axis, Line, Panel, empty_chart, time_chart

AREA = {"stack": "electric", "areaStyle": {"opacity": 0.5}}


def _cumulative(kwh: pd.Series) -> pd.Series:
    """Running total of bucket energies; a bucket without data adds nothing and shows as a gap."""
    return kwh.fillna(0.0).cumsum().where(kwh.notna())


def build(ctx: ChartContext) -> dict[str, Any]:
    frame = ctx.frame
    hours = analytics.bucket_hours(frame, ctx.window)
    columns: list[Column] = []
    top: list[Line] = []
    bottom: list[Line] = []
    if has_data(frame, "power_electric"):
        columns.append(Column("compressor_power", analytics.compressor_power(frame), WATTS))
        top.append(Line("compressor_power", ctx.label("compressor_power"), ctx.colour("compressor"), style=AREA))
        if has_data(frame, "aux_heater_power"):
            columns.append(Column("aux_heater_power", frame["aux_heater_power"], WATTS))
            top.append(Line("aux_heater_power", ctx.label("aux_power"), ctx.colour("aux"), style=AREA))
        columns.append(Column("electric_kwh", _cumulative(analytics.electricity(frame, ctx.window)), KWH))
        bottom.append(Line("electric_kwh", ctx.label("electric_kwh"), ctx.colour("electric")))
    heat = ctx.summary.heat
    if heat.method is not None and heat.kwh.notna().any():
        watts = heat.watts(hours).reindex(frame.index)
        kind = "measured" if heat.method == "measured" else "estimated"
        columns.append(Column("heat_output", watts, WATTS))
        top.append(Line("heat_output", ctx.label(f"heat_power.{kind}"), ctx.colour("heat")))
        columns.append(Column("heat_kwh", _cumulative(heat.kwh.reindex(frame.index)), KWH))
        bottom.append(Line("heat_kwh", ctx.label("heat_kwh"), ctx.colour("heat")))
    for column, label in extras(frame, "power"):   # the owner's own meters (a house meter beside the pump)
        columns.append(Column(column, frame[column], WATTS))
        top.append(Line(column, label))
    if not top:
        return empty_chart(ctx, "power.title")
    panels = [Panel((Axis("W", {"min": 0}),), tuple(top)), Panel((Axis("kWh", {"min": 0}),), tuple(bottom))]
    return time_chart(ctx, ctx.label("power.title"), dataset(frame.index, columns), panels,
                      heat_method=heat.method)
