"""One generation run, step by step.  Read run_once() first: it is the table of contents.

State that outlives a run (the manifest on disk, failures for backoff, last success per range) lives in
RunState, so a scheduler can call run_once() again and again, and a restarted generator carries on from
the manifest it finds in public/.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Sequence

import pandas as pd

from generator import analytics, archive
from generator.charts import build_charts, build_kpis
from generator.clock import Clock, system_clock
from generator.config import Config
from generator.errors import SourceError
from generator.metrics import CHANGING
from generator.ranges import BY_KEY, RANGES, RangeSpec, window_for
from generator.site import publish_site
from generator.sources.base import Latest, Source
from generator.writer import Publisher
from providers import load_provider
from providers.model import Provider

log = logging.getLogger("heatpump_dashboard.generator")

FORMAT = 1
MAX_BACKOFF_S = 300.0


def iso(ts: datetime | pd.Timestamp | None) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RangeStatus:
    last_success_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    duration_s: float | None = None
    last_attempt: float = 0.0       # monotonic seconds; decides when the range is due again
    failures: int = 0               # consecutive failures of this range alone
    retry_at: float = 0.0           # monotonic: not due again before this (its own backoff)


@dataclass
class RunState:
    manifest: dict[str, Any] | None = None
    ranges: dict[str, RangeStatus] = field(default_factory=dict)
    failures: int = 0               # consecutive runs with a source error
    last_error: str | None = None   # the newest of them, shown while backing off
    retry_at: float = 0.0           # monotonic: no source queries before this (backoff)
    site_published: bool = False
    archived_day: date | None = None
    alarm_since: dict[int, pd.Timestamp] = field(default_factory=dict)  # see remember_alarm_starts()


@dataclass
class Context:
    cfg: Config
    source: Source
    provider: Provider
    publisher: Publisher
    params: analytics.Params
    refresh_s: dict[str, float]
    state: RunState = field(default_factory=RunState)
    clock: Clock = system_clock     # "now" of a run that is not given one


@dataclass
class RunReport:
    started: datetime
    errors: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    manifest_written: bool = False
    latest: Latest | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def make_context(cfg: Config, source: Source, clock: Clock = system_clock) -> Context:
    provider = load_provider(cfg["provider"], cfg.provider_overrides())
    params = analytics.Params(
        flow_factor_kw_per_k=provider.defaults.flow_factor_kw_per_k,
        heat_carrier_flow_factor_kw_per_k=provider.defaults.heat_carrier_flow_factor_kw_per_k,
        carnot_efficiency=provider.defaults.carnot_efficiency,
        min_running_share=cfg["cop.min_running_share"],
        hot_water_min_cycle_minutes=cfg["hot_water.min_cycle_minutes"],
        price_per_kwh=cfg["price.per_kwh"],
        currency=cfg["price.currency"],
    )
    publisher = Publisher(cfg.public_dir, cfg["output.grace_s"])
    ctx = Context(cfg, source, provider, publisher, params, refresh_intervals(cfg), clock=clock)
    ctx.state.manifest = publisher.read_manifest()
    return ctx


def refresh_intervals(cfg: Config) -> dict[str, float]:
    by_span = {"7d": cfg["schedule.week_s"], "30d": cfg["schedule.month_s"], "365d": cfg["schedule.year_s"]}
    return {r.key: float(by_span.get(r.key, cfg["schedule.interval_s"])) for r in RANGES}


# --- the run ----------------------------------------------------------------------------------------
def run_once(ctx: Context, now: datetime | None = None, due: Sequence[RangeSpec] | None = None) -> RunReport:
    """One generation: page, latest values, due ranges, live file, archive, manifest, heartbeat, cleanup."""
    now = now or ctx.clock()
    report = RunReport(started=now)
    begun = time.monotonic()
    queries_before = ctx.source.query_count
    publish_page(ctx)
    if backing_off(ctx):
        report.errors.append(ctx.state.last_error or "retrying later")
    else:
        report.latest = read_latest(ctx, report)
        if report.latest is not None:  # the source answers: refresh what is due
            for spec in due if due is not None else due_ranges(ctx):
                refresh_range(ctx, spec, now, report)
            publish_live(ctx, report.latest, report)
            archive_yesterday(ctx, now, report)
        else:  # it does not: don't wait out one timeout per range, keep the last good files
            mark_all_stale(ctx, report.errors[0])
        note_failures(ctx, report)
    publish_manifest(ctx, now, report)
    write_status(ctx, now, time.monotonic() - begun, ctx.source.query_count - queries_before, report)
    ctx.publisher.remove_superseded(ctx.state.manifest or {})
    return report


def publish_page(ctx: Context) -> None:
    """index.html and its bundle: once per process (they only change with a new release or config)."""
    if not ctx.state.site_published:
        publish_site(ctx.cfg, ctx.publisher)
        ctx.state.site_published = True


def backing_off(ctx: Context) -> bool:
    return time.monotonic() < ctx.state.retry_at


def due_ranges(ctx: Context) -> list[RangeSpec]:
    """Ranges whose refresh interval has passed, and stale ones (a retry) once their backoff is over."""
    clock = time.monotonic()
    due = []
    for spec in RANGES:
        status = ctx.state.ranges.get(spec.key)
        stale = bool(current_entry(ctx, spec.key).get("stale"))
        if status is None:
            due.append(spec)
        elif status.last_error or stale:
            if clock >= status.retry_at:
                due.append(spec)
        elif clock - status.last_attempt >= ctx.refresh_s[spec.key] - 0.5:
            due.append(spec)
    return due


def read_latest(ctx: Context, report: RunReport) -> Latest | None:
    status = ctx.state.ranges.setdefault("live", RangeStatus())
    try:
        latest = ctx.source.latest()
    except SourceError as exc:
        record_failure(ctx, status, str(exc), report)
        return None
    record_success(status)
    return latest


def refresh_range(ctx: Context, spec: RangeSpec, now: datetime, report: RunReport) -> None:
    """Query, analyse, chart and publish one range; on a source error keep its last good file."""
    status = ctx.state.ranges.setdefault(spec.key, RangeStatus())
    status.last_attempt = time.monotonic()
    begun = time.perf_counter()
    try:
        document = build_range_document(ctx, spec, now, report.latest)
    except SourceError as exc:
        record_failure(ctx, status, str(exc), report)
        mark_range(ctx, spec.key, stale=True, error=str(exc))
        return
    published = ctx.publisher.put_json(spec.key, document)
    if published.written:
        report.written.append(published.path)
    previous = current_entry(ctx, spec.key)
    changed = previous.get("hash") != published.hash
    set_entry(ctx, spec.key, {
        "path": published.path, "hash": published.hash, "stale": False, "error": None,
        "generated_at": iso(now) if changed else previous.get("generated_at", iso(now)),
        "from": document["from"], "to": document["to"],
    })
    status.last_success_at = iso(now)
    record_success(status)
    status.duration_s = round(time.perf_counter() - begun, 3)


def build_range_document(ctx: Context, spec: RangeSpec, now: datetime, latest: Latest | None) -> dict[str, Any]:
    """Everything a viewer sees for one range: source → analytics → charts."""
    window = window_for(spec, now, ctx.cfg["site.timezone"])
    frame = ctx.source.series(window, bands=spec.bands)
    changes = ctx.source.state_changes(window, CHANGING)
    summary = analytics.summarize(frame, changes, window, ctx.params)
    remember_alarm_starts(ctx, summary, latest)
    language = ctx.cfg["site.language"]
    means = {m: analytics.time_weighted_mean(frame, window, m) for m in ("indoor_temp", "hot_water_temp")}
    return {
        "format": FORMAT,
        "range": spec.key,
        "from": iso(window.start),
        "to": iso(window.end),
        "bucket": spec.bucket,
        "kpis": build_kpis(summary, means),
        "alarms": {
            "active": active_alarms(ctx, latest),
            "events": [
                {"code": e.code, "text": ctx.provider.alarm_text(e.code, language),
                 "start": iso(e.start), "end": iso(e.end)}
                for e in summary.alarm_events
            ],
        },
        "charts": build_charts(frame, summary, window, spec, language, ctx.cfg["site.timezone"],
                               params=ctx.params),
    }


def remember_alarm_starts(ctx: Context, summary: analytics.Summary, latest: Latest | None) -> None:
    """Since when each active alarm is on, from the alarm events of the ranges (for sources whose latest
    reading can't tell); the longest range that saw it start gives the earliest time."""
    if latest is None:  # an archive snapshot: it knows nothing about now
        return
    active = set(latest.alarm_codes)
    known = {code: t for code, t in ctx.state.alarm_since.items() if code in active}
    for event in summary.alarm_events:
        if event.end is None and event.code in active:
            known[event.code] = min(known.get(event.code, event.start), event.start)
    ctx.state.alarm_since = known


def active_alarms(ctx: Context, latest: Latest | None) -> list[dict[str, Any]]:
    if latest is None:
        return []
    language = ctx.cfg["site.language"]
    alarms = []
    for code in latest.alarm_codes:
        info = ctx.provider.alarm_info(code)
        alarms.append({"code": code, "text": ctx.provider.alarm_text(code, language),
                       "severity": info.severity if info else None,
                       "since": iso(latest.alarm_since.get(code) or ctx.state.alarm_since.get(code))})
    return alarms


def publish_live(ctx: Context, latest: Latest, report: RunReport) -> None:
    """The small live file: newest values, operating status, active alarms. No clock time inside, so it
    only changes when the data does."""
    values = {k: round(float(v), 2) for k, v in sorted(latest.values.items()) if v is not None and not pd.isna(v)}
    document = {
        "latest_data_at": iso(latest.at),
        "values": values,
        "status": {k: int(round(values[k])) for k in ("compressor_on", "switch_valve", "aux_heater_on") if k in values},
        "alarms": active_alarms(ctx, latest),
    }
    published = ctx.publisher.put_json("live", document)
    if published.written:
        report.written.append(published.path)
    previous = (ctx.state.manifest or {}).get("live") or {}
    ctx.state.manifest = {**(ctx.state.manifest or {}), "live": {
        "path": published.path, "hash": published.hash,
        "generated_at": iso(report.started) if previous.get("hash") != published.hash
        else previous.get("generated_at"),
    }}


def archive_yesterday(ctx: Context, now: datetime, report: RunReport) -> None:
    """Once a day: the snapshot of the local day that just ended (see generator/archive.py)."""
    tz = ctx.cfg["site.timezone"]
    day = archive.yesterday(now, tz)
    if ctx.state.archived_day == day:
        return
    if not archive.snapshot_exists(ctx.publisher.public_dir, day):
        try:
            take_archive_snapshot(ctx, day)
        except SourceError as exc:
            record_failure(ctx, ctx.state.ranges.setdefault("archive", RangeStatus()), str(exc), report)
            return
    archive.prune_and_index(ctx.publisher, day, ctx.cfg["output.archive_days"])
    ctx.state.archived_day = day


def take_archive_snapshot(ctx: Context, day: date) -> None:
    archive.take_snapshot(ctx.publisher, day, ctx.cfg["site.timezone"],
                          lambda key, end: build_range_document(ctx, BY_KEY[key], end, None))


def publish_manifest(ctx: Context, now: datetime, report: RunReport) -> None:
    """The manifest last, and only when what it says changed."""
    previous = ctx.publisher.read_manifest()
    body = dict(ctx.state.manifest or {})
    body.setdefault("ranges", {})
    latest_at = iso(report.latest.at) if report.latest else (previous or {}).get("latest_data_at")
    body.update({
        "format": FORMAT,
        "site": {"name": ctx.cfg["site.name"], "language": ctx.cfg["site.language"],
                 "timezone": ctx.cfg["site.timezone"], "brand": ctx.provider.display_name,
                 "colours": dict(ctx.provider.colours)},
        "latest_data_at": latest_at,
        "data_old": data_is_old(latest_at, now, ctx.cfg["site.stale_after_s"]),
        # stale while the source does not answer, or while any range still shows its last good file
        "stale": bool(report.errors) or any(e.get("stale") for e in body["ranges"].values()),
        "error": report.errors[0] if report.errors else next(
            (e.get("error") for e in body["ranges"].values() if e.get("stale")), None),
        "archive": "archive/index.json",
    })
    comparable = {k: v for k, v in body.items() if k != "generated_at"}
    if previous is not None and {k: v for k, v in previous.items() if k != "generated_at"} == comparable:
        ctx.state.manifest = previous
        ctx.publisher.write_manifest(previous, previous)  # writes nothing, unless its .gz copy is off
        return
    body["generated_at"] = iso(now)
    report.manifest_written = ctx.publisher.write_manifest(body, previous)
    ctx.state.manifest = body


def data_is_old(latest_at: str | None, now: datetime, limit_s: float) -> bool:
    if latest_at is None:
        return True
    return (pd.Timestamp(now) - pd.Timestamp(latest_at)).total_seconds() > limit_s


def write_status(ctx: Context, now: datetime, duration: float, queries: int, report: RunReport) -> None:
    """status.json, the heartbeat: rewritten on every run, watched by nobody, read by /healthz."""
    ctx.publisher.write_plain("status.json", {
        "last_run_at": iso(now),
        "duration_s": round(duration, 3),
        "source_kind": ctx.source.kind,
        "source_queries": queries,
        "ok": report.ok,
        "consecutive_failures": ctx.state.failures,
        "ranges": {key: {"last_success_at": s.last_success_at, "last_error": s.last_error,
                         "last_error_at": s.last_error_at, "duration_s": s.duration_s}
                   for key, s in sorted(ctx.state.ranges.items())},
    })


# --- bookkeeping ----------------------------------------------------------------------------------------
def backoff_s(ctx: Context, failures: int) -> float:
    """The interval doubling with each failure in a row, at most 5 minutes."""
    return min(ctx.cfg["schedule.interval_s"] * 2 ** (failures - 1), MAX_BACKOFF_S)


def record_failure(ctx: Context, status: RangeStatus, message: str, report: RunReport) -> None:
    """One query failed: remember it, and let only this part wait before it is asked again."""
    log.warning("source failed: %s", message)
    status.last_error, status.last_error_at = message, iso(report.started)
    status.failures += 1
    status.retry_at = time.monotonic() + backoff_s(ctx, status.failures)
    if message not in report.errors:
        report.errors.append(message)


def record_success(status: RangeStatus) -> None:
    status.last_error, status.failures, status.retry_at = None, 0, 0.0


def note_failures(ctx: Context, report: RunReport) -> None:
    """When the source does not answer at all (no latest reading), the whole run backs off; one range
    that fails (a 365d query timing out) only delays itself. Cleared when the source is back."""
    if report.latest is not None:
        ctx.state.failures, ctx.state.retry_at, ctx.state.last_error = 0, 0.0, None
        return
    ctx.state.failures += 1
    ctx.state.last_error = report.errors[0] if report.errors else "the source did not answer"
    ctx.state.retry_at = time.monotonic() + backoff_s(ctx, ctx.state.failures)


def current_entry(ctx: Context, key: str) -> dict[str, Any]:
    return dict(((ctx.state.manifest or {}).get("ranges") or {}).get(key) or {})


def set_entry(ctx: Context, key: str, entry: dict[str, Any]) -> None:
    manifest = dict(ctx.state.manifest or {})
    manifest["ranges"] = {**(manifest.get("ranges") or {}), key: entry}
    ctx.state.manifest = manifest


def mark_all_stale(ctx: Context, error: str) -> None:
    for spec in RANGES:
        mark_range(ctx, spec.key, stale=True, error=error)


def mark_range(ctx: Context, key: str, stale: bool, error: str | None) -> None:
    entry = current_entry(ctx, key)
    if entry:  # no earlier good file: nothing to keep, nothing to mark
        entry.update(stale=stale, error=error)
        set_entry(ctx, key, entry)
