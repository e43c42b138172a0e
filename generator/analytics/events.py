"""Counts from state changes at full resolution, never from bucket means: compressor starts and cycle
lengths, hot-water charges, alarm periods."""
from __future__ import annotations

import numpy as np
import pandas as pd

from generator.analytics.records import AlarmEvent, Cycles, HotWater
from generator.core.ranges import Window


def _on_periods(changes: pd.Series, window: Window) -> list[tuple[pd.Timestamp, pd.Timestamp | None, bool]]:
    """(start, end, started_inside) of each period the state was on (> 0); end None if still on.  The first
    value is the one in force when the series begins, never a start."""
    series = changes.dropna().sort_index()
    on = series.to_numpy(dtype=float) > 0
    if not on.any():
        return []
    # In numpy: a year of a short-cycling pump has tens of thousands of changes.
    step = np.diff(on.astype(np.int8), prepend=np.int8(0))
    starts = np.flatnonzero(step == 1)           # the first value, if on, starts a period too
    ends = np.flatnonzero(step == -1)
    begun = list(series.index[starts])           # Timestamps in one conversion, not one per period
    ended: list[pd.Timestamp | None] = list(series.index[ends])
    ended += [None] * (len(begun) - len(ended))
    return list(zip(begun, ended, (starts > 0).tolist()))


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
