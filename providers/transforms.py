"""Value transforms, as data: how one canonical metric is computed from raw columns.

Each kind is a frozen record with `inputs()` (the raw names it reads), `aggregation()` (how a source
must aggregate those raws per bucket) and `apply(frame, aux_step_w)` (the canonical series, or None when
the frame lacks an input).  Kinds: Direct (scale), Bits (mask), Enum (values that mean 1), Sum (of
scaled terms), AuxPercent (add-heat % × the configured step powers), AuxSteps (Σ step on × step power).

Enumerations and bit fields cannot be mapped on bucket means (the mean of priority 20 and 30 is 25), so
a source hands them over either per sample (the raw column itself, at full resolution) or as the share
of each bucket in which the value matched: column enum_column(raw, v) or bit_column(raw, mask).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np
import pandas as pd

# Aggregation kinds a source must honour per raw series (docs/providers.md says how).
MEAN = "mean"
TIME_WEIGHTED = "time_weighted"
LAST = "last"
ENUM = "enum"
BITS = "bits"
AGGREGATIONS = (MEAN, TIME_WEIGHTED, LAST, ENUM, BITS)


def enum_column(raw: str, value: float) -> str:
    """Column of the share of a bucket during which `raw` equalled `value`: enum_column("prio", 20) == "prio==20"."""
    return f"{raw}=={_number(value)}"


def bit_column(raw: str, mask: int) -> str:
    """Column of the share of a bucket during which `raw & mask` was non-zero: bit_column("r10", 2) == "r10&2"."""
    return f"{raw}&{int(mask)}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _masked(values: pd.Series, mask: int) -> pd.Series:
    """1.0 where the integer value has any bit of `mask` set, 0.0 where not, NaN where no sample."""
    known = values.notna()
    ints = values.where(known, 0).round().astype("int64")
    return ((ints & int(mask)) != 0).astype(float).where(known)


@dataclass(frozen=True)
class Direct:
    """canonical = raw × scale (also maps "<raw>:min"/"<raw>:max" band columns)."""

    raw: str
    scale: float = 1.0

    def inputs(self) -> tuple[str, ...]:
        return (self.raw,)

    def aggregation(self, metric_aggregation: str) -> dict[str, str]:
        return {self.raw: metric_aggregation}

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        if self.raw not in frame:
            return None
        return frame[self.raw].astype(float) * self.scale


@dataclass(frozen=True)
class Bits:
    """canonical = 1 while (raw & mask) != 0, else 0."""

    raw: str
    mask: int

    def inputs(self) -> tuple[str, ...]:
        return (self.raw,)

    def aggregation(self, metric_aggregation: str) -> dict[str, str]:
        return {self.raw: BITS}

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        share = bit_column(self.raw, self.mask)
        if share in frame:  # the source already measured the share of time the bits were set
            return frame[share].astype(float)
        if self.raw not in frame:
            return None
        return _masked(frame[self.raw].astype(float), self.mask)


@dataclass(frozen=True)
class Enum:
    """canonical = 1 while raw is one of `values`, else 0 (NIBE priority 20 → hot water)."""

    raw: str
    values: tuple[float, ...]

    def inputs(self) -> tuple[str, ...]:
        return (self.raw,)

    def aggregation(self, metric_aggregation: str) -> dict[str, str]:
        return {self.raw: ENUM}

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        shares = [enum_column(self.raw, v) for v in self.values]
        if all(s in frame for s in shares):  # shares of disjoint values add up
            return frame[shares].astype(float).sum(axis=1, min_count=len(shares))
        if self.raw not in frame:
            return None
        values = frame[self.raw].astype(float)
        return values.isin(self.values).astype(float).where(values.notna())


@dataclass(frozen=True)
class Sum:
    """canonical = Σ raw_i × scale_i; NaN where any term is missing (a partial sum would mislead)."""

    terms: tuple[Direct, ...]

    def inputs(self) -> tuple[str, ...]:
        return tuple(t.raw for t in self.terms)

    def aggregation(self, metric_aggregation: str) -> dict[str, str]:
        return {t.raw: metric_aggregation for t in self.terms}

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        parts = [t.apply(frame) for t in self.terms]
        if any(p is None for p in parts):
            return None
        table = pd.concat(parts, axis=1)
        return table.sum(axis=1).where(table.notna().all(axis=1))


@dataclass(frozen=True)
class AuxPercent:
    """add-heat power (W) = raw % ÷ 100 × Σ configured step powers."""

    raw: str

    def inputs(self) -> tuple[str, ...]:
        return (self.raw,)

    def aggregation(self, metric_aggregation: str) -> dict[str, str]:
        return {self.raw: TIME_WEIGHTED}

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        if self.raw not in frame or not aux_step_w:
            return None
        return frame[self.raw].astype(float) / 100.0 * float(sum(aux_step_w))


@dataclass(frozen=True)
class AuxSteps:
    """add-heat power (W) = Σ step_i on (0/1 or share of time) × configured power of step i."""

    steps: tuple[Union[Direct, Bits], ...]

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for s in self.steps for r in s.inputs()))

    def aggregation(self, metric_aggregation: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for step in self.steps:
            found.update(step.aggregation(TIME_WEIGHTED))
        return found

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        if len(aux_step_w) < len(self.steps):
            return None
        parts = [s.apply(frame) for s in self.steps]
        if any(p is None for p in parts):
            return None
        weighted = pd.concat([p * float(w) for p, w in zip(parts, aux_step_w)], axis=1)
        return weighted.sum(axis=1).where(weighted.notna().all(axis=1))


Transform = Union[Direct, Bits, Enum, Sum, AuxPercent, AuxSteps]


def first_available(alternatives: Sequence[Transform], frame: pd.DataFrame,
                    aux_step_w: Sequence[float]) -> pd.Series | None:
    """Combine the alternatives in order: each fills the gaps the earlier ones left (a NIBE install that
    moved from the H66 gateway to Modbus keeps one continuous series)."""
    result: pd.Series | None = None
    for alt in alternatives:
        series = alt.apply(frame, aux_step_w)
        if series is None:
            continue
        result = series if result is None else result.combine_first(series)
    if result is not None:
        result = result.astype(float).replace([np.inf, -np.inf], np.nan)
    return result
