"""The canonical metrics: the one vocabulary everything inside the project speaks, kept as data in
metrics.yaml beside this file and checked at import.

Providers map brand names onto these; sources return frames with these columns; chart code reads
them.  `kind` decides how a metric is read into buckets (docs/data-layer.md):

* temperatures, frequencies, states and powers are *held*: a sample's value lasts until the next sample
  of the same series (collectors that publish on change write nothing while a value stays the same), and
  a bucket's value is the time-weighted mean over the part of it that data covers;
* a controller's regulation value (degree-minutes) is held like a temperature;
* counters (meters, starts, operating hours) become the increase inside each bucket, the first bucket's increase counted
  from the value before the window;
* alarm codes are never averaged: the last value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import yaml


class Kind(str, Enum):
    TEMPERATURE = "temperature"
    STATE = "state"        # 0/1; the bucket mean is the fraction of the covered time it was on
    POWER = "power"        # W; the bucket mean times the covered time is energy
    FREQUENCY = "frequency"
    COUNTER = "counter"    # monotonic except at resets
    REGULATION = "regulation"  # a controller's own signed value (degree-minutes): held, never summed
    CODE = "code"          # alarm codes: never averaged


# How a source reads a raw series of each kind (see docs/data-layer.md and generator/sources/hold.py).
HOLD = "hold"          # time-weighted mean of the held value, with the covered share of each bucket
INCREASE = "increase"  # a counter's increase per bucket
LAST = "last"          # the last value of each bucket
READING: dict[Kind, str] = {
    Kind.TEMPERATURE: HOLD, Kind.FREQUENCY: HOLD, Kind.STATE: HOLD, Kind.POWER: HOLD,
    Kind.COUNTER: INCREASE, Kind.CODE: LAST, Kind.REGULATION: HOLD,
}


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    kind: Kind
    meaning: str


METRICS_FILE = Path(__file__).with_name("metrics.yaml")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # a column name, safe next to ':' suffixes (band_column, coverage_column)


def load_metrics(path: Path = METRICS_FILE) -> tuple[Metric, ...]:
    """The vocabulary, checked: every problem at once, each naming the entry and the fix."""
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    metrics: list[Metric] = []
    for name, entry in (tree or {}).items() if isinstance(tree, dict) else ():
        if not isinstance(name, str) or not NAME.match(name):
            problems.append(f"{name!r}: not a metric name; use lower-case letters, digits and '_'")
            continue
        if not isinstance(entry, dict) or set(entry) != {"unit", "kind", "meaning"}:
            problems.append(f"{name}: give exactly {{unit: ..., kind: ..., meaning: ...}}")
            continue
        if entry["kind"] not in {k.value for k in Kind}:
            problems.append(f"{name}.kind: {entry['kind']!r} is not known; use one of {', '.join(k.value for k in Kind)}")
            continue
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in ("unit", "meaning")):
            problems.append(f"{name}: unit and meaning must be text")
            continue
        metrics.append(Metric(name, entry["unit"], Kind(entry["kind"]), entry["meaning"]))
    if not metrics and not problems:
        problems.append("no metrics; give a mapping name: {unit, kind, meaning}")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))  # a broken vocabulary is a bug of ours, not input
    return tuple(metrics)


METRICS: tuple[Metric, ...] = load_metrics()

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
TEMPERATURES: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind is Kind.TEMPERATURE)
# States and codes: what Source.state_changes() answers, exactly, at full resolution.
CHANGING: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind in (Kind.STATE, Kind.CODE))


def reading(metric: str) -> str:
    """hold | increase | last: how a source reads the raw series behind `metric`."""
    return READING[BY_NAME[metric].kind]


def band_column(metric: str, which: str) -> str:
    """Column of a min or max band: band_column("outdoor_temp", "min") == "outdoor_temp:min"."""
    return f"{metric}:{which}"


def coverage_column(name: str) -> str:
    """Column of the covered share (0–1) of each bucket: coverage_column("power_electric") == "power_electric:cov"."""
    return f"{name}:cov"


# --- Data quality rules, per kind (generator/analytics/quality.py; docs/decisions.md, "Data quality") ----
# Physical range of a bucket's value: a reading outside it is a broken sensor or a wrong mapping, never
# weather.  Far inside the source's ±10¹² (generator/sources/influxql.py ABSURD), which only keeps
# overflows and +Inf out of the sums.  Counters: a bucket's increase (resets are already taken apart).
BOUNDS: dict[Kind, tuple[float, float]] = {
    Kind.TEMPERATURE: (-50.0, 120.0),    # outdoor −50 °C … a legionella-boosted tank or a boiler flow
    Kind.STATE: (0.0, 1.0),
    Kind.POWER: (0.0, 100_000.0),        # W: a house's heat pump with add-heat stays far below 100 kW
    Kind.FREQUENCY: (0.0, 200.0),        # Hz: inverter compressors run ~20–120 Hz
    Kind.COUNTER: (0.0, float("inf")),   # an increase is never negative
    Kind.CODE: (0.0, float("inf")),
    Kind.REGULATION: (-30_000.0, 30_000.0),  # degree-minutes: controllers clamp far inside this (our bound)
}
# How long a metric of each kind may keep exactly one value before it counts as stuck (hours); None: it
# may stay put for ever (a state, an alarm code, a counter while nothing runs).  A real sensor's last digit
# moves within hours: even a room in a still house drifts 0.1 °C, and the outdoor air never rests half
# a day.  Power and frequency count only while non-zero (off reads 0 for months, legitimately).
STUCK_HOURS: dict[Kind, float | None] = {
    Kind.TEMPERATURE: 6.0,
    Kind.POWER: 6.0,
    Kind.FREQUENCY: 6.0,
    Kind.STATE: None,
    Kind.COUNTER: None,
    Kind.CODE: None,
    Kind.REGULATION: None,               # degree-minutes rest at 0 all summer
}
# A counter that does not grow while the compressor runs this long (hours) is stuck too: a meter that
# counts the pump's electricity or heat must move while it works.
STUCK_COUNTER_RUNNING_HOURS = 2.0
