"""Value transforms, as data: how one canonical metric is computed from raw columns, and how each kind
is written in a brand file (parse()).

Each kind is a frozen record with `inputs()` (the raw names it reads), `shares()` (the share columns it
needs a source to deliver, for enumerations and bit fields), `apply(frame, aux_step_w)` (the canonical
series, or None when the frame lacks an input), `coverage(frame)` (the covered share of each bucket: the
least of its inputs') and `renamed(names)` (the same transform on other raw names, e.g. register ids).
Kinds: Direct (scale), Bits (mask), Enum (values that mean 1), Above (on while raw > threshold), Sum (of
scaled terms), AuxPercent (add-heat % × the configured step powers), AuxSteps (Σ step on × step power).

Enumerations, bit fields and thresholds cannot be mapped on bucket means (the mean of priority 20 and 30
is 25), so a source hands them over either per sample (the raw column itself, at full resolution) or as
the share of each bucket's covered time during which the value matched: ShareColumn.column.

Why over 300 lines: each kind's record and its parser sit together on purpose, so a new kind of
transform touches this file alone.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Protocol, Sequence, Union

import numpy as np
import pandas as pd

from generator.core.metrics import coverage_column

ENUM = "enum"
BITS = "bits"
ABOVE = "above"


@dataclass(frozen=True)
class ShareColumn:
    """A column a source delivers for an enumerated, bit-field or thresholded raw: the share (0–1) of each
    bucket's covered time during which `raw == operand` (enum), `raw & operand != 0` (bits) or
    `raw > operand` (above)."""

    raw: str
    kind: str
    operand: float

    @property
    def column(self) -> str:
        sign = {ENUM: "==", BITS: "&", ABOVE: ">"}[self.kind]
        operand = int(self.operand) if self.kind == BITS else self.operand
        return f"{self.raw}{sign}{_number(operand)}"

    def matches(self, values: pd.Series) -> pd.Series:
        """Per sample 1.0/0.0 (NaN stays NaN): what a source averages, held, per bucket."""
        known = values.notna()
        if self.kind == ENUM:
            hit = values == self.operand
        elif self.kind == ABOVE:
            hit = values > self.operand
        else:
            hit = (values.where(known, 0).round().astype("int64") & int(self.operand)) != 0
        return hit.astype(float).where(known)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _cov(frame: pd.DataFrame, raws: Sequence[str]) -> pd.Series:
    """The least covered share of `raws` per bucket; 1 where a frame carries no coverage (samples)."""
    parts = [frame[coverage_column(r)] for r in raws if coverage_column(r) in frame]
    if not parts:
        return pd.Series(1.0, index=frame.index)
    return pd.concat(parts, axis=1).min(axis=1, skipna=False).fillna(0.0)


@dataclass(frozen=True)
class Direct:
    """canonical = raw × scale + offset (also maps "<raw>:min"/"<raw>:max" band columns).  The offset is for
    held values only (°F → °C): a counter's increase takes none, which the site config's mapping checks."""

    raw: str
    scale: float = 1.0
    offset: float = 0.0

    def inputs(self) -> tuple[str, ...]:
        return (self.raw,)

    def shares(self) -> tuple[ShareColumn, ...]:
        return ()

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        if self.raw not in frame:
            return None
        return frame[self.raw].astype(float) * self.scale + self.offset

    def coverage(self, frame: pd.DataFrame) -> pd.Series:
        return _cov(frame, self.inputs())

    def renamed(self, names: Mapping[str, str]) -> "Direct":
        return replace(self, raw=names[self.raw])


class _Shared:
    """What Bits, Enum and Above share: one raw, read per sample or through share columns."""

    raw: str

    def inputs(self) -> tuple[str, ...]:
        return (self.raw,)

    def shares(self) -> tuple[ShareColumn, ...]:
        raise NotImplementedError

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        shares = self.shares()
        if all(s.column in frame for s in shares):  # shares of disjoint matches add up
            return frame[[s.column for s in shares]].astype(float).sum(axis=1, min_count=len(shares))
        if self.raw not in frame:
            return None
        values = frame[self.raw].astype(float)
        hits = pd.concat([s.matches(values) for s in shares], axis=1)
        return hits.max(axis=1).where(values.notna())

    def coverage(self, frame: pd.DataFrame) -> pd.Series:
        return _cov(frame, self.inputs())

    def renamed(self, names: Mapping[str, str]) -> Any:
        return replace(self, raw=names[self.raw])  # type: ignore[type-var]


@dataclass(frozen=True)
class Bits(_Shared):
    """canonical = 1 while (raw & mask) != 0, else 0."""

    raw: str
    mask: int

    def shares(self) -> tuple[ShareColumn, ...]:
        return (ShareColumn(self.raw, BITS, float(self.mask)),)


@dataclass(frozen=True)
class Enum(_Shared):
    """canonical = 1 while raw is one of `values`, else 0 (NIBE priority 20 → hot water)."""

    raw: str
    values: tuple[float, ...]

    def shares(self) -> tuple[ShareColumn, ...]:
        return tuple(ShareColumn(self.raw, ENUM, float(v)) for v in self.values)


@dataclass(frozen=True)
class Above(_Shared):
    """canonical = 1 while raw > threshold, else 0 (add-heat on while its power or percent is above 0)."""

    raw: str
    threshold: float = 0.0

    def shares(self) -> tuple[ShareColumn, ...]:
        return (ShareColumn(self.raw, ABOVE, float(self.threshold)),)


@dataclass(frozen=True)
class Sum:
    """canonical = Σ raw_i × scale_i; NaN where any term is missing (a partial sum would mislead)."""

    terms: tuple[Direct, ...]

    def inputs(self) -> tuple[str, ...]:
        return tuple(t.raw for t in self.terms)

    def shares(self) -> tuple[ShareColumn, ...]:
        return ()

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        parts = [t.apply(frame) for t in self.terms]
        if any(p is None for p in parts):
            return None
        table = pd.concat(parts, axis=1)
        return table.sum(axis=1).where(table.notna().all(axis=1))

    def coverage(self, frame: pd.DataFrame) -> pd.Series:
        return _cov(frame, self.inputs())

    def renamed(self, names: Mapping[str, str]) -> "Sum":
        return Sum(tuple(t.renamed(names) for t in self.terms))


@dataclass(frozen=True)
class AuxPercent:
    """add-heat power (W) = raw % ÷ 100 × Σ configured step powers."""

    raw: str

    def inputs(self) -> tuple[str, ...]:
        return (self.raw,)

    def shares(self) -> tuple[ShareColumn, ...]:
        return ()

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        if self.raw not in frame or not aux_step_w:
            return None
        return frame[self.raw].astype(float) / 100.0 * float(sum(aux_step_w))

    def coverage(self, frame: pd.DataFrame) -> pd.Series:
        return _cov(frame, self.inputs())

    def renamed(self, names: Mapping[str, str]) -> "AuxPercent":
        return AuxPercent(names[self.raw])


@dataclass(frozen=True)
class AuxSteps:
    """add-heat power (W) = Σ step_i on (0/1, or its held mean) × configured power of step i."""

    steps: tuple[Union[Direct, Bits], ...]

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for s in self.steps for r in s.inputs()))

    def shares(self) -> tuple[ShareColumn, ...]:
        return tuple(c for s in self.steps for c in s.shares())

    def apply(self, frame: pd.DataFrame, aux_step_w: Sequence[float] = ()) -> pd.Series | None:
        if len(aux_step_w) < len(self.steps):
            return None
        parts = [s.apply(frame) for s in self.steps]
        if any(p is None for p in parts):
            return None
        weighted = pd.concat([p * float(w) for p, w in zip(parts, aux_step_w)], axis=1)
        return weighted.sum(axis=1).where(weighted.notna().all(axis=1))

    def coverage(self, frame: pd.DataFrame) -> pd.Series:
        return _cov(frame, self.inputs())

    def renamed(self, names: Mapping[str, str]) -> "AuxSteps":
        return AuxSteps(tuple(s.renamed(names) for s in self.steps))


Transform = Union[Direct, Bits, Enum, Above, Sum, AuxPercent, AuxSteps]


def computable(transform: Transform, aux_step_w: Sequence[float]) -> bool:
    """False for add-heat transforms that need step powers the install has not configured."""
    if isinstance(transform, AuxPercent):
        return bool(aux_step_w)
    if isinstance(transform, AuxSteps):
        return len(aux_step_w) >= len(transform.steps)
    return True


def first_available(alternatives: Sequence[Transform], frame: pd.DataFrame,
                    aux_step_w: Sequence[float]) -> tuple[pd.Series, pd.Series] | None:
    """(values, covered share) combining the alternatives in order: each fills the gaps the earlier ones
    left (a NIBE install that moved from the H66 gateway to Modbus keeps one continuous series)."""
    result: pd.Series | None = None
    cov: pd.Series | None = None
    for alt in alternatives:
        series = alt.apply(frame, aux_step_w)
        if series is None:
            continue
        series = series.astype(float).replace([np.inf, -np.inf], np.nan)
        share = alt.coverage(frame).where(series.notna(), 0.0)
        if result is None:
            result, cov = series, share
        else:
            gap = result.isna()
            result = result.where(~gap, series)
            cov = cov.where(~gap, share)
    if result is None or cov is None:
        return None
    return result, cov


# --- parsing: how each kind is written in a brand file ------------------------------------------------
class Problems(Protocol):
    def add(self, key: str, problem: str, fix: str) -> None: ...


KINDS = ("raw", "bits", "enum", "above", "sum", "aux_percent", "aux_steps")


def parse(item: Any, key: str, check: Problems, allowed: tuple[str, ...] = KINDS) -> Transform | None:
    """One alternative as written in a brand file: a raw name, or a mapping with exactly one kind."""
    if isinstance(item, str):
        item = {"raw": item}
    if not isinstance(item, dict):
        check.add(key, f"{item!r} is not a raw name or transform", _quote_hint(item, allowed))
        return None
    kinds = [k for k in allowed if k in item]
    if len(kinds) != 1:
        check.add(key, f"needs exactly one of {', '.join(allowed)}", "e.g. {raw: outdoor_temp} or {raw: '0007', scale: 0.1}")
        return None
    kind = kinds[0]
    extra = set(item) - {kind, "scale"} if kind == "raw" else set(item) - {kind}
    if extra:
        check.add(key, f"unexpected keys {sorted(extra)}", "scale belongs beside raw; other kinds take their fields inside")
    if kind == "raw":
        return _direct(item, key, check)
    return _PARSERS[kind](item[kind], f"{key}.{kind}", check)


def _direct(item: dict[str, Any], key: str, check: Problems) -> Direct | None:
    raw, scale = item.get("raw"), item.get("scale", 1.0)
    if not raw_ok(raw):
        check.add(f"{key}.raw", f"{raw!r} is not a text", _quote_hint(raw, ("raw",)))
        return None
    if not _is_number(scale) or scale == 0:
        check.add(f"{key}.scale", f"{scale!r} is not a non-zero number", "use e.g. scale: 0.1 or scale: 1000")
        return None
    return Direct(raw, float(scale))


def _bits(body: Any, key: str, check: Problems) -> Bits | None:
    if not isinstance(body, dict) or not raw_ok(body.get("raw")) or not mask_ok(body.get("mask")) \
            or set(body) - {"raw", "mask"}:
        check.add(key, "needs raw and a mask above 0", "e.g. bits: {raw: r10, mask: 0x02}")
        return None
    return Bits(str(body["raw"]), int(body["mask"]))


def _enum(body: Any, key: str, check: Problems) -> Enum | None:
    # `values`, not `on`: YAML 1.1 reads a bare `on` key as the boolean true.
    if not isinstance(body, dict) or not raw_ok(body.get("raw")) or not isinstance(body.get("values"), list) \
            or not body["values"] or not all(_is_number(v) for v in body["values"]) or set(body) - {"raw", "values"}:
        check.add(key, "needs raw and a non-empty list of numbers `values` (the raw values that mean 1)",
                  "e.g. enum: {raw: prio-43086, values: [20]}")
        return None
    return Enum(str(body["raw"]), tuple(float(v) for v in body["values"]))


def _above(body: Any, key: str, check: Problems) -> Above | None:
    if not isinstance(body, dict) or not raw_ok(body.get("raw")) or not _is_number(body.get("threshold", 0)) \
            or set(body) - {"raw", "threshold"}:
        check.add(key, "needs raw and optionally a number `threshold` (on while raw > threshold)",
                  "e.g. above: {raw: int-el-add-power-43084, threshold: 0}")
        return None
    return Above(str(body["raw"]), float(body.get("threshold", 0)))


def _sum(body: Any, key: str, check: Problems) -> Sum | None:
    if not isinstance(body, list) or len(body) < 2:
        check.add(key, "needs a list of at least two terms", "e.g. sum: [{raw: a, scale: 1000}, {raw: b, scale: 1000}]")
        return None
    terms = [parse(t, f"{key}[{i}]", check, ("raw",)) for i, t in enumerate(body)]
    return Sum(tuple(t for t in terms if isinstance(t, Direct))) if all(terms) else None


def _aux_percent(body: Any, key: str, check: Problems) -> AuxPercent | None:
    if not isinstance(body, dict) or not raw_ok(body.get("raw")) or set(body) - {"raw"}:
        check.add(key, "needs raw", "e.g. aux_percent: {raw: additional_heat_percent}")
        return None
    return AuxPercent(str(body["raw"]))


def _aux_steps(body: Any, key: str, check: Problems) -> AuxSteps | None:
    if not isinstance(body, list) or not body:
        check.add(key, "needs a list of steps", "e.g. aux_steps: [{raw: add_heat_step_1}, {bits: {raw: r0d, mask: 0x02}}]")
        return None
    steps = [parse(s, f"{key}[{i}]", check, ("raw", "bits")) for i, s in enumerate(body)]
    return AuxSteps(tuple(s for s in steps if isinstance(s, (Direct, Bits)))) if all(steps) else None


_PARSERS: dict[str, Callable[[Any, str, Problems], Transform | None]] = {
    "bits": _bits, "enum": _enum, "above": _above, "sum": _sum, "aux_percent": _aux_percent,
    "aux_steps": _aux_steps,
}


def raw_ok(raw: Any) -> bool:
    return isinstance(raw, str) and bool(raw.strip())


def mask_ok(mask: Any) -> bool:
    return isinstance(mask, int) and not isinstance(mask, bool) and mask > 0


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _quote_hint(value: Any, allowed: tuple[str, ...]) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return "quote register ids ('0001', '9124'): unquoted, YAML reads them as numbers"
    return f"give a raw name as text or a mapping with one of {', '.join(allowed)}"
