"""The run's clock: wall time ("now", what the windows end at) and monotonic seconds (when a range is due,
how long a backoff waits).  The system's, or one that starts at a chosen time and runs at normal speed.

The demo and the browser tests start the clock at a fixed moment (`--clock-start`), so the simulated pump
shows the same hours every time while viewers still see new buckets close in real time; the README's
screenshot comes from such a clock.  Tests that need time to pass drive a clock of their own instead of
sleeping.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds that only ever increase: for intervals, never for dates."""
        ...


@dataclass(frozen=True)
class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()


@dataclass(frozen=True)
class StartedClock:
    """A clock that read `start` when it was made and runs on from there at normal speed."""

    start: datetime
    began: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)

    def monotonic(self) -> float:
        return time.monotonic()


SYSTEM = SystemClock()


def clock_from(start: datetime | None) -> Clock:
    """The system clock, or a started one when a start is given (naive times are read as UTC)."""
    if start is None:
        return SYSTEM
    return StartedClock(start if start.tzinfo else start.replace(tzinfo=timezone.utc))
