"""`heatpump-dashboard doctor`: the first thing to run against your own database.

It connects, says which collector layout the names look like (and, when they fit another provider or tag
better, which to configure), then for each canonical metric the raw name that provides it — or that none
does — with its time coverage and sample interval; how heat is known (the formula, with the flow factor);
whether the last week's COP is physically possible; and a flow factor suggested from a heat meter or the
pump's nominal output.  Times are shown in site.timezone.  When something fails it says what to fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, TextIO

import pandas as pd

from generator import analytics
from generator.config import Config
from generator.core.errors import (
    EXIT_BAD_CONFIG,
    EXIT_OK,
    EXIT_SOURCE_FAILED,
    ConfigError,
    ProviderError,
    SourceError,
    scrub,
)
from generator.core.metrics import CHANGING, NAMES
from generator.core.ranges import Window
from providers.model import Provider
from providers.records import TAGS
from providers.roles import HeatBasis, HeatMethod, HeatPlan

CHECK_DAYS = 7   # the period COP, Carnot bound and flow factor are checked over


@dataclass(frozen=True)
class Match:
    """How well one layout of one provider explains the names a database holds under one tag."""

    provider: str
    layout: str
    description: str
    tag: str
    metrics: int      # canonical metrics it can compute from the names held
    names: int        # of its names, how many are held


def heat_formula(plan: HeatPlan, factor: float | None, source: str) -> str:
    """How heat is known, as a formula with its parentheses."""
    if plan.method is HeatMethod.MEASURED:
        return f"measured: {plan.basis.value} (a heat meter)"
    if plan.method is HeatMethod.DELTA_T and plan.pair:
        warm, cold = plan.pair
        note = " (misses hot water: the radiators see nothing of a hot-water run)" if plan.basis is HeatBasis.RADIATOR else ""
        return f"estimated: ({warm} − {cold}) × {factor:.2f} kW/K, {source}{note}"
    if plan.method is HeatMethod.CARNOT:
        return ("estimated: (power_electric − aux_heater_power) × (supply_temp + 273.15) ÷ (supply_temp − "
                "brine_in_temp) × cop.carnot_efficiency, plus add-heat")
    return ("none: needs energy_heat or heat_output, a temperature pair (heat_carrier_supply_temp and "
            "heat_carrier_return_temp, or supply_temp and return_temp), or supply_temp, brine_in_temp and power_electric")


def matches(held: Mapping[str, set[str]], providers: Mapping[str, Provider]) -> list[Match]:
    """Every (provider, layout, tag) that explains some of the held names, best first."""
    found: list[Match] = []
    for name, provider in providers.items():
        for layout in provider.layouts:
            for tag, mapping in layout.mappings.items():
                names = set(layout.raw_names(tag)) & held.get(tag, set())
                if not names:
                    continue
                metrics = sum(1 for alts in mapping.metrics.values() if any(set(a.inputs()) <= names for a in alts))
                found.append(Match(name, layout.id, layout.description, tag, metrics, len(names)))
    return sorted(found, key=lambda m: (-m.metrics, -m.names, m.provider != "generic"))


def run_doctor(cfg: Config, out: TextIO, now: pd.Timestamp | None = None) -> int:
    secrets = cfg.secrets()
    tz = cfg["site.timezone"]

    def say(text: str = "") -> None:
        print(scrub(text, secrets), file=out)

    def local(ms: int | pd.Timestamp) -> str:
        ts = ms if isinstance(ms, pd.Timestamp) else pd.Timestamp(ms, unit="ms", tz="UTC")
        return f"{ts.tz_convert(tz):%Y-%m-%d %H:%M}"

    kind = cfg["source.kind"]
    if kind == "demo":
        say("source: demo (the built-in simulated heat pump); nothing to connect to.")
        say("Set source.kind to influxql or flux, and source.url, to check your own database.")
        return EXIT_OK
    from generator.sources.factory import make_source
    from providers import available_providers, load_provider

    try:
        provider = load_provider(cfg["provider"], cfg.provider_overrides())
        source = make_source(cfg)
    except (ConfigError, ProviderError) as exc:
        say(f"configuration problem: {exc}")
        return EXIT_BAD_CONFIG
    tag = cfg["source.tag"]
    where = (f"database {cfg['source.database']!r}" if kind == "influxql"
             else f"org {cfg['source.org']!r}, bucket {cfg['source.bucket']!r}")
    say(f"source: {kind} at {_safe_url(source, cfg)}, {where}, measurement {cfg['source.measurement']!r}, "
        f"tag {tag!r}, field {cfg['source.field']!r}")
    say(f"provider: {cfg['provider']} ({provider.display_name})")
    now = now or pd.Timestamp.now(tz="UTC")
    try:
        held_list = source.held_names()
        if not held_list:
            say(f"FAILED: connected, but measurement {cfg['source.measurement']!r} holds no values of tag {tag!r}.")
            say("  Check source.measurement and source.tag (existing installs: measurement heatpump, tag name or "
                "register_id), and that the collector writes into this database/bucket.")
            return EXIT_SOURCE_FAILED
        held = {tag: set(held_list)}
        for other in TAGS:
            if other != tag:
                held[other] = set(source.held_names(other))
        say(f"connected: {len(held_list)} names in tag {tag!r}")
        ranked = matches(held, {p: load_provider(p) for p in available_providers()})
        mine = [m for m in ranked if m.provider == cfg["provider"] and m.tag == tag]
        for m in mine[:2]:
            say(f"layout: {m.description} ({m.names} of its names)")
        if ranked and (not mine or ranked[0].metrics > mine[0].metrics):
            best = ranked[0]
            fix = [f"provider {best.provider}"] + ([f"source.tag {best.tag}"] if best.tag != tag else [])
            say(f"looks like {best.description}: use {' and '.join(fix)}")
        say("")
        coverage: Mapping[str, tuple[int, int, int]] = {}
        uses = set(provider.raw_names(tag)) & held[tag] if tag in provider.tags else set()
        if hasattr(source, "coverage"):
            coverage = source.coverage(sorted(uses))
        newest_ms = max((c[1] for c in coverage.values()), default=0)
        available: list[str] = []
        say(f"  {'metric':<26} {'provided by':<40} data ({tz})")
        mapped = {part.column: part for part in getattr(source, "parts", ())}
        for metric in NAMES:
            if metric in mapped:   # the site config's mapping replaces the provider's
                available.append(metric)
                say(f"  {metric:<26} {'mapping: ' + cfg.mapping().metrics[metric].describe():<40}"
                    + _part_data(mapped[metric].source, now, local))
                continue
            raws = provider.provided_by(metric, tag, held[tag]) if tag in provider.tags else None
            if raws is None:
                say(f"  {metric:<26} none")
                continue
            available.append(metric)
            say(f"  {metric:<26} {' + '.join(raws):<40}" + _data(coverage, raws[0], newest_ms, now, local))
        for extra in cfg.mapping().extra:
            say(f"  {extra.label + ' (' + extra.chart + ')':<26} {'mapping: ' + extra.series.describe():<40}"
                + _part_data(mapped[extra.column].source, now, local))
        unread = sorted(held[tag] - uses)
        if unread:
            say(f"  not read by provider {cfg['provider']}: {', '.join(unread[:12])}" + (" …" if len(unread) > 12 else ""))
        say("")
        if not available:
            say(f"FAILED: none of the names in the database maps for provider {cfg['provider']!r} under tag {tag!r}.")
            say("  Check `provider` (thermia, ivt, nibe, generic) and source.tag (name or register_id).")
            return EXIT_SOURCE_FAILED
        roles = provider.roles(tag, available)
        pair = roles.heat.basis is HeatBasis.HEAT_CARRIER
        factor = provider.defaults.heat_carrier_flow_factor_kw_per_k if pair else provider.defaults.flow_factor_kw_per_k
        from_config = cfg["cop.flow_factor"] is not None
        say(f"heat: {heat_formula(roles.heat, factor, 'cop.flow_factor' if from_config else 'the brand default: set cop.flow_factor')}")
        latest = source.latest()
        if latest.at is not None:
            _check_week(cfg, provider, source, latest.at, roles.heat, say)
            stale = (now - latest.at).total_seconds() > cfg["site.stale_after_s"]
            say(f"newest sample: {local(latest.at)} {tz} ({_age(latest.at, now)})"
                + (" — OLDER than site.stale_after_s: is the collector still writing?" if stale else ""))
        else:
            say("newest sample: none")
        if latest.alarm_codes:
            say(f"active alarms: {', '.join(str(c) for c in latest.alarm_codes)}")
        say(f"queries sent: {source.query_count}")
        return EXIT_OK
    except SourceError as exc:
        say(f"FAILED: {exc}")
        return EXIT_SOURCE_FAILED
    finally:
        source.close()


def _check_week(cfg: Config, provider: Provider, source: Any, newest: pd.Timestamp, plan: HeatPlan,
                say: Callable[[str], None]) -> None:
    """The last CHECK_DAYS: COP against its Carnot bound, and a flow factor from a meter or the nominal output."""
    end = newest.floor("1h")
    window = Window(end - pd.Timedelta(days=CHECK_DAYS), end, "15min", cfg["site.timezone"])
    frame = source.series(window, bands=False)
    params = analytics.Params(flow_factor_kw_per_k=provider.defaults.flow_factor_kw_per_k,
                              heat_carrier_flow_factor_kw_per_k=provider.defaults.heat_carrier_flow_factor_kw_per_k,
                              carnot_efficiency=provider.defaults.carnot_efficiency)
    summary = analytics.summarize(frame, source.state_changes(window, CHANGING), window, params)
    perf = summary.performance
    if perf.spf is not None:
        verdict = ""
        if perf.plausible is False:
            verdict = (f": IMPLAUSIBLE — the compressor's {perf.spf_without_aux:.2f} beats its Carnot bound "
                       f"{perf.carnot_spf:.2f}; the heat estimate is too high (check cop.flow_factor)")
        elif perf.plausible:
            verdict = f" (Carnot bound {perf.carnot_spf:.2f}: plausible)"
        say(f"last {CHECK_DAYS} days: COP {perf.spf:.2f} over {summary.coverage.hours:.0f} h with data{verdict}")
    suggestion = analytics.suggest_flow_factor(frame, window, cfg["heat_pump.nominal_heat_kw"])
    if suggestion is not None:
        say(f"suggested cop.flow_factor: {suggestion.kw_per_k:.2f} kW/K ({suggestion.how}, "
            f"{suggestion.running_hours:.0f} running hours)")
    elif plan.method is HeatMethod.DELTA_T and cfg["heat_pump.nominal_heat_kw"] is None:
        say("suggested cop.flow_factor: set heat_pump.nominal_heat_kw (the pump's rated heat output) to get one")


def _data(coverage: Mapping[str, tuple[int, int, int]], raw: str, newest_ms: int, now: pd.Timestamp,
          local: Callable[[int], str]) -> str:
    if raw not in coverage:
        return ""
    first, last, day_count = coverage[raw]
    text = f" {local(first)} … {local(last)} ({_age(pd.Timestamp(last, unit='ms', tz='UTC'), now)})"
    span_s = (last - max(first, newest_ms - 86_400_000)) / 1000
    if day_count > 1 and span_s > 0:
        text += f", about every {span_s / (day_count - 1):.0f} s"
    return text


def _age(ts: pd.Timestamp, now: pd.Timestamp) -> str:
    seconds = (now - ts).total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.1f} days ago"


def _safe_url(source: Any, cfg: Config) -> str:
    conn = getattr(getattr(source, "client", None), "conn", None)
    if conn is not None:
        return conn.safe_url
    safe = getattr(source, "_safe_url", None)
    return safe() if callable(safe) else scrub(str(cfg["source.url"]), [])


def _part_data(part: Any, now: pd.Timestamp, local: Callable[[pd.Timestamp], str]) -> str:
    """The newest sample of one mapped series, or why there is none, in the table's data column."""
    try:
        latest = part.latest()
    except SourceError as exc:
        return f" FAILED: {exc}"
    return f" newest {local(latest.at)} ({_age(latest.at, now)})" if latest.at is not None else " none"
