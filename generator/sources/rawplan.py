"""What the database sources share: which raw series to read how, and one assembly of their answers.

A database source (influxql.py, flux.py) asks the provider which raw series exist and how each is read
(held values, counter increases, last values, share columns), sends its own queries, and fills a
WindowAnswer; assemble() turns that into the canonical frame by the rules of docs/data-layer.md
(generator/sources/hold.py does the arithmetic), and changes_from_differences() rebuilds value changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from generator.core.errors import SourceError
from generator.core.metrics import (
    BY_NAME,
    HOLD,
    INCREASE,
    LAST,
    TEMPERATURES,
    Kind,
    band_column,
    coverage_column,
)
from generator.core.ranges import Window
from generator.sources import hold
from generator.sources.base import Latest
from providers.model import Provider, value_transforms
from providers.transforms import ShareColumn

CHANGE_KINDS = (Kind.STATE, Kind.CODE)
# Data quality counted per bucket and raw series (what a source left out): problem codes of core/errors.py.
QUALITY_KINDS = ("text_values", "absurd_values")


def quality_column(kind: str, raw: str) -> str:
    """Column of a raw series' left-out samples per bucket: quality_column("text_values", "r00")."""
    return f"quality:{kind}:{raw}"

# How far back "the value in force at a window's start" is looked for, and as far past a window its next
# sample, by both database sources: a counter's increase over a collector's days down is booked by the
# samples on both sides, so a chunk of the cache that ends inside them must see the one after (else the
# increase of the time heard before them is lost).
BEFORE_LOOKBACK = pd.Timedelta(days=31)
AFTER_LOOKAHEAD = BEFORE_LOOKBACK


@dataclass(frozen=True)
class AnchorQuery:
    """One of the four samples of each series that hold.py needs around a window: the sample picked
    ("first" or "last") of the span [start, end)."""

    name: str        # before | first | last_sample | after
    pick: str        # first | last
    start: pd.Timestamp
    end: pd.Timestamp


def anchor_queries(start: pd.Timestamp, end: pd.Timestamp) -> list[AnchorQuery]:
    """Each series' newest sample before the window, its first and last inside, its first after; the
    first two are all the state changes need."""
    return [AnchorQuery("before", "last", start - BEFORE_LOOKBACK, start),
            AnchorQuery("first", "first", start, end),
            AnchorQuery("last_sample", "last", start, end),
            AnchorQuery("after", "first", end, end + AFTER_LOOKAHEAD)]


@dataclass(frozen=True)
class RawPlan:
    """The raw series of one provider and tag, sorted by how the database must read them."""

    tag: str
    hold: tuple[str, ...]                         # held values: time-weighted means and coverage
    increase: tuple[str, ...]                     # counters: increase per bucket
    last: tuple[str, ...]                         # codes: last value per bucket
    shares: tuple[str, ...]                       # enumerations, bit fields, thresholds: from value changes
    share_columns: Mapping[str, tuple[ShareColumn, ...]]
    bands: tuple[str, ...]                        # held temperatures that get min/max bands

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.hold + self.increase + self.last + self.shares))


def plan_for(provider: Provider, tag: str) -> RawPlan:
    groups: dict[str, list[str]] = {HOLD: [], INCREASE: [], LAST: []}
    shares: list[str] = []
    columns: dict[str, tuple[ShareColumn, ...]] = {}
    for raw in provider.raw_names(tag):
        how = provider.raw_reading(raw, tag)
        if how is not None:
            groups[how].append(raw)
        found = provider.share_columns(raw, tag)
        if found:
            shares.append(raw)
            columns[raw] = found
    mapping = provider.mapping(tag)
    bands = {part.raw for m in TEMPERATURES for alt in mapping.metrics.get(m, ()) for part in value_transforms(alt)}
    return RawPlan(tag, tuple(groups[HOLD]), tuple(groups[INCREASE]), tuple(groups[LAST]), tuple(shares), columns,
                   tuple(r for r in groups[HOLD] if r in bands))


def state_raws(provider: Provider, tag: str, metrics: Sequence[str]) -> tuple[str, ...]:
    """The raws that the state and code metrics among `metrics` are computed from."""
    wanted = [m for m in metrics if m in BY_NAME and BY_NAME[m].kind in CHANGE_KINDS]
    return provider.raws_for(wanted, tag)


# --- what a database answered for one window ------------------------------------------------------------
@dataclass
class Collector:
    """The merged stream of every series: when the collector was heard (for silences)."""

    before_ms: int | None = None      # newest sample of any series before the window
    first_ms: int | None = None
    last_ms: int | None = None
    gaps: list[tuple[int, float]] = field(default_factory=list)  # (end ms, duration ms) of silences > limit


@dataclass
class WindowAnswer:
    held_names: set[str]
    series: dict[str, hold.SeriesAnswer] = field(default_factory=dict)          # hold and increase raws
    last: dict[str, dict[int, float]] = field(default_factory=dict)             # raw -> bucket start ms -> value
    bands: dict[str, dict[int, tuple[float, float]]] = field(default_factory=dict)  # raw -> ms -> (min, max)
    changes: dict[str, pd.Series] = field(default_factory=dict)                 # share raws: value changes
    collector: Collector = field(default_factory=Collector)
    quality: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)  # kind -> raw -> ms -> count


def assemble(provider: Provider, plan: RawPlan, window: Window, answer: WindowAnswer, bands: bool,
             max_gap_s: float) -> pd.DataFrame:
    """The canonical frame of one window (base.Source.series) from a database's answer."""
    edges = hold.edges_ms(window)
    index = pd.DatetimeIndex(window.edges()[:-1])
    c = answer.collector
    silent = hold.silences(edges, c.before_ms, c.first_ms, c.last_ms, c.gaps, max_gap_s * 1000.0)
    short_ms = hold.short_interval_ms(window, max_gap_s)
    raw: dict[str, np.ndarray] = {}
    for name in plan.hold + plan.increase:
        if name not in answer.held_names:
            continue
        got = hold.held(answer.series.get(name, hold.SeriesAnswer()), edges, silent, short_ms)
        raw[name] = got.increase if name in plan.increase else got.mean
        raw[coverage_column(name)] = got.covered
        if bands and name in plan.bands:
            found = answer.bands.get(name, {})
            for i, which in enumerate(("min", "max")):
                placed = place({t: v[i] for t, v in found.items()}, edges)
                raw[band_column(name, which)] = np.where(np.isnan(placed), got.mean, placed)
    for name in plan.last:
        if name in answer.held_names:
            raw[name] = place(answer.last.get(name, {}), edges)
    for name in plan.shares:
        if name not in answer.held_names:
            continue
        changes = answer.changes.get(name, pd.Series(dtype=float))
        indicators = {s.column: s.matches(changes.astype(float)) for s in plan.share_columns[name]}
        values, covered = hold.shares(changes, edges, silent, indicators)
        raw.update(values)
        raw.setdefault(coverage_column(name), covered)
    frame = canonical_frame(provider, plan.tag, pd.DataFrame(raw, index=index, dtype=float), bands).reindex(index)
    if answer.quality:  # every raw's column, zero or not, so pieces of a window always share their columns
        counts = {quality_column(kind, name): np.nan_to_num(place(answer.quality.get(kind, {}).get(name, {}), edges))
                  for kind in QUALITY_KINDS for name in plan.all}
        frame = pd.concat([frame, pd.DataFrame(counts, index=index, dtype=float)], axis=1)
    return frame


def place(points: Mapping[int, float], edges: np.ndarray) -> np.ndarray:
    """Values keyed by bucket start (epoch ms) onto the buckets of `edges`; NaN where none."""
    return np.array([points.get(int(s), np.nan) for s in edges[:-1]], dtype=float)


def to_ms(ts: pd.Timestamp) -> int:
    return int(pd.Timestamp(ts).value // 1_000_000)  # .value is always ns


def ms_index(ms: Sequence[int]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ms, dtype="int64"), unit="ms", utc=True))


def changes_from_differences(start: pd.Timestamp, before: float | None, first: tuple[int, float] | None,
                             diffs: Sequence[tuple[int, float]]) -> pd.Series:
    """Rebuild a raw's values from the database's non-zero differences.

    before: the last value before the window (None if unknown); first: (ms, value) of the first sample
    inside the window; diffs: (ms, difference) of every later sample whose value changed.
    """
    times: list[int] = [to_ms(start)]
    values: list[float] = []
    if first is None:
        if before is None:
            return pd.Series(dtype=float)
        return pd.Series([before], index=ms_index(times))
    if before is None:
        times[0] = max(times[0], first[0])  # nothing is known before the first sample
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
        frame = frame[[c for c in frame.columns if not c.endswith((":min", ":max"))]]
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
        # the value in force at the start, or from the first sample when the history begins later
        index = series.index.tz_convert("UTC")
        stamps = index.insert(0, max(index[0], pd.Timestamp(start).tz_convert("UTC"))).delete(1)
        result[metric] = pd.Series(series.to_numpy(), index=stamps, name=metric)
    return result


def nothing_maps(held: Sequence[str], measurement: str, tag: str, provider: str, where: str) -> SourceError:
    """Why a source has no latest reading, in one line: no data at all, or no name that maps."""
    if not held:
        return SourceError(f"no data yet in measurement {measurement!r} of {where} (tag {tag!r}); check that the "
                           "collector writes there", "no_data", measurement=measurement)
    return SourceError(f"none of the {len(held)} names in measurement {measurement!r} (tag {tag!r}) maps for "
                       f"provider {provider}; run heatpump-dashboard doctor", "nothing_maps",
                       measurement=measurement, provider=provider, names=len(held))


def canonical_latest(provider: Provider, tag: str, last: Mapping[str, tuple[int, float]],
                     ahead: Mapping[str, int] | None = None) -> Latest:
    """Latest from each raw's newest (epoch ms, value); `ahead`: each raw's samples stamped in the future."""
    if not last:
        return Latest(at=None, values={})
    newest = max(ms for ms, _ in last.values())
    raw_values = {raw: float(v) for raw, (_, v) in last.items()}
    row = pd.DataFrame({k: [v] for k, v in raw_values.items()}, index=ms_index([newest]), dtype=float)
    canonical = provider.to_canonical(row, tag)
    values = {m: float(canonical[m].iloc[0]) for m in canonical.columns
              if ":" not in m and not np.isnan(canonical[m].iloc[0])}
    codes = provider.active_alarms(raw_values, tag)
    return Latest(at=ms_index([newest])[0], values=values, alarm_codes=tuple(int(c) for c in codes if c),
                  **per_metric_times(provider, tag, last, ahead or {}))


def per_metric_times(provider: Provider, tag: str, last: Mapping[str, tuple[int, float]],
                     ahead: Mapping[str, int]) -> dict[str, Any]:
    """Latest.sampled_at and Latest.future: a metric is as fresh as its stalest input, and has the future
    samples of all its inputs."""
    sampled: dict[str, pd.Timestamp] = {}
    future: dict[str, int] = {}
    for metric in provider.metrics(tag):
        raws = provider.provided_by(metric, tag, last)
        if raws:
            sampled[metric] = ms_index([min(last[r][0] for r in raws)])[0]
        raws = provider.provided_by(metric, tag, set(last) | set(ahead)) or ()
        if sum(ahead.get(r, 0) for r in raws):
            future[metric] = int(sum(ahead.get(r, 0) for r in raws))
    return {"sampled_at": sampled, "future": future}
