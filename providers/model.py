"""The records a brand file is loaded into, and the Provider every source and chart talks to.

Code never asks which brand it runs on; it asks the Provider: which raw series to query
(`raw_names`), how to aggregate each (`raw_aggregation`), how to turn them into canonical metrics
(`to_canonical`), which alarms are active and what they mean, and — for the few decisions that differ
between brands — the typed `Roles`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from generator.errors import ProviderError
from generator.metrics import BY_NAME, Kind, TEMPERATURES
from providers.transforms import (
    BITS, ENUM, LAST, MEAN, TIME_WEIGHTED, AuxPercent, AuxSteps, Bits, Direct, Transform, bit_column,
    enum_column, first_available,
)
from providers.transforms import Enum as EnumValues  # `Enum` below is the stdlib one

TAGS = ("name", "register_id")  # the tags existing installs write; source.tag picks one
LANGUAGES = ("sv", "en")
PLACEHOLDER = {"sv": "Larm {code}", "en": "Alarm {code}"}

# How a canonical metric's raw input is aggregated per bucket, by the metric's kind.
AGGREGATION_OF_KIND: Mapping[Kind, str] = MappingProxyType({
    Kind.TEMPERATURE: MEAN,
    Kind.FREQUENCY: MEAN,
    Kind.STATE: TIME_WEIGHTED,
    Kind.POWER: TIME_WEIGHTED,
    Kind.COUNTER: LAST,
    Kind.CODE: LAST,
})


@dataclass(frozen=True)
class ProviderDefaults:
    flow_factor_kw_per_k: float = 2.7       # heat ≈ radiator ΔT × this, without a heat meter
    carnot_efficiency: float = 0.5          # share of the Carnot COP reached, without meter or ΔT
    aux_step_w: tuple[float, ...] = ()      # power of each add-heat step, W
    alarm_code_base: int | None = None      # numbering of raw alarm codes on this install's path


@dataclass(frozen=True)
class AlarmInfo:
    code: int
    text_sv: str | None
    text_en: str | None
    translated: str | None    # "sv": the Swedish text is our translation of the sourced English; "en" the reverse
    source: str | None        # where the text comes from; None = no source
    severity: str | None      # only where a source gives it
    verified: bool = True     # False: a text circulates but has no public source

    @property
    def shown(self) -> bool:
        """Texts are shown only when sourced and verified; otherwise 'Larm <code>'."""
        return self.verified and bool(self.source)


@dataclass(frozen=True)
class CodeNumbering:
    """How raw codes on one path become table codes: table = raw + add; `none` raw values mean no alarm."""

    add: int = 0
    none: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class BitAlarm:
    """One bit of a bit-field alarm register: several can be set at once."""

    raw: str
    mask: int
    code: int


@dataclass(frozen=True)
class TagMapping:
    """Everything one tag (name or register_id) maps."""

    metrics: Mapping[str, tuple[Transform, ...]]   # canonical metric -> alternatives, first wins
    alarm_bits: tuple[BitAlarm, ...] = ()


@dataclass(frozen=True)
class AlarmRules:
    latched: bool = False          # the code is "the last alarm": active only while alarm_active > 0
    numbering: Mapping[int, CodeNumbering] = field(default_factory=lambda: MappingProxyType({}))
    table: Mapping[int, AlarmInfo] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ShareColumn:
    """A column a source delivers for an enumerated or bit-field raw: the share (0–1) of each bucket
    during which `raw == operand` (kind enum) or `raw & operand != 0` (kind bits)."""

    column: str
    raw: str
    kind: str
    operand: float

    def matches(self, values: pd.Series) -> pd.Series:
        """Per sample 1.0/0.0 (NaN stays NaN): what a source averages time-weighted per bucket."""
        known = values.notna()
        if self.kind == ENUM:
            hit = values == self.operand
        else:
            hit = (values.where(known, 0).round().astype("int64") & int(self.operand)) != 0
        return hit.astype(float).where(known)


# --- the roles code may ask about, instead of `if brand == ...` --------------------------------------
class AlarmStyle(str, Enum):
    CODE = "code"                  # one register holds the active code (NIBE, generic)
    LATCHED_CODE = "latched_code"  # the code is the last alarm; a flag says whether it is active (IVT)
    BITS = "bits"                  # bit-field registers: several alarms at once (Thermia via ThermIQ)


class HeatSource(str, Enum):
    METER = "meter"        # heat_output or energy_heat from a heat meter
    DELTA_T = "delta_t"    # supply − return × flow factor
    CARNOT = "carnot"      # estimated from temperatures and the Carnot efficiency


class AuxPower(str, Enum):
    MEASURED = "measured"
    FROM_PERCENT = "from_percent"  # add-heat % × configured step powers
    FROM_STEPS = "from_steps"      # step on/off × configured step powers
    NONE = "none"


@dataclass(frozen=True)
class Roles:
    metrics: frozenset[str]
    alarm_styles: frozenset[AlarmStyle]
    heat_source: HeatSource
    aux_power: AuxPower
    hot_water_heat_meter: bool     # energy_heat_hot_water: COP can be split heating / hot water
    inverter: bool                 # compressor_freq exists


@dataclass(frozen=True, eq=False)  # identity: load_provider caches one instance per brand and overrides
class Provider:
    name: str
    display_name: str
    colours: Mapping[str, str]
    defaults: ProviderDefaults
    tags: Mapping[str, TagMapping]
    alarms: AlarmRules
    path: str = ""

    # --- what to query -----------------------------------------------------------------------------
    def raw_names(self, tag: str) -> tuple[str, ...]:
        """The raw names (tag "name") or register ids (tag "register_id") a source must query."""
        mapping = self._mapping(tag)
        names: dict[str, None] = {}
        for alternatives in mapping.metrics.values():
            for alt in alternatives:
                names.update(dict.fromkeys(alt.inputs()))
        names.update(dict.fromkeys(b.raw for b in mapping.alarm_bits))
        return tuple(names)

    def raw_inputs(self, metric: str, tag: str) -> tuple[str, ...]:
        """The raws one canonical metric is computed from (alarm metrics include the alarm bits and,
        for a latched code, its flag): what a source fetches for state_changes(metrics)."""
        mapping = self._mapping(tag)
        wanted = [metric]
        if metric in ("alarm_code", "alarm_active"):
            wanted = ["alarm_code", "alarm_active"]
        names: dict[str, None] = {}
        for m in wanted:
            for alt in mapping.metrics.get(m, ()):
                names.update(dict.fromkeys(alt.inputs()))
        if metric in ("alarm_code", "alarm_active"):
            names.update(dict.fromkeys(b.raw for b in mapping.alarm_bits))
        return tuple(names)

    def raw_aggregation(self, raw: str, tag: str) -> str:
        """mean | time_weighted | last | enum | bits — see docs/providers.md for what a source does."""
        found = _aggregations(self._mapping(tag)).get(raw)
        if found is None:
            raise ProviderError(f"provider {self.name}: {raw!r} is not a raw series of tag {tag!r}; "
                                f"ask for one of raw_names({tag!r})")
        return found

    def share_columns(self, raw: str, tag: str) -> tuple[ShareColumn, ...]:
        """For an enum or bits raw: the share columns a source delivers instead of bucket means."""
        mapping = self._mapping(tag)
        found: dict[str, ShareColumn] = {}
        for alternatives in mapping.metrics.values():
            for alt in alternatives:
                for part in _parts(alt):
                    if isinstance(part, Bits) and part.raw == raw:
                        col = bit_column(raw, part.mask)
                        found[col] = ShareColumn(col, raw, BITS, float(part.mask))
                    elif isinstance(part, EnumValues) and part.raw == raw:
                        for v in part.values:
                            col = enum_column(raw, v)
                            found[col] = ShareColumn(col, raw, ENUM, float(v))
        for bit in mapping.alarm_bits:
            if bit.raw == raw:
                col = bit_column(raw, bit.mask)
                found[col] = ShareColumn(col, raw, BITS, float(bit.mask))
        return tuple(found.values())

    def metrics(self, tag: str) -> tuple[str, ...]:
        """Canonical metrics this provider can compute from tag `tag` (given the data is there)."""
        mapping = self._mapping(tag)
        names = [m for m, alts in mapping.metrics.items() if any(self._computable(a) for a in alts)]
        if mapping.alarm_bits or "alarm_code" in names:  # alarm_active is derived from the code or bits
            names += [m for m in ("alarm_active", "alarm_code") if m not in names]
        return tuple(names)

    def roles(self, tag: str, available: Iterable[str] | None = None) -> Roles:
        """The brand-dependent decisions, typed. `available`: canonical columns actually present in the
        data (e.g. a frame's columns), so a generic install without a heat meter is not told it has one."""
        have = frozenset(self.metrics(tag))
        if available is not None:
            have &= frozenset(available)
        mapping = self._mapping(tag)
        styles: set[AlarmStyle] = set()
        if "alarm_code" in mapping.metrics and "alarm_code" in have:
            styles.add(AlarmStyle.LATCHED_CODE if self.alarms.latched else AlarmStyle.CODE)
        if mapping.alarm_bits and "alarm_code" in have:
            styles.add(AlarmStyle.BITS)
        if {"heat_output", "energy_heat"} & have:
            heat = HeatSource.METER
        elif {"supply_temp", "return_temp"} <= have:
            heat = HeatSource.DELTA_T
        else:
            heat = HeatSource.CARNOT
        aux_alts = [a for a in mapping.metrics.get("aux_heater_power", ()) if self._computable(a)]
        if not aux_alts or "aux_heater_power" not in have:
            aux = AuxPower.NONE
        elif isinstance(aux_alts[0], AuxPercent):
            aux = AuxPower.FROM_PERCENT
        elif isinstance(aux_alts[0], AuxSteps):
            aux = AuxPower.FROM_STEPS
        else:
            aux = AuxPower.MEASURED
        return Roles(have, frozenset(styles), heat, aux, "energy_heat_hot_water" in have,
                     "compressor_freq" in have)

    # --- raw -> canonical ----------------------------------------------------------------------------
    def to_canonical(self, raw: pd.DataFrame, tag: str) -> pd.DataFrame:
        """Canonical columns from raw columns (bucket aggregates or full-resolution samples).

        Only computable metrics appear. Band columns "<raw>:min"/"<raw>:max" of directly mapped
        temperatures become "<metric>:min"/"<metric>:max". Alarm codes come out in table numbering,
        0 = none; a latched code (IVT) is 0 while its flag says no alarm.
        """
        mapping = self._mapping(tag)
        steps = self.defaults.aux_step_w
        out: dict[str, pd.Series] = {}
        for metric, alternatives in mapping.metrics.items():
            series = first_available(alternatives, raw, steps)
            if series is not None:
                out[metric] = series
            if metric in TEMPERATURES:
                for which in ("min", "max"):
                    bands = [Direct(f"{a.raw}:{which}", a.scale) for a in alternatives if isinstance(a, Direct)]
                    band = first_available(bands, raw, steps)
                    if band is not None:
                        out[f"{metric}:{which}"] = band
        self._alarm_columns(raw, out, mapping)
        return pd.DataFrame(out, index=raw.index, dtype=float)

    def active_alarms(self, latest_raw: Mapping[str, float], tag: str) -> tuple[int, ...]:
        """Codes (table numbering) active now, from the newest raw value of each series."""
        row = {k: [float(v)] for k, v in latest_raw.items() if v is not None and not _isnan(v)}
        frame = pd.DataFrame(row, index=[0], dtype=float) if row else pd.DataFrame(index=[0])
        mapping = self._mapping(tag)
        codes: set[int] = set()
        code = self._code_series(frame, mapping)
        if code is not None and not np.isnan(code.iloc[0]) and code.iloc[0] != 0:
            codes.add(int(code.iloc[0]))
        for bit in mapping.alarm_bits:
            if bit.raw in frame:
                if (int(round(frame[bit.raw].iloc[0])) & bit.mask) != 0:
                    codes.add(bit.code)
        return tuple(sorted(codes))

    # --- alarm texts ---------------------------------------------------------------------------------
    def alarm_info(self, code: int) -> AlarmInfo | None:
        return self.alarms.table.get(int(code))

    def alarm_text(self, code: int, language: str) -> str:
        """The sourced (or marked-translated) text; "Larm <code>"/"Alarm <code>" when unknown or unverified."""
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: use one of {', '.join(LANGUAGES)}")
        info = self.alarm_info(code)
        text = None
        if info is not None and info.shown:
            text = info.text_sv if language == "sv" else info.text_en
        return text or PLACEHOLDER[language].format(code=int(code))

    # --- internals -------------------------------------------------------------------------------------
    def _mapping(self, tag: str) -> TagMapping:
        if tag not in TAGS:
            raise ProviderError(f"provider {self.name}: tag {tag!r} is not known; set source.tag to one of: "
                                f"{', '.join(TAGS)}")
        return self.tags.get(tag) or TagMapping(MappingProxyType({}))

    def _computable(self, alt: Transform) -> bool:
        return not (isinstance(alt, AuxPercent) and not self.defaults.aux_step_w) and not (
            isinstance(alt, AuxSteps) and len(self.defaults.aux_step_w) < len(alt.steps))

    def _numbering(self) -> CodeNumbering:
        base = self.defaults.alarm_code_base
        return self.alarms.numbering.get(base, CodeNumbering()) if base is not None else CodeNumbering()

    def _code_series(self, raw: pd.DataFrame, mapping: TagMapping) -> pd.Series | None:
        """The alarm-code register in table numbering, 0 = none, gated by the flag when latched."""
        alternatives = mapping.metrics.get("alarm_code")
        code = first_available(alternatives, raw, ()) if alternatives else None
        if code is None:
            return None
        numbering = self._numbering()
        rounded = code.round()
        code = (rounded + numbering.add).where(~rounded.isin(numbering.none), 0.0).where(rounded.notna())
        if self.alarms.latched:
            flag_alts = mapping.metrics.get("alarm_active")
            flag = first_available(flag_alts, raw, ()) if flag_alts else None
            if flag is None:
                return None  # "the last alarm" says nothing about now without its flag
            code = code.where(flag > 0, 0.0).where(flag.notna())
        return code

    def _alarm_columns(self, raw: pd.DataFrame, out: dict[str, pd.Series], mapping: TagMapping) -> None:
        code = self._code_series(raw, mapping)
        if code is None:
            out.pop("alarm_code", None)
        else:
            out["alarm_code"] = code
            if "alarm_active" not in out:
                out["alarm_active"] = (code != 0).astype(float).where(code.notna())
        present = sorted((b for b in mapping.alarm_bits if b.raw in raw or bit_column(b.raw, b.mask) in raw),
                         key=lambda b: b.code)
        if not present:
            return
        bits = pd.concat([Bits(b.raw, b.mask).apply(raw).rename(b.code) for b in present], axis=1)
        # For share columns the max is the share of the worst single alarm: a lower bound of "any".
        any_bit = bits.max(axis=1)
        lowest = bits.gt(0).idxmax(axis=1).astype(float).where(bits.gt(0).any(axis=1), 0.0).where(any_bit.notna())
        if "alarm_active" in out:  # a flag register and bit alarms: active when either says so
            any_bit = pd.concat([out["alarm_active"], any_bit], axis=1).max(axis=1)
        out["alarm_active"] = any_bit
        if "alarm_code" in out:
            out["alarm_code"] = out["alarm_code"].where(out["alarm_code"].fillna(0) != 0, lowest)
        else:
            out["alarm_code"] = lowest


def _parts(alt: Transform) -> tuple[Any, ...]:
    if isinstance(alt, AuxSteps):
        return alt.steps
    if hasattr(alt, "terms"):
        return alt.terms
    return (alt,)


def _aggregations(mapping: TagMapping) -> dict[str, str]:
    found: dict[str, str] = {}
    for metric, alternatives in mapping.metrics.items():
        for alt in alternatives:
            found.update(alt.aggregation(AGGREGATION_OF_KIND[BY_NAME[metric].kind]))
    for bit in mapping.alarm_bits:
        found[bit.raw] = BITS
    return found


def _isnan(v: Any) -> bool:
    try:
        return bool(np.isnan(float(v)))
    except (TypeError, ValueError):
        return False

