"""The site config's `mapping:` section: the owner's own sensors, without editing a provider.

* `mapping.metrics.<canonical metric>` takes that metric from another series: a raw name in the heat
  pump's own measurement (`raw:`), or a series of its own (`measurement:`, `tags:`, `field:`, and
  `database:` where it lives in another InfluxQL database, `url:` on another server), in its own unit
  (`unit:`) or with a `scale:` and `offset:`.  It replaces whatever the provider maps for that metric.
* A mapped series is read with InfluxQL (`kind: influxql`, the default), also when the heat pump's own
  source is Flux: InfluxDB 2.x answers InfluxQL through its v1 API for a database mapped to a bucket, so a
  meter in a 2.x bucket is named by that database (config.py requires it then).
* `mapping.extra` adds series to the temperature or power chart under a label the owner chooses.

docs/mapping.md has worked examples (a Shelly EM through Home Assistant, a Tibber Pulse, an emonPi).
Every problem is one line naming the key and the fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any, Mapping
from urllib.parse import urlsplit

from generator.core.metrics import BY_NAME, Kind

NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-:/ ]{0,127}$")   # measurement, tag, field, raw and labels
SERIES_KEYS = ("raw", "measurement", "tags", "field", "database", "url", "kind", "unit", "scale", "offset",
               "max_gap_s")
SERIES_KINDS = ("influxql",)   # how a mapped series is read, whatever the heat pump's own source is
EXTRA_KEYS = ("label", "chart") + SERIES_KEYS
CHARTS = {"temperature": "°C", "power": "W"}      # the charts that take extra series, in their unit
# Units a series may be in, per canonical unit: (scale, offset) to the canonical one.
UNITS: dict[str, dict[str, tuple[float, float]]] = {
    "°C": {"°C": (1.0, 0.0), "C": (1.0, 0.0), "°F": (5 / 9, -160 / 9), "F": (5 / 9, -160 / 9), "K": (1.0, -273.15)},
    "W": {"W": (1.0, 0.0), "kW": (1000.0, 0.0), "MW": (1e6, 0.0)},
    "kWh": {"kWh": (1.0, 0.0), "Wh": (0.001, 0.0), "MWh": (1000.0, 0.0)},
    "0/1": {"0/1": (1.0, 0.0), "%": (0.01, 0.0)},
    "Hz": {"Hz": (1.0, 0.0)},
    "count": {"count": (1.0, 0.0)},
    "int": {"int": (1.0, 0.0)},
}


@dataclass(frozen=True)
class SeriesRef:
    """Where one series is, and how its values become the canonical unit (value × scale + offset)."""

    raw: str | None = None                 # a raw name in source.measurement, under source.tag
    measurement: str | None = None         # or a measurement of its own
    tags: Mapping[str, str] = default(default_factory=dict)
    field: str | None = None               # default: source.field
    database: str | None = None            # default: source.database
    url: str | None = None                 # default: source.url
    scale: float = 1.0
    offset: float = 0.0
    max_gap_s: float | None = None         # its own staleness limit: a meter that writes only on change

    def describe(self) -> str:
        where = (f"raw {self.raw!r}" if self.raw else
                 f"measurement {self.measurement!r}" + "".join(f", {k}={v}" for k, v in sorted(self.tags.items())))
        more = [f"field {self.field!r}" if self.field else "", f"database {self.database!r}" if self.database else "",
                f"at {_safe(self.url)}" if self.url else "",
                f"× {self.scale:g}" if self.scale != 1 else "", f"+ {self.offset:g}" if self.offset else ""]
        return ", ".join([where] + [m for m in more if m])


@dataclass(frozen=True)
class ExtraSeries:
    label: str
    chart: str                             # temperature | power
    series: SeriesRef

    @property
    def column(self) -> str:
        """Its column in a frame: analytics skip every column with a ':'."""
        return f"extra:{self.chart}:{self.label}"


@dataclass(frozen=True)
class SiteMapping:
    metrics: Mapping[str, SeriesRef] = default(default_factory=dict)
    extra: tuple[ExtraSeries, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.metrics or self.extra)


def parse_mapping(metrics: Any, extra: Any) -> tuple[SiteMapping, list[str]]:
    """The typed mapping, and one problem line per mistake (key: what; fix)."""
    problems: list[str] = []
    parsed: dict[str, SeriesRef] = {}
    if not isinstance(metrics, dict):
        problems.append("mapping.metrics: not a mapping; give metric: {raw: NAME} or {measurement: M, field: F}")
        metrics = {}
    for metric, spec in metrics.items():
        key = f"mapping.metrics.{metric}"
        if metric not in BY_NAME:
            problems.append(f"{key}: {metric!r} is not a canonical metric; use one of {', '.join(BY_NAME)}")
            continue
        ref = _series(spec, key, BY_NAME[metric].unit, BY_NAME[metric].kind, SERIES_KEYS, problems)
        if ref is not None:
            parsed[metric] = ref
    extras: list[ExtraSeries] = []
    if not isinstance(extra, list):
        problems.append("mapping.extra: not a list; give - {label: Living room, chart: temperature, raw: NAME}")
        extra = []
    labels: set[str] = set()
    for i, spec in enumerate(extra):
        key = f"mapping.extra[{i}]"
        if not isinstance(spec, dict):
            problems.append(f"{key}: not a mapping; give {{label: ..., chart: temperature|power, raw: NAME}}")
            continue
        label, chart = spec.get("label"), spec.get("chart")
        if not isinstance(label, str) or not NAME.match(label) or label in labels:
            problems.append(f"{key}.label: {label!r} is missing, repeated or not a plain name; give a short unique "
                            "label such as Living room")
            continue
        if chart not in CHARTS:
            problems.append(f"{key}.chart: {chart!r} is not a chart that takes extra series; use temperature or power")
            continue
        labels.add(label)
        body = {k: v for k, v in spec.items() if k not in ("label", "chart")}
        kind = Kind.TEMPERATURE if chart == "temperature" else Kind.POWER
        ref = _series(body, key, CHARTS[chart], kind, SERIES_KEYS, problems)
        if ref is not None:
            extras.append(ExtraSeries(label, chart, ref))
    return SiteMapping(parsed, tuple(extras)), problems


def _series(spec: Any, key: str, unit: str, kind: Kind, allowed: tuple[str, ...], problems: list[str]) -> SeriesRef | None:
    if not isinstance(spec, dict):
        problems.append(f"{key}: not a mapping; give {{raw: NAME}} or {{measurement: M, tags: {{k: v}}, field: F}}")
        return None
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        problems.append(f"{key}: unknown key {unknown[0]!r}; use {', '.join(allowed)}")
        return None
    raw, measurement = spec.get("raw"), spec.get("measurement")
    if (raw is None) == (measurement is None):
        problems.append(f"{key}: give exactly one of raw (a name in source.measurement) or measurement (a series "
                        "of its own)")
        return None
    for name in ("raw", "measurement", "field", "database"):
        value = spec.get(name)
        if value is not None and (not isinstance(value, str) or not NAME.match(value)):
            problems.append(f"{key}.{name}: {value!r} is not a plain name; use the name as the database shows it")
            return None
    read_with = spec.get("kind", "influxql")
    if read_with not in SERIES_KINDS:
        problems.append(f"{key}.kind: {read_with!r} is not how a mapped series can be read; use influxql (InfluxDB 2.x: "
                        "its v1 API, with the database mapped to the series' bucket)")
        return None
    url = spec.get("url")
    if url is not None and not _plain_url(url):
        problems.append(f"{key}.url: {url!r} is not an http(s) URL without credentials; give e.g. "
                        "http://192.168.1.20:8086 (the credentials are source.username/password or source.token)")
        return None
    tags = spec.get("tags") or {}
    if raw is not None and tags:
        problems.append(f"{key}.tags: a raw name is found by source.tag; give tags only with measurement")
        return None
    if not isinstance(tags, dict) or not all(isinstance(k, str) and NAME.match(k) and isinstance(v, (str, int))
                                             for k, v in tags.items()):
        problems.append(f"{key}.tags: {tags!r} is not a mapping of tag: value; e.g. tags: {{entity_id: heat_pump_power}}")
        return None
    scale, offset = _conversion(spec, key, unit, kind, problems)
    if scale is None:
        return None
    gap = spec.get("max_gap_s")
    if gap is not None and (isinstance(gap, bool) or not isinstance(gap, (int, float)) or not 1 <= gap <= 7 * 86400):
        problems.append(f"{key}.max_gap_s: {gap!r} is not 1 s – a week; give how long the series may stay silent "
                        "while its value holds (a meter that writes only on change: hours)")
        return None
    return SeriesRef(raw, measurement, {str(k): str(v) for k, v in tags.items()}, spec.get("field"),
                     spec.get("database"), url, scale, offset, float(gap) if gap is not None else None)


def _plain_url(url: Any) -> bool:
    parts = urlsplit(url) if isinstance(url, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.hostname and "@" not in parts.netloc)


def _safe(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _conversion(spec: dict[str, Any], key: str, unit: str, kind: Kind,
                problems: list[str]) -> tuple[float | None, float]:
    """(scale, offset) to the canonical unit, from `unit:` or from `scale:`/`offset:`."""
    if "unit" in spec:
        if "scale" in spec or "offset" in spec:
            problems.append(f"{key}: give unit or scale/offset, not both")
            return None, 0.0
        given = spec["unit"]
        known = UNITS.get(unit, {})
        if given not in known:
            problems.append(f"{key}.unit: {given!r} cannot be converted to {unit}; use one of "
                            f"{', '.join(known)} (or scale/offset)")
            return None, 0.0
        scale, offset = known[given]
    else:
        scale, offset = spec.get("scale", 1.0), spec.get("offset", 0.0)
        for name, value in (("scale", scale), ("offset", offset)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) > 1e9:
                problems.append(f"{key}.{name}: {value!r} is not a number; use e.g. {name}: "
                                f"{'1000' if name == 'scale' else '-17.78'}")
                return None, 0.0
        if scale == 0:
            problems.append(f"{key}.scale: 0 would erase every value; use the factor to {unit}, e.g. 1000 for kW")
            return None, 0.0
    if offset and kind is Kind.COUNTER:
        problems.append(f"{key}: an offset cancels out of a counter's increase; give scale (or unit) only")
        return None, 0.0
    return float(scale), float(offset)
