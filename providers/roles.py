"""The few decisions that differ between brands and installs, typed, so code never asks `if brand == ...`.

decide_heat() is the one place that chooses how heat is known (analytics, charts and doctor all ask it);
Roles bundles what a provider can offer on one tag.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable


class AlarmStyle(str, Enum):
    CODE = "code"                  # one register holds the active code (NIBE, generic)
    LATCHED_CODE = "latched_code"  # the code is the last alarm; a flag says whether it is active (IVT)
    BITS = "bits"                  # bit-field registers: several alarms at once (Thermia via ThermIQ)


class HeatMethod(str, Enum):
    MEASURED = "measured"  # a heat meter
    DELTA_T = "delta_t"    # a temperature pair × a flow factor
    CARNOT = "carnot"      # compressor power × Carnot COP of supply and brine × an efficiency


class HeatBasis(str, Enum):
    """What the heat figure is computed from."""

    ENERGY_METER = "energy_heat"        # cumulative heat meter (kWh)
    POWER_METER = "heat_output"         # heat power reading (W)
    HEAT_CARRIER = "heat_carrier"       # heat-carrier pair across the condenser: heating and hot water
    RADIATOR = "radiator"               # radiator pair: sees nothing during a hot-water run
    SUPPLY_BRINE = "supply_brine"       # Carnot estimate


class AuxPower(str, Enum):
    MEASURED = "measured"
    FROM_PERCENT = "from_percent"  # add-heat % × configured step powers
    FROM_STEPS = "from_steps"      # step on/off × configured step powers
    NONE = "none"


@dataclass(frozen=True)
class HeatPlan:
    method: HeatMethod | None
    basis: HeatBasis | None

    @property
    def pair(self) -> tuple[str, str] | None:
        """The (warm, cold) temperature metrics of a ΔT estimate."""
        return PAIRS.get(self.basis) if self.basis is not None else None


PAIRS: dict[HeatBasis, tuple[str, str]] = {
    HeatBasis.HEAT_CARRIER: ("heat_carrier_supply_temp", "heat_carrier_return_temp"),
    HeatBasis.RADIATOR: ("supply_temp", "return_temp"),
}


def decide_heat(available: Iterable[str]) -> HeatPlan:
    """How heat is known from the metrics that hold data: a meter (its counter before its power reading:
    a counter loses nothing between samples) › the heat-carrier pair (it carries heat in heating and
    hot-water mode alike) › the radiator pair › a Carnot estimate › not at all."""
    have = set(available)
    if "energy_heat" in have:
        return HeatPlan(HeatMethod.MEASURED, HeatBasis.ENERGY_METER)
    if "heat_output" in have:
        return HeatPlan(HeatMethod.MEASURED, HeatBasis.POWER_METER)
    for basis, pair in PAIRS.items():
        if set(pair) <= have:
            return HeatPlan(HeatMethod.DELTA_T, basis)
    if {"supply_temp", "brine_in_temp", "power_electric"} <= have:
        return HeatPlan(HeatMethod.CARNOT, HeatBasis.SUPPLY_BRINE)
    return HeatPlan(None, None)


@dataclass(frozen=True)
class Roles:
    metrics: frozenset[str]
    alarm_styles: frozenset[AlarmStyle]
    heat: HeatPlan
    aux_power: AuxPower
    hot_water_heat_meter: bool     # energy_heat_hot_water: heat can be split heating / hot water
    inverter: bool                 # compressor_freq exists
