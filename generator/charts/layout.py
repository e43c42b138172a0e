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


# Vertical layout (px or %) for one or two panels, leaving room for title + legend on top and the
# zoom slider below.
_GRIDS: dict[int, list[dict[str, Any]]] = {
    1: [{"top": 100, "bottom": 70}],
    2: [{"top": 100, "height": "28%"}, {"top": "58%", "bottom": 70}],
}


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
        x_axes.append({"type": "time", **({"gridIndex": index} if index else {})})
        first_axis = len(y_axes)
        for axis in panel.axes:
            y_axes.append({"name": axis.name, **({"gridIndex": index} if index else {}),
                           **axis.extra})
        series += [_series(line, index, first_axis) for line in panel.lines]

    all_x = list(range(count))
    zoom_target = {"xAxisIndex": all_x} if count > 1 else {}
    option: dict[str, Any] = {
        "_meta": ctx.meta(**meta),
        "title": {"text": title, **({"subtext": subtitle} if subtitle else {})},
        "animation": False,
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "toolbox": {"feature": {"saveAsImage": {}}},
        "dataset": data,
        "grid": _GRIDS[count] if count > 1 else _GRIDS[1][0],
        "xAxis": x_axes if count > 1 else x_axes[0],
        "yAxis": y_axes if len(y_axes) > 1 else y_axes[0],
        "dataZoom": [{"type": "inside", **zoom_target}, {"type": "slider", **zoom_target}],
        "series": series,
    }
    if count > 1:
        option["axisPointer"] = {"link": [{"xAxisIndex": "all"}]}
    if len({s["name"] for s in series}) > 1:
        option["legend"] = {"type": "scroll", "top": 52}
    return option
