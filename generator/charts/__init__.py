"""The ECharts options of a range and the KPIs, from a frame and its analytics summary.

Every option is complete (chart.setOption draws it as is) and plain JSON: Python numbers rounded to what
a person reads, None for missing values. Time-series charts share one `dataset` whose first dimension is
the bucket start in epoch milliseconds. `_meta` and `_empty` are for the page; ECharts ignores them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

import pandas as pd

from generator import i18n
from generator.charts import (
    cop,
    cycling,
    daily,
    monthly,
    performance,
    power,
    runtime,
    sankey,
    signature,
    temperature,
    valve,
)
from generator.charts.context import DEFAULT_COLOURS, ChartContext
from generator.charts.inputs import metrics_of
from generator.charts.kpis import build_kpis
from generator.core.ranges import RangeSpec, Window

if TYPE_CHECKING:
    from generator.analytics import Params, Summary

__all__ = ["CHARTS", "DEFAULT_COLOURS", "ONLY_FOR", "build_charts", "build_kpis", "shown_on"]

CHARTS: dict[str, Callable[[ChartContext], dict[str, Any]]] = {
    "sankey": sankey.build,
    "cop": cop.build,
    "daily": daily.build,
    "runtime": runtime.build,
    "cycling": cycling.build,
    "temperature": temperature.build,
    "performance": performance.build,
    "power": power.build,
    "valve": valve.build,
    "signature": signature.build,
    "monthly": monthly.build,
}
# Charts that mean something only on some ranges (daily bars need days): on the others the range file
# leaves them out, and the page hides their card.  A chart not named here is in every range.
ONLY_FOR: dict[str, frozenset[str]] = {
    "daily": frozenset({"30d", "365d"}),      # bars per local day
    "cycling": frozenset({"6h", "24h", "7d", "30d", "365d"}),  # an hour holds a complete run or two at best
    "signature": frozenset({"30d", "365d"}),   # a point per day: shorter ranges have too few
    "monthly": frozenset({"365d", "all"}),    # bars per local month
}


def shown_on(key: str, range_key: str) -> bool:
    return key not in ONLY_FOR or range_key in ONLY_FOR[key]


def build_charts(frame: pd.DataFrame, summary: "Summary", window: Window, spec: RangeSpec, language: str,
                 timezone: str, colours: Mapping[str, str] | None = None,
                 params: "Params | None" = None) -> dict[str, dict[str, Any]]:
    """Every chart of one range, by key (sankey, cop, runtime, temperature, performance, power, valve, and
    those of ONLY_FOR that are shown on this range)."""
    unknown = sorted(set(colours or {}) - set(DEFAULT_COLOURS))
    if unknown:
        raise ValueError(f"chart colours: unknown key(s) {', '.join(unknown)}; "
                         f"use any of {', '.join(DEFAULT_COLOURS)}")
    from generator.analytics import (
        Params,  # late: analytics imports nothing of the charts
    )

    ctx = ChartContext(frame, summary, window, spec, i18n.check_language(language), timezone, colours or {},
                       params or Params())
    charts = {key: build(ctx) for key, build in CHARTS.items() if shown_on(key, spec.key)}
    for key, option in charts.items():  # what each is drawn from: the page badges it on a data problem
        option.setdefault("_meta", {})["metrics"] = metrics_of(key, ctx)
    return charts
