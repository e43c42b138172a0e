"""Per-bucket arithmetic every figure shares: the hours of a bucket, the part of it a metric's data
covers, energy as held mean power × covered time, time-weighted shares and means, and the two splits of
electricity (compressor vs add-heat, hot water vs space)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from generator.analytics.records import Coverage
from generator.core.metrics import coverage_column
from generator.core.ranges import Window


def column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    """The column if it holds any data, else None (a missing metric and an empty one are the same)."""
    if name not in frame.columns:
        return None
    col = frame[name]
    if col.dtype != np.float64:  # most columns already are: no copy on every one of the many asks per run
        col = col.astype(float)
    return None if np.isnan(col.to_numpy()).all() else col


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0 or np.isnan(num) or np.isnan(den):
        return None
    return float(num / den)


def bucket_hours(frame: pd.DataFrame, window: Window) -> pd.Series:
    """Hours per bucket, aligned to the frame's index."""
    hours = _hours(window)
    if hours.index.equals(frame.index):  # the usual case: the frame has every bucket
        return hours.copy()
    return hours.reindex(frame.index).fillna(window.bucket_seconds / 3600.0)


@lru_cache(maxsize=32)
def _hours(window: Window) -> pd.Series:
    """Hours per bucket of the window (a figure asks this a dozen times per range: worked out once)."""
    edges = window.edges()
    seconds = (edges[1:] - edges[:-1]).total_seconds()
    return pd.Series(np.asarray(seconds) / 3600.0, index=edges[:-1])


def covered_hours(frame: pd.DataFrame, name: str, hours: pd.Series) -> pd.Series:
    """Hours of each bucket that data of `name` covers (0 where none).  In numpy: every figure asks this,
    some two hundred times a run, and pandas' per-operation overhead was a tenth of a full run."""
    if name not in frame:
        return pd.Series(0.0, index=frame.index)
    known = ~np.isnan(frame[name].to_numpy(dtype=float))
    cov = coverage_column(name)
    share = np.nan_to_num(frame[cov].to_numpy(dtype=float)) if cov in frame else 1.0
    return pd.Series(np.where(known, share * hours.to_numpy(dtype=float), 0.0), index=frame.index)


def kwh(frame: pd.DataFrame, name: str, hours: pd.Series) -> pd.Series:
    """Energy of a power metric (W) in each bucket, kWh: held mean × covered time; NaN where no data."""
    values = frame[name].to_numpy(dtype=float)
    return pd.Series(values * covered_hours(frame, name, hours).to_numpy() / 1000.0, index=frame.index)


def total(values: pd.Series | None) -> float | None:
    if values is None:
        return None
    total = values.sum(min_count=1)
    return None if pd.isna(total) else float(total)


def time_share_pct(values: pd.Series, covered: pd.Series) -> float | None:
    mean = _weighted_mean(values.to_numpy(dtype=float), covered.to_numpy(dtype=float))
    return None if mean is None else mean * 100.0


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float | None:
    known = ~np.isnan(values) & (weights > 0)
    return ratio(float((values[known] * weights[known]).sum()), float(weights[known].sum()))


def time_weighted_mean(frame: pd.DataFrame, window: Window, name: str) -> float | None:
    """A metric's mean over the time it covers in the range."""
    if column(frame, name) is None:
        return None
    covered = covered_hours(frame, name, bucket_hours(frame, window))
    return _weighted_mean(frame[name].to_numpy(dtype=float), covered.to_numpy())


def days_of(frame: pd.DataFrame, window: Window, name: str) -> float:
    """Covered days of one metric."""
    if name not in frame:
        return 0.0
    return float(covered_hours(frame, name, bucket_hours(frame, window)).sum()) / 24.0


def coverage(frame: pd.DataFrame, window: Window) -> Coverage:
    """The time the range has data: that of the compressor state, else the electricity, else anything."""
    hours = bucket_hours(frame, window)
    for name in ("compressor_on", "power_electric", "energy_electric", *[c for c in frame.columns if ":" not in c]):
        if column(frame, name) is not None:
            covered = covered_hours(frame, name, hours)
            with_data = covered[covered > 0]
            total = float(covered.sum())
            return Coverage(total, min(total / (window.seconds / 3600.0), 1.0),
                            with_data.index[0] if len(with_data) else None,
                            with_data.index[-1] if len(with_data) else None)
    return Coverage(0.0, 0.0, None, None)


def electricity(frame: pd.DataFrame, window: Window) -> pd.Series | None:
    """Electricity of each bucket, kWh: the counter where there is one, else power × covered time."""
    if column(frame, "energy_electric") is not None:
        return frame["energy_electric"].astype(float)
    if column(frame, "power_electric") is not None:
        return kwh(frame, "power_electric", bucket_hours(frame, window))
    return None


def compressor_power(frame: pd.DataFrame) -> pd.Series:
    """W drawn by the compressor (and pumps): total electricity minus add-heat, never negative; NaN where
    the total is unknown (a gap, not 0 W)."""
    total = column(frame, "power_electric")
    if total is None:
        return pd.Series(np.nan, index=frame.index)
    aux = column(frame, "aux_heater_power")
    return (total - aux.fillna(0)).clip(lower=0) if aux is not None else total


def hot_water_fraction(frame: pd.DataFrame) -> pd.Series | None:
    """Share of each bucket's compressor running time with the valve on hot water.

    From bucket means only: hot-water time ≤ min(valve, compressor), and valve-on happens only while the
    compressor runs on every brand we know, so min() is exact there.
    """
    valve = column(frame, "switch_valve")
    if valve is None:
        return None
    on = column(frame, "compressor_on")
    if on is None:
        return valve.clip(0, 1)
    v, o = valve.to_numpy(), on.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(o > 0, np.minimum(v, o) / np.where(o > 0, o, 1.0), np.nan)
    return pd.Series(np.nan_to_num(np.clip(share, 0, 1), nan=0.0), index=frame.index)
