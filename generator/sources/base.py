"""What every source answers, whatever database (or simulator) sits behind it.

A source speaks canonical metric names only (the provider's mapping happens inside the source), and
aggregates in the database: the generator never holds raw 30-day data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

import pandas as pd

from generator.core.errors import Problem
from generator.core.ranges import Window


@dataclass(frozen=True)
class Latest:
    """The newest state of the heat pump, from a small query of its own."""

    at: pd.Timestamp | None                 # time of the newest sample of any metric (UTC)
    values: dict[str, float]                # canonical metric -> newest value
    alarm_codes: tuple[int, ...] = ()       # alarm codes active now (0 never appears)
    alarm_since: dict[int, pd.Timestamp] = field(default_factory=dict)
    quality: tuple[Problem, ...] = ()        # what the source left out of it, and why (data quality)
    # Per canonical metric, where the source can tell (data quality: clock drift): the time of its newest
    # sample (of its stalest input), and how many of its samples are stamped in the future.
    sampled_at: dict[str, pd.Timestamp] = field(default_factory=dict)
    future: dict[str, int] = field(default_factory=dict)


class Source(Protocol):
    """The contract of a data source. Every method raises generator.core.errors.SourceError on I/O failure."""

    kind: str
    query_count: int  # queries sent so far; the generator reports it in status.json

    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        """Per-bucket values of every canonical metric the source has (docs/data-layer.md).

        Index: every bucket start in `window.edges()[:-1]` (UTC), NaN where a bucket has no data.  Buckets
        of a fixed length or local days; never calendar months: a range of those is read in local days
        and folded (generator/sources/fold.py).
        Columns: canonical names. Temperatures, frequency, states (0/1) and powers (W): the time-weighted
        mean of the held value over the part of the bucket data covers (fraction of time on, average
        power). Counters: their increase inside the bucket (the first bucket's from the value before the
        window). Codes: the last value. Every metric but codes also has coverage_column(m), the covered
        share of the bucket. With `bands`, temperatures also get band_column(m, "min") and
        band_column(m, "max") (generator/core/metrics.py). A metric the source lacks is simply absent.
        A database source adds rawplan.quality_column(kind, raw): per bucket, the samples of a raw series
        it left out (text, absurd values), for the data-quality note.
        """
        ...

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        """At full resolution, for each requested state or code metric the source has: the value in
        force at window.start (stamped window.start) followed by every change inside the window.
        Small by construction (only changes), so starts, cycles and alarm events are exact."""
        ...

    def latest(self) -> Latest:
        ...

    def ping(self) -> bool:
        """Whether the source answers at all, without a query: a run that waits out a backoff asks this
        every interval, so data returns within one interval of the source (no exception)."""
        ...

    def close(self) -> None:
        ...
