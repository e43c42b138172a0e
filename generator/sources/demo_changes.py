"""The state changes the demo keeps beside its hours (demo.py): each hour it samples for 30d, 365d or
"all" already holds every 30 s sample of the states and codes, so their changes are kept too, and the
state changes of a window inside the kept span are read from them instead of sampling its year again.

A metric's changes over a span [start, end) are the span's start with the value in force there, then
every sample whose value differs from the sample before it: exactly what DemoSource.state_changes
answers from the samples themselves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Changes:
    start: int                       # epoch seconds: the span [start, end) they cover
    end: int
    times: dict[str, np.ndarray]     # int64 epoch seconds; times[m][0] == start
    values: dict[str, np.ndarray]

    @staticmethod
    def of_samples(t: np.ndarray, samples: dict[str, np.ndarray], end: int) -> Changes:
        """The changes in consecutive samples at grid times `t` (the span [t[0], end))."""
        times, values = {}, {}
        for name, x in samples.items():
            keep = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
            times[name], values[name] = t[keep].astype(np.int64), x[keep]
        return Changes(int(t[0]), end, times, values)

    def then(self, later: Changes) -> Changes:
        """These changes followed by `later`'s, whose span begins where this one ends."""
        if later.start != self.end:
            raise ValueError(f"changes of [{later.start}, …) cannot follow a span ending at {self.end}")
        times, values = {}, {}
        for name, t in self.times.items():
            x, t2, x2 = self.values[name], later.times[name], later.values[name]
            same = x2[0] == x[-1]   # later's first point only says what holds already
            times[name] = np.concatenate((t, t2[1:] if same else t2))
            values[name] = np.concatenate((x, x2[1:] if same else x2))
        return Changes(self.start, later.end, times, values)

    def since(self, start: int) -> Changes:
        """The changes of [start, end), the value in force at `start` stamped `start`."""
        if start <= self.start:
            return self
        times, values = {}, {}
        for name, t in self.times.items():
            first = int(np.searchsorted(t, start, side="right")) - 1
            times[name] = np.r_[np.int64(start), t[first + 1:]]
            values[name] = self.values[name][first:].copy()
        return Changes(start, self.end, times, values)

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def between(self, start_ns: int, end_ns: int, metrics: list[str]) -> dict[str, pd.Series]:
        """DemoSource.state_changes for a window [start_ns, end_ns) inside the span: the value in force at
        its start stamped with the start, then the changes before its end."""
        result = {}
        for name in metrics:
            t_ns = self.times[name] * 1_000_000_000
            first = int(np.searchsorted(t_ns, start_ns, side="right")) - 1
            stop = int(np.searchsorted(t_ns, end_ns, side="left"))
            at = t_ns[first:stop].copy()
            at[0] = start_ns
            index = pd.DatetimeIndex(pd.to_datetime(at, unit="ns", utc=True))
            result[name] = pd.Series(self.values[name][first:stop], index=index, name=name)
        return result
