"""The records a brand file is loaded into (providers/loader.py builds them; providers/model.py uses them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from providers.transforms import Transform

TAGS = ("name", "register_id")  # the tags existing installs write; source.tag picks one


@dataclass(frozen=True)
class ProviderDefaults:
    flow_factor_kw_per_k: float = 2.7       # heat ≈ radiator ΔT × this, without a heat meter
    heat_carrier_flow_factor_kw_per_k: float = 1.0  # heat ≈ heat-carrier ΔT × this (the condenser pair)
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
class AlarmRules:
    latched: bool = False          # the code is "the last alarm": active only while alarm_active > 0
    numbering: Mapping[int, CodeNumbering] = field(default_factory=lambda: MappingProxyType({}))
    table: Mapping[int, AlarmInfo] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class TagMapping:
    """Everything one tag (name or register_id) maps: per canonical metric its alternatives, first wins
    and later ones fill its gaps."""

    metrics: Mapping[str, tuple[Transform, ...]]
    alarm_bits: tuple[BitAlarm, ...] = ()

    def raw_names(self) -> tuple[str, ...]:
        """Every raw name (or register id) this mapping reads, once each, in mapping order."""
        names = [raw for alternatives in self.metrics.values() for alt in alternatives for raw in alt.inputs()]
        return tuple(dict.fromkeys(names + [b.raw for b in self.alarm_bits]))


@dataclass(frozen=True)
class Layout:
    """One way a brand's data reaches a database: a collector's names (and register ids) for each metric.

    `mappings` holds a TagMapping per tag the layout can be read under: always `name`, and `register_id`
    where the brand file gives each name's register.  `register_table` names the table its registers come
    from (e.g. "nibe:s1155_s1255", the nibe package's data/s1155_s1255.json), for the tests that check
    every name against it.
    """

    id: str
    description: str
    mappings: Mapping[str, TagMapping]
    register_table: str | None = None
    registers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # raw name -> register id

    def raw_names(self, tag: str) -> tuple[str, ...]:
        mapping = self.mappings.get(tag)
        return mapping.raw_names() if mapping is not None else ()
