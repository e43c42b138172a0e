"""Alarm decoding: raw alarm registers → codes in the brand table's numbering, and codes → texts.

Three styles exist (providers/roles.py names them): one register holding the active code (NIBE), a
"last alarm" code that counts only while a flag says an alarm is active (IVT BA91 with 1A20), and bit
fields where several alarms can be set at once (Thermia via ThermIQ).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from providers.records import AlarmRules, CodeNumbering, TagMapping
from providers.transforms import Bits, first_available

LANGUAGES = ("sv", "en")
PLACEHOLDER = {"sv": "Larm {code}", "en": "Alarm {code}"}


def numbering(rules: AlarmRules, code_base: int | None) -> CodeNumbering:
    return rules.numbering.get(code_base, CodeNumbering()) if code_base is not None else CodeNumbering()


def code_series(raw: pd.DataFrame, mapping: TagMapping, rules: AlarmRules, code_base: int | None) -> pd.Series | None:
    """The alarm-code register in table numbering, 0 = none, gated by the flag when latched."""
    alternatives = mapping.metrics.get("alarm_code")
    found = first_available(alternatives, raw, ()) if alternatives else None
    if found is None:
        return None
    code = found[0]
    rule = numbering(rules, code_base)
    rounded = code.round()
    code = (rounded + rule.add).where(~rounded.isin(rule.none), 0.0).where(rounded.notna())
    if rules.latched:
        flag_alts = mapping.metrics.get("alarm_active")
        flag = first_available(flag_alts, raw, ()) if flag_alts else None
        if flag is None:
            return None  # "the last alarm" says nothing about now without its flag
        code = code.where(flag[0] > 0, 0.0).where(flag[0].notna())
    return code


def alarm_columns(raw: pd.DataFrame, out: dict[str, pd.Series], mapping: TagMapping, rules: AlarmRules,
                  code_base: int | None) -> None:
    """Set out["alarm_code"] and out["alarm_active"] from the code register and the alarm bits."""
    code = code_series(raw, mapping, rules, code_base)
    if code is None:
        out.pop("alarm_code", None)
    else:
        out["alarm_code"] = code
        if "alarm_active" not in out:
            out["alarm_active"] = (code != 0).astype(float).where(code.notna())
    present = sorted((b for b in mapping.alarm_bits if b.raw in raw or Bits(b.raw, b.mask).shares()[0].column in raw),
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


def active_codes(latest_raw: Mapping[str, float], mapping: TagMapping, rules: AlarmRules,
                 code_base: int | None) -> tuple[int, ...]:
    """Codes (table numbering) active now, from the newest raw value of each series."""
    row = {k: [float(v)] for k, v in latest_raw.items() if v is not None and not _isnan(v)}
    frame = pd.DataFrame(row, index=[0], dtype=float) if row else pd.DataFrame(index=[0])
    codes: set[int] = set()
    code = code_series(frame, mapping, rules, code_base)
    if code is not None and not np.isnan(code.iloc[0]) and code.iloc[0] != 0:
        codes.add(int(code.iloc[0]))
    for bit in mapping.alarm_bits:
        if bit.raw in frame and (int(round(frame[bit.raw].iloc[0])) & bit.mask) != 0:
            codes.add(bit.code)
    return tuple(sorted(codes))


def text(rules: AlarmRules, code: int, language: str) -> str:
    """The sourced (or marked-translated) text; "Larm <code>"/"Alarm <code>" when unknown or unverified."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: use one of {', '.join(LANGUAGES)}")
    info = rules.table.get(int(code))
    found = None
    if info is not None and info.shown:
        found = info.text_sv if language == "sv" else info.text_en
    return found or PLACEHOLDER[language].format(code=int(code))


def _isnan(v: Any) -> bool:
    try:
        return bool(np.isnan(float(v)))
    except (TypeError, ValueError):
        return False
