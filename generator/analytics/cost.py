"""What the electricity cost: each bucket's electricity × the price in force then, and what the same heat
would have cost with direct electric heating (COP 1).

A bucket's price is the time-weighted mean of the price in force over the bucket, taken on a grid of a
minute (of the bucket, when shorter): a bucket of an hour or less lies inside one hour of a price file
and is priced at its own time; a daily bucket (365d) holds only the day's energy, so it is priced at the
day's mean price (docs/decisions.md, Cost).  A bucket any part of which has no price has no cost.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analytics.buckets import (
    bucket_hours,
    column,
    covered_hours,
    electricity,
    ratio,
)
from generator.analytics.records import Cost, Heat, Params
from generator.core.errors import Problem
from generator.core.ranges import Window
from generator.tariff import FILE, FLAT, PriceTable, Tariff

GRID_S = 60
MIN_HEAT_KWH = 0.01   # below, a cost per kWh of heat is a rounding error's quotient (a resting hour)


def tariff_in_force(params: Params) -> Tariff:
    return params.tariff or Tariff(FLAT, params.price_per_kwh)


def bucket_prices(window: Window, tariff: Tariff, prices: PriceTable | Problem | None = None,
                  timezone: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Per bucket (indexed by its start): the mean price over the bucket (NaN where any part has none), and
    the hours of it that have no price."""
    edges = window.edges().as_unit("ns")
    starts = window.edges()[:-1]
    if len(starts) == 0:
        empty = pd.Series(dtype=float)
        return empty, empty
    if tariff.kind != FILE and not tariff.periods:   # a flat price (the default): no grid to walk
        return pd.Series(float(tariff.per_kwh), index=starts), pd.Series(0.0, index=starts)
    step_ns = min(GRID_S, window.bucket_seconds) * 1_000_000_000
    first, last = int(edges.asi8[0]), int(edges.asi8[-1])
    grid = np.arange(first, last, step_ns, dtype=np.int64)
    price = _prices_at(grid, tariff, prices, timezone or window.tz or "UTC")
    which = np.searchsorted(edges.asi8, grid, side="right") - 1
    n = len(starts)
    known = ~np.isnan(price)
    total = np.bincount(which, weights=np.where(known, price, 0.0), minlength=n)[:n]
    count = np.bincount(which, weights=known.astype(float), minlength=n)[:n]
    missing = np.bincount(which, weights=(~known).astype(float), minlength=n)[:n]
    mean = np.where((missing == 0) & (count > 0), total / np.maximum(count, 1), np.nan)
    return (pd.Series(mean, index=starts), pd.Series(missing * step_ns / 3.6e12, index=starts))


def _prices_at(grid: np.ndarray, tariff: Tariff, prices: PriceTable | Problem | None, timezone: str) -> np.ndarray:
    if tariff.kind == FILE:
        if isinstance(prices, PriceTable):
            return prices.at(grid)
        return np.full(len(grid), np.nan)
    price = np.full(len(grid), float(tariff.per_kwh))
    if tariff.periods:
        local = pd.DatetimeIndex(grid).tz_localize("UTC").tz_convert(timezone)
        minute = np.asarray(local.hour * 60 + local.minute)
        weekday = np.asarray(local.day_of_week)
        for period in reversed(tariff.periods):   # the first that covers a moment wins: it is set last
            price[period.covers(minute, weekday)] = period.price
    return price


def cost(frame: pd.DataFrame, window: Window, heat_: Heat, params: Params) -> Cost:
    """The range's cost figures over the buckets that have both electricity and a price."""
    tariff = tariff_in_force(params)
    problem = params.prices if isinstance(params.prices, Problem) else None
    elec = electricity(frame, window)
    if elec is None or problem is not None:
        return Cost(tariff.kind, None, None, None, None, None, problem=problem)
    price, missing = bucket_prices(window, tariff, params.prices, window.tz)
    price = price.reindex(frame.index)
    missing = missing.reindex(frame.index).fillna(0.0)
    priced = elec.notna() & price.notna()
    spent = elec * price
    unpriced = elec.notna() & price.isna()
    unpriced_hours = float(missing[unpriced].sum())
    first = missing[unpriced & (missing > 0)].index.min() if unpriced.any() else None
    if not priced.any():
        return Cost(tariff.kind, None, None, None, None, None, unpriced_hours, _ts(first))
    elec_name = "energy_electric" if column(frame, "energy_electric") is not None else "power_electric"
    days = float(covered_hours(frame, elec_name, bucket_hours(frame, window))[priced].sum()) / 24.0
    total = float(spent[priced].sum())
    heat = heat_.kwh.reindex(frame.index) if heat_.method else pd.Series(np.nan, index=frame.index)
    both = priced & heat.notna()
    direct = float((heat * price)[both].sum()) if both.any() else None
    saving = direct - float(spent[both].sum()) if direct is not None else None
    heat_kwh = float(heat[both].sum()) if both.any() else 0.0
    per_heat = ratio(float(spent[both].sum()), heat_kwh) if heat_kwh >= MIN_HEAT_KWH else None
    return Cost(tariff.kind, total, ratio(total, days), per_heat, direct, saving, unpriced_hours, _ts(first))


def _ts(value: object) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def cost_problems(pricing: Cost | None, path: str | None) -> list[Problem]:
    """What the page says about the prices of a range: a price file it cannot use, hours the file lacks."""
    if pricing is None:
        return []
    if pricing.problem is not None:
        return [pricing.problem]
    if pricing.unpriced_hours > 0 and pricing.first_unpriced is not None:
        hours = int(round(pricing.unpriced_hours)) or 1
        first = pricing.first_unpriced.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        return [Problem("price_hours_missing", f"the price file {path} has no price for {hours} h of this range "
                        f"(first in the bucket of {first}); that electricity is left out of the cost",
                        {"hours": hours, "first": first})]
    return []
