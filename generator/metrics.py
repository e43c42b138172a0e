"""The canonical metrics: the one vocabulary everything inside the project speaks.

Providers map brand names onto these; sources return frames with these columns; chart code reads
them.  `kind` decides how a metric is aggregated into buckets (see docs/data-layer.md):
temperatures are plain means, on/off states and powers are time-weighted means, counters are read at
bucket edges, codes take the last value.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    TEMPERATURE = "temperature"
    STATE = "state"        # 0/1; the bucket mean is the fraction of time on
    POWER = "power"        # W; the bucket mean times the bucket length is energy
    FREQUENCY = "frequency"
    COUNTER = "counter"    # monotonic except at resets
    CODE = "code"          # alarm codes: never averaged


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    kind: Kind
    meaning: str


METRICS: tuple[Metric, ...] = (
    Metric("outdoor_temp", "°C", Kind.TEMPERATURE, "outdoor sensor"),
    Metric("indoor_temp", "°C", Kind.TEMPERATURE, "room sensor"),
    Metric("supply_temp", "°C", Kind.TEMPERATURE, "heating flow / radiator forward"),
    Metric("return_temp", "°C", Kind.TEMPERATURE, "heating return / radiator return"),
    Metric("hot_water_temp", "°C", Kind.TEMPERATURE, "hot water tank, top"),
    Metric("brine_in_temp", "°C", Kind.TEMPERATURE, "collector fluid into the heat pump"),
    Metric("brine_out_temp", "°C", Kind.TEMPERATURE, "collector fluid out of the heat pump"),
    Metric("compressor_on", "0/1", Kind.STATE, "compressor running"),
    Metric("compressor_freq", "Hz", Kind.FREQUENCY, "inverter speed, where the model has one"),
    Metric("aux_heater_on", "0/1", Kind.STATE, "electric add-heat running"),
    Metric("aux_heater_power", "W", Kind.POWER, "electric add-heat power"),
    Metric("switch_valve", "0/1", Kind.STATE, "0 = space heating, 1 = hot water"),
    Metric("power_electric", "W", Kind.POWER, "total electrical input of the heat pump"),
    Metric("heat_output", "W", Kind.POWER, "heat delivered (heat meter), where present"),
    Metric("energy_electric", "kWh", Kind.COUNTER, "cumulative counter, where present"),
    Metric("energy_heat", "kWh", Kind.COUNTER, "cumulative counter of all heat delivered"),
    Metric("energy_heat_hot_water", "kWh", Kind.COUNTER, "cumulative counter of the hot-water part"),
    Metric("compressor_starts_total", "count", Kind.COUNTER, "cumulative starts counter"),
    Metric("alarm_active", "0/1", Kind.STATE, "an alarm is active now"),
    Metric("alarm_code", "int", Kind.CODE, "alarm code (0 = none)"),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
TEMPERATURES: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind is Kind.TEMPERATURE)
TIME_WEIGHTED: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind in (Kind.STATE, Kind.POWER))
COUNTERS: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind is Kind.COUNTER)
# States and codes: what Source.state_changes() answers, exactly, at full resolution.
CHANGING: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind in (Kind.STATE, Kind.CODE))
