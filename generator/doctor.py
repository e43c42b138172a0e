"""`heatpump-dashboard doctor`: the first thing to run against your own database.

It connects, lists the metric names the source holds, shows how the provider maps each (mapped,
unmapped, missing), their time coverage and typical sample interval, and which COP method the
dashboard will use.  When something fails it says what and where to fix it.
"""
from __future__ import annotations

from typing import Mapping, TextIO

import pandas as pd

from generator.config import Config
from generator.errors import (
    EXIT_BAD_CONFIG,
    EXIT_OK,
    EXIT_SOURCE_FAILED,
    ConfigError,
    ProviderError,
    SourceError,
    scrub,
)


def cop_method(metrics: set[str]) -> str:
    """measured (heat meter) › delta_t (supply and return) › carnot (supply and brine in) › none."""
    if {"heat_output", "energy_heat"} & metrics:
        return "measured (heat meter: heat_output or energy_heat)"
    if {"supply_temp", "return_temp"} <= metrics:
        return "delta_t (supply_temp − return_temp × cop.flow_factor; no heat meter)"
    if {"supply_temp", "brine_in_temp"} <= metrics:
        return "carnot (supply_temp and brine_in_temp × cop.carnot_efficiency; no heat meter, no return_temp)"
    return "none (needs heat_output/energy_heat, or supply_temp with return_temp or brine_in_temp)"


def _uses(provider, tag: str) -> dict[str, list[str]]:
    """raw -> canonical metrics that read it."""
    mapping = provider.tags.get(tag)
    uses: dict[str, list[str]] = {}
    if mapping is None:
        return uses
    for metric, alternatives in mapping.metrics.items():
        for alt in alternatives:
            for raw in alt.inputs():
                uses.setdefault(raw, []).append(metric)
    for bit in mapping.alarm_bits:
        uses.setdefault(bit.raw, []).append("alarm_active/alarm_code")
    return uses


def _computable(provider, tag: str, held: set[str]) -> set[str]:
    mapping = provider.tags.get(tag)
    if mapping is None:
        return set()
    found = {m for m, alts in mapping.metrics.items() if any(set(a.inputs()) <= held for a in alts)}
    return found & set(provider.metrics(tag))


def _age(ms: int, now: pd.Timestamp) -> str:
    seconds = (now - pd.Timestamp(ms, unit="ms", tz="UTC")).total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.1f} days ago"


def run_doctor(cfg: Config, out: TextIO) -> int:
    secrets = cfg.secrets()

    def say(text: str = "") -> None:
        print(scrub(text, secrets), file=out)

    kind = cfg["source.kind"]
    if kind == "demo":
        say("source: demo (the built-in simulated heat pump); nothing to connect to.")
        say("Set source.kind to influxql or flux, and source.url, to check your own database.")
        return EXIT_OK
    from generator.sources.factory import make_source

    try:
        from providers import load_provider

        provider = load_provider(cfg["provider"])
        source = make_source(cfg)
    except (ConfigError, ProviderError) as exc:
        say(f"configuration problem: {exc}")
        return EXIT_BAD_CONFIG
    tag = cfg["source.tag"]
    where = (f"database {cfg['source.database']!r}" if kind == "influxql"
             else f"org {cfg['source.org']!r}, bucket {cfg['source.bucket']!r}")
    say(f"source: {kind} at {getattr(getattr(source, 'client', None), 'conn', None) and source.client.conn.safe_url or cfg['source.url']}, "
        f"{where}, measurement {cfg['source.measurement']!r}, tag {tag!r}, field {cfg['source.field']!r}")
    say(f"provider: {cfg['provider']}")
    try:
        held_list = source.held_names()
        if not held_list:
            say(f"FAILED: connected, but measurement {cfg['source.measurement']!r} holds no values of tag {tag!r}.")
            say("  Check source.measurement and source.tag (existing installs: measurement heatpump, tag name or "
                "register_id), and that the collector writes into this database/bucket.")
            return EXIT_SOURCE_FAILED
        held = set(held_list)
        uses = _uses(provider, tag)
        coverage: Mapping[str, tuple[int, int, int]] = {}
        if hasattr(source, "coverage"):
            coverage = source.coverage([n for n in held_list if n in uses])
        now = pd.Timestamp.now(tz="UTC")
        newest_ms = max((c[1] for c in coverage.values()), default=0)  # the count covers the day before this
        say(f"connected: {len(held)} names in tag {tag!r}")
        say("")
        for name in held_list:
            if name in uses:
                line = f"  mapped    {name} -> {', '.join(sorted(set(uses[name])))}"
                if name in coverage:
                    first, last, day_count = coverage[name]
                    line += (f"; data {pd.Timestamp(first, unit='ms', tz='UTC'):%Y-%m-%d %H:%M} … "
                             f"{pd.Timestamp(last, unit='ms', tz='UTC'):%Y-%m-%d %H:%M} UTC ({_age(last, now)})")
                    span_s = (last - max(first, newest_ms - 86_400_000)) / 1000
                    if day_count > 1 and span_s > 0:
                        line += f", about every {span_s / (day_count - 1):.0f} s"
                say(line)
            else:
                say(f"  unmapped  {name} (in the database; provider {cfg['provider']} does not read it)")
        for name in sorted(set(uses) - held):
            say(f"  missing   {name} (provider reads it for {', '.join(sorted(set(uses[name])))}; not in the database"
                f"{' — fine if another name provides the same metric' if _other_source(provider, tag, name, held) else ''})")
        metrics = _computable(provider, tag, held)
        say("")
        if not metrics:
            say(f"FAILED: none of the names in the database are mapped by provider {cfg['provider']!r} under tag {tag!r}.")
            say("  Check `provider` (thermia, ivt, nibe, generic) and source.tag (name or register_id).")
            return EXIT_SOURCE_FAILED
        say(f"canonical metrics available: {', '.join(sorted(metrics))}")
        say(f"COP method: {cop_method(metrics)}")
        latest = source.latest()
        if latest.at is None:
            say("newest sample: none")
        else:
            stale = (now - latest.at).total_seconds() > cfg["site.stale_after_s"]
            say(f"newest sample: {latest.at:%Y-%m-%d %H:%M:%S} UTC ({_age(int(latest.at.value // 1_000_000), now)})"
                + (" — OLDER than site.stale_after_s: is the collector still writing?" if stale else ""))
        if latest.alarm_codes:
            say(f"active alarms: {', '.join(str(c) for c in latest.alarm_codes)}")
        say(f"queries sent: {source.query_count}")
        return EXIT_OK
    except SourceError as exc:
        say(f"FAILED: {exc}")
        return EXIT_SOURCE_FAILED
    finally:
        source.close()


def _other_source(provider, tag: str, raw: str, held: set[str]) -> bool:
    mapping = provider.tags.get(tag)
    if mapping is None:
        return False
    for alternatives in mapping.metrics.values():
        if any(raw in a.inputs() for a in alternatives):
            if any(set(a.inputs()) <= held for a in alternatives):
                return True
    return False
