"""What every chart builder reads: the frame, the analytics summary, the range and how to label things."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from generator import i18n
from generator.core.ranges import RangeSpec, Window

if TYPE_CHECKING:
    from generator.analytics import Params, Summary

# The original dashboard's colours; config may override any of them by key.
DEFAULT_COLOURS: dict[str, str] = {
    "hot_water_temp": "#ff9800",
    "supply_temp": "#dc143c",
    "return_temp": "#ffd700",
    "indoor_temp": "#4caf50",
    "outdoor_temp": "#64b5f6",
    "brine_in_temp": "#00d4ff",
    "brine_out_temp": "#1565c0",
    "heat_carrier_supply_temp": "#ad1457",
    "heat_carrier_return_temp": "#f06292",
    "cop": "#2e7d32",
    "carnot": "#78909c",
    "ground": "#8d6e63",
    "electric": "#fbc02d",
    "compressor": "#42a5f5",
    "aux": "#d81b60",
    "heat": "#ff7043",
    "heat_pump": "#7e57c2",
    "space": "#dc143c",
    "hot_water": "#ff9800",
    "idle": "#bdbdbd",
    "brine_dt": "#00acc1",
    "radiator_dt": "#e53935",
    "heat_carrier_dt": "#ad1457",
    "compressor_on": "#42a5f5",
    "compressor_freq": "#8e24aa",
    "valve": "#78909c",
    "degree_minutes": "#ab47bc",   # mid purple: reads on the light and the dark card alike
}


@dataclass(frozen=True)
class ChartContext:
    frame: pd.DataFrame
    summary: "Summary"
    window: Window
    spec: RangeSpec
    language: str
    timezone: str
    colours: Mapping[str, str]
    params: "Params"

    def label(self, key: str, **values: str) -> str:
        return i18n.label(self.language, key, **values)

    def number(self, value: float, decimals: int) -> str:
        return i18n.number(value, decimals, self.language)

    def colour(self, key: str) -> str:
        return self.colours.get(key) or DEFAULT_COLOURS[key]

    def meta(self, **extra: Any) -> dict[str, Any]:
        """The option's `_meta`: facts for the page that ECharts itself ignores."""
        return {"range": self.spec.key, "timezone": self.timezone, **extra}
