"""The documents a viewer reads: a range's file (KPIs, alarms, the charts of its range) and the live file,
from a source's answer and its analytics summary (docs/public-format.md)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import pandas as pd

from generator.charts import build_charts, build_kpis
from generator.core.public_format import FORMAT
from generator.core.ranges import RangeSpec, Window

if TYPE_CHECKING:
    from generator.analytics import MetricQuality, Params, Summary
    from generator.core.errors import Problem
    from generator.sources.base import Latest
    from providers.model import Provider

STATUS_KEYS = ("compressor_on", "switch_valve", "aux_heater_on", "brine_pump_on", "heating_pump_on")


def iso(ts: Any) -> str | None:
    """An instant as the public format writes it: ISO-8601 UTC ending in Z; None for none."""
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def alarm_entries(provider: "Provider", codes: tuple[int, ...], since: Callable[[int], Any],
                  language: str) -> list[dict[str, Any]]:
    """Active alarms as the page shows them: code, text in the site's language, severity, since when."""
    entries = []
    for code in codes:
        info = provider.alarm_info(code)
        entries.append({"code": code, "text": provider.alarm_text(code, language),
                        "severity": info.severity if info else None, "since": iso(since(code))})
    return entries


def range_document(spec: RangeSpec, window: Window, frame: pd.DataFrame, summary: "Summary",
                   active: list[dict[str, Any]], provider: "Provider", language: str, timezone: str,
                   params: "Params", means: Mapping[str, float | None],
                   quality: Sequence["Problem"] = (), metrics: Sequence["MetricQuality"] = ()) -> dict[str, Any]:
    """Everything a viewer sees for one range, what its source left out, and how far each metric's data
    can be trusted (data quality)."""
    return {
        "format": FORMAT,
        "range": spec.key,
        "from": iso(window.start),
        "to": iso(window.end),
        "bucket": spec.bucket,
        "kpis": build_kpis(summary, dict(means)),
        "alarms": {
            "active": active,
            "events": [{"code": e.code, "text": provider.alarm_text(e.code, language), "start": iso(e.start),
                        "end": iso(e.end)} for e in summary.alarm_events],
        },
        "charts": build_charts(frame, summary, window, spec, language, timezone, params=params),
        "data_quality": [p.to_json() for p in quality],
        "metric_quality": quality_table(metrics),
    }


QUALITY_COLUMNS = ("metric", "coverage_pct", "since", "gaps", "longest_gap_h", "stuck_h", "out_of_range", "worst",
                   "behind_h", "future", "flags")


def _round(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(float(value), decimals)


def quality_table(metrics: Sequence["MetricQuality"]) -> dict[str, Any]:
    """The per-metric data-quality table (docs/public-format.md): a row per metric, not per bucket."""
    return {"columns": list(QUALITY_COLUMNS), "rows": [
        [q.metric, round(q.coverage * 100.0, 1), iso(q.since), q.gaps, round(q.longest_gap_h, 2), round(q.stuck_h, 2),
         q.out_of_range, _round(q.worst, 2), _round(q.behind_h, 2), q.future, list(q.flags)] for q in metrics]}


def live_document(latest: "Latest", active: list[dict[str, Any]]) -> dict[str, Any]:
    """The small live file: newest values, operating status, active alarms.  No clock time inside, so it
    only changes when the data does."""
    values = {k: round(float(v), 2) for k, v in sorted(latest.values.items()) if v is not None and not pd.isna(v)}
    return {
        "latest_data_at": iso(latest.at),
        "values": values,
        "status": {k: int(round(values[k])) for k in STATUS_KEYS if k in values},
        "alarms": active,
        "data_quality": [p.to_json() for p in latest.quality],
    }
