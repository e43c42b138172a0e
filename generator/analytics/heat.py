"""How much heat the pump delivered, by the best method the data allows (providers.roles.decide_heat):
a heat meter, a temperature pair × flow factor, or a Carnot estimate; the running COP line; the Carnot
COP (`carnot()` is the one formula: the heat estimate, the bound of a COP and the share of the ideal all
use it); and a flow factor suggested from a meter or the nominal output."""
from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analytics.buckets import (
    bucket_hours,
    column,
    compressor_power,
    covered_hours,
    electricity,
    kwh,
)
from generator.analytics.records import FlowSuggestion, Heat, Params
from generator.core.ranges import Window
from providers.roles import PAIRS, HeatBasis, HeatMethod, HeatPlan, decide_heat

KELVIN = 273.15
MIN_LIFT_K = 5.0        # below this the Carnot COP explodes; no real heat pump runs with a smaller lift
# The Carnot bound of a COP uses the supply (condensing side) and the brine in (evaporating side), moved
# by the least temperature difference that drives heat through a heat exchanger at heating power: the
# bound is then a little tighter, but no real machine can beat it.
CONDENSING_ABOVE_SUPPLY_K = 1.0
EVAPORATING_BELOW_BRINE_K = 1.0
RUNDOWN_S = 600.0       # heat-carrier ΔT after a stop still counts this long: the condenser gives off its heat
COP_LINE_SPAN_S = 900.0  # a point of the COP line sums at least this much of the running time around it
PAIRS_IN_ORDER = tuple(PAIRS.items())  # heat-carrier pair first


def heat(frame: pd.DataFrame, window: Window, params: Params) -> Heat:
    """Heat delivered per bucket (kWh), by the best method the data allows (providers.roles.decide_heat)."""
    hours = bucket_hours(frame, window)
    available = [c for c in frame.columns if ":" not in c and column(frame, c) is not None]
    plan = decide_heat(available)
    if plan.basis is HeatBasis.ENERGY_METER:
        return Heat(frame["energy_heat"].astype(float), plan.method.value, plan.basis.value)
    if plan.basis is HeatBasis.POWER_METER:
        return Heat(kwh(frame, "heat_output", hours).clip(lower=0), plan.method.value, plan.basis.value)
    if plan.method is HeatMethod.DELTA_T:
        return _delta_t_heat(frame, hours, window, plan, params)
    if plan.method is HeatMethod.CARNOT:
        ideal = carnot(frame["supply_temp"].astype(float), frame["brine_in_temp"].astype(float))
        aux = column(frame, "aux_heater_power")
        compressor_kwh = compressor_power(frame) * covered_hours(frame, "power_electric", hours) / 1000.0
        total = compressor_kwh * ideal * params.carnot_efficiency
        if aux is not None:
            total = total + kwh(frame, "aux_heater_power", hours).fillna(0)
        return Heat(total, plan.method.value, plan.basis.value)
    return Heat(pd.Series(np.nan, index=frame.index), None, None)


def _delta_t_heat(frame: pd.DataFrame, hours: pd.Series, window: Window, plan: HeatPlan, params: Params) -> Heat:
    """ΔT × flow factor over the time both temperatures cover.  The heat-carrier pair counts where the
    compressor ran and for RUNDOWN_S after a stop (the condenser still gives off heat; resting, its ΔT is
    ~0).  The radiator pair keeps a ΔT while the compressor rests (the radiators give off the house's
    stored heat, not the pump's), so each bucket counts its mean ΔT × the compressor's running share: exact
    on short buckets, and on days it keeps the resting ΔT out on average (tests/test_known_answers.py).  The
    electric add-heat sits after the condenser and before the radiator forward sensor: the heat-carrier
    pair does not see it, so its energy is added as heat (COP 1); the radiator pair sees it already."""
    warm, cold = plan.pair or ("", "")
    delta = (frame[warm].astype(float) - frame[cold].astype(float)).clip(lower=0)
    covered = np.minimum(covered_hours(frame, warm, hours), covered_hours(frame, cold, hours))
    heat_carrier = plan.basis is HeatBasis.HEAT_CARRIER
    factor = params.heat_carrier_flow_factor_kw_per_k if heat_carrier else params.flow_factor_kw_per_k
    total = (delta * factor * covered).where(covered > 0)
    on = column(frame, "compressor_on")
    if on is not None and heat_carrier:  # where the compressor's state is unknown, the pair alone decides
        total = total.where(_counted(on, window, RUNDOWN_S) | on.isna(), 0.0)
    elif on is not None:  # the radiators' ΔT of the running share of each bucket
        total = total.where(on.isna(), total * on.clip(0, 1))
    if heat_carrier and column(frame, "aux_heater_power") is not None:  # add-heat sits after the condenser
        total = total + kwh(frame, "aux_heater_power", hours).fillna(0.0).where(total.notna())
    return Heat(total, plan.method.value if plan.method else None, plan.basis.value if plan.basis else None, factor)


def _counted(on: pd.Series, window: Window, rundown_s: float) -> pd.Series:
    """Buckets in which the compressor ran, or that begin less than rundown_s after one in which it ran."""
    ran = on.fillna(0) > 0
    if rundown_s <= 0:
        return ran
    ends = pd.Series(window.edges()[1:], index=on.index)
    last_run_end = ends.where(ran).ffill().shift(1)
    recent = (on.index.to_series() - last_run_end).dt.total_seconds() < rundown_s
    return ran | recent.fillna(False)


def cop_series(frame: pd.DataFrame, window: Window, heat_: Heat, params: Params) -> pd.Series:
    """Running COP per bucket: heat ÷ electricity of the running time, drawn only where the compressor ran
    at least params.min_running_share of the bucket (a stop's run-down heat over the pumps' few watts is
    not a COP).  The electricity the idle pump draws while the compressor rests is taken out.  A point
    spans at least COP_LINE_SPAN_S of running buckets around it, so a meter's 0.1-kWh steps do not make a
    saw of short buckets; power readings are used before meters where both exist (they are smoother)."""
    on = column(frame, "compressor_on")
    if heat_.method is None or on is None:
        return pd.Series(np.nan, index=frame.index)
    hours = bucket_hours(frame, window)
    if column(frame, "power_electric") is not None:
        elec = kwh(frame, "power_electric", hours)
        resting = frame["power_electric"][(on == 0) & frame["power_electric"].notna()]
        idle_w = float(resting.median()) if len(resting) else 0.0
    else:
        elec, idle_w = electricity(frame, window), 0.0
    if elec is None:
        return pd.Series(np.nan, index=frame.index)
    heat_kwh = kwh(frame, "heat_output", hours) if column(frame, "heat_output") is not None else heat_.kwh
    running_elec = elec - idle_w * (1 - on.clip(0, 1)) * covered_hours(frame, "compressor_on", hours) / 1000.0
    running = on >= params.min_running_share
    span = max(1, int(np.ceil(COP_LINE_SPAN_S / window.bucket_seconds)) // 2 * 2 + 1)  # odd, centred
    heat_sum = heat_kwh.where(running).rolling(span, center=True, min_periods=1).sum()
    elec_sum = running_elec.where(running).rolling(span, center=True, min_periods=1).sum()
    return (heat_sum / elec_sum.where(elec_sum > 0)).where(running & heat_kwh.notna() & running_elec.notna())


def carnot(hot_c: pd.Series, cold_c: pd.Series, condensing_offset_k: float = 0.0,
           evaporating_offset_k: float = 0.0) -> pd.Series:
    """The Carnot COP, T_cond ÷ (T_cond − T_evap) in kelvin, with T_cond = the hot side (°C) + the
    condensing offset and T_evap = the cold side (°C) − the evaporating offset; the lift is at least
    MIN_LIFT_K.  The one Carnot formula of the dashboard."""
    t_cond = hot_c + KELVIN + condensing_offset_k
    t_evap = cold_c + KELVIN - evaporating_offset_k
    return t_cond / (t_cond - t_evap).clip(lower=MIN_LIFT_K)


def carnot_cop(frame: pd.DataFrame, condensing_offset_k: float = CONDENSING_ABOVE_SUPPLY_K,
               evaporating_offset_k: float = EVAPORATING_BELOW_BRINE_K) -> pd.Series | None:
    """Per bucket the Carnot COP between the condensing side (the warmest supply the data has, plus the
    offset) and the evaporating side (brine in, minus the offset: for ground source the brine is the
    source, not the outdoor air); None without either temperature.  The offsets default to the bound's."""
    hot = column(frame, "heat_carrier_supply_temp")
    hot = hot if hot is not None else column(frame, "supply_temp")
    cold = column(frame, "brine_in_temp")
    if hot is None or cold is None:
        return None
    return carnot(hot, cold, condensing_offset_k, evaporating_offset_k)


def running_carnot_cop(frame: pd.DataFrame, params: Params) -> pd.Series:
    """The ideal a running compressor is measured against: per bucket the Carnot COP with the configured
    offsets (cop.carnot_condensing_offset_k, cop.carnot_evaporating_offset_k), NaN where the compressor
    did not run (where its state is unknown, the temperatures alone decide) and where either temperature
    is missing."""
    ideal = carnot_cop(frame, params.carnot_condensing_offset_k, params.carnot_evaporating_offset_k)
    if ideal is None:
        return pd.Series(np.nan, index=frame.index)
    on = column(frame, "compressor_on")
    return ideal if on is None else ideal.where((on > 0) | on.isna())


def suggest_flow_factor(frame: pd.DataFrame, window: Window, nominal_kw: float | None) -> FlowSuggestion | None:
    """The flow factor (kW/K) that makes a temperature pair's heat agree with a heat meter, where there is
    one; else the one that makes the pair give the pump's nominal output while it runs flat out on space
    heating.  The heat-carrier pair is used where there is one, as the estimate does."""
    pair = next((p for basis, p in PAIRS_IN_ORDER if all(column(frame, m) is not None for m in p)), None)
    on = column(frame, "compressor_on")
    if pair is None or on is None:
        return None
    hours = bucket_hours(frame, window)
    delta = (frame[pair[0]] - frame[pair[1]]).clip(lower=0)
    covered = np.minimum(covered_hours(frame, pair[0], hours), covered_hours(frame, pair[1], hours))
    full = (on >= 0.9) & (covered > 0) & delta.notna()
    meter = None
    if column(frame, "energy_heat") is not None:
        meter = frame["energy_heat"].astype(float)
    elif column(frame, "heat_output") is not None:
        meter = kwh(frame, "heat_output", hours)
    if meter is not None:
        aux = kwh(frame, "aux_heater_power", hours).fillna(0) if column(frame, "aux_heater_power") is not None else 0.0
        use = full & meter.notna()
        kelvin_hours = float((delta * covered)[use].sum())
        if kelvin_hours > 1.0:
            return FlowSuggestion(float((meter - aux)[use].sum()) / kelvin_hours, "from the heat meter",
                                  float(covered[use].sum()))
    if nominal_kw:
        valve = column(frame, "switch_valve")
        use = full & ((valve.fillna(0) < 0.1) if valve is not None else True)
        if covered[use].sum() >= 2.0:
            mean_delta = float((delta * covered)[use].sum() / covered[use].sum())
            if mean_delta > 0.5:
                return FlowSuggestion(float(nominal_kw) / mean_delta,
                                      f"heat_pump.nominal_heat_kw {float(nominal_kw):g} ÷ a mean ΔT of {mean_delta:.1f} K",
                                      float(covered[use].sum()))
    return None
