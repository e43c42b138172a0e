"""Värmesignatur / Heat signature (30d and 365d): each local day's heat per 24 h against the day's mean
outdoor temperature, one scatter series per heating season (this season against the last) with its
fitted heating line; the subtitle gives each line's heat loss (W/K) and balance temperature
(analytics/signature.py; docs/decisions.md, Heat signature).  A season and its line share one name,
so the legend shows and hides them together."""
from __future__ import annotations

from typing import Any

from generator.analytics.records import SignatureFit, SignatureSeason
from generator.charts.context import ChartContext
from generator.charts.data import KWH, TEMPERATURE, rounded
from generator.charts.layout import empty_chart

UA = 0           # 1 W/K
R2 = 2
# Colours of the seasons, newest first: the heat colour for this season, the outdoor blue for the last.
SEASON_COLOURS = ("heat", "outdoor_temp")
_TITLE_TOP, _LINE_PX = 52, 16  # the legend sits below the subtitle's lines; the plot below the legend


def season_label(season: SignatureSeason) -> str:
    """"2025/26" for a season that spans a new year, "2026" for one that starts on 1 January."""
    start = season.start
    if (start.month, start.day) == (1, 1):
        return str(start.year)
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def line_points(season: SignatureSeason, fit: SignatureFit) -> list[list[float | None]]:
    """The fitted line across the season's temperatures: down to the balance temperature, then flat at the
    baseline (a change point), or on to zero heat (a straight line, the balance being its zero crossing)."""
    low, high = min(season.outdoor_c), max(season.outdoor_c)
    kwh_per_k = fit.ua_w_per_k * 24.0 / 1000.0

    def at(t: float) -> list[float | None]:
        return [rounded(t, TEMPERATURE), rounded(fit.baseline_kwh_per_day + kwh_per_k * max(fit.balance_c - t, 0.0), KWH)]
    if fit.change_point:
        return [at(low), at(fit.balance_c), at(high)] if high > fit.balance_c else [at(low), at(high)]
    return [at(low), at(max(high, fit.balance_c))]


def build(ctx: ChartContext) -> dict[str, Any]:
    found = ctx.summary.signature
    seasons = [s for s in found.seasons if s.dates] if found is not None else []
    if found is None or not seasons:
        return empty_chart(ctx, "signature.title")
    seasons = seasons[-2:]  # this season and the last
    scatters: list[dict[str, Any]] = []
    fitted: list[dict[str, Any]] = []
    lines: list[str] = []
    for age, season in enumerate(reversed(seasons)):
        name, colour = season_label(season), ctx.colour(SEASON_COLOURS[age])
        points = [{"name": ctx.label("signature.point", date=day.isoformat(), outdoor=ctx.number(t, TEMPERATURE)),
                   "value": [rounded(t, TEMPERATURE), rounded(q, KWH)]}
                  for day, t, q in zip(season.dates, season.outdoor_c, season.heat_kwh_per_day)]
        scatters.insert(0, {"type": "scatter", "name": name, "data": points, "symbolSize": 6,
                       "itemStyle": {"color": colour, "opacity": 0.75 if age == 0 else 0.55},
                       "tooltip": {"formatter": "{a}<br/>{b}<br/>{c} kWh"}})
        fit = season.fit
        if fit is None:
            lines.append(ctx.label("signature.no_fit", season=name))
            continue
        lines.append(ctx.label("signature.fit", season=name, ua=ctx.number(fit.ua_w_per_k, UA),
                               balance=ctx.number(fit.balance_c, TEMPERATURE), r2=ctx.number(fit.r2, R2)))
        fitted.insert(0, {"type": "line", "name": name, "data": line_points(season, fit), "showSymbol": False,
                       "silent": True, "tooltip": {"show": False}, "itemStyle": {"color": colour},
                       "lineStyle": {"width": 2.5, **({"type": "dashed"} if age else {})}})
    legend_top = _TITLE_TOP + _LINE_PX * (len(lines) - 1) + 20
    return {
        "_meta": ctx.meta(heat=found.heat, days_left_out=found.days_left_out,
                          seasons=[_season_meta(s) for s in seasons]),
        "title": {"text": ctx.label("signature.title"), "subtext": "\n".join(lines),
                  "subtextStyle": {"lineHeight": _LINE_PX}},
        "animation": False,
        "aria": {"enabled": True},
        "tooltip": {"trigger": "item"},
        "legend": {"top": legend_top, "data": [season_label(s) for s in reversed(seasons)]},
        "grid": {"top": legend_top + 48, "bottom": 40, "left": 48, "right": 24},
        "xAxis": {"type": "value", "name": "°C", "scale": True, "nameGap": 8},
        "yAxis": {"type": "value", "name": ctx.label(f"signature.axis.{found.heat}"), "min": 0, "nameGap": 10,
                  "nameTextStyle": {"align": "left"}},
        "series": scatters + fitted,   # the last season under this one, and the lines over the points
    }


def _season_meta(season: SignatureSeason) -> dict[str, Any]:
    fit = season.fit
    return {
        "season": season_label(season),
        "start": season.start.isoformat(),
        "days": len(season.dates),
        "ua_w_per_k": rounded(fit.ua_w_per_k, UA) if fit else None,
        "balance_c": rounded(fit.balance_c, TEMPERATURE) if fit else None,
        "baseline_kwh_per_day": rounded(fit.baseline_kwh_per_day, KWH) if fit else None,
        "change_point": fit.change_point if fit else None,
        "r2": rounded(fit.r2, R2) if fit else None,
        "heating_days": fit.heating_days if fit else None,
    }
