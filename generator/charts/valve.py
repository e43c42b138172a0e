"""Växelventil / Switching valve: the valve's share of time on hot water (a step area), with the hot
water and supply temperatures, so hot-water cycles show at a glance."""
from __future__ import annotations

from typing import Any

from generator.charts.context import ChartContext
from generator.charts.data import PERCENT, TEMPERATURE, Column, dataset, has_data
from generator.charts.layout import Axis, Line, Panel, empty_chart, time_chart


def build(ctx: ChartContext) -> dict[str, Any]:
    frame = ctx.frame
    columns: list[Column] = []
    lines: list[Line] = []
    for metric in ("hot_water_temp", "supply_temp"):
        if has_data(frame, metric):
            columns.append(Column(metric, frame[metric], TEMPERATURE))
            lines.append(Line(metric, ctx.label(metric), ctx.colour(metric)))
    axes = [Axis("°C", {"scale": True})] if lines else []
    if has_data(frame, "switch_valve"):
        # a bucket's mean is the share of its time on hot water; 0/1 on short buckets
        columns.append(Column("switch_valve", frame["switch_valve"] * 100.0, PERCENT))
        axes.append(Axis(ctx.label("valve.axis"), {"min": 0, "max": 100}))
        lines.insert(0, Line("switch_valve", ctx.label("valve.hot_water"), ctx.colour("valve"), axis=len(axes) - 1,
                             style={"step": "end", "areaStyle": {"opacity": 0.25}, "lineStyle": {"width": 1}}))
    if not lines:
        return empty_chart(ctx, "valve.title")
    return time_chart(ctx, ctx.label("valve.title"), dataset(frame.index, columns),
                      [Panel(tuple(axes), tuple(lines))])
