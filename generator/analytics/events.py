"""Counts from state changes at full resolution, never from bucket means: compressor starts and cycle
lengths, hot-water charges, alarm periods."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.analytics.records import AlarmEvent, Cycles, HotWater
from generator.core.ranges import Window


@dataclass(frozen=True)
class _OnPeriods:
    """The periods a state was on (> 0), as arrays: epoch ns of each start and end (NO_END: still on), and
    whether it started inside the series (the first value is the one in force when it begins, never a start)."""
    start_ns: np.ndarray
    end_ns: np.ndarray
    inside: np.ndarray

    def minutes(self, until_ns: int) -> np.ndarray:
        """Each period's length; one still on counts until `until_ns`."""
        return (np.where(self.end_ns == NO_END, until_ns, self.end_ns) - self.start_ns) / 60e9


NO_END = np.iinfo(np.int64).min


def _on_periods(changes: pd.Series) -> _OnPeriods:
    # In numpy: a year of a short-cycling pump has tens of thousands of changes.
    series = changes.dropna().sort_index()
    on = series.to_numpy(dtype=float) > 0
    step = np.diff(on.astype(np.int8), prepend=np.int8(0))
    starts = np.flatnonzero(step == 1)           # the first value, if on, starts a period too
    ends = np.flatnonzero(step == -1)
    at = series.index.as_unit("ns").asi8
    end_ns = np.full(starts.size, NO_END, dtype=np.int64)
    end_ns[:ends.size] = at[ends]
    return _OnPeriods(at[starts], end_ns, starts > 0)


def compressor_cycles(changes: pd.Series | None, window: Window, counter: pd.Series | None,
                      covered_days: float) -> Cycles:
    """Starts from the starts counter where there is one, else off→on transitions at full resolution;
    starts per day over the covered days."""
    periods = _on_periods(changes) if changes is not None else None
    if counter is not None and counter.notna().any():
        starts: int | None = int(round(counter.sum()))
    elif periods is not None:
        starts = int(np.count_nonzero(periods.inside))
    else:
        starts = None
    lengths = np.empty(0)
    if periods is not None:   # the cycles that began and ended inside
        complete = periods.inside & (periods.end_ns != NO_END)
        lengths = (periods.end_ns[complete] - periods.start_ns[complete]) / 60e9
    return Cycles(
        starts=starts,
        starts_per_day=starts / covered_days if starts is not None and covered_days > 0 else None,
        avg_cycle_minutes=float(lengths.mean()) if lengths.size else None,
    )


def hot_water_cycles(valve_changes: pd.Series | None, window: Window, min_minutes: float,
                     energy_kwh: float | None) -> HotWater:
    """Valve-on periods that began inside the window and lasted at least min_minutes (an unfinished one
    counts if it already has)."""
    if valve_changes is None:
        return HotWater(None, None, energy_kwh)
    periods = _on_periods(valve_changes)
    minutes = periods.minutes(int(window.end.as_unit("ns").value))
    durations = minutes[periods.inside & (minutes >= min_minutes)]
    return HotWater(int(durations.size), float(durations.mean()) if durations.size else None, energy_kwh)


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
