"""Dygn / Days (30d and 365d only, charts.ONLY_FOR): each local day's electricity and heat as bars (kWh;
the heat bar behind the electricity bar, so a year of days stays readable on a phone) and the day's COP as
points on a second axis.  The figures are analytics.daily()'s; here they are only rounded.  A day the data
covers only partly (today so far, the day an install began, a day the collector was down) is drawn paler
and says so in the subtitle: its bars are what was measured, never stretched to a whole day."""
from __future__ import annotations

from typing import Any

import pandas as pd

from generator import analytics
from generator.charts.context import ChartContext
from generator.charts.data import (
    COP,
    KWH,
    PERCENT,
    Column,
    dataset,
    epoch_ms,
    rounded_list,
)
from generator.charts.layout import Axis, Line, Panel, empty_chart, time_chart

PARTIAL_OPACITY = 0.4
GRID_TOP_WITH_SUBTITLE = 120
ELECTRIC, HEAT, DAY_COP, COVERED = "day_electric_kwh", "day_heat_kwh", "day_cop", "day_covered_pct"


def _bars(days: pd.DatetimeIndex, values: pd.Series, partial: pd.Series) -> list[Any]:
    """A bar series' own points: [time, kWh], a partial day's as an item drawn paler."""
    points: list[Any] = []
    for time, value, pale in zip(epoch_ms(days), rounded_list(values, KWH), partial.tolist()):
        points.append({"value": [time, value], "itemStyle": {"opacity": PARTIAL_OPACITY}} if pale else [time, value])
    return points


def build(ctx: ChartContext) -> dict[str, Any]:
    days = analytics.daily(ctx.frame, ctx.window, ctx.summary.heat)
    if not (days.electric_kwh.notna().any() or days.heat_kwh.notna().any()):
        return empty_chart(ctx, "daily.title")
    index = days.hours.index
    has_heat = bool(days.heat_kwh.notna().any())
    columns = [Column(ELECTRIC, days.electric_kwh, KWH), Column(HEAT, days.heat_kwh, KWH),
               Column(DAY_COP, days.cop, COP), Column(COVERED, days.covered_hours / days.hours * 100.0, PERCENT)]
    bar = {"type": "bar", "barGap": "-100%", "barMaxWidth": 18}
    lines = []
    if has_heat:
        kind = "measured" if ctx.summary.heat.method == "measured" else "estimated"
        lines.append(Line(HEAT, ctx.label(f"daily.heat.{kind}"), ctx.colour("heat"),
                          style={**bar, "data": _bars(index, days.heat_kwh, days.partial)}))
    lines.append(Line(ELECTRIC, ctx.label("daily.electric"), ctx.colour("electric"),
                      style={**bar, "data": _bars(index, days.electric_kwh, days.partial)}))
    axes = [Axis("kWh", {"min": 0})]
    if days.cop.notna().any():
        axes.append(Axis("COP", {"min": 0, "splitLine": {"show": False}}))
        lines.append(Line(DAY_COP, ctx.label("daily.cop"), ctx.colour("cop"), axis=1,
                          style={"type": "scatter", "symbolSize": 6}))
    partial = bool((days.partial & days.electric_kwh.notna()).any())
    option = time_chart(ctx, ctx.label("daily.title"), dataset(index, columns), [Panel(tuple(axes), tuple(lines))],
                        subtitle=ctx.label("daily.partial") if partial else None,
                        partial_days=int((days.partial & days.electric_kwh.notna()).sum()))
    if partial:  # the legend sits below the subtitle: room for the axis names under it on a phone
        option["grid"]["top"] = GRID_TOP_WITH_SUBTITLE
    for series in option["series"]:
        series.pop("showSymbol", None)  # a line's key
        if "data" in series:  # the bars carry their own points (a dataset cannot pale single items)
            series.pop("encode", None)
    return option
