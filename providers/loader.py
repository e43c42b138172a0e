"""Reading and validating a brand file (providers/<brand>.yaml) into a Provider.

Every problem is collected and reported at once, each naming the file, the key and the fix, so a broken
file stops the generator at start-up (exit 2) instead of drawing wrong charts later.
"""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from generator.errors import ProviderError
from generator.metrics import BY_NAME, NAMES
from providers import DATA_DIR, available_providers
from providers.model import (
    AGGREGATION_OF_KIND, TAGS, AlarmInfo, AlarmRules, BitAlarm, CodeNumbering, Provider, ProviderDefaults,
    TagMapping,
)
from providers.transforms import AuxPercent, AuxSteps, Bits, Direct, Enum, Sum, Transform

TOP_KEYS = ("name", "display_name", "colours", "defaults", "tags", "alarms")
DEFAULT_KEYS = ("flow_factor_kw_per_k", "carnot_efficiency", "aux_step_w", "alarm_code_base")
# Config keys that override a brand default (generator/config.py); None there means "brand default".
OVERRIDE_ALIASES = {"cop.flow_factor": "flow_factor_kw_per_k", "cop.carnot_efficiency": "carnot_efficiency",
                    "aux.step_w": "aux_step_w", "alarms.code_base": "alarm_code_base"}
TRANSFORM_KEYS = ("raw", "bits", "enum", "sum", "aux_percent", "aux_steps")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
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
    tags = _tags(tree.get("tags"), check)
    if defaults.alarm_code_base is not None and defaults.alarm_code_base not in alarms.numbering:
        check.add("defaults.alarm_code_base", f"{defaults.alarm_code_base} has no entry in alarms.numbering",
                  f"use one of {sorted(alarms.numbering)} or add alarms.numbering.{defaults.alarm_code_base}")
    if alarms.numbering and defaults.alarm_code_base is None:
        check.add("defaults.alarm_code_base", "missing although alarms.numbering is given",
                  f"set it to one of {sorted(alarms.numbering)}")
    if alarms.latched and any("alarm_code" in t.metrics and "alarm_active" not in t.metrics for t in tags.values()):
        check.add("alarms.latched", "a latched alarm code needs its flag",
                  "map alarm_active (e.g. Husdata 1A20 alarm_status) in every tag that maps alarm_code")
    if check.problems:
        return None
    return Provider(name=name, display_name=display_name.strip(), colours=colours, defaults=defaults,
                    tags=MappingProxyType(tags), alarms=alarms, path=str(path))


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
    for key in ("flow_factor_kw_per_k", "carnot_efficiency"):
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
        field_name = OVERRIDE_ALIASES.get(key, key)
        if field_name not in DEFAULT_KEYS:
            check.add(f"override {key}", "unknown override",
                      f"use one of {', '.join(DEFAULT_KEYS + tuple(OVERRIDE_ALIASES))}")
        elif value is not None:  # None: the config leaves the brand default alone
            given[field_name] = value
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


def _tags(node: Any, check: _Checker) -> dict[str, TagMapping]:
    if not isinstance(node, dict) or not node:
        check.add("tags", "missing or empty", f"map at least one of {', '.join(TAGS)}")
        return {}
    tags: dict[str, TagMapping] = {}
    for tag, spec in node.items():
        key = f"tags.{tag}"
        if tag not in TAGS:
            check.add(key, "unknown tag", f"use {', '.join(TAGS)}")
            continue
        if not isinstance(spec, dict):
            check.add(key, "not a mapping", "give metrics: {...} and optionally alarm_bits: [...] or identity: true")
            continue
        for k in spec:
            if k not in ("metrics", "alarm_bits", "identity"):
                check.add(f"{key}.{k}", "unknown key", "use only metrics, alarm_bits, identity")
        metrics: dict[str, tuple[Transform, ...]] = {}
        if spec.get("identity") is True:  # the generic brand: canonical names as they are
            metrics = {m: (Direct(m),) for m in NAMES}
        for metric, alternatives in (spec.get("metrics") or {}).items():
            mkey = f"{key}.metrics.{metric}"
            if metric not in BY_NAME:
                check.add(mkey, "not a canonical metric", f"use one of generator/metrics.py: {', '.join(NAMES)}")
                continue
            items = alternatives if isinstance(alternatives, list) else [alternatives]
            parsed = [_transform(item, f"{mkey}[{i}]" if len(items) > 1 else mkey, check) for i, item in enumerate(items)]
            metrics[metric] = tuple(p for p in parsed if p is not None)
        bits = tuple(b for i, item in enumerate(spec.get("alarm_bits") or [])
                     if (b := _bit_alarm(item, f"{key}.alarm_bits[{i}]", check)) is not None)
        mapping = TagMapping(MappingProxyType(metrics), bits)
        _check_consistent_aggregation(mapping, key, check)
        tags[tag] = mapping
    return tags


def _transform(item: Any, key: str, check: _Checker, allowed: tuple[str, ...] = TRANSFORM_KEYS) -> Transform | None:
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
    body = item[kind]
    if kind == "bits":
        return _bits(body, f"{key}.bits", check)
    if kind == "enum":
        # `values`, not `on`: YAML 1.1 reads a bare `on` key as the boolean true.
        if not isinstance(body, dict) or not _raw_ok(body.get("raw")) or not isinstance(body.get("values"), list) \
                or not body["values"] or not all(_number(v) for v in body["values"]) or set(body) - {"raw", "values"}:
            check.add(f"{key}.enum", "needs raw and a non-empty list of numbers `values` (the raw values that mean 1)",
                      "e.g. enum: {raw: prio-43086, values: [20]}")
            return None
        return Enum(str(body["raw"]), tuple(float(v) for v in body["values"]))
    if kind == "sum":
        if not isinstance(body, list) or len(body) < 2:
            check.add(f"{key}.sum", "needs a list of at least two terms", "e.g. sum: [{raw: a, scale: 1000}, {raw: b, scale: 1000}]")
            return None
        terms = [_transform(t, f"{key}.sum[{i}]", check, ("raw",)) for i, t in enumerate(body)]
        return Sum(tuple(t for t in terms if isinstance(t, Direct))) if all(terms) else None
    if kind == "aux_percent":
        if not isinstance(body, dict) or not _raw_ok(body.get("raw")):
            check.add(f"{key}.aux_percent", "needs raw", "e.g. aux_percent: {raw: additional_heat_percent}")
            return None
        return AuxPercent(str(body["raw"]))
    # aux_steps
    if not isinstance(body, list) or not body:
        check.add(f"{key}.aux_steps", "needs a list of steps", "e.g. aux_steps: [{raw: add_heat_step_1}, {bits: {raw: r0d, mask: 0x02}}]")
        return None
    steps = [_transform(s, f"{key}.aux_steps[{i}]", check, ("raw", "bits")) for i, s in enumerate(body)]
    return AuxSteps(tuple(s for s in steps if isinstance(s, (Direct, Bits)))) if all(steps) else None


def _direct(item: dict[str, Any], key: str, check: _Checker) -> Direct | None:
    raw, scale = item.get("raw"), item.get("scale", 1.0)
    if not _raw_ok(raw):
        check.add(f"{key}.raw", f"{raw!r} is not a text", _quote_hint(raw, ("raw",)))
        return None
    if not _number(scale) or scale == 0:
        check.add(f"{key}.scale", f"{scale!r} is not a non-zero number", "use e.g. scale: 0.1 or scale: 1000")
        return None
    return Direct(raw, float(scale))


def _bits(body: Any, key: str, check: _Checker) -> Bits | None:
    if not isinstance(body, dict) or not _raw_ok(body.get("raw")) or not _mask_ok(body.get("mask")):
        check.add(key, "needs raw and a mask above 0", "e.g. bits: {raw: r10, mask: 0x02}")
        return None
    return Bits(str(body["raw"]), int(body["mask"]))


def _bit_alarm(item: Any, key: str, check: _Checker) -> BitAlarm | None:
    if not isinstance(item, dict) or not _raw_ok(item.get("raw")) or not _mask_ok(item.get("mask")) \
            or not isinstance(item.get("code"), int) or isinstance(item.get("code"), bool) or item["code"] <= 0:
        check.add(key, f"{item!r} is not a bit alarm", "use {raw: r13, mask: 0x01, code: 1301} (code > 0, in alarms.table)")
        return None
    return BitAlarm(str(item["raw"]), int(item["mask"]), int(item["code"]))


def _check_consistent_aggregation(mapping: TagMapping, key: str, check: _Checker) -> None:
    """One raw series is fetched once, so every use of it must agree on how it is aggregated."""
    seen: dict[str, tuple[str, str]] = {}
    uses: list[tuple[str, str, str]] = []
    for metric, alternatives in mapping.metrics.items():
        for alt in alternatives:
            for raw, agg in alt.aggregation(AGGREGATION_OF_KIND[BY_NAME[metric].kind]).items():
                uses.append((raw, agg, f"{key}.metrics.{metric}"))
    uses += [(b.raw, "bits", f"{key}.alarm_bits") for b in mapping.alarm_bits]
    for raw, agg, where in uses:
        if raw in seen and seen[raw][0] != agg:
            check.add(where, f"{raw!r} is aggregated as {agg} here but as {seen[raw][0]} in {seen[raw][1]}",
                      "use a raw series for one kind of value only")
        seen.setdefault(raw, (agg, where))


def _raw_ok(raw: Any) -> bool:
    return isinstance(raw, str) and bool(raw.strip())


def _mask_ok(mask: Any) -> bool:
    return isinstance(mask, int) and not isinstance(mask, bool) and mask > 0


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _positive(v: Any) -> bool:
    return _number(v) and v > 0


def _quote_hint(value: Any, allowed: tuple[str, ...]) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return "quote register ids ('0001', '9124'): unquoted, YAML reads them as numbers"
    return f"give a raw name as text or a mapping with one of {', '.join(allowed)}"


def _freeze(overrides: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in overrides.items()))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(DATA_DIR.parent))
    except ValueError:
        return str(path)
