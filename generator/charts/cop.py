"""COP over time: per-bucket COP while the compressor runs (gaps otherwise), and the range's SPF — the
energy-weighted Σheat ÷ Σelectricity from the summary — as the average line."""
from __future__ import annotations

from typing import Any

from generator import analytics
from generator.charts.context import ChartContext
from generator.charts.data import COP, Column, dataset, rounded
from generator.charts.layout import Axis, Line, Panel, empty_chart, time_chart

COLUMN = "cop"


def build(ctx: ChartContext) -> dict[str, Any]:
    heat = ctx.summary.heat
    method = heat.method
    if method is None:
        return empty_chart(ctx, "cop.title", cop_method=None)
    cop = analytics.cop_series(ctx.frame, heat)
    if not cop.notna().any():
        return empty_chart(ctx, "cop.title", cop_method=method)
    line_style: dict[str, Any] = {}
    spf = rounded(ctx.summary.performance.spf, COP)
    if spf is not None:
        line_style["markLine"] = {
            "symbol": "none", "silent": True, "lineStyle": {"type": "dashed"},
            # inside the plot: beside the line's end it would need a wide right margin, or be cut off
            "label": {"formatter": ctx.label("cop.average", spf=ctx.number(spf, COP)), "position": "insideEndTop"},
            "data": [{"name": "SPF", "yAxis": spf}],
        }
    panel = Panel((Axis("COP", {"min": 0}),),
                  (Line(COLUMN, ctx.label("cop.series"), ctx.colour("cop"), style=line_style),))
    return time_chart(ctx, ctx.label("cop.title"), dataset(ctx.frame.index, [Column(COLUMN, cop, COP)]),
                      [panel], subtitle=ctx.label(f"cop.method.{method}"), cop_method=method, spf=spf)
