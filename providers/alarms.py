"""Alarms: the alarms section of a brand file as read (parse_alarms, at the end), and decoding: raw alarm
registers → codes in the brand table's numbering, and codes → texts.

Three styles exist (providers/roles.py names them): one register holding the active code (NIBE), a
"last alarm" code that counts only while a flag says an alarm is active (IVT BA91 with 1A20), and bit
fields where several alarms can be set at once (Thermia via ThermIQ).
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from providers.records import AlarmInfo, AlarmRules, CodeNumbering, TagMapping
from providers.transforms import Bits, Problems, first_available

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


# --- parsing: the alarms section of a brand file ------------------------------------------------------
SEVERITIES = ("info", "warning", "critical")


def parse_alarms(node: Any, check: Problems) -> AlarmRules:
    """The alarms section of a brand file: latched, numbering, table."""
    if node is None:
        return AlarmRules()
    if not isinstance(node, dict):
        check.add("alarms", "not a mapping", "give keys latched, numbering, table")
        return AlarmRules()
    for key in node:
        if key not in ("latched", "numbering", "table"):
            check.add(f"alarms.{key}", "unknown key", "use only latched, numbering, table")
    latched = node.get("latched", False)
    if not isinstance(latched, bool):
        check.add("alarms.latched", f"{latched!r} is not true/false", "use true when the code is 'the last alarm' (IVT BA91)")
        latched = False
    numbering: dict[int, CodeNumbering] = {}
    for base, spec in (node.get("numbering") or {}).items():
        key = f"alarms.numbering.{base}"
        if base not in (0, 1) or not isinstance(spec, dict):
            check.add(key, "not a numbering", "key 0 or 1, value {add: <int>, none: [<raw codes meaning no alarm>]}")
            continue
        add, none = spec.get("add", 0), spec.get("none", [0])
        if not isinstance(add, int) or not isinstance(none, list) or not all(isinstance(n, int) for n in none):
            check.add(key, f"{spec!r} is not valid", "use {add: <int>, none: [<int>, ...]}")
            continue
        numbering[base] = CodeNumbering(add, tuple(none))
    table: dict[int, AlarmInfo] = {}
    for code, entry in (node.get("table") or {}).items():
        info = _alarm_entry(code, entry, check)
        if info is not None:
            table[info.code] = info
    return AlarmRules(latched, MappingProxyType(numbering), MappingProxyType(table))


def _alarm_entry(code: Any, entry: Any, check: Problems) -> AlarmInfo | None:
    key = f"alarms.table.{code}"
    if not isinstance(code, int) or isinstance(code, bool) or code <= 0:
        check.add(key, "the code is not a whole number above 0", "key the table by the alarm code, e.g. 23:")
        return None
    if not isinstance(entry, dict):
        check.add(key, "not a mapping", "give {sv: ..., en: ..., translated: sv|en|null, source: ..., severity: null}")
        return None
    for k in entry:
        if k not in ("sv", "en", "translated", "source", "severity", "verified"):
            check.add(f"{key}.{k}", "unknown key", "use only sv, en, translated, source, severity, verified")
    texts = {lang: entry.get(lang) for lang in ("sv", "en")}
    for lang, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            check.add(f"{key}.{lang}", "missing or empty text", f"give the {lang} text (mark ours with translated: {lang})")
    translated = entry.get("translated")
    if translated not in (None, "sv", "en"):
        check.add(f"{key}.translated", f"{translated!r} is not sv, en or empty",
                  "name the language whose text is our translation, or leave it empty when both are sourced")
    source = entry.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        check.add(f"{key}.source", f"{source!r} is not a text", "name the document or repository the text comes from")
    severity = entry.get("severity")
    if severity is not None and severity not in SEVERITIES:
        check.add(f"{key}.severity", f"{severity!r} is not known",
                  f"use one of {', '.join(SEVERITIES)} when a source gives it, else leave it empty")
    verified = entry.get("verified", True)
    if not isinstance(verified, bool):
        check.add(f"{key}.verified", f"{verified!r} is not true/false", "use false for texts without a public source")
        verified = False
    return AlarmInfo(code, texts["sv"], texts["en"], translated, source, severity, verified)
