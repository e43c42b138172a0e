"""The layouts section of a brand file: each collector layout's metrics (transforms), alarm bits and
register ids, checked on their own, then merged per tag (name or register_id) in layout order."""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

from generator.core.metrics import BY_NAME, NAMES
from providers.model import raw_readings
from providers.records import TAGS, BitAlarm, Layout, TagMapping
from providers.transforms import Direct, Problems, Transform, mask_ok, parse, raw_ok

LAYOUT_KEYS = ("description", "registers", "register_table", "identity", "metrics", "alarm_bits")
LAYOUT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SUFFIX = re.compile(r"-(\d+)$")   # the nibe library's names end in their register: bt1-outdoor-temperature-40004


def parse_layouts(node: Any, check: Problems) -> list[Layout]:
    """The layouts section of a brand file, each checked on its own."""
    if not isinstance(node, dict) or not node:
        check.add("layouts", "missing or empty",
                  "give at least one layout: layouts: {my-collector: {description: ..., metrics: {...}}}")
        return []
    layouts: list[Layout] = []
    for layout_id, spec in node.items():
        key = f"layouts.{layout_id}"
        if not isinstance(layout_id, str) or not LAYOUT_ID.match(layout_id):
            check.add(key, "not a layout id", "use lower-case letters, digits and '-', e.g. husdata-h60")
            continue
        if not isinstance(spec, dict):
            check.add(key, "not a mapping", f"give {', '.join(LAYOUT_KEYS)}")
            continue
        layout = _layout(layout_id, spec, key, check)
        if layout is not None:
            layouts.append(layout)
    return layouts


def _layout(layout_id: str, spec: dict[str, Any], key: str, check: Problems) -> Layout | None:
    for k in spec:
        if k not in LAYOUT_KEYS:
            check.add(f"{key}.{k}", "unknown key", f"use only {', '.join(LAYOUT_KEYS)}")
    description = spec.get("description")
    if not isinstance(description, str) or not description.strip():
        check.add(f"{key}.description", "missing or not text",
                  "say in a few words whose data this is, e.g. 'IVT Rego 600/637 via a Husdata H60 gateway'")
        description = layout_id
    table = spec.get("register_table")
    if table is not None and not (isinstance(table, str) and table.strip()):
        check.add(f"{key}.register_table", f"{table!r} is not a text", "name the table, e.g. nibe:f1155_f1255")
        table = None
    metrics: dict[str, tuple[Transform, ...]] = {}
    if spec.get("identity") is True:  # the generic brand: canonical names as they are
        metrics = {m: (Direct(m),) for m in NAMES}
    elif spec.get("identity") not in (None, False):
        check.add(f"{key}.identity", f"{spec['identity']!r} is not true/false", "use identity: true or leave it out")
    for metric, alternatives in (spec.get("metrics") or {}).items():
        mkey = f"{key}.metrics.{metric}"
        if metric not in BY_NAME:
            check.add(mkey, "not a canonical metric", f"use one of generator/core/metrics.py: {', '.join(NAMES)}")
            continue
        items = alternatives if isinstance(alternatives, list) else [alternatives]
        parsed = [parse(item, f"{mkey}[{i}]" if len(items) > 1 else mkey, check) for i, item in enumerate(items)]
        metrics[metric] = _unique(metrics.get(metric, ()) + tuple(p for p in parsed if p is not None))
    bits = tuple(b for i, item in enumerate(spec.get("alarm_bits") or [])
                 if (b := _bit_alarm(item, f"{key}.alarm_bits[{i}]", check)) is not None)
    by_name = TagMapping(MappingProxyType(metrics), bits)
    mappings: dict[str, TagMapping] = {"name": by_name}
    registers = _registers(spec.get("registers"), by_name, f"{key}.registers", check)
    if registers and all(r in registers for alts in metrics.values() for a in alts for r in a.inputs()) \
            and all(b.raw in registers for b in bits):
        mappings["register_id"] = TagMapping(
            MappingProxyType({m: _unique(tuple(a.renamed(registers) for a in alts)) for m, alts in metrics.items()}),
            tuple(BitAlarm(registers[b.raw], b.mask, b.code) for b in bits))
    return Layout(layout_id, description.strip(), MappingProxyType(mappings), table, MappingProxyType(registers))


def _registers(node: Any, mapping: TagMapping, key: str, check: Problems) -> dict[str, str]:
    """raw name -> register id: "suffix" (the number ending each name) or a mapping name -> id; every raw
    the layout reads needs one, so the layout maps by register_id exactly as by name."""
    if node is None:
        return {}
    raws = mapping.raw_names()
    if node == "suffix":
        found = {r: m.group(1) for r in raws if (m := SUFFIX.search(r))}
        for raw in raws:
            if raw not in found:
                check.add(key, f"{raw!r} does not end in its register number", "use names such as bt1-outdoor-temperature-40004, or list the registers")
        return found
    if not isinstance(node, dict):
        check.add(key, f"{node!r} is neither 'suffix' nor a mapping", "give registers: {radiator_return: '0001', ...}")
        return {}
    found = {}
    for raw, register in node.items():
        if not raw_ok(raw) or not isinstance(register, str) or not register.strip():
            check.add(f"{key}.{raw}", f"{register!r} is not a register id", _quote(register))
            continue
        found[str(raw)] = register
    for raw in raws:
        if raw not in found:
            check.add(key, f"{raw!r} is read but has no register id", f"add {raw}: '<id>' (the Husdata id, quoted)")
    for raw in set(found) - set(raws):
        check.add(f"{key}.{raw}", "listed but not read by any metric", "map it in metrics or remove it")
    return found


def _quote(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return "quote register ids ('0001', '9124'): unquoted, YAML reads them as numbers"
    return "give the register id as quoted text, e.g. '0001'"


def _bit_alarm(item: Any, key: str, check: Problems) -> BitAlarm | None:
    if not isinstance(item, dict) or not raw_ok(item.get("raw")) or not mask_ok(item.get("mask")) \
            or not isinstance(item.get("code"), int) or isinstance(item.get("code"), bool) or item["code"] <= 0:
        check.add(key, f"{item!r} is not a bit alarm", "use {raw: r13, mask: 0x01, code: 1301} (code > 0, in alarms.table)")
        return None
    return BitAlarm(str(item["raw"]), int(item["mask"]), int(item["code"]))


def merge_layouts(layouts: list[Layout], check: Problems) -> dict[str, TagMapping]:
    """Per tag, every layout's alternatives in layout order (earlier layouts win, later ones fill gaps)."""
    merged: dict[str, TagMapping] = {}
    for tag in TAGS:
        metrics: dict[str, tuple[Transform, ...]] = {}
        bits: list[BitAlarm] = []
        for layout in layouts:
            mapping = layout.mappings.get(tag)
            if mapping is None:
                continue
            for metric, alternatives in mapping.metrics.items():
                metrics[metric] = _unique(metrics.get(metric, ()) + alternatives)
            bits += [b for b in mapping.alarm_bits if b not in bits]
        if metrics or bits:
            merged[tag] = TagMapping(MappingProxyType(metrics), tuple(bits))
            _check_one_reading(merged[tag], tag, check)
    return merged


def _check_one_reading(mapping: TagMapping, tag: str, check: Problems) -> None:
    """One raw series is fetched once, so every use of its value must agree on how it is read (an
    enumeration or a threshold may read the same raw through share columns besides)."""
    seen: dict[str, str] = {}
    for metric, alternatives in mapping.metrics.items():
        single = TagMapping(MappingProxyType({metric: alternatives}))
        for raw, how in raw_readings(single).items():
            if raw in seen and seen[raw] != how:
                check.add(f"tag {tag}: metric {metric}", f"{raw!r} is read as {how} here but as {seen[raw]} elsewhere",
                          "use a raw series for one kind of value only")
            seen.setdefault(raw, how)


def _unique(alternatives: tuple[Transform, ...]) -> tuple[Transform, ...]:
    return tuple(dict.fromkeys(alternatives))
