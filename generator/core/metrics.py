"""The canonical metrics: the one vocabulary everything inside the project speaks.

Providers map brand names onto these; sources return frames with these columns; chart code reads
them.  `kind` decides how a metric is read into buckets (docs/data-layer.md):

* temperatures, frequencies, states and powers are *held*: a sample's value lasts until the next sample
  of the same series (collectors that publish on change write nothing while a value stays the same), and
  a bucket's value is the time-weighted mean over the part of it that data covers;
* counters (meters, starts) become the increase inside each bucket, the first bucket's increase counted
  from the value before the window;
* alarm codes are never averaged: the last value.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    TEMPERATURE = "temperature"
    STATE = "state"        # 0/1; the bucket mean is the fraction of the covered time it was on
    POWER = "power"        # W; the bucket mean times the covered time is energy
    FREQUENCY = "frequency"
    COUNTER = "counter"    # monotonic except at resets
    CODE = "code"          # alarm codes: never averaged


# How a source reads a raw series of each kind (see docs/data-layer.md and generator/sources/hold.py).
HOLD = "hold"          # time-weighted mean of the held value, with the covered share of each bucket
INCREASE = "increase"  # a counter's increase per bucket
LAST = "last"          # the last value of each bucket
READING: dict[Kind, str] = {
    Kind.TEMPERATURE: HOLD, Kind.FREQUENCY: HOLD, Kind.STATE: HOLD, Kind.POWER: HOLD,
    Kind.COUNTER: INCREASE, Kind.CODE: LAST,
}


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
    Metric("heat_carrier_supply_temp", "°C", Kind.TEMPERATURE,
           "heat carrier out of the condenser (IVT GT8, NIBE BT2): sees heating and hot water alike"),
    Metric("heat_carrier_return_temp", "°C", Kind.TEMPERATURE,
           "heat carrier into the condenser (IVT GT9, NIBE BT3)"),
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
    Metric("energy_heat_compressor", "kWh", Kind.COUNTER,
           "cumulative counter of the heat the compressor alone delivered (without add-heat)"),
    Metric("compressor_starts_total", "count", Kind.COUNTER, "cumulative starts counter"),
    Metric("alarm_active", "0/1", Kind.STATE, "an alarm is active now"),
    Metric("alarm_code", "int", Kind.CODE, "alarm code (0 = none)"),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
TEMPERATURES: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind is Kind.TEMPERATURE)
# States and codes: what Source.state_changes() answers, exactly, at full resolution.
CHANGING: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind in (Kind.STATE, Kind.CODE))


def reading(metric: str) -> str:
    """hold | increase | last: how a source reads the raw series behind `metric`."""
    return READING[BY_NAME[metric].kind]


def band_column(metric: str, which: str) -> str:
    """Column of a min or max band: band_column("outdoor_temp", "min") == "outdoor_temp:min"."""
    return f"{metric}:{which}"


def coverage_column(name: str) -> str:
    """Column of the covered share (0–1) of each bucket: coverage_column("power_electric") == "power_electric:cov"."""
    return f"{name}:cov"
