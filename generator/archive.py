"""The dated archive: once a day, the day's 24h and 7d documents under public/archive/YYYY-MM-DD/.

A snapshot of day D is computed for a window that ends exactly at the local midnight after D, whenever
it is taken: a generator that was down at midnight still archives the right day.  The index lists the
snapshots newest first; folders older than output.archive_days are deleted.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from generator.core.ranges import BY_KEY
from generator.writer import Publisher, to_json_bytes, write_if_changed

ARCHIVED_RANGES = ("24h", "7d")
BuildDocument = Callable[[str, datetime], dict[str, Any]]  # (range key, now) -> range document


def local_midnight_after(day: date, tz: str) -> datetime:
    return pd.Timestamp(day + timedelta(days=1)).tz_localize(tz).tz_convert("UTC").to_pydatetime()


def yesterday(now: datetime, tz: str) -> date:
    return (pd.Timestamp(now).tz_convert(tz) - pd.Timedelta(days=1)).date()


def snapshot_exists(public_dir: Path, day: date) -> bool:
    folder = public_dir / "archive" / day.isoformat()
    return all((folder / f"{key}.json").exists() for key in ARCHIVED_RANGES)


def take_snapshot(publisher: Publisher, day: date, tz: str, build: BuildDocument) -> Path:
    """Write the snapshot of `day` (documents first, index last)."""
    folder = publisher.public_dir / "archive" / day.isoformat()
    end = local_midnight_after(day, tz)
    for key in ARCHIVED_RANGES:
        assert key in BY_KEY
        write_if_changed(folder / f"{key}.json", to_json_bytes(build(key, end)))
    return folder


def prune_and_index(publisher: Publisher, today: date, keep_days: int) -> list[str]:
    """Delete snapshots older than keep_days, then rewrite archive/index.json. Returns the dates kept."""
    root = publisher.public_dir / "archive"
    kept: list[str] = []
    if root.is_dir():
        for folder in sorted(root.iterdir(), reverse=True):
            try:
                day = date.fromisoformat(folder.name)
            except ValueError:
                continue
            if (today - day).days > keep_days:
                shutil.rmtree(folder, ignore_errors=True)
            elif folder.is_dir():
                kept.append(folder.name)
    index = {"snapshots": [
        {"date": d, "ranges": {k: f"archive/{d}/{k}.json" for k in ARCHIVED_RANGES
                               if (root / d / f"{k}.json").exists()}}
        for d in kept
    ]}
    write_if_changed(root / "index.json", to_json_bytes(index))
    return kept
