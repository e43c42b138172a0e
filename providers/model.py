"""The Provider every source and chart talks to.

Code never asks which brand it runs on; it asks the Provider: which raw series to query (`raw_names`),
how to read each (`raw_reading`, `share_columns`), how to turn them into canonical metrics
(`to_canonical`), which alarms are active and what they mean, and — for the few decisions that differ
between brands — the typed `Roles` (providers/roles.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

import pandas as pd

from generator.core.errors import ProviderError
from generator.core.metrics import (
    BY_NAME,
    TEMPERATURES,
    band_column,
    coverage_column,
    reading,
)
from providers import alarms
from providers.records import (
    TAGS,
    AlarmInfo,
    AlarmRules,
    Layout,
    ProviderDefaults,
    TagMapping,
)
from providers.roles import AlarmStyle, AuxPower, Roles, decide_heat
from providers.transforms import (
    AuxPercent,
    AuxSteps,
    Bits,
    Direct,
    ShareColumn,
    Sum,
    Transform,
    computable,
    first_available,
)

ALARM_METRICS = ("alarm_active", "alarm_code")


@dataclass(frozen=True, eq=False)  # identity: load_provider caches one instance per brand and overrides
class Provider:
    name: str
    display_name: str
    colours: Mapping[str, str]
    defaults: ProviderDefaults
    layouts: tuple[Layout, ...]
    tags: Mapping[str, TagMapping]   # per tag, every layout's alternatives in layout order
    alarms: AlarmRules
    path: str = ""

    # --- what to query -----------------------------------------------------------------------------
    def mapping(self, tag: str) -> TagMapping:
        if tag not in TAGS:
            raise ProviderError(f"provider {self.name}: tag {tag!r} is not known; set source.tag to one of: "
                                f"{', '.join(TAGS)}")
        return self.tags.get(tag) or TagMapping(MappingProxyType({}))

    def raw_names(self, tag: str) -> tuple[str, ...]:
        """The raw names (tag "name") or register ids (tag "register_id") a source must query."""
        return self.mapping(tag).raw_names()

    def raw_reading(self, raw: str, tag: str) -> str | None:
        """hold | increase | last: how a source reads the raw's value per bucket; None when the raw is
        read only through its share columns (enumerations, bit fields, thresholds)."""
        readings = raw_readings(self.mapping(tag))
        if raw not in readings and raw not in self.raw_names(tag):
            raise ProviderError(f"provider {self.name}: {raw!r} is not a raw series of tag {tag!r}; "
                                f"ask for one of raw_names({tag!r})")
        return readings.get(raw)

    def share_columns(self, raw: str, tag: str) -> tuple[ShareColumn, ...]:
        """For an enumerated, bit-field or thresholded raw: the share columns a source delivers."""
        mapping = self.mapping(tag)
        found: dict[str, ShareColumn] = {}
        for alternatives in mapping.metrics.values():
            for alt in alternatives:
                for share in alt.shares():
                    if share.raw == raw:
                        found[share.column] = share
        for bit in mapping.alarm_bits:
            if bit.raw == raw:
                share = Bits(bit.raw, bit.mask).shares()[0]
                found[share.column] = share
        return tuple(found.values())

    def raws_for(self, metrics: Iterable[str], tag: str) -> tuple[str, ...]:
        """The raws the given metrics are computed from (alarm metrics read each other's raws and the
        alarm bits): what a source fetches for state_changes(metrics)."""
        mapping = self.tags.get(tag)
        if mapping is None:
            return ()
        wanted = {m for m in metrics if m in BY_NAME}
        if wanted & set(ALARM_METRICS):
            wanted |= set(ALARM_METRICS)
        raws: dict[str, None] = {}
        for metric in sorted(wanted):
            for alt in mapping.metrics.get(metric, ()):
                raws.update(dict.fromkeys(alt.inputs()))
        if wanted & set(ALARM_METRICS):
            raws.update(dict.fromkeys(b.raw for b in mapping.alarm_bits))
        return tuple(raws)

    def metrics(self, tag: str) -> tuple[str, ...]:
        """Canonical metrics this provider can compute from tag `tag` (given the data is there)."""
        mapping = self.mapping(tag)
        steps = self.defaults.aux_step_w
        names = [m for m, alts in mapping.metrics.items() if any(computable(a, steps) for a in alts)]
        if mapping.alarm_bits or "alarm_code" in names:  # alarm_active is derived from the code or bits
            names += [m for m in ALARM_METRICS if m not in names]
        return tuple(names)

    def provided_by(self, metric: str, tag: str, held: Iterable[str]) -> tuple[str, ...] | None:
        """The raw names of the first alternative for `metric` whose inputs are all held, or None."""
        have = set(held)
        for alt in self.mapping(tag).metrics.get(metric, ()):
            if computable(alt, self.defaults.aux_step_w) and set(alt.inputs()) <= have:
                return alt.inputs()
        if metric in ALARM_METRICS:
            bits = [b.raw for b in self.mapping(tag).alarm_bits if b.raw in have]
            if bits:
                return tuple(dict.fromkeys(bits))
        return None

    def roles(self, tag: str, available: Iterable[str] | None = None) -> Roles:
        """The brand-dependent decisions, typed. `available`: canonical columns actually present in the
        data (e.g. a frame's columns), so a generic install without a heat meter is not told it has one."""
        have = frozenset(self.metrics(tag))
        if available is not None:
            have &= frozenset(available)
        mapping = self.mapping(tag)
        styles: set[AlarmStyle] = set()
        if "alarm_code" in mapping.metrics and "alarm_code" in have:
            styles.add(AlarmStyle.LATCHED_CODE if self.alarms.latched else AlarmStyle.CODE)
        if mapping.alarm_bits and "alarm_code" in have:
            styles.add(AlarmStyle.BITS)
        aux_alts = [a for a in mapping.metrics.get("aux_heater_power", ()) if computable(a, self.defaults.aux_step_w)]
        if not aux_alts or "aux_heater_power" not in have:
            aux = AuxPower.NONE
        elif isinstance(aux_alts[0], AuxPercent):
            aux = AuxPower.FROM_PERCENT
        elif isinstance(aux_alts[0], AuxSteps):
            aux = AuxPower.FROM_STEPS
        else:
            aux = AuxPower.MEASURED
        return Roles(have, frozenset(styles), decide_heat(have), aux, "energy_heat_hot_water" in have,
                     "compressor_freq" in have)

    # --- raw -> canonical ----------------------------------------------------------------------------
    def to_canonical(self, raw: pd.DataFrame, tag: str) -> pd.DataFrame:
        """Canonical columns from raw columns (bucket values with their coverage, or samples).

        Only computable metrics appear, each with its covered share coverage_column(m) (1 for samples).
        Band columns "<raw>:min"/"<raw>:max" of directly mapped temperatures become "<metric>:min"/
        "<metric>:max". Alarm codes come out in table numbering, 0 = none; a latched code (IVT) is 0 while
        its flag says no alarm.
        """
        mapping = self.mapping(tag)
        steps = self.defaults.aux_step_w
        out: dict[str, pd.Series] = {}
        for metric, alternatives in mapping.metrics.items():
            found = first_available(alternatives, raw, steps)
            if found is not None:
                out[metric], out[coverage_column(metric)] = found
            if metric in TEMPERATURES:
                for which in ("min", "max"):
                    bands = [Direct(band_column(a.raw, which), a.scale, a.offset) for a in alternatives
                             if isinstance(a, Direct)]
                    band = first_available(bands, raw, steps)
                    if band is not None:
                        out[band_column(metric, which)] = band[0]
        alarms.alarm_columns(raw, out, mapping, self.alarms, self.defaults.alarm_code_base)
        return pd.DataFrame(out, index=raw.index, dtype=float)

    def active_alarms(self, latest_raw: Mapping[str, float], tag: str) -> tuple[int, ...]:
        """Codes (table numbering) active now, from the newest raw value of each series."""
        return alarms.active_codes(latest_raw, self.mapping(tag), self.alarms, self.defaults.alarm_code_base)

    # --- alarm texts ---------------------------------------------------------------------------------
    def alarm_info(self, code: int) -> AlarmInfo | None:
        return self.alarms.table.get(int(code))

    def alarm_text(self, code: int, language: str) -> str:
        """The sourced (or marked-translated) text; "Larm <code>"/"Alarm <code>" when unknown or unverified."""
        return alarms.text(self.alarms, code, language)


def value_transforms(alt: Transform) -> tuple[Direct, ...]:
    """The parts of an alternative that read a raw's value (not its share columns)."""
    if isinstance(alt, Direct):
        return (alt,)
    if isinstance(alt, Sum):
        return alt.terms
    if isinstance(alt, AuxPercent):
        return (Direct(alt.raw),)
    if isinstance(alt, AuxSteps):
        return tuple(s for s in alt.steps if isinstance(s, Direct))
    return ()


def raw_readings(mapping: TagMapping) -> dict[str, str]:
    """raw -> how its value is read (hold | increase | last), from the kind of each metric that reads it."""
    found: dict[str, str] = {}
    for metric, alternatives in mapping.metrics.items():
        how = reading(metric)
        for alt in alternatives:
            for part in value_transforms(alt):
                found.setdefault(part.raw, how)
    return found
