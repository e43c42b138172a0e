"""Waiting before asking again after a failure: the interval doubling with each failure in a row, at most
five minutes, on an injectable clock (docs/decisions.md, "Backoff")."""
from __future__ import annotations

from dataclasses import dataclass, field

from generator.core.clock import SYSTEM, Clock
from generator.core.errors import Problem

MAX_BACKOFF_S = 300.0


@dataclass
class Backoff:
    base_s: float                      # the first wait: the run's interval
    clock: Clock = field(default=SYSTEM, repr=False)
    failures: int = 0                  # in a row
    last_error: Problem | None = None  # the newest, shown while waiting
    retry_at: float = 0.0              # monotonic: not before this

    def delay_s(self, failures: int) -> float:
        return min(self.base_s * 2 ** (failures - 1), MAX_BACKOFF_S)

    def failed(self, problem: Problem) -> None:
        self.failures += 1
        self.last_error = problem
        self.retry_at = self.clock.monotonic() + self.delay_s(self.failures)

    def succeeded(self) -> None:
        self.failures, self.last_error, self.retry_at = 0, None, 0.0

    @property
    def waiting(self) -> bool:
        return self.failures > 0 and self.clock.monotonic() < self.retry_at
