"""Drifttid / Runtime: a donut of time-weighted shares — compressor on space heating, compressor on hot
water, add-heat alone and idle — of the time with data in the range; the slices add up to 100 %."""
from __future__ import annotations

from typing import Any

from generator.charts.context import ChartContext
from generator.charts.data import PERCENT, rounded
from generator.charts.layout import empty_chart


def build(ctx: ChartContext) -> dict[str, Any]:
    runtime = ctx.summary.runtime
    if runtime.compressor_pct is None:
        return empty_chart(ctx, "runtime.title")
    if runtime.compressor_space_pct is not None and runtime.compressor_hot_water_pct is not None:
        slices = [("runtime.compressor_space", "space", runtime.compressor_space_pct),
                  ("runtime.compressor_hot_water", "hot_water", runtime.compressor_hot_water_pct)]
    else:  # no valve data: the compressor's time is not split
        slices = [("runtime.compressor", "compressor", runtime.compressor_pct)]
    # add-heat while the compressor is off: the slices then add up to 100 %
    aux_only = runtime.aux_only_pct if runtime.aux_only_pct is not None else runtime.aux_pct
    slices += [("runtime.aux", "aux", aux_only), ("runtime.idle", "idle", runtime.idle_pct)]
    data = [{"name": ctx.label(key), "value": rounded(value, PERCENT), "itemStyle": {"color": ctx.colour(colour)}}
            for key, colour, value in slices if value is not None and value > 0]  # no 0 % slivers
    # Names in a legend below (it wraps on a phone), only the short percentages at the slices: a name
    # such as "Kompressor, uppvärmning" beside a slice is cut off in a narrow card.
    return {
        "_meta": ctx.meta(unit="%"),
        "title": {"text": ctx.label("runtime.title")},
        "aria": {"enabled": True},
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} %"},
        "legend": {"bottom": 8, "left": "center", "itemGap": 14},
        "series": [{"type": "pie", "center": ["50%", "47%"], "radius": ["36%", "58%"],
                    "avoidLabelOverlap": True, "label": {"formatter": "{c} %"},
                    "labelLine": {"length": 8, "length2": 8}, "data": data}],
    }
