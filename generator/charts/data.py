"""Turning frame columns into what an ECharts option holds: plain Python numbers, rounded to what a
person can read, and one `dataset` whose rows share a single time column (epoch milliseconds)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# Readable precision per quantity.
TEMPERATURE = 1   # 0.1 °C
WATTS = 0         # 1 W
COP = 2           # 0.01
PERCENT = 1       # 0.1 %
KWH = 1         # 0.1 kWh (docs/public-format.md)
HERTZ = 1

TIME = "time"     # the dataset's time dimension


def rounded(value: Any, decimals: int) -> float | int | None:
    """One value as a plain Python number; None for NaN, None or infinity."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    if decimals == 0:
        return int(round(number))
    return round(number, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def rounded_list(series: pd.Series, decimals: int) -> list[float | int | None]:
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)  # pd.NA too
    values = np.round(numbers, decimals) + 0.0
    finite = np.isfinite(values)
    if decimals == 0:
        return [int(v) if ok else None for v, ok in zip(values.tolist(), finite.tolist())]
    return [v if ok else None for v, ok in zip(values.tolist(), finite.tolist())]


def epoch_ms(index: pd.DatetimeIndex) -> list[int]:
    utc = index.tz_convert("UTC") if index.tz is not None else index.tz_localize("UTC")
    return utc.as_unit("ms").asi8.tolist()


def has_data(frame: pd.DataFrame, column: str) -> bool:
    if column not in frame.columns:
        return False
    values = frame[column]
    if values.dtype == np.float64:   # the usual case, asked some two hundred times a run: no conversion
        return not np.isnan(values.to_numpy()).all()
    return bool(pd.to_numeric(values, errors="coerce").notna().any())


def extras(frame: pd.DataFrame, chart: str) -> list[tuple[str, str]]:
    """(column, label) of the owner's extra series for `chart` that have data (generator/mapping.py)."""
    prefix = f"extra:{chart}:"
    return [(c, c[len(prefix):]) for c in frame.columns
            if c.startswith(prefix) and c.count(":") == 2 and has_data(frame, c)]


@dataclass(frozen=True)
class Column:
    """One dataset dimension: its name (what the CSV download shows) and its values."""

    name: str
    values: pd.Series
    decimals: int


def dataset(index: pd.DatetimeIndex, columns: list[Column]) -> dict[str, Any]:
    """Rows [epoch_ms, v1, v2, ...] with `dimensions` naming them; time is never repeated per series."""
    times = epoch_ms(index)
    lists = [rounded_list(c.values.reindex(index), c.decimals) for c in columns]
    rows = [list(row) for row in zip(times, *lists)]
    return {"dimensions": [TIME] + [c.name for c in columns], "source": rows}
