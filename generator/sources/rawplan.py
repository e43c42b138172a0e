"""What the database sources share: which raw series to aggregate how, and turning answers into frames.

A database source (influxql.py, flux.py) asks the provider which raw series exist and how each is
aggregated (mean | time_weighted | last | enum | bits), sends its own queries, and hands the per-bucket
raw columns to the helpers here, which apply the rules of docs/data-layer.md:

* time-weighted raws: the database's trapezoidal integral of the bucket ÷ the bucket's seconds, but only
  where both neighbouring buckets hold samples (otherwise the integral spans a gap); else the sample mean;
* enum/bits raws: the share of each bucket in which the value matched, from the value changes (hold);
* everything becomes canonical through provider.to_canonical.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from generator.metrics import BY_NAME, Kind
from generator.ranges import Window
from generator.sources.base import Latest
from providers.model import Provider, ShareColumn
from providers.transforms import BITS, ENUM, LAST, MEAN, TIME_WEIGHTED

CHANGE_KINDS = (Kind.STATE, Kind.CODE)



# How far back "the value in force at a window's start" is looked for, by both database sources.
BEFORE_LOOKBACK = pd.Timedelta(days=31)

@dataclass(frozen=True)
class RawPlan:
    """The raw series of one provider and tag, sorted by how the database must aggregate them."""

    tag: str
    mean: tuple[str, ...]
    time_weighted: tuple[str, ...]
    last: tuple[str, ...]
    shares: tuple[str, ...]                       # enum and bits raws: shares from value changes
    share_columns: Mapping[str, tuple[ShareColumn, ...]]

    @property
    def all(self) -> tuple[str, ...]:
        return self.mean + self.time_weighted + self.last + self.shares


def plan_for(provider: Provider, tag: str) -> RawPlan:
    groups: dict[str, list[str]] = {MEAN: [], TIME_WEIGHTED: [], LAST: [], "shares": []}
    columns: dict[str, tuple[ShareColumn, ...]] = {}
    for raw in provider.raw_names(tag):
        how = provider.raw_aggregation(raw, tag)
        if how in (ENUM, BITS):
            groups["shares"].append(raw)
            columns[raw] = provider.share_columns(raw, tag)
        elif how in groups:
            groups[how].append(raw)
        else:  # a new aggregation kind the sources do not know yet: the safe reading is the last value
            groups[LAST].append(raw)
    return RawPlan(tag, tuple(groups[MEAN]), tuple(groups[TIME_WEIGHTED]), tuple(groups[LAST]),
                   tuple(groups["shares"]), columns)


def raws_for_metrics(provider: Provider, tag: str, metrics: Iterable[str]) -> tuple[str, ...]:
    """The raws that state or code metrics are computed from (alarm metrics read each other's raws)."""
    mapping = provider.tags.get(tag)
    if mapping is None:
        return ()
    wanted = {m for m in metrics if m in BY_NAME and BY_NAME[m].kind in CHANGE_KINDS}
    if wanted & {"alarm_active", "alarm_code"}:
        wanted |= {"alarm_active", "alarm_code"}
    raws: dict[str, None] = {}
    for metric in sorted(wanted):
        for alt in mapping.metrics.get(metric, ()):
            raws.update(dict.fromkeys(alt.inputs()))
    if wanted & {"alarm_active", "alarm_code"}:
        raws.update(dict.fromkeys(b.raw for b in mapping.alarm_bits))
    return tuple(raws)


# --- bucket edges -----------------------------------------------------------------------------------
def extended_edges(window: Window) -> pd.DatetimeIndex:
    """window.edges() plus one bucket before and one after, so every window bucket has neighbours."""
    edges = window.edges()
    if window.calendar_days:
        local = edges.tz_convert(window.tz)
        before = (local[0].tz_localize(None) - pd.Timedelta(days=1)).tz_localize(window.tz)
        after = (local[-1].tz_localize(None) + pd.Timedelta(days=1)).tz_localize(window.tz)
        return pd.DatetimeIndex([before.tz_convert("UTC"), *edges, after.tz_convert("UTC")])
    step = pd.Timedelta(window.bucket)
    return pd.DatetimeIndex([edges[0] - step, *edges, edges[-1] + step])


def to_ms(ts: pd.Timestamp) -> int:
    return int(pd.Timestamp(ts).value // 1_000_000)  # .value is always ns


def ms_index(ms: Sequence[int]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ms, dtype="int64"), unit="ms", utc=True))


def place(points: Mapping[int, float], edges: pd.DatetimeIndex) -> np.ndarray:
    """Values keyed by bucket start (epoch ms) onto the buckets of `edges`; NaN where none."""
    starts = [to_ms(t) for t in edges[:-1]]
    return np.array([points.get(s, np.nan) for s in starts], dtype=float)


# --- aggregation rules --------------------------------------------------------------------------------
def time_weighted(integral_s: np.ndarray, mean: np.ndarray, ext: pd.DatetimeIndex) -> np.ndarray:
    """Time-weighted means of the window's buckets from the extended buckets' integral (value × s) and mean.

    An integral of a bucket whose neighbour is empty also holds the interpolated gap, so such a bucket
    (and one at the edge of the data) falls back to its sample mean.  Empty buckets stay NaN.
    """
    seconds = np.diff(ext.as_unit("ns").asi8) / 1e9
    has = ~np.isnan(mean)
    inner = slice(1, len(mean) - 1)
    interior = has[inner] & has[:-2] & has[2:] & ~np.isnan(integral_s[inner])
    out = np.where(interior, integral_s[inner] / seconds[inner], mean[inner])
    out[~has[inner]] = np.nan
    return out


def shares_from_changes(changes: pd.Series, edges: pd.DatetimeIndex, column: ShareColumn) -> np.ndarray:
    """Share of each bucket during which the raw matched, holding each value until the next change.

    `changes` is the value in force at the first instant (stamped there) plus every change after it.
    Time before the first known value is unknown and left out of the share.
    """
    n = len(edges) - 1
    if changes.empty:
        return np.full(n, np.nan)
    origin = edges[0].value
    t = (pd.DatetimeIndex(changes.index).as_unit("ns").asi8 - origin) / 1e9
    e = (edges.as_unit("ns").asi8 - origin) / 1e9
    indicator = column.matches(changes.astype(float)).to_numpy(dtype=float)
    t_end = np.append(t, max(e[-1], t[-1]))
    spans = np.diff(t_end)
    known = np.where(np.isnan(indicator), 0.0, spans)
    on = np.where(np.isnan(indicator), 0.0, spans * np.nan_to_num(indicator))
    c_on = np.concatenate(([0.0], np.cumsum(on)))
    c_known = np.concatenate(([0.0], np.cumsum(known)))
    on_edges = np.interp(e, t_end, c_on)
    known_edges = np.interp(e, t_end, c_known)
    d_known = np.diff(known_edges)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d_known > 0, np.diff(on_edges) / d_known, np.nan)


def changes_from_differences(start: pd.Timestamp, before: float | None, first: tuple[int, float] | None,
                             diffs: Sequence[tuple[int, float]]) -> pd.Series:
    """Rebuild a raw's values from the database's non-zero DIFFERENCE() rows.

    before: the last value before the window (None if unknown); first: (ms, value) of the first sample
    inside the window; diffs: (ms, difference) of every later sample whose value changed.
    """
    times: list[int] = [to_ms(start)]
    values: list[float] = []
    if first is None:
        if before is None:
            return pd.Series(dtype=float)
        return pd.Series([before], index=ms_index(times))
    values.append(before if before is not None else first[1])
    if before is not None and first[1] != before:
        times.append(first[0])
        values.append(first[1])
    current = first[1]
    for ms, d in diffs:
        current = round(current + d, 9)  # integers stay exact; floats do not drift
        times.append(ms)
        values.append(current)
    series = pd.Series(values, index=ms_index(times), dtype=float)
    return series[~series.index.duplicated(keep="last")]


# --- canonical frames ------------------------------------------------------------------------------------
def canonical_frame(provider: Provider, tag: str, raw: pd.DataFrame, bands: bool) -> pd.DataFrame:
    frame = provider.to_canonical(raw, tag)
    if not bands:
        frame = frame[[c for c in frame.columns if ":" not in c]]
    return frame


def canonical_changes(provider: Provider, tag: str, raw_changes: Mapping[str, pd.Series],
                      metrics: Sequence[str], start: pd.Timestamp) -> dict[str, pd.Series]:
    """Canonical state/code series (value at start, then each change) from raw change series."""
    present = {k: v for k, v in raw_changes.items() if not v.empty}
    if not present:
        return {}
    frame = pd.DataFrame(present).sort_index().ffill()
    canonical = provider.to_canonical(frame, tag)
    result: dict[str, pd.Series] = {}
    for metric in metrics:
        if metric not in canonical or metric not in BY_NAME or BY_NAME[metric].kind not in CHANGE_KINDS:
            continue
        series = canonical[metric].dropna()
        if series.empty:
            continue
        keep = np.concatenate(([True], series.to_numpy()[1:] != series.to_numpy()[:-1]))
        series = series[keep]
        index = series.index.to_numpy().copy()
        index[0] = pd.Timestamp(start).tz_convert("UTC").to_datetime64()
        result[metric] = pd.Series(series.to_numpy(), index=pd.DatetimeIndex(index, tz="UTC"), name=metric)
    return result


def canonical_latest(provider: Provider, tag: str, last: Mapping[str, tuple[int, float]]) -> Latest:
    """Latest from each raw's newest (epoch ms, value)."""
    if not last:
        return Latest(at=None, values={})
    newest = max(ms for ms, _ in last.values())
    raw_values = {raw: float(v) for raw, (_, v) in last.items()}
    row = pd.DataFrame({k: [v] for k, v in raw_values.items()}, index=ms_index([newest]), dtype=float)
    canonical = provider.to_canonical(row, tag)
    values = {m: float(canonical[m].iloc[0]) for m in canonical.columns
              if ":" not in m and not np.isnan(canonical[m].iloc[0])}
    codes = provider.active_alarms(raw_values, tag)
    return Latest(at=ms_index([newest])[0], values=values, alarm_codes=tuple(int(c) for c in codes if c))


# --- messages --------------------------------------------------------------------------------------------

