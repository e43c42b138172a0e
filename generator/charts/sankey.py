"""Energiflöde / Energy flow: the range's real energies in kWh. Ground energy and compressor electricity
flow into the heat pump, its heat out splits into space heating and hot water; add-heat goes straight to
the house. The heat pump's output is exactly ground + compressor, so every node balances."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.charts.context import ChartContext
from generator.charts.data import COP, KWH, has_data, rounded
from generator.charts.layout import empty_chart


@dataclass(frozen=True)
class Flows:
    """Rounded kWh of each link; pump_out == ground + compressor and space + hot_water == pump_out."""

    ground: float
    compressor: float
    aux: float
    space: float
    hot_water: float | None  # None: the valve is unknown, so heat out is not split

    @property
    def pump_out(self) -> float:
        return _kwh(self.ground + self.compressor)

    @property
    def electric(self) -> float:
        return _kwh(self.compressor + self.aux)

    @property
    def free_share_pct(self) -> float | None:
        total = self.ground + self.electric
        return 100.0 * self.ground / total if total > 0 else None


def _kwh(value: float) -> float:
    return rounded(max(value, 0.0), KWH) or 0.0


def flows(ctx: ChartContext) -> Flows | None:
    energy = ctx.summary.energy
    aux = _kwh(energy.aux_kwh or 0.0)
    compressor = energy.compressor_kwh
    if compressor is None and energy.electric_kwh is not None:
        compressor = energy.electric_kwh - aux
    ground = energy.ground_kwh
    if ground is None and energy.heat_kwh is not None and energy.electric_kwh is not None:
        ground = energy.heat_kwh - energy.electric_kwh
    if compressor is None or ground is None:
        return None
    ground, compressor = _kwh(ground), _kwh(compressor)
    pump_out = _kwh(ground + compressor)
    # without valve data (or a hot-water counter) analytics books all heat as space heating: don't split
    known = has_data(ctx.frame, "switch_valve") or has_data(ctx.frame, "energy_heat_hot_water")
    if energy.heat_hot_water_kwh is None or not known:
        return Flows(ground, compressor, aux, pump_out, None)
    hot_water = min(_kwh(energy.heat_hot_water_kwh), pump_out)  # add-heat heats the house, not the tank
    return Flows(ground, compressor, aux, _kwh(pump_out - hot_water), hot_water)


def _node_value(node: str, links: list[tuple[str, str, float]]) -> float:
    """Given, not left to ECharts: its own sum of the links shows float noise (95.30000000000001)."""
    into = sum(v for _, b, v in links if b == node)
    out = sum(v for a, _, v in links if a == node)
    return _kwh(max(into, out))


def _node_label(node: str, sources: set[str], sinks: set[str]) -> dict[str, Any]:
    """Labels face into the diagram, so none runs off a narrow card: right of the sources, left of the
    sinks. The heat pump in the middle column has no room beside it on a phone (its neighbours' labels
    reach into the gap from both sides), so its label runs up inside its own tall node, on one line."""
    if node in sources:
        return {"position": "right"}
    if node in sinks:
        return {"position": "left"}
    return {"position": "inside", "rotate": 90, "formatter": "{b} · {c} kWh", "color": "#ffffff",
            "fontWeight": "bold", "textBorderWidth": 0}


def build(ctx: ChartContext) -> dict[str, Any]:
    found = flows(ctx)
    if found is None or found.pump_out + found.aux <= 0:
        return empty_chart(ctx, "sankey.title")
    names = {key: ctx.label(f"node.{key}") for key in
             ("ground", "compressor", "aux", "heat_pump", "space", "hot_water", "heat")}
    space_node = "space" if found.hot_water is not None else "heat"
    links = [("ground", "heat_pump", found.ground), ("compressor", "heat_pump", found.compressor),
             ("heat_pump", space_node, found.space), ("heat_pump", "hot_water", found.hot_water or 0.0),
             ("aux", space_node, found.aux)]
    links = [(a, b, v) for a, b, v in links if v > 0]  # a zero link only clutters the picture
    used = list(dict.fromkeys(node for a, b, _ in links for node in (a, b)))
    colour_key = {"ground": "ground", "compressor": "electric", "aux": "aux", "heat_pump": "heat_pump",
                  "space": "space", "hot_water": "hot_water", "heat": "heat"}
    sinks = {b for _, b, _ in links} - {a for a, _, _ in links}
    sources = {a for a, _, _ in links} - {b for _, b, _ in links}
    spf = ctx.summary.performance.spf
    share = found.free_share_pct
    subtitle = None
    if spf is not None and share is not None:
        subtitle = ctx.label("sankey.subtitle", spf=ctx.number(spf, COP), free=ctx.number(share, 0))
    return {
        "_meta": ctx.meta(unit="kWh", spf=rounded(spf, COP), free_energy_pct=rounded(share, 1)),
        "title": {"text": ctx.label("sankey.title"), **({"subtext": subtitle} if subtitle else {})},
        "aria": {"enabled": True},
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} kWh"},
        "series": [{
            "type": "sankey", "top": 70, "bottom": 20, "left": 8, "right": 8,
            "emphasis": {"focus": "adjacency"},
            "lineStyle": {"color": "gradient", "opacity": 0.3},
            "label": {"formatter": "{b}\n{c} kWh", "distance": 6, "lineHeight": 15},
            "data": [{"name": names[n], "value": _node_value(n, links),
                      "itemStyle": {"color": ctx.colour(colour_key[n])},
                      "label": _node_label(n, sources, sinks)} for n in used],
            "links": [{"source": names[a], "target": names[b], "value": v} for a, b, v in links],
        }],
    }
