"""Time ranges: how long each is, its bucket, how often it is refreshed, and its window.

A range's window ends at its last *closed* bucket, so a file only changes when a bucket closes or late
data arrives.  Daily buckets follow local days in site.timezone (23 or 25 hours across DST changes), and
monthly buckets (the "all" range) local calendar months: no fixed length, so nothing may take
pd.Timedelta(bucket) of them; `bucket_seconds` is a nominal length for sizes and spans only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where it is used: the config loads this module, and the sidecar, which loads the
# config, would otherwise carry pandas and numpy (≈ 48 MB of its RSS) without using them.


@dataclass(frozen=True)
class RangeSpec:
    key: str            # "24h"
    span: str           # pandas offset alias of the whole window: "24h", "7D", "365D"
    bucket: str         # pandas offset alias of one bucket: "2min", "1D" (= local days)
    refresh_s: int      # default cadence (the schedule.* settings default to it)
    bands: bool         # min/max bands behind temperature lines

    @property
    def calendar_days(self) -> bool:
        return _is_days(self.bucket)

    @property
    def calendar_months(self) -> bool:
        return _is_months(self.bucket)


MONTHS = "1MS"                    # the bucket of local calendar months (pandas' month-start alias)
NOMINAL_MONTH_S = 30 * 86400      # a month's nominal length: chunk sizes and spans, never an edge
ALL_MAX_MONTHS = 120              # the "all" range looks back at most 10 years: a bounded query


def _is_months(bucket: str) -> bool:
    return bucket == MONTHS


def _is_days(bucket: str) -> bool:
    import pandas as pd
    return not _is_months(bucket) and pd.Timedelta(bucket) >= pd.Timedelta("1D")


# Each bucket keeps a series under ~1,000 points.
RANGES: tuple[RangeSpec, ...] = (
    RangeSpec("1h", "1h", "30s", 30, False),      # 120 points
    RangeSpec("6h", "6h", "1min", 30, False),     # 360
    RangeSpec("24h", "24h", "2min", 30, False),   # 720
    RangeSpec("7d", "7D", "15min", 300, False),   # 672
    RangeSpec("30d", "30D", "1h", 900, True),     # 720
    RangeSpec("365d", "365D", "1D", 3600, True),  # 365 local days
    # Local months from the first month with data (at most ALL_MAX_MONTHS back) to the last closed one.
    # No bands: a month's min/max says little, and the cache keeps its own grid for it.
    RangeSpec("all", f"{ALL_MAX_MONTHS}MS", MONTHS, 86400, False),
)
BY_KEY: dict[str, RangeSpec] = {r.key: r for r in RANGES}


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC, both on bucket edges."""

    start: pd.Timestamp
    end: pd.Timestamp
    bucket: str
    tz: str

    @property
    def calendar_days(self) -> bool:
        return _is_days(self.bucket)

    @property
    def calendar_months(self) -> bool:
        return _is_months(self.bucket)

    @property
    def bucket_seconds(self) -> int:
        """Nominal bucket length (a local day may be 23 or 25 h long, a month 28 to 31 days; see edges())."""
        import pandas as pd
        if self.calendar_months:
            return NOMINAL_MONTH_S
        return int(pd.Timedelta(self.bucket).total_seconds())

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def edges(self) -> pd.DatetimeIndex:
        """Every bucket start plus the window end, UTC (worked out once per window: every figure asks)."""
        return _edges(self.start, self.end, self.bucket, self.tz, self.calendar_days or self.calendar_months)


@lru_cache(maxsize=32)
def _edges(start: pd.Timestamp, end: pd.Timestamp, bucket: str, tz: str, local: bool) -> pd.DatetimeIndex:
    import pandas as pd
    if local:
        return pd.date_range(start.tz_convert(tz), end.tz_convert(tz), freq=bucket, inclusive="both").tz_convert("UTC")
    return pd.date_range(start, end, freq=bucket, inclusive="both")


def window_for(spec: RangeSpec, now: datetime, tz: str) -> Window:
    """The window of `spec` that ends at the last bucket closed at `now`."""
    import pandas as pd
    now_ts = pd.Timestamp(now)
    if now_ts.tzinfo is None:
        now_ts = now_ts.tz_localize(timezone.utc)
    if spec.calendar_months:
        local_now = now_ts.tz_convert(tz).tz_localize(None)
        end_naive = local_now.normalize().replace(day=1)  # local midnight of the 1st: the last closed month ends
        start_naive = end_naive - pd.DateOffset(months=int(spec.span.removesuffix("MS")))
        return Window(start_naive.tz_localize(tz).tz_convert("UTC"), end_naive.tz_localize(tz).tz_convert("UTC"),
                      spec.bucket, tz)
    if spec.calendar_days:
        local_now = now_ts.tz_convert(tz)
        end_local = local_now.normalize()  # local midnight, DST-aware
        days = int(pd.Timedelta(spec.span) / pd.Timedelta("1D"))
        start_local = (end_local.tz_localize(None) - pd.Timedelta(days=days)).tz_localize(tz)
        return Window(start_local.tz_convert("UTC"), end_local.tz_convert("UTC"), spec.bucket, tz)
    end = now_ts.tz_convert("UTC").floor(spec.bucket)
    return Window(end - pd.Timedelta(spec.span), end, spec.bucket, tz)
