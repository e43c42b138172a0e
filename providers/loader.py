"""Reading and validating a brand file (providers/<brand>.yaml) into a Provider.

Every problem is collected and reported at once, each naming the file, the key and the fix, so a broken
file stops the generator at start-up (exit 2) instead of drawing wrong charts later.  The file format is
described in docs/providers.md.
"""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from generator.core.errors import ProviderError
from generator.core.metrics import BY_NAME, NAMES
from providers import DATA_DIR, available_providers
from providers.model import Provider, raw_readings
from providers.records import (
    TAGS,
    AlarmInfo,
    AlarmRules,
    BitAlarm,
    CodeNumbering,
    Layout,
    ProviderDefaults,
    TagMapping,
)
from providers.transforms import Direct, Transform, mask_ok, parse, raw_ok

TOP_KEYS = ("name", "display_name", "colours", "defaults", "layouts", "alarms")
DEFAULT_KEYS = ("flow_factor_kw_per_k", "heat_carrier_flow_factor_kw_per_k", "carnot_efficiency", "aux_step_w",
                "alarm_code_base")
LAYOUT_KEYS = ("description", "registers", "register_table", "identity", "metrics", "alarm_bits")
# Config keys that override a brand default (generator/config.py); None there means "brand default".
# cop.flow_factor is the flow of whichever temperature pair the install's heat estimate uses.
OVERRIDE_ALIASES: dict[str, tuple[str, ...]] = {
    "cop.flow_factor": ("flow_factor_kw_per_k", "heat_carrier_flow_factor_kw_per_k"),
    "cop.carnot_efficiency": ("carnot_efficiency",),
    "aux.step_w": ("aux_step_w",),
    "alarms.code_base": ("alarm_code_base",),
}
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
LAYOUT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SUFFIX = re.compile(r"-(\d+)$")   # the nibe library's names end in their register: bt1-outdoor-temperature-40004
REQUIRED_COLOURS = ("primary", "accent")
SEVERITIES = ("info", "warning", "critical")

_CACHE: dict[tuple[str, tuple[tuple[str, Any], ...]], Provider] = {}


def load_provider(name: str, overrides: Mapping[str, Any] | None = None) -> Provider:
    """The provider of brand `name` (providers/<name>.yaml) with config overrides applied; cached."""
    key = (name, _freeze(overrides or {}))
    if key not in _CACHE:
        names = available_providers()
        if name not in names:
            raise ProviderError(f"provider {name!r}: no such brand file; set provider to one of: {', '.join(names)}")
        _CACHE[key] = load_provider_file(DATA_DIR / f"{name}.yaml", overrides)
    return _CACHE[key]


def load_provider_file(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Provider:
    """Read and validate one brand file (uncached); raise ProviderError listing every problem."""
    path = Path(path)
    where = _display(path)
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProviderError(f"{where}: file not found; give the path of a provider YAML file") from None
    except yaml.YAMLError as exc:
        raise ProviderError(f"{where}: not valid YAML ({exc}); fix the syntax") from None
    if not isinstance(tree, dict):
        raise ProviderError(f"{where}: the top level must be a mapping with keys {', '.join(TOP_KEYS)}")
    check = _Checker(where)
    provider = _build(tree, path, check, overrides or {})
    check.raise_if_any()
    assert provider is not None
    return provider


def check_overrides(overrides: Mapping[str, Any]) -> list[str]:
    """Problems of config overrides alone (key: problem; fix), for the config's own validation."""
    check = _Checker("config")
    _apply_overrides(ProviderDefaults(), overrides, check)
    return [p.removeprefix("config: ") for p in check.problems]


# --- building, with checks --------------------------------------------------------------------------
class _Checker:
    def __init__(self, where: str):
        self.where = where
        self.problems: list[str] = []

    def add(self, key: str, problem: str, fix: str) -> None:
        self.problems.append(f"{self.where}: {key}: {problem}; {fix}")

    def raise_if_any(self) -> None:
        if self.problems:
            raise ProviderError("\n".join(self.problems))


def _build(tree: dict[str, Any], path: Path, check: _Checker, overrides: Mapping[str, Any]) -> Provider | None:
    for key in tree:
        if key not in TOP_KEYS:
            check.add(str(key), "unknown key", f"use only {', '.join(TOP_KEYS)}")
    name = tree.get("name")
    if not isinstance(name, str) or name != path.stem:
        check.add("name", f"{name!r} does not match the file name", f"set name: {path.stem}")
    display_name = tree.get("display_name")
    if not isinstance(display_name, str) or not display_name.strip():
        check.add("display_name", "missing or not text", "give the brand name as shown to people, e.g. display_name: NIBE")
    colours = _colours(tree.get("colours"), check)
    defaults = _defaults(tree.get("defaults"), check)
    defaults = _apply_overrides(defaults, overrides, check)
    alarms = _alarms(tree.get("alarms"), check)
    layouts = _layouts(tree.get("layouts"), check)
    tags = _merge(layouts, check)
    if defaults.alarm_code_base is not None and defaults.alarm_code_base not in alarms.numbering:
        check.add("defaults.alarm_code_base", f"{defaults.alarm_code_base} has no entry in alarms.numbering",
                  f"use one of {sorted(alarms.numbering)} or add alarms.numbering.{defaults.alarm_code_base}")
    if alarms.numbering and defaults.alarm_code_base is None:
        check.add("defaults.alarm_code_base", "missing although alarms.numbering is given",
                  f"set it to one of {sorted(alarms.numbering)}")
    if alarms.latched:
        for layout in layouts:
            metrics = layout.mappings["name"].metrics
            if "alarm_code" in metrics and "alarm_active" not in metrics:
                check.add("alarms.latched", f"layout {layout.id} maps alarm_code without its flag",
                          "map alarm_active (e.g. Husdata 1A20 alarm_status) in every layout that maps alarm_code")
    if check.problems:
        return None
    return Provider(name=name, display_name=display_name.strip(), colours=colours, defaults=defaults,
                    layouts=tuple(layouts), tags=MappingProxyType(tags), alarms=alarms, path=str(path))


def _colours(node: Any, check: _Checker) -> Mapping[str, str]:
    if not isinstance(node, dict):
        check.add("colours", "missing or not a mapping", "give colours: {primary: '#rrggbb', accent: '#rrggbb'}")
        return MappingProxyType({})
    for role in REQUIRED_COLOURS:
        if role not in node:
            check.add(f"colours.{role}", "missing", f"add {role}: '#rrggbb'")
    for role, value in node.items():
        if not isinstance(value, str) or not COLOUR.match(value):
            check.add(f"colours.{role}", f"{value!r} is not a colour", "use a quoted hex colour such as '#1f77b4'")
    return MappingProxyType({str(k): str(v) for k, v in node.items()})


def _defaults(node: Any, check: _Checker) -> ProviderDefaults:
    if node is None:
        return ProviderDefaults()
    if not isinstance(node, dict):
        check.add("defaults", "not a mapping", f"give keys {', '.join(DEFAULT_KEYS)}")
        return ProviderDefaults()
    for key in node:
        if key not in DEFAULT_KEYS:
            check.add(f"defaults.{key}", "unknown key", f"use only {', '.join(DEFAULT_KEYS)}")
    return _checked_defaults(ProviderDefaults(), dict(node), "defaults.", check)


def _checked_defaults(base: ProviderDefaults, given: dict[str, Any], prefix: str, check: _Checker) -> ProviderDefaults:
    values = {k: getattr(base, k) for k in DEFAULT_KEYS}
    for key in ("flow_factor_kw_per_k", "heat_carrier_flow_factor_kw_per_k", "carnot_efficiency"):
        if key in given:
            if _positive(given[key]):
                values[key] = float(given[key])
            else:
                check.add(prefix + key, f"{given[key]!r} is not a number above 0", "use e.g. 2.7")
    if "aux_step_w" in given:
        steps = given["aux_step_w"]
        if isinstance(steps, (list, tuple)) and all(_positive(s) for s in steps):
            values["aux_step_w"] = tuple(float(s) for s in steps)
        else:
            check.add(prefix + "aux_step_w", f"{steps!r} is not a list of watts", "use e.g. [3000, 6000] (W per add-heat step)")
    if "alarm_code_base" in given:
        base = given["alarm_code_base"]
        if base is None or (isinstance(base, int) and not isinstance(base, bool) and base in (0, 1)):
            values["alarm_code_base"] = base
        else:
            check.add(prefix + "alarm_code_base", f"{base!r} is not 0, 1 or empty",
                      "use 1 for codes numbered from 1 (Husdata), 0 for from 0 (raw Rego), empty when unused")
    return ProviderDefaults(**values)


def _apply_overrides(defaults: ProviderDefaults, overrides: Mapping[str, Any], check: _Checker) -> ProviderDefaults:
    given: dict[str, Any] = {}
    for key, value in overrides.items():
        fields = OVERRIDE_ALIASES.get(key, (key,))
        if not all(f in DEFAULT_KEYS for f in fields):
            check.add(f"override {key}", "unknown override",
                      f"use one of {', '.join(DEFAULT_KEYS + tuple(OVERRIDE_ALIASES))}")
        elif value is not None:  # None: the config leaves the brand default alone
            given.update({f: value for f in fields})
    return _checked_defaults(defaults, given, "override ", check)


def _alarms(node: Any, check: _Checker) -> AlarmRules:
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


def _alarm_entry(code: Any, entry: Any, check: _Checker) -> AlarmInfo | None:
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


# --- layouts -----------------------------------------------------------------------------------------
def _layouts(node: Any, check: _Checker) -> list[Layout]:
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


def _layout(layout_id: str, spec: dict[str, Any], key: str, check: _Checker) -> Layout | None:
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


def _registers(node: Any, mapping: TagMapping, key: str, check: _Checker) -> dict[str, str]:
    """raw name -> register id: "suffix" (the number ending each name) or a mapping name -> id; every raw
    the layout reads needs one, so the layout maps by register_id exactly as by name."""
    if node is None:
        return {}
    raws = list(dict.fromkeys([r for alts in mapping.metrics.values() for a in alts for r in a.inputs()]
                              + [b.raw for b in mapping.alarm_bits]))
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


def _bit_alarm(item: Any, key: str, check: _Checker) -> BitAlarm | None:
    if not isinstance(item, dict) or not raw_ok(item.get("raw")) or not mask_ok(item.get("mask")) \
            or not isinstance(item.get("code"), int) or isinstance(item.get("code"), bool) or item["code"] <= 0:
        check.add(key, f"{item!r} is not a bit alarm", "use {raw: r13, mask: 0x01, code: 1301} (code > 0, in alarms.table)")
        return None
    return BitAlarm(str(item["raw"]), int(item["mask"]), int(item["code"]))


def _merge(layouts: list[Layout], check: _Checker) -> dict[str, TagMapping]:
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


def _check_one_reading(mapping: TagMapping, tag: str, check: _Checker) -> None:
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


def _positive(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


def _freeze(overrides: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in overrides.items()))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(DATA_DIR.parent))
    except ValueError:
        return str(path)

