"""COP over time: the running COP per bucket (heat ÷ electricity of the running time, only where the
compressor ran a stated share of the bucket: gaps otherwise), and the range's SPF — the energy-weighted
Σheat ÷ Σelectricity from the summary — as the average line; beside it, dashed, the Carnot COP of the same
buckets (supply + the condensing offset, brine in − the evaporating offset), so the gap between the two
lines is what the real machine loses against the ideal one.  The dataset also holds each bucket's share of
the Carnot COP (%), for the CSV download.  The subtitle says how heat is known: which meter, or which
temperature pair and flow factor, and whether physics allows the result."""
from __future__ import annotations

from typing import Any

from generator import analytics
from generator.charts.context import ChartContext
from generator.charts.data import COP, PERCENT, Column, dataset, rounded
from generator.charts.layout import Axis, Line, Panel, empty_chart, time_chart

COLUMN = "cop"
CARNOT = "carnot_cop"
SHARE = "carnot_share_pct"


def method_text(ctx: ChartContext) -> str:
    """How heat is known, in words: the meter, or the pair and its flow factor; and an implausible result."""
    heat, perf = ctx.summary.heat, ctx.summary.performance
    key = f"cop.method.{heat.method}"
    if heat.method == "delta_t":
        key = f"cop.method.delta_t.{heat.basis}"
    text = ctx.label(key, factor=ctx.number(heat.flow_factor_kw_per_k or 0.0, 2))
    if perf.plausible is False and perf.carnot_spf is not None:
        text += " · " + ctx.label("cop.implausible", carnot=ctx.number(perf.carnot_spf, COP))
    return text


def build(ctx: ChartContext) -> dict[str, Any]:
    heat = ctx.summary.heat
    method = heat.method
    if method is None:
        return empty_chart(ctx, "cop.title", cop_method=None)
    cop = analytics.cop_series(ctx.frame, ctx.window, heat, ctx.params)
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
    lines = [Line(COLUMN, ctx.label("cop.series"), ctx.colour("cop"), style=line_style)]
    columns = [Column(COLUMN, cop, COP)]
    ideal = analytics.running_carnot_cop(ctx.frame, ctx.params).where(cop.notna())
    if ideal.notna().any():  # on the buckets the COP line has, so the two lines compare point by point
        lines.append(Line(CARNOT, ctx.label("cop.carnot"), ctx.colour("carnot"),
                          style={"lineStyle": {"type": "dashed", "width": 1.5}}))
        columns += [Column(CARNOT, ideal, COP), Column(SHARE, cop / ideal * 100.0, PERCENT)]
    panel = Panel((Axis("COP", {"min": 0}),), tuple(lines))
    return time_chart(ctx, ctx.label("cop.title"), dataset(ctx.frame.index, columns),
                      [panel], subtitle=method_text(ctx), cop_method=method, cop_basis=heat.basis,
                      flow_factor_kw_per_k=rounded(heat.flow_factor_kw_per_k, 2), spf=spf,
                      plausible=ctx.summary.performance.plausible,
                      carnot_share_pct=rounded(ctx.summary.performance.carnot_share_pct, PERCENT),
                      min_running_share=ctx.params.min_running_share)
