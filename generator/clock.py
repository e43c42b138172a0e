"""The run's clock: the system's, or one that starts at a chosen time and runs at normal speed.

The demo and the browser tests start the clock at a fixed moment (`--clock-start`), so the simulated pump
shows the same hours every time while viewers still see new buckets close in real time; the README's
screenshot comes from such a clock.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

Clock = Callable[[], datetime]   # the current time, timezone-aware UTC


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class StartedClock:
    """A clock that read `start` when it was made and runs on from there at normal speed."""

    start: datetime
    began: float = field(default_factory=time.monotonic)

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


def clock_from(start: datetime | None) -> Clock:
    """The system clock, or a started one when a start is given (naive times are read as UTC)."""
    if start is None:
        return system_clock
    return StartedClock(start if start.tzinfo else start.replace(tzinfo=timezone.utc))
