"""Totals of a range: energy in and out (split into compressor and add-heat, space and hot water), the
seasonal performance factors with their Carnot bound and their share of the Carnot COP, and how the
running time divides."""
from __future__ import annotations

import pandas as pd

from generator.analytics.buckets import (
    bucket_hours,
    column,
    covered_hours,
    electricity,
    hot_water_fraction,
    kwh,
    ratio,
    time_share_pct,
    total,
)
from generator.analytics.heat import carnot_cop, running_carnot_cop
from generator.analytics.records import Energy, Heat, Params, Performance, Runtime
from generator.core.ranges import Window


def energy(frame: pd.DataFrame, window: Window, heat_: Heat) -> Energy:
    hours = bucket_hours(frame, window)
    elec = electricity(frame, window)
    electric = total(elec)
    aux_series = kwh(frame, "aux_heater_power", hours) if column(frame, "aux_heater_power") is not None else None
    aux = total(aux_series) if aux_series is not None else (0.0 if electric is not None else None)
    compressor = max(electric - (aux or 0.0), 0.0) if electric is not None else None

    heat_kwh = total(heat_.kwh) if heat_.method else None
    hw_fraction = hot_water_fraction(frame)
    hw_series = hot_water_heat(frame, window, heat_)
    if hw_series is not None:
        heat_hw = total(hw_series)
    else:
        heat_hw = 0.0 if heat_kwh is not None else None
    heat_space = max(heat_kwh - heat_hw, 0.0) if heat_kwh is not None and heat_hw is not None else None

    if elec is not None and hw_fraction is not None:
        compressor_elec = elec - (aux_series.fillna(0) if aux_series is not None else 0.0)
        e_hw = total(compressor_elec.clip(lower=0) * hw_fraction)
    else:
        e_hw = 0.0 if electric is not None else None
    e_space = max(electric - e_hw, 0.0) if electric is not None and e_hw is not None else None

    ground = max(heat_kwh - electric, 0.0) if heat_kwh is not None and electric is not None else None
    return Energy(electric, compressor, aux, heat_kwh, heat_space, heat_hw, ground, e_space, e_hw)


def hot_water_heat(frame: pd.DataFrame, window: Window, heat_: Heat) -> pd.Series | None:
    """Per bucket the heat that went to hot water (kWh): the hot-water meter where there is one, else the
    compressor's heat × the valve's share of its running time; None where the split is unknown."""
    if column(frame, "energy_heat_hot_water") is not None:
        return frame["energy_heat_hot_water"].astype(float)
    hw_fraction = hot_water_fraction(frame)
    if not heat_.method or hw_fraction is None:
        return None
    aux = column(frame, "aux_heater_power")
    # add-heat goes straight to the house: only the compressor's heat is split by the valve
    aux_kwh = kwh(frame, "aux_heater_power", bucket_hours(frame, window)).fillna(0) if aux is not None else 0.0
    return (heat_.kwh - aux_kwh).clip(lower=0) * hw_fraction


def performance(frame: pd.DataFrame, window: Window, heat_: Heat, e: Energy, params: Params) -> Performance:
    """SPFs over the buckets where heat and electricity are both known, so both sides of each ratio cover
    the same time; the Carnot bound of the compressor's SPF; and the compressor's SPF as a share of the
    heat-weighted Carnot COP of the running buckets (docs/decisions.md)."""
    elec = electricity(frame, window)
    if elec is None or heat_.method is None:
        return Performance(None, None, ratio(e.heat_space_kwh, e.electric_space_kwh),
                           ratio(e.heat_hot_water_kwh, e.electric_hot_water_kwh), None, None)
    hours = bucket_hours(frame, window)
    both = heat_.kwh.notna() & elec.notna()
    aux = kwh(frame, "aux_heater_power", hours).fillna(0) if column(frame, "aux_heater_power") is not None else 0.0 * elec
    if column(frame, "energy_heat_compressor") is not None:
        compressor_heat = frame["energy_heat_compressor"].astype(float)
        both_compressor = both & compressor_heat.notna()
    else:  # add-heat turns electricity into heat one to one
        compressor_heat, both_compressor = heat_.kwh - aux, both
    spf = ratio(heat_.kwh[both].sum(), elec[both].sum())
    without_aux = ratio(compressor_heat[both_compressor].sum(), (elec - aux)[both_compressor].sum())
    carnot = _carnot_spf(carnot_cop(frame), compressor_heat.where(both_compressor))
    plausible = None if carnot is None or without_aux is None else bool(without_aux <= carnot)
    ideal = _carnot_spf(running_carnot_cop(frame, params), compressor_heat.where(both_compressor))
    share = ratio(without_aux, ideal)
    return Performance(spf, without_aux, ratio(e.heat_space_kwh, e.electric_space_kwh),
                       ratio(e.heat_hot_water_kwh, e.electric_hot_water_kwh), carnot, plausible,
                       ideal, share * 100.0 if share is not None else None)


def _carnot_spf(carnot: pd.Series | None, compressor_heat: pd.Series) -> float | None:
    """The SPF had every bucket's heat been made at its Carnot COP: Σheat ÷ Σ(heat ÷ Carnot COP), over the
    buckets that have both (heat-weighted)."""
    if carnot is None:
        return None
    known = compressor_heat.notna() & carnot.notna() & (compressor_heat > 0)
    if not known.any():
        return None
    return ratio(compressor_heat[known].sum(), (compressor_heat[known] / carnot[known]).sum())


def runtime(frame: pd.DataFrame, window: Window) -> Runtime:
    """Time-weighted shares of the covered time: each bucket's mean state × its covered hours."""
    hours = bucket_hours(frame, window)
    on = column(frame, "compressor_on")
    aux_on = column(frame, "aux_heater_on")
    aux_pct = time_share_pct(aux_on, covered_hours(frame, "aux_heater_on", hours)) if aux_on is not None else None
    if on is None:
        return Runtime(None, aux_pct, None, None, None, None, None)
    covered = covered_hours(frame, "compressor_on", hours)
    compressor_pct = time_share_pct(on, covered)
    fraction = hot_water_fraction(frame)  # None without valve data: the split is unknown, not 0
    hw_pct = time_share_pct(on * fraction, covered) if fraction is not None else None
    space_pct = compressor_pct - hw_pct if compressor_pct is not None and hw_pct is not None else None
    share = ratio(hw_pct, compressor_pct) if hw_pct is not None else None
    aux_only_pct = time_share_pct((aux_on - on).clip(lower=0), covered) if aux_on is not None else 0.0
    idle_pct = None
    if compressor_pct is not None:
        idle_pct = max(100.0 - compressor_pct - (aux_only_pct or 0.0), 0.0)
    return Runtime(compressor_pct, aux_pct, share * 100.0 if share is not None else None,
                   space_pct, hw_pct, aux_only_pct, idle_pct)
