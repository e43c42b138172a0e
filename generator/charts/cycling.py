"""Cykler / Cycling: above, how many complete compressor runs and pauses fell in each length bin (bars
over the same fixed bins in minutes on every range, so ranges compare); below, starts per hour over time.
The subtitle says the short-cycling verdict with the figures behind it.  Left out of 1h (charts.ONLY_FOR):
an hour holds a complete run or two at best.  What counts as complete: generator/analytics/cycling.py."""
from __future__ import annotations

from typing import Any

from generator.analytics.cycling import BINS_MINUTES, histogram
from generator.charts.context import ChartContext
from generator.charts.data import TIME, Column, dataset, rounded
from generator.charts.layout import empty_chart

RATE = 2   # 0.01 starts per hour


def bin_labels() -> list[str]:
    """'<5 min', '5–10', …, '30–60', '1–2 h', '2–4 h', '≥4 h': minutes up to an hour, hours above (short
    enough to stand side by side at 390 px, where rotated labels would overlap)."""
    edges = BINS_MINUTES
    labels = [f"<{edges[1]:g} min"]
    for a, b in zip(edges[1:], edges[2:]):
        labels.append(f"{a / 60:g}–{b / 60:g} h" if a >= 60 else f"{a:g}–{b:g}")
    return labels + [f"≥{edges[-1] / 60:g} h"]


def _subtitle(ctx: ChartContext) -> str:
    c = ctx.summary.cycling
    assert c is not None
    parts = []
    if c.short_run_share_pct is not None:
        parts.append(ctx.label("cycling.short_share", share=ctx.number(c.short_run_share_pct, 0),
                               minutes=ctx.number(c.short_run_minutes, 0)))
    if c.mean_starts_per_hour is not None:
        parts.append(ctx.label("cycling.mean_rate", rate=ctx.number(c.mean_starts_per_hour, 1)))
    verdict = {True: "cycling.short", False: "cycling.not_short"}.get(c.short_cycling)  # type: ignore[arg-type]
    return " · ".join(([ctx.label(verdict)] if verdict else []) + parts)


def build(ctx: ChartContext) -> dict[str, Any]:
    c = ctx.summary.cycling
    if c is None or c.short_cycling is None and not c.runs_minutes and not c.pauses_minutes:
        return empty_chart(ctx, "cycling.title")
    rate_label = ctx.label("cycling.starts_per_hour")
    grid_sides = {"left": 44, "right": 16}
    return {
        "_meta": ctx.meta(bins_minutes=[rounded(e, 0) for e in BINS_MINUTES],
                          runs=len(c.runs_minutes), pauses=len(c.pauses_minutes), incomplete=c.incomplete),
        "title": {"text": ctx.label("cycling.title"), "subtext": _subtitle(ctx)},
        "animation": False,
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 56, "type": "scroll"},
        "dataset": dataset(c.starts_per_hour.index, [Column("starts_per_hour", c.starts_per_hour, RATE)]),
        # histograms above (their bin labels below them), the starts per hour below
        "grid": [{"top": 92, "bottom": "50%", **grid_sides}, {"top": "64%", "bottom": 28, **grid_sides}],
        "xAxis": [
            {"type": "category", "data": bin_labels(), "axisLabel": {"interval": 0, "fontSize": 10},
             "axisTick": {"alignWithLabel": True}},
            {"type": "time", "gridIndex": 1},
        ],
        "yAxis": [
            {"type": "value", "minInterval": 1, "splitNumber": 3, "name": ctx.label("cycling.count"),
             "nameGap": 8, "nameTextStyle": {"align": "left"}},
            {"type": "value", "gridIndex": 1, "min": 0, "splitNumber": 3, "name": rate_label, "nameGap": 8,
             "nameTextStyle": {"align": "left"}},
        ],
        "series": [
            {"type": "bar", "name": ctx.label("cycling.runs"), "data": histogram(c.runs_minutes),
             "itemStyle": {"color": ctx.colour("compressor")}, "barGap": "10%"},
            {"type": "bar", "name": ctx.label("cycling.pauses"), "data": histogram(c.pauses_minutes),
             "itemStyle": {"color": ctx.colour("idle")}},
            {"type": "line", "name": rate_label, "xAxisIndex": 1, "yAxisIndex": 1, "datasetIndex": 0,
             "encode": {"x": TIME, "y": "starts_per_hour"}, "showSymbol": False, "step": "end",
             "itemStyle": {"color": ctx.colour("compressor")}},  # reads in both themes
        ],
    }
