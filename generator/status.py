"""public/status.json, the heartbeat: rewritten on every run, watched by nobody, read by /healthz and by
people looking at why a range is stale."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Protocol

import pandas as pd

from generator.core.public_format import STATUS_NAME
from generator.writer import Publisher


class Progress(Protocol):
    """What the heartbeat says of one range (generator.build.RangeStatus)."""

    last_success_at: str | None
    last_error_at: str | None
    duration_s: float | None
    backoff: Any


def write_status(publisher: Publisher, now: datetime, duration_s: float, source_kind: str, queries: int, ok: bool,
                 failures: int, ranges: Mapping[str, Progress], prices: Any = None) -> None:
    """`prices`: the problem of a price file that cannot be used (price_file_unreadable), else None."""
    publisher.write_plain(STATUS_NAME, {
        "last_run_at": pd.Timestamp(now).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_s": round(duration_s, 3),
        "source_kind": source_kind,
        "source_queries": queries,
        "ok": ok,
        "consecutive_failures": failures,
        "prices": prices.to_json() if prices is not None else None,
        "ranges": {key: {"last_success_at": s.last_success_at, "last_error": s.backoff.last_error.to_json() if s.backoff.last_error else None,
                         "last_error_at": s.last_error_at, "duration_s": s.duration_s}
                   for key, s in sorted(ranges.items())},
    })
