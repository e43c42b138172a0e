"""Heat-pump analytics: pure functions on per-bucket frames (the frame is Source.series(), see
generator/sources/base.py).

Every energy is a time integral: a bucket's time-weighted mean power times the bucket's length (local
days may be 23 or 25 h).  Every ratio of a period is energy-weighted (Σheat ÷ Σelectricity), never a mean
of instantaneous ratios.  Counts of starts, cycles and alarm events come from state changes at full
resolution, never from bucket means.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.ranges import Window

KELVIN = 273.15
MIN_LIFT_K = 5.0  # below this the Carnot COP explodes; no real heat pump runs with a smaller lift


@dataclass(frozen=True)
class Params:
    flow_factor_kw_per_k: float = 2.7
    carnot_efficiency: float = 0.45
    hot_water_min_cycle_minutes: float = 2.0
    price_per_kwh: float = 1.5
    currency: str = "SEK"


@dataclass(frozen=True)
class Heat:
    watts: pd.Series          # per-bucket mean heat delivered, W; NaN where unknown
    method: str | None        # "measured" | "delta_t" | "carnot" | None


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


@dataclass(frozen=True)
class Runtime:
    compressor_pct: float | None
    aux_pct: float | None
    hot_water_share_pct: float | None     # of compressor running time
    compressor_space_pct: float | None    # of all time with data
    compressor_hot_water_pct: float | None
    aux_only_pct: float | None            # add-heat while the compressor was off
    idle_pct: float | None                # compressor_space + compressor_hot_water + aux_only + idle = 100


@dataclass(frozen=True)
class Cycles:
    starts: int | None
    starts_per_day: float | None
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
class Summary:
    heat: Heat
    energy: Energy
    performance: Performance
    runtime: Runtime
    cycles: Cycles
    hot_water: HotWater
    alarm_events: tuple[AlarmEvent, ...]
    cost: float | None
    currency: str


# --- helpers -------------------------------------------------------------------------------------------
def _column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    """The column if it holds any data, else None (a missing metric and an empty one are the same)."""
    if name not in frame.columns:
        return None
    col = frame[name].astype(float)
    return col if col.notna().any() else None


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def bucket_hours(frame: pd.DataFrame, window: Window) -> pd.Series:
    """Hours per bucket, aligned to the frame's index."""
    edges = window.edges()
    seconds = (edges[1:] - edges[:-1]).total_seconds()
    hours = pd.Series(np.asarray(seconds) / 3600.0, index=edges[:-1])
    return hours.reindex(frame.index).fillna(window.bucket_seconds / 3600.0)


def counter_increments(counter: pd.Series) -> pd.Series:
    """Per-bucket increase of a cumulative counter (last value per bucket), resets handled: a drop means
    the counter restarted from zero, so the bucket's increase is its new value."""
    values = counter.dropna()
    diff = values.diff()
    reset = diff < 0
    diff[reset] = values[reset]
    return diff.reindex(counter.index)


def _integral_kwh(watts: pd.Series, hours: pd.Series) -> float:
    return float((watts * hours).sum(min_count=1) / 1000.0)


def compressor_power(frame: pd.DataFrame) -> pd.Series:
    """W drawn by the compressor (and pumps): total electricity minus add-heat, never negative."""
    total = _column(frame, "power_electric")
    if total is None:
        return pd.Series(np.nan, index=frame.index)
    aux = _column(frame, "aux_heater_power")
    return (total - aux.fillna(0)).clip(lower=0) if aux is not None else total


def _hot_water_fraction(frame: pd.DataFrame) -> pd.Series | None:
    """Share of each bucket's compressor running time with the valve on hot water.

    From bucket means only: hot-water time ≤ min(valve, compressor), and valve-on happens only while the
    compressor runs on every brand we know, so min() is exact there.
    """
    valve = _column(frame, "switch_valve")
    if valve is None:
        return None
    on = _column(frame, "compressor_on")
    if on is None:
        return valve.clip(0, 1)
    overlap = np.minimum(valve, on)
    return (overlap / on.where(on > 0)).clip(0, 1).fillna(0)


# --- heat ----------------------------------------------------------------------------------------------
def heat(frame: pd.DataFrame, window: Window, params: Params) -> Heat:
    """Heat delivered per bucket, by the best method the data allows.

    measured: heat meter power, else heat counter increments; delta_t: radiator ΔT × flow factor while
    the compressor runs; carnot: compressor power × Carnot COP(supply, brine in) × efficiency, plus
    add-heat at COP 1.
    """
    meter = _column(frame, "heat_output")
    if meter is not None:
        return Heat(meter.clip(lower=0), "measured")
    counter = _column(frame, "energy_heat")
    if counter is not None:
        kwh = counter_increments(counter)
        return Heat(kwh * 1000.0 / bucket_hours(frame, window), "measured")

    on = _column(frame, "compressor_on")
    supply, ret = _column(frame, "supply_temp"), _column(frame, "return_temp")
    if supply is not None and ret is not None:
        watts = (supply - ret).clip(lower=0) * params.flow_factor_kw_per_k * 1000.0
        if on is not None:
            watts = watts.where(on.fillna(0) > 0, 0.0)
        return Heat(watts, "delta_t")

    brine = _column(frame, "brine_in_temp")
    if supply is not None and brine is not None and _column(frame, "power_electric") is not None:
        lift = (supply - brine).clip(lower=MIN_LIFT_K)
        carnot = (supply + KELVIN) / lift
        aux = _column(frame, "aux_heater_power")
        watts = compressor_power(frame) * carnot * params.carnot_efficiency
        if aux is not None:
            watts = watts + aux.fillna(0)
        return Heat(watts, "carnot")
    return Heat(pd.Series(np.nan, index=frame.index), None)


def cop_series(frame: pd.DataFrame, heat_: Heat) -> pd.Series:
    """Per-bucket COP (heat ÷ electricity of that bucket), NaN where the compressor did not run."""
    power = _column(frame, "power_electric")
    if power is None or heat_.method is None:
        return pd.Series(np.nan, index=frame.index)
    on = _column(frame, "compressor_on")
    running = on > 0 if on is not None else power > 0
    return (heat_.watts / power.where(power > 0)).where(running)


# --- energy and performance ----------------------------------------------------------------------------
def energy(frame: pd.DataFrame, window: Window, heat_: Heat) -> Energy:
    hours = bucket_hours(frame, window)
    e_counter = _column(frame, "energy_electric")
    power = _column(frame, "power_electric")
    if e_counter is not None:
        electric = float(counter_increments(e_counter).sum())
    elif power is not None:
        electric = _integral_kwh(power, hours)
    else:
        electric = None
    aux_power = _column(frame, "aux_heater_power")
    aux = _integral_kwh(aux_power, hours) if aux_power is not None else (0.0 if electric is not None else None)
    compressor = max(electric - aux, 0.0) if electric is not None else None

    heat_kwh = _integral_kwh(heat_.watts, hours) if heat_.method else None
    hw_fraction = _hot_water_fraction(frame)
    hw_counter = _column(frame, "energy_heat_hot_water")
    if hw_counter is not None:
        heat_hw = float(counter_increments(hw_counter).sum())
    elif heat_kwh is not None and hw_fraction is not None:
        # add-heat goes straight to the house: only the compressor's heat is split by the valve
        comp_heat = heat_.watts - (aux_power.fillna(0) if aux_power is not None else 0)
        heat_hw = _integral_kwh(comp_heat.clip(lower=0) * hw_fraction, hours)
    else:
        heat_hw = 0.0 if heat_kwh is not None else None
    heat_space = max(heat_kwh - heat_hw, 0.0) if heat_kwh is not None and heat_hw is not None else None

    if power is not None and hw_fraction is not None:
        e_hw = _integral_kwh(compressor_power(frame) * hw_fraction, hours)
        if e_counter is not None and electric:  # scale the split to the counter's total
            e_hw *= electric / max(_integral_kwh(power, hours), 1e-9)
    else:
        e_hw = 0.0 if electric is not None else None
    e_space = max(electric - e_hw, 0.0) if electric is not None and e_hw is not None else None

    ground = max(heat_kwh - electric, 0.0) if heat_kwh is not None and electric is not None else None
    return Energy(electric, compressor, aux, heat_kwh, heat_space, heat_hw, ground, e_space, e_hw)


def performance(e: Energy) -> Performance:
    without_aux = None
    if e.heat_kwh is not None and e.aux_kwh is not None and e.compressor_kwh is not None:
        without_aux = _ratio(e.heat_kwh - e.aux_kwh, e.compressor_kwh)
    return Performance(
        spf=_ratio(e.heat_kwh, e.electric_kwh),
        spf_without_aux=without_aux,
        spf_space=_ratio(e.heat_space_kwh, e.electric_space_kwh),
        spf_hot_water=_ratio(e.heat_hot_water_kwh, e.electric_hot_water_kwh),
    )


# --- runtime -------------------------------------------------------------------------------------------
def _time_share_pct(values: pd.Series, hours: pd.Series) -> float | None:
    covered = hours[values.notna()].sum()
    if covered <= 0:
        return None
    return float((values * hours).sum() / covered * 100.0)


def runtime(frame: pd.DataFrame, window: Window) -> Runtime:
    """Time-weighted shares: each bucket's mean state (fraction of time on) weighted by its length."""
    hours = bucket_hours(frame, window)
    on = _column(frame, "compressor_on")
    aux_on = _column(frame, "aux_heater_on")
    compressor_pct = _time_share_pct(on, hours) if on is not None else None
    aux_pct = _time_share_pct(aux_on, hours) if aux_on is not None else None
    if on is None:
        return Runtime(None, aux_pct, None, None, None, None, None)
    fraction = _hot_water_fraction(frame)  # None without valve data: the split is unknown, not 0
    hw_pct = _time_share_pct(on * fraction, hours) if fraction is not None else None
    space_pct = compressor_pct - hw_pct if compressor_pct is not None and hw_pct is not None else None
    share = _ratio(hw_pct, compressor_pct) if hw_pct is not None else None
    aux_only_pct = _time_share_pct((aux_on - on).clip(lower=0), hours) if aux_on is not None else 0.0
    idle_pct = None
    if compressor_pct is not None:
        idle_pct = max(100.0 - compressor_pct - (aux_only_pct or 0.0), 0.0)
    return Runtime(compressor_pct, aux_pct, share * 100.0 if share is not None else None,
                   space_pct, hw_pct, aux_only_pct, idle_pct)


# --- cycles and events ---------------------------------------------------------------------------------
def _on_periods(changes: pd.Series, window: Window) -> list[tuple[pd.Timestamp, pd.Timestamp | None, bool]]:
    """(start, end, started_inside) of each period the state was on (> 0); end None if still on."""
    periods: list[tuple[pd.Timestamp, pd.Timestamp | None, bool]] = []
    start: pd.Timestamp | None = None
    inside = False
    for t, v in changes.dropna().sort_index().items():
        if v > 0 and start is None:
            start, inside = t, t > window.start
        elif v <= 0 and start is not None:
            periods.append((start, t, inside))
            start = None
    if start is not None:
        periods.append((start, None, inside))
    return periods


def compressor_cycles(changes: pd.Series | None, window: Window, counter: pd.Series | None = None) -> Cycles:
    """Starts from the starts counter where there is one, else off→on transitions at full resolution."""
    days = window.seconds / 86400.0
    periods = _on_periods(changes, window) if changes is not None else []
    if counter is not None and counter.notna().sum() >= 2:
        starts: int | None = int(round(counter_increments(counter).sum()))
    elif changes is not None:
        starts = sum(1 for _, _, inside in periods if inside)
    else:
        starts = None
    complete = [(end - start).total_seconds() / 60.0 for start, end, inside in periods if inside and end is not None]
    return Cycles(
        starts=starts,
        starts_per_day=starts / days if starts is not None and days > 0 else None,
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


# --- everything at once ---------------------------------------------------------------------------------
def summarize(frame: pd.DataFrame, changes: dict[str, pd.Series], window: Window, params: Params) -> Summary:
    heat_ = heat(frame, window, params)
    e = energy(frame, window, heat_)
    return Summary(
        heat=heat_,
        energy=e,
        performance=performance(e),
        runtime=runtime(frame, window),
        cycles=compressor_cycles(changes.get("compressor_on"), window, _column(frame, "compressor_starts_total")),
        hot_water=hot_water_cycles(changes.get("switch_valve"), window, params.hot_water_min_cycle_minutes,
                                   e.heat_hot_water_kwh),
        alarm_events=alarm_events(changes.get("alarm_code"), window, changes.get("alarm_active")),
        cost=e.electric_kwh * params.price_per_kwh if e.electric_kwh is not None else None,
        currency=params.currency,
    )
