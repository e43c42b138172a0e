"""Reading and validating a brand file (providers/<brand>.yaml) into a Provider.

Every problem is collected and reported at once, each naming the file, the key and the fix, so a broken
file stops the generator at start-up (exit 2) instead of drawing wrong charts later.  The file format is
described in docs/providers.md.  The layouts section is read by providers/layouts.py, the alarms
section by providers/alarms.py, each transform by providers/transforms.py.
"""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from generator.core.errors import ProviderError
from providers import DATA_DIR, available_providers
from providers.alarms import parse_alarms
from providers.layouts import merge_layouts, parse_layouts
from providers.model import Provider
from providers.records import ProviderDefaults

TOP_KEYS = ("name", "display_name", "colours", "defaults", "layouts", "alarms")
DEFAULT_KEYS = ("flow_factor_kw_per_k", "heat_carrier_flow_factor_kw_per_k", "carnot_efficiency", "aux_step_w",
                "alarm_code_base")
# Config keys that override a brand default (generator/config.py); None there means "brand default".
# cop.flow_factor is the flow of whichever temperature pair the install's heat estimate uses.
OVERRIDE_ALIASES: dict[str, tuple[str, ...]] = {
    "cop.flow_factor": ("flow_factor_kw_per_k", "heat_carrier_flow_factor_kw_per_k"),
    "cop.carnot_efficiency": ("carnot_efficiency",),
    "aux.step_w": ("aux_step_w",),
    "alarms.code_base": ("alarm_code_base",),
}
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
REQUIRED_COLOURS = ("primary", "accent")

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
    alarms = parse_alarms(tree.get("alarms"), check)
    layouts = parse_layouts(tree.get("layouts"), check)
    tags = merge_layouts(layouts, check)
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


def _positive(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


def _freeze(overrides: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in overrides.items()))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(DATA_DIR.parent))
    except ValueError:
        return str(path)

