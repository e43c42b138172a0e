"""The heat signature ("energy signature", "heat-loss line"): each local day's heat per 24 h against the
day's time-weighted mean outdoor temperature, and per heating season a fitted line that gives the house's
heat loss (W/K) and its balance temperature (docs/decisions.md, Heat signature).

The line is the three-parameter heating change-point model of ASHRAE Guideline 14 (PRISM's heating-only
model): heat/day = base + slope × max(0, balance − outdoor).  For each candidate balance temperature (a
0.5 K grid, then 0.1 K around its best), base and slope are a least-squares fit (numpy.polyfit); the
balance with the least squared error wins.  It is kept only where it explains the days clearly better
than one straight line (a nested F-test, F > CHANGE_POINT_F): without warm days in the data the change
point is not identified, and then the straight line over all days is used, its balance temperature being
where it reaches zero heat.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from generator.analytics.buckets import bucket_hours, column, covered_hours
from generator.analytics.energy import hot_water_heat
from generator.analytics.records import Heat, Signature, SignatureFit, SignatureSeason
from generator.core.ranges import Window

MIN_WINDOW_DAYS = 28      # shorter ranges have too few days for a line: no signature
MIN_DAY_COVERAGE = 0.8    # a day counts when heat and outdoor temperature each cover this share of it
MIN_DAYS = 7              # a season's line needs at least this many heating days …
MIN_SPREAD_K = 4.0        # … spread over at least this many kelvin of daily mean outdoor temperature
MIN_DAYS_ABOVE = 3        # a change point needs this many days above it (the baseline must be seen)
CHANGE_POINT_F = 10.0     # F of the change point against a straight line; strict, as the point is searched for
GRID_K = 0.1              # the balance temperature's resolution …
COARSE_K = 0.5            # … found around the best point of a coarser grid first
WATT_PER_KWH_PER_DAY = 1000.0 / 24.0

# What heat each basis's coverage is read from (a ΔT estimate: both temperatures).
_HEAT_METRICS = {
    "energy_heat": ("energy_heat",), "heat_output": ("heat_output",),
    "heat_carrier": ("heat_carrier_supply_temp", "heat_carrier_return_temp"),
    "radiator": ("supply_temp", "return_temp"),
    "supply_brine": ("power_electric", "supply_temp", "brine_in_temp"),
}


def signature(frame: pd.DataFrame, window: Window, heat_: Heat, heating_start: tuple[int, int] = (9, 1)
              ) -> Signature | None:
    """Daily points and per-season lines of a range of at least MIN_WINDOW_DAYS; None on shorter ranges
    or without heat or outdoor temperature.  Space heat (hot water taken out) where the split is known:
    hot water does not depend on the outdoor temperature, so it would only lift the line."""
    if window.seconds < MIN_WINDOW_DAYS * 86400 or heat_.method is None or column(frame, "outdoor_temp") is None:
        return None
    hours = bucket_hours(frame, window)
    if heat_.basis == "radiator":   # the radiator pair sees no hot water: its heat is space heat already
        hot_water: pd.Series | None = pd.Series(0.0, index=frame.index)
    else:
        hot_water = hot_water_heat(frame, window, heat_)
    day_heat = heat_.kwh if hot_water is None else (heat_.kwh - hot_water).clip(lower=0)
    heat_hours = _heat_hours(frame, heat_, hours).where(day_heat.notna(), 0.0)
    outdoor_hours = covered_hours(frame, "outdoor_temp", hours)
    outdoor = frame["outdoor_temp"].astype(float)
    days = pd.DataFrame({
        "heat": day_heat.fillna(0.0), "heat_hours": heat_hours, "outdoor_hours": outdoor_hours,
        "outdoor_x_hours": (outdoor * outdoor_hours).fillna(0.0),
    }).groupby(frame.index.tz_convert(window.tz).date).sum()
    full = _day_hours(days.index, window.tz)   # a day the window cuts is measured against its whole length
    enough = (days["heat_hours"] >= MIN_DAY_COVERAGE * full) & (days["outdoor_hours"] >= MIN_DAY_COVERAGE * full)
    counted = days[enough]
    per_day = counted["heat"] / counted["heat_hours"] * 24.0        # per 24 h of covered time (23/25-h days)
    mean_outdoor = counted["outdoor_x_hours"] / counted["outdoor_hours"]
    seasons = []
    keys = [season_start(d, heating_start) for d in counted.index]
    for start in sorted(set(keys)):
        mine = [k == start for k in keys]
        temps, heat_days = mean_outdoor[mine].to_numpy(float), per_day[mine].to_numpy(float)
        seasons.append(SignatureSeason(start, tuple(counted.index[mine]), tuple(temps.tolist()),
                                       tuple(heat_days.tolist()), fit_line(temps, heat_days)))
    partly_there = int(((days["heat_hours"] > 0) | (days["outdoor_hours"] > 0)).sum())
    return Signature("total" if hot_water is None else "space", tuple(seasons), partly_there - len(counted))


def season_start(day: date, heating_start: tuple[int, int]) -> date:
    """The first day of the heating season `day` belongs to (seasons.heating_start, e.g. 1 September)."""
    month, dom = heating_start
    year = day.year if (day.month, day.day) >= (month, dom) else day.year - 1
    return date(year, month, dom)


def fit_line(outdoor: np.ndarray, heat: np.ndarray) -> SignatureFit | None:
    """The heating line of these days (see the module docstring); None with too few heating days, too
    narrow a spread of temperatures, or no more heat on colder days."""
    n = len(outdoor)
    if n < MIN_DAYS:
        return None
    slope, intercept = np.polyfit(outdoor, heat, 1)
    straight_sse = float(((intercept + slope * outdoor - heat) ** 2).sum())
    best = _change_point(outdoor, heat)
    if best is not None and best[2] > 0 and straight_sse > 0:
        balance, base, rise, sse = best
        f = (straight_sse - sse) / (sse / (n - 3)) if sse > 0 else np.inf
        if f > CHANGE_POINT_F:
            heating = outdoor < balance
            if heating.sum() >= MIN_DAYS and np.ptp(outdoor[heating]) >= MIN_SPREAD_K:
                return SignatureFit(rise * WATT_PER_KWH_PER_DAY, balance, base, True, _r2(heat, sse), n,
                                    int(heating.sum()))
    if slope >= 0 or np.ptp(outdoor) < MIN_SPREAD_K:
        return None
    balance = -intercept / slope
    return SignatureFit(-slope * WATT_PER_KWH_PER_DAY, float(balance), 0.0, False, _r2(heat, straight_sse), n,
                        int((outdoor < balance).sum()))


def _change_point(outdoor: np.ndarray, heat: np.ndarray) -> tuple[float, float, float, float] | None:
    """(balance, base, slope, squared error) of the best change point with at least MIN_DAYS days below
    it and MIN_DAYS_ABOVE above it: on a COARSE_K grid, then on a GRID_K grid around the best of it (the
    error is smooth in the balance temperature; a fifth of the fits, for the hourly 365d refresh)."""
    ordered = np.sort(outdoor)
    if len(ordered) < MIN_DAYS + MIN_DAYS_ABOVE:
        return None
    low, high = ordered[MIN_DAYS - 1], ordered[-MIN_DAYS_ABOVE]
    coarse = _best_of(outdoor, heat, np.arange(np.floor(low / COARSE_K) * COARSE_K, high + COARSE_K, COARSE_K))
    if coarse is None:
        return None
    return _best_of(outdoor, heat, np.arange(coarse[0] - COARSE_K, coarse[0] + COARSE_K + GRID_K / 2, GRID_K))


def _best_of(outdoor: np.ndarray, heat: np.ndarray, balances: np.ndarray) -> tuple[float, float, float, float] | None:
    best = None
    for balance in np.round(balances, 1):
        x = np.maximum(balance - outdoor, 0.0)
        if (x > 0).sum() < MIN_DAYS or (x == 0).sum() < MIN_DAYS_ABOVE:
            continue
        rise, base = np.polyfit(x, heat, 1)
        sse = float(((base + rise * x - heat) ** 2).sum())
        if best is None or sse < best[3]:
            best = (float(balance), float(base), float(rise), sse)
    return best


def _day_hours(days: pd.Index, tz: str) -> pd.Series:
    """How long each local day is: 24 h, or 23 and 25 h on the days the clocks change."""
    starts = pd.DatetimeIndex(pd.to_datetime(days))
    local = [starts.tz_localize(tz, ambiguous=True, nonexistent="shift_forward"),
             (starts + pd.Timedelta(days=1)).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")]
    return pd.Series((local[1] - local[0]).total_seconds() / 3600.0, index=days)


def _r2(heat: np.ndarray, sse: float) -> float:
    total = float(((heat - heat.mean()) ** 2).sum())
    return 1.0 - sse / total if total > 0 else 0.0


def _heat_hours(frame: pd.DataFrame, heat_: Heat, hours: pd.Series) -> pd.Series:
    """Hours of each bucket the heat figure covers: the least covered of the metrics it is made from."""
    names = _HEAT_METRICS.get(heat_.basis or "", ())
    covered = [covered_hours(frame, name, hours) for name in names if name in frame]
    if not covered:
        return pd.Series(0.0, index=frame.index)
    return pd.concat(covered, axis=1).min(axis=1)
