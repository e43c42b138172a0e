"""The shared shape of the charts: an empty chart that says so, and time-series charts made of one or
two stacked panels (grids) over a single dataset, with linked time axes and one zoom driving them all."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.charts.context import ChartContext
from generator.charts.data import TIME


def empty_chart(ctx: ChartContext, title_key: str, **meta: Any) -> dict[str, Any]:
    """An option with nothing to draw: the page shows the title, which says so."""
    title = f"{ctx.label(title_key)} – {ctx.label('no_data')}"
    return {"_empty": True, "_meta": ctx.meta(**meta), "title": {"text": title}, "aria": {"enabled": True}}


@dataclass(frozen=True)
class Line:
    """One drawn series: a dataset column on one y axis of a panel."""

    column: str
    name: str
    colour: str | None = None
    axis: int = 0                                  # 0 = the panel's left axis, 1 = its right axis
    style: dict[str, Any] = field(default_factory=dict)  # type-specific keys: areaStyle, stack, step …


@dataclass(frozen=True)
class Axis:
    name: str                                      # the unit shown at the axis
    extra: dict[str, Any] = field(default_factory=dict)  # min, max, scale …


@dataclass(frozen=True)
class Panel:
    axes: tuple[Axis, ...]
    lines: tuple[Line, ...]


# Room around the plot: title + legend on top, the zoom slider below; a fixed left margin (px) for the
# value labels so that stacked panels share one left edge and their time axes line up.
_TOP, _BOTTOM, _LEFT, _RIGHT, _RIGHT_WITH_AXIS = 100, 70, 48, 16, 48
_LEGEND_BELOW_SUBTITLE = 72
# Two panels: the gap between them (58 % − 50 % of the height, ~30 px on a phone) holds the lower
# panel's axis name; the upper panel's time labels are hidden, the lower panel's serve both.
_PANEL_SPLIT = ("50%", "58%")


def _grids(count: int, right: int) -> list[dict[str, Any]]:
    sides = {"left": _LEFT, "right": right}
    if count == 1:
        return [{"top": _TOP, "bottom": _BOTTOM, **sides}]
    return [{"top": _TOP, "bottom": _PANEL_SPLIT[0], **sides}, {"top": _PANEL_SPLIT[1], "bottom": _BOTTOM, **sides}]


def _y_axis(axis: Axis, position: int, stacked: bool) -> dict[str, Any]:
    """The unit above the axis, reading into the plot (left axis) or ending at it (right axis), so it
    is neither cut off at the card's edge nor pushed over the neighbouring panel's labels. A stacked
    panel is short: fewer ticks keep its labels apart (not on a fixed 0–100 axis, where 3 steps would
    give 0 30 60 90 with 100 squeezed on top)."""
    fixed = "min" in axis.extra and "max" in axis.extra
    return {"name": axis.name, "nameGap": 10, "nameTextStyle": {"align": "right" if position else "left"},
            **({"splitNumber": 3} if stacked and not fixed else {}), **axis.extra}


def _series(line: Line, panel_index: int, first_axis: int) -> dict[str, Any]:
    series: dict[str, Any] = {"type": "line", "name": line.name, "encode": {"x": TIME, "y": line.column},
                              "showSymbol": False}
    if panel_index:
        series["xAxisIndex"] = panel_index
    if first_axis + line.axis:
        series["yAxisIndex"] = first_axis + line.axis
    if line.colour:
        series["itemStyle"] = {"color": line.colour}
    series.update(line.style)
    return series


def time_chart(ctx: ChartContext, title: str, data: dict[str, Any], panels: list[Panel],
               subtitle: str | None = None, **meta: Any) -> dict[str, Any]:
    """A complete time-series option; panels after the first share the first one's time axis."""
    count = len(panels)
    x_axes: list[dict[str, Any]] = []
    y_axes: list[dict[str, Any]] = []
    series: list[dict[str, Any]] = []
    for index, panel in enumerate(panels):
        x_axis: dict[str, Any] = {"type": "time", **({"gridIndex": index} if index else {})}
        if index < count - 1:  # an upper panel: the time labels below it would collide with the next
            x_axis.update(axisLabel={"show": False}, axisPointer={"label": {"show": False}})
        x_axes.append(x_axis)
        first_axis = len(y_axes)
        for position, axis in enumerate(panel.axes):
            y_axes.append({**_y_axis(axis, position, count > 1), **({"gridIndex": index} if index else {})})
        series += [_series(line, index, first_axis) for line in panel.lines]
    right = _RIGHT_WITH_AXIS if any(len(panel.axes) > 1 for panel in panels) else _RIGHT
    grids = _grids(count, right)

    all_x = list(range(count))
    zoom_target = {"xAxisIndex": all_x} if count > 1 else {}
    option: dict[str, Any] = {
        "_meta": ctx.meta(**meta),
        "title": {"text": title, **({"subtext": subtitle} if subtitle else {})},
        "animation": False,
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "dataset": data,
        "grid": grids if count > 1 else grids[0],
        "xAxis": x_axes if count > 1 else x_axes[0],
        "yAxis": y_axes if len(y_axes) > 1 else y_axes[0],
        "dataZoom": [{"type": "inside", **zoom_target}, {"type": "slider", **zoom_target}],
        "series": series,
    }
    if count > 1:
        option["axisPointer"] = {"link": [{"xAxisIndex": "all"}]}
    if len({s["name"] for s in series}) > 1:
        # below the subtitle where there is one, above the plot (_TOP) either way
        option["legend"] = {"type": "scroll", "top": _LEGEND_BELOW_SUBTITLE if subtitle else 52}
    return option
