"""Per månad / By month (365d and all): bars of each local month's electricity and heat (kWh), the month's
COP as points on a right axis, and on "all" the same month a year before as dashed lines with points,
so each bar has last year's level beside it (readable at 390 px, where four bars a month would not be).

A partial month (the range or the data covers less of it than analytics.monthly.PARTIAL_BELOW) is drawn
lighter, and its tooltip says so.  The figures come from generator/analytics/monthly.py; the dataset
(the CSV download) holds them all, the series carry their own points so a partial bar can be lighter.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from generator.analytics.monthly import months
from generator.charts.context import ChartContext
from generator.charts.data import COP, KWH, Column, dataset, rounded
from generator.charts.layout import empty_chart

PARTIAL_OPACITY = 0.45
SHOWN_MONTHS = 24   # a longer history opens on its last two years (a phone's width); the zoom shows the rest
LAST_YEAR = {"type": "line", "showSymbol": True, "symbolSize": 5, "lineStyle": {"type": "dashed", "width": 1.5}}


def _points(times: list[int], values: list[float | None], partial: list[bool], decimals: int) -> list[Any]:
    points: list[Any] = []
    for t, v, p in zip(times, values, partial):
        point = [t, rounded(v, decimals)]
        points.append({"value": point, "itemStyle": {"opacity": PARTIAL_OPACITY}} if p else point)
    return points


def build(ctx: ChartContext) -> dict[str, Any]:
    compare = ctx.window.calendar_months   # only "all" holds the year before (365d reads no extra year)
    table = months(ctx.frame, ctx.window, ctx.summary.heat, last_year=compare)
    if not any(m.electric_kwh is not None or m.heat_kwh is not None for m in table):
        return empty_chart(ctx, "monthly.title")
    index = pd.DatetimeIndex([m.start for m in table])
    times = [int(t) for t in index.as_unit("ms").asi8]
    partial = [m.partial for m in table]

    def col(name: str, values: list[float | None], decimals: int) -> Column:
        return Column(name, pd.Series(values, index=index, dtype=float), decimals)

    columns = [col("month_electric_kwh", [m.electric_kwh for m in table], KWH),
               col("month_heat_kwh", [m.heat_kwh for m in table], KWH),
               col("month_cop", [m.cop for m in table], COP),
               col("month_covered_pct", [m.covered_share * 100.0 for m in table], 0)]
    bar = {"type": "bar", "barMaxWidth": 18, "barGap": "10%"}
    series: list[dict[str, Any]] = []
    for key, colour, values in (("electric", "electric", [m.electric_kwh for m in table]),
                                ("heat", "heat", [m.heat_kwh for m in table])):
        if any(v is not None for v in values):
            series.append({**bar, "name": ctx.label(f"monthly.{key}"), "itemStyle": {"color": ctx.colour(colour)},
                           "data": _points(times, values, partial, KWH)})
    if compare:
        for key, colour, pick in (("electric", "electric", lambda m: m.electric_kwh),
                                  ("heat", "heat", lambda m: m.heat_kwh)):
            before = [pick(m.last_year) if m.last_year is not None else None for m in table]
            if any(v is not None for v in before):
                columns.append(col(f"month_{key}_kwh_last_year", before, KWH))
                series.append({**LAST_YEAR, "name": ctx.label(f"monthly.{key}_last_year"),
                               "itemStyle": {"color": ctx.colour(colour)},
                               "data": [[t, rounded(v, KWH)] for t, v in zip(times, before)]})
    cops = [m.cop for m in table]
    if any(c is not None for c in cops):
        series.append({"type": "line", "name": ctx.label("monthly.cop"), "yAxisIndex": 1, "showSymbol": True,
                       "symbolSize": 8, "lineStyle": {"width": 0}, "itemStyle": {"color": ctx.colour("cop")},
                       "data": [[t, rounded(c, COP)] for t, c in zip(times, cops)]})
    note = ctx.label("monthly.partial") if any(partial) else None
    zoom = {"startValue": times[-SHOWN_MONTHS]} if len(times) > SHOWN_MONTHS else {}
    return {
        "_meta": ctx.meta(partial_months=[t for t, p in zip(times, partial) if p]),
        "title": {"text": ctx.label("monthly.title"), **({"subtext": note} if note else {})},
        "animation": False,
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 72 if note else 52},
        "dataset": dataset(index, columns),
        "grid": {"top": 100, "bottom": 70, "left": 48, "right": 48},
        "xAxis": {"type": "time"},
        "yAxis": [{"name": "kWh", "nameGap": 10, "nameTextStyle": {"align": "left"}, "min": 0},
                  {"name": "COP", "nameGap": 10, "nameTextStyle": {"align": "right"}, "min": 0,
                   "splitLine": {"show": False}}],
        "dataZoom": [{"type": "inside", **zoom}, {"type": "slider", **zoom}],
        "series": series,
    }
