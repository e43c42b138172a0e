"""Heat-pump analytics: pure functions on per-bucket frames (the frame is Source.series(), see
generator/sources/base.py).

Every quantity counts only the time data covers: a bucket's energy is its held mean power × its covered
time (a bucket may be 23 or 25 h long, or half covered), never the mean stretched over the whole bucket,
and every rate (per day, per hour, %) is per covered time.  Every ratio of a period is energy-weighted
(Σheat ÷ Σelectricity) over the buckets where both sides are known, never a mean of instantaneous ratios.
Counts of starts, cycles and alarm events come from state changes at full resolution, never from bucket
means.  How heat is known is decided once, by providers.roles.decide_heat().
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.core.metrics import coverage_column
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
COP_LINE_SPAN_S = 900.0
PAIRS_IN_ORDER = tuple(PAIRS.items())  # heat-carrier pair first  # a point of the COP line sums at least this much of the running time around it


@dataclass(frozen=True)
class Params:
    flow_factor_kw_per_k: float = 2.7                # radiator pair
    heat_carrier_flow_factor_kw_per_k: float = 1.0   # heat-carrier pair
    carnot_efficiency: float = 0.45
    hot_water_min_cycle_minutes: float = 2.0
    min_running_share: float = 0.5                   # a COP point needs the compressor on this share of its bucket
    price_per_kwh: float = 1.5
    currency: str = "SEK"


@dataclass(frozen=True)
class Heat:
    kwh: pd.Series            # per-bucket heat delivered, kWh; NaN where unknown
    method: str | None        # "measured" | "delta_t" | "carnot" | None
    basis: str | None         # "energy_heat" | "heat_output" | "heat_carrier" | "radiator" | "supply_brine"
    flow_factor_kw_per_k: float | None = None   # of a ΔT estimate

    def watts(self, hours: pd.Series) -> pd.Series:
        """Mean heat power of each bucket over the time it covers."""
        return self.kwh * 1000.0 / hours


@dataclass(frozen=True)
class Energy:
    electric_kwh: float | None
    compressor_kwh: float | None
    aux_kwh: float | None
    heat_kwh: float | None
    heat_space_kwh: float | None
    heat_hot_water_kwh: float | None
    ground_kwh: float | None          # free energy from the ground: heat − electricity
    electric_space_kwh: float | None
    electric_hot_water_kwh: float | None


@dataclass(frozen=True)
class Performance:
    spf: float | None                 # Σheat ÷ Σelectricity, add-heat on both sides
    spf_without_aux: float | None     # the compressor alone
    spf_space: float | None
    spf_hot_water: float | None
    carnot_spf: float | None          # the best SPF physics allows at the measured temperatures
    plausible: bool | None            # False: the compressor's SPF beats its Carnot bound, so the estimate is wrong


@dataclass(frozen=True)
class Runtime:
    compressor_pct: float | None
    aux_pct: float | None
    hot_water_share_pct: float | None     # of compressor running time
    compressor_space_pct: float | None    # of all covered time
    compressor_hot_water_pct: float | None
    aux_only_pct: float | None            # add-heat while the compressor was off
    idle_pct: float | None                # compressor_space + compressor_hot_water + aux_only + idle = 100


@dataclass(frozen=True)
class Cycles:
    starts: int | None
    starts_per_day: float | None          # per covered day
    avg_cycle_minutes: float | None


@dataclass(frozen=True)
class HotWater:
    cycles: int | None
    mean_minutes: float | None
    energy_kwh: float | None


@dataclass(frozen=True)
class AlarmEvent:
    code: int
    start: pd.Timestamp
    end: pd.Timestamp | None          # None: still active at the window's end


@dataclass(frozen=True)
class Coverage:
    hours: float                      # time with data in the range
    share: float                      # of the range, 0–1
    start: pd.Timestamp | None        # first and last bucket with data
    end: pd.Timestamp | None


@dataclass(frozen=True)
class Summary:
    heat: Heat
    energy: Energy
    performance: Performance
    runtime: Runtime
    cycles: Cycles
    hot_water: HotWater
    alarm_events: tuple[AlarmEvent, ...]
    coverage: Coverage
    electric_kwh_per_day: float | None
    heat_kwh_per_day: float | None
    outdoor_mean: float | None        # time-weighted over the covered time
    cost: float | None
    currency: str


# --- helpers -------------------------------------------------------------------------------------------
def column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    """The column if it holds any data, else None (a missing metric and an empty one are the same)."""
    if name not in frame.columns:
        return None
    col = frame[name].astype(float)
    return col if col.notna().any() else None


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0 or np.isnan(num) or np.isnan(den):
        return None
    return float(num / den)


def bucket_hours(frame: pd.DataFrame, window: Window) -> pd.Series:
    """Hours per bucket, aligned to the frame's index."""
    edges = window.edges()
    seconds = (edges[1:] - edges[:-1]).total_seconds()
    hours = pd.Series(np.asarray(seconds) / 3600.0, index=edges[:-1])
    return hours.reindex(frame.index).fillna(window.bucket_seconds / 3600.0)


def covered_hours(frame: pd.DataFrame, name: str, hours: pd.Series) -> pd.Series:
    """Hours of each bucket that data of `name` covers (0 where none)."""
    values = frame[name] if name in frame else pd.Series(np.nan, index=frame.index)
    share = frame[coverage_column(name)] if coverage_column(name) in frame else values.notna().astype(float)
    return (share.fillna(0.0) * hours).where(values.notna(), 0.0)


def kwh(frame: pd.DataFrame, name: str, hours: pd.Series) -> pd.Series:
    """Energy of a power metric (W) in each bucket, kWh: held mean × covered time; NaN where no data."""
    return frame[name].astype(float) * covered_hours(frame, name, hours) / 1000.0


def _total(values: pd.Series | None) -> float | None:
    if values is None:
        return None
    total = values.sum(min_count=1)
    return None if pd.isna(total) else float(total)


def _time_share_pct(values: pd.Series, covered: pd.Series) -> float | None:
    known = values.notna() & (covered > 0)
    total = covered[known].sum()
    if total <= 0:
        return None
    return float((values[known] * covered[known]).sum() / total * 100.0)


def compressor_power(frame: pd.DataFrame) -> pd.Series:
    """W drawn by the compressor (and pumps): total electricity minus add-heat, never negative; NaN where
    the total is unknown (a gap, not 0 W)."""
    total = column(frame, "power_electric")
    if total is None:
        return pd.Series(np.nan, index=frame.index)
    aux = column(frame, "aux_heater_power")
    return (total - aux.fillna(0)).clip(lower=0) if aux is not None else total


def _hot_water_fraction(frame: pd.DataFrame) -> pd.Series | None:
    """Share of each bucket's compressor running time with the valve on hot water.

    From bucket means only: hot-water time ≤ min(valve, compressor), and valve-on happens only while the
    compressor runs on every brand we know, so min() is exact there.
    """
    valve = column(frame, "switch_valve")
    if valve is None:
        return None
    on = column(frame, "compressor_on")
    if on is None:
        return valve.clip(0, 1)
    overlap = np.minimum(valve, on)
    return (overlap / on.where(on > 0)).clip(0, 1).fillna(0)


# --- heat ----------------------------------------------------------------------------------------------
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
        supply, brine = frame["supply_temp"].astype(float), frame["brine_in_temp"].astype(float)
        lift = (supply - brine).clip(lower=MIN_LIFT_K)
        carnot = (supply + KELVIN) / lift
        aux = column(frame, "aux_heater_power")
        compressor_kwh = compressor_power(frame) * covered_hours(frame, "power_electric", hours) / 1000.0
        total = compressor_kwh * carnot * params.carnot_efficiency
        if aux is not None:
            total = total + kwh(frame, "aux_heater_power", hours).fillna(0)
        return Heat(total, plan.method.value, plan.basis.value)
    return Heat(pd.Series(np.nan, index=frame.index), None, None)


def _delta_t_heat(frame: pd.DataFrame, hours: pd.Series, window: Window, plan: HeatPlan, params: Params) -> Heat:
    """ΔT × flow factor over the time both temperatures cover.  The heat-carrier pair counts where the
    compressor ran and for RUNDOWN_S after a stop (the condenser still gives off heat); the radiator pair
    only where it ran (afterwards the radiators give off the house's stored heat, not the pump's).  The
    electric add-heat sits after the condenser, so its energy is added as heat (COP 1)."""
    warm, cold = plan.pair or ("", "")
    delta = (frame[warm].astype(float) - frame[cold].astype(float)).clip(lower=0)
    covered = np.minimum(covered_hours(frame, warm, hours), covered_hours(frame, cold, hours))
    heat_carrier = plan.basis is HeatBasis.HEAT_CARRIER
    factor = params.heat_carrier_flow_factor_kw_per_k if heat_carrier else params.flow_factor_kw_per_k
    total = (delta * factor * covered).where(covered > 0)
    on = column(frame, "compressor_on")
    if on is not None:  # where the compressor's state is unknown, the pair alone decides
        total = total.where(_counted(on, window, RUNDOWN_S if heat_carrier else 0.0) | on.isna(), 0.0)
    if column(frame, "aux_heater_power") is not None:  # the add-heat sits after the pair: its heat at COP 1
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


def electricity(frame: pd.DataFrame, window: Window) -> pd.Series | None:
    """Electricity of each bucket, kWh: the counter where there is one, else power × covered time."""
    if column(frame, "energy_electric") is not None:
        return frame["energy_electric"].astype(float)
    if column(frame, "power_electric") is not None:
        return kwh(frame, "power_electric", bucket_hours(frame, window))
    return None


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


# --- energy and performance ----------------------------------------------------------------------------
def energy(frame: pd.DataFrame, window: Window, heat_: Heat) -> Energy:
    hours = bucket_hours(frame, window)
    elec = electricity(frame, window)
    electric = _total(elec)
    aux_series = kwh(frame, "aux_heater_power", hours) if column(frame, "aux_heater_power") is not None else None
    aux = _total(aux_series) if aux_series is not None else (0.0 if electric is not None else None)
    compressor = max(electric - (aux or 0.0), 0.0) if electric is not None else None

    heat_kwh = _total(heat_.kwh) if heat_.method else None
    hw_fraction = _hot_water_fraction(frame)
    if column(frame, "energy_heat_hot_water") is not None:
        heat_hw = _total(frame["energy_heat_hot_water"].astype(float))
    elif heat_kwh is not None and hw_fraction is not None:
        # add-heat goes straight to the house: only the compressor's heat is split by the valve
        compressor_heat = heat_.kwh - (aux_series.fillna(0) if aux_series is not None else 0.0)
        heat_hw = _total(compressor_heat.clip(lower=0) * hw_fraction)
    else:
        heat_hw = 0.0 if heat_kwh is not None else None
    heat_space = max(heat_kwh - heat_hw, 0.0) if heat_kwh is not None and heat_hw is not None else None

    if elec is not None and hw_fraction is not None:
        compressor_elec = elec - (aux_series.fillna(0) if aux_series is not None else 0.0)
        e_hw = _total(compressor_elec.clip(lower=0) * hw_fraction)
    else:
        e_hw = 0.0 if electric is not None else None
    e_space = max(electric - e_hw, 0.0) if electric is not None and e_hw is not None else None

    ground = max(heat_kwh - electric, 0.0) if heat_kwh is not None and electric is not None else None
    return Energy(electric, compressor, aux, heat_kwh, heat_space, heat_hw, ground, e_space, e_hw)


def performance(frame: pd.DataFrame, window: Window, heat_: Heat, e: Energy) -> Performance:
    """SPFs over the buckets where heat and electricity are both known, so both sides of each ratio cover
    the same time; and the Carnot bound of the compressor's SPF."""
    elec = electricity(frame, window)
    if elec is None or heat_.method is None:
        return Performance(None, None, _ratio(e.heat_space_kwh, e.electric_space_kwh),
                           _ratio(e.heat_hot_water_kwh, e.electric_hot_water_kwh), None, None)
    hours = bucket_hours(frame, window)
    both = heat_.kwh.notna() & elec.notna()
    aux = kwh(frame, "aux_heater_power", hours).fillna(0) if column(frame, "aux_heater_power") is not None else 0.0 * elec
    if column(frame, "energy_heat_compressor") is not None:
        compressor_heat = frame["energy_heat_compressor"].astype(float)
        both_compressor = both & compressor_heat.notna()
    else:  # add-heat turns electricity into heat one to one
        compressor_heat, both_compressor = heat_.kwh - aux, both
    spf = _ratio(heat_.kwh[both].sum(), elec[both].sum())
    without_aux = _ratio(compressor_heat[both_compressor].sum(), (elec - aux)[both_compressor].sum())
    carnot = _carnot_spf(frame, compressor_heat.where(both_compressor))
    plausible = None if carnot is None or without_aux is None else bool(without_aux <= carnot)
    return Performance(spf, without_aux, _ratio(e.heat_space_kwh, e.electric_space_kwh),
                       _ratio(e.heat_hot_water_kwh, e.electric_hot_water_kwh), carnot, plausible)


def carnot_cop(frame: pd.DataFrame) -> pd.Series | None:
    """Per bucket the Carnot COP between the condensing side (the warmest supply the data has, plus the
    offset) and the evaporating side (brine in, minus the offset)."""
    hot = column(frame, "heat_carrier_supply_temp")
    hot = hot if hot is not None else column(frame, "supply_temp")
    cold = column(frame, "brine_in_temp")
    if hot is None or cold is None:
        return None
    t_hot = hot + KELVIN + CONDENSING_ABOVE_SUPPLY_K
    t_cold = cold + KELVIN - EVAPORATING_BELOW_BRINE_K
    return t_hot / (t_hot - t_cold).clip(lower=MIN_LIFT_K)


def _carnot_spf(frame: pd.DataFrame, compressor_heat: pd.Series) -> float | None:
    """The SPF had every bucket's heat been made at its Carnot COP: Σheat ÷ Σ(heat ÷ Carnot COP)."""
    carnot = carnot_cop(frame)
    if carnot is None:
        return None
    known = compressor_heat.notna() & carnot.notna() & (compressor_heat > 0)
    if not known.any():
        return None
    return _ratio(compressor_heat[known].sum(), (compressor_heat[known] / carnot[known]).sum())


@dataclass(frozen=True)
class FlowSuggestion:
    kw_per_k: float
    how: str               # what it was derived from, in words
    running_hours: float


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


# --- runtime -------------------------------------------------------------------------------------------
def runtime(frame: pd.DataFrame, window: Window) -> Runtime:
    """Time-weighted shares of the covered time: each bucket's mean state × its covered hours."""
    hours = bucket_hours(frame, window)
    on = column(frame, "compressor_on")
    aux_on = column(frame, "aux_heater_on")
    aux_pct = _time_share_pct(aux_on, covered_hours(frame, "aux_heater_on", hours)) if aux_on is not None else None
    if on is None:
        return Runtime(None, aux_pct, None, None, None, None, None)
    covered = covered_hours(frame, "compressor_on", hours)
    compressor_pct = _time_share_pct(on, covered)
    fraction = _hot_water_fraction(frame)  # None without valve data: the split is unknown, not 0
    hw_pct = _time_share_pct(on * fraction, covered) if fraction is not None else None
    space_pct = compressor_pct - hw_pct if compressor_pct is not None and hw_pct is not None else None
    share = _ratio(hw_pct, compressor_pct) if hw_pct is not None else None
    aux_only_pct = _time_share_pct((aux_on - on).clip(lower=0), covered) if aux_on is not None else 0.0
    idle_pct = None
    if compressor_pct is not None:
        idle_pct = max(100.0 - compressor_pct - (aux_only_pct or 0.0), 0.0)
    return Runtime(compressor_pct, aux_pct, share * 100.0 if share is not None else None,
                   space_pct, hw_pct, aux_only_pct, idle_pct)


def coverage(frame: pd.DataFrame, window: Window) -> Coverage:
    """The time the range has data: that of the compressor state, else the electricity, else anything."""
    hours = bucket_hours(frame, window)
    for name in ("compressor_on", "power_electric", "energy_electric", *[c for c in frame.columns if ":" not in c]):
        if column(frame, name) is not None:
            covered = covered_hours(frame, name, hours)
            with_data = covered[covered > 0]
            total = float(covered.sum())
            return Coverage(total, min(total / (window.seconds / 3600.0), 1.0),
                            with_data.index[0] if len(with_data) else None,
                            with_data.index[-1] if len(with_data) else None)
    return Coverage(0.0, 0.0, None, None)


def days_of(frame: pd.DataFrame, window: Window, name: str) -> float:
    """Covered days of one metric."""
    if name not in frame:
        return 0.0
    return float(covered_hours(frame, name, bucket_hours(frame, window)).sum()) / 24.0


# --- cycles and events ---------------------------------------------------------------------------------
def _on_periods(changes: pd.Series, window: Window) -> list[tuple[pd.Timestamp, pd.Timestamp | None, bool]]:
    """(start, end, started_inside) of each period the state was on (> 0); end None if still on.  The first
    value is the one in force when the series begins, never a start."""
    periods: list[tuple[pd.Timestamp, pd.Timestamp | None, bool]] = []
    start: pd.Timestamp | None = None
    inside = False
    for i, (t, v) in enumerate(changes.dropna().sort_index().items()):
        if v > 0 and start is None:
            start, inside = t, i > 0
        elif v <= 0 and start is not None:
            periods.append((start, t, inside))
            start = None
    if start is not None:
        periods.append((start, None, inside))
    return periods


def compressor_cycles(changes: pd.Series | None, window: Window, counter: pd.Series | None,
                      covered_days: float) -> Cycles:
    """Starts from the starts counter where there is one, else off→on transitions at full resolution;
    starts per day over the covered days."""
    periods = _on_periods(changes, window) if changes is not None else []
    if counter is not None and counter.notna().any():
        starts: int | None = int(round(counter.sum()))
    elif changes is not None:
        starts = sum(1 for _, _, inside in periods if inside)
    else:
        starts = None
    complete = [(end - start).total_seconds() / 60.0 for start, end, inside in periods if inside and end is not None]
    return Cycles(
        starts=starts,
        starts_per_day=starts / covered_days if starts is not None and covered_days > 0 else None,
        avg_cycle_minutes=float(np.mean(complete)) if complete else None,
    )


def hot_water_cycles(valve_changes: pd.Series | None, window: Window, min_minutes: float,
                     energy_kwh: float | None) -> HotWater:
    """Valve-on periods that began inside the window and lasted at least min_minutes (an unfinished one
    counts if it already has)."""
    if valve_changes is None:
        return HotWater(None, None, energy_kwh)
    durations = []
    for start, end, inside in _on_periods(valve_changes, window):
        minutes = ((end or window.end) - start).total_seconds() / 60.0
        if inside and minutes >= min_minutes:
            durations.append(minutes)
    return HotWater(len(durations), float(np.mean(durations)) if durations else None, energy_kwh)


def alarm_events(code_changes: pd.Series | None, window: Window,
                 active_changes: pd.Series | None = None) -> tuple[AlarmEvent, ...]:
    """Periods with a non-zero alarm code. Where a brand reports 'the last alarm' (the code stays after
    the alarm clears), the code counts only while the alarm flag is on."""
    if code_changes is None:
        return ()
    codes = code_changes.dropna().sort_index()
    if active_changes is not None:
        index = codes.index.union(active_changes.dropna().index)
        flag = active_changes.dropna().sort_index().reindex(index).ffill().fillna(0)
        codes = codes.reindex(index).ffill().fillna(0).where(flag > 0, 0)
    events: list[AlarmEvent] = []
    current: int = 0
    since: pd.Timestamp | None = None
    for t, value in codes.items():
        code = int(value)
        if code == current:
            continue
        if current and since is not None:
            events.append(AlarmEvent(current, since, t))
        current, since = code, t
    if current and since is not None:
        events.append(AlarmEvent(current, since, None))
    return tuple(events)


def time_weighted_mean(frame: pd.DataFrame, window: Window, name: str) -> float | None:
    """A metric's mean over the time it covers in the range."""
    if column(frame, name) is None:
        return None
    covered = covered_hours(frame, name, bucket_hours(frame, window))
    known = frame[name].notna() & (covered > 0)
    return _ratio(float((frame[name][known] * covered[known]).sum()), float(covered[known].sum()))


# --- everything at once ---------------------------------------------------------------------------------
def summarize(frame: pd.DataFrame, changes: dict[str, pd.Series], window: Window, params: Params) -> Summary:
    heat_ = heat(frame, window, params)
    e = energy(frame, window, heat_)
    counter = column(frame, "compressor_starts_total")
    starts_days = days_of(frame, window, "compressor_starts_total" if counter is not None else "compressor_on")
    elec_name = "energy_electric" if column(frame, "energy_electric") is not None else "power_electric"
    heat_days = days_of(frame, window, {"energy_heat": "energy_heat", "heat_output": "heat_output"}.get(
        heat_.basis or "", elec_name))
    return Summary(
        heat=heat_,
        energy=e,
        performance=performance(frame, window, heat_, e),
        runtime=runtime(frame, window),
        cycles=compressor_cycles(changes.get("compressor_on"), window, counter, starts_days),
        hot_water=hot_water_cycles(changes.get("switch_valve"), window, params.hot_water_min_cycle_minutes,
                                   e.heat_hot_water_kwh),
        alarm_events=alarm_events(changes.get("alarm_code"), window, changes.get("alarm_active")),
        coverage=coverage(frame, window),
        electric_kwh_per_day=_ratio(e.electric_kwh, days_of(frame, window, elec_name)),
        heat_kwh_per_day=_ratio(e.heat_kwh, heat_days),
        outdoor_mean=time_weighted_mean(frame, window, "outdoor_temp"),
        cost=e.electric_kwh * params.price_per_kwh if e.electric_kwh is not None else None,
        currency=params.currency,
    )
