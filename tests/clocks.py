"""A clock the test drives: wall time and monotonic seconds move only when the test says so."""
from __future__ import annotations

from datetime import datetime, timedelta


class ManualClock:
    def __init__(self, now: datetime):
        self._now = now
        self._monotonic = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        """Time passes: the wall clock and the monotonic clock both move on."""
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    def set(self, now: datetime) -> None:
        """Only the wall clock jumps (as when a source's newest sample is older than now)."""
        self._now = now
