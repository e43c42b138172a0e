"""One generation run, step by step.  run_once() is the table of contents; each step below is a few lines
over the modules that do the work (sources, analytics, charts/document.py, manifest.py, writer.py, site.py,
archive.py, backoff.py).

State that outlives a run (the manifest on disk, backoffs, when each range last ran) lives in RunState, so
a scheduler can call run_once() again and again, and a restarted generator carries on from the manifest
it finds in public/.  Time comes from the context's clock (generator/core/clock.py).

Why over 300 lines: the steps of a run read best side by side, each a few lines over the module that does
its work (notify.py too); splitting them would split the table of contents from its chapters.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Sequence

import pandas as pd

from generator import analytics, archive
from generator.backoff import Backoff
from generator.charts.document import alarm_entries, iso, live_document, range_document
from generator.config import Config, month_day
from generator.core.clock import SYSTEM, Clock
from generator.core.errors import Problem, SourceError
from generator.core.metrics import CHANGING
from generator.core.public_format import LIVE_KEY
from generator.core.ranges import BY_KEY, RANGES, RangeSpec, window_for
from generator.manifest import Manifest, publish_manifest
from generator.memory import keep_freed_memory
from generator.notify import Notifier, make_notifier, observed
from generator.site import DEFAULT_RANGE, Assets, publish_assets_and_icon, publish_index
from generator.sources.base import Latest, Source
from generator.sources.fold import read_range
from generator.status import write_status
from generator.tariff import FILE, read_price_file, tariff_of
from generator.writer import Publisher
from providers import load_provider
from providers.model import Provider

log = logging.getLogger("heatpump_dashboard.generator")
MEANS = ("indoor_temp", "hot_water_temp")   # the card temperatures besides outdoor: means over the range


@dataclass
class RangeStatus:
    backoff: Backoff                         # this range's own retries (a 365d query that times out)
    last_attempt: float | None = None        # clock.monotonic() of its last refresh
    last_success_at: str | None = None
    last_error_at: str | None = None
    duration_s: float | None = None


@dataclass
class RunState:
    manifest: Manifest
    source: Backoff                          # the whole run waits when the source does not answer at all
    ranges: dict[str, RangeStatus] = field(default_factory=dict)
    assets: Assets | None = None             # the bundle, published once per process
    shown_kpis: dict[str, Any] | None = None  # the default range's, for index.html
    shown_live: dict[str, Any] | None = None
    archived_day: date | None = None
    alarm_since: dict[int, pd.Timestamp] = field(default_factory=dict)  # see remember_alarm_starts()
    price_problem: Problem | None = None     # the price file could not be used (said once in the log)
    notifier: Notifier | None = None         # None: no notification channel is set up


@dataclass
class Context:
    cfg: Config
    source: Source
    provider: Provider
    publisher: Publisher
    params: analytics.Params
    refresh_s: dict[str, float]
    state: RunState
    clock: Clock = SYSTEM
    stop: threading.Event = field(default_factory=threading.Event)  # set on SIGTERM: finish what is begun


@dataclass
class RunReport:
    started: datetime
    errors: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    manifest_written: bool = False
    latest: Latest | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def make_context(cfg: Config, source: Source, clock: Clock = SYSTEM) -> Context:
    keep_freed_memory()   # every generator process comes through here: see generator/memory.py
    provider = load_provider(cfg["provider"], cfg.provider_overrides())
    params = analytics.Params(
        flow_factor_kw_per_k=provider.defaults.flow_factor_kw_per_k,
        heat_carrier_flow_factor_kw_per_k=provider.defaults.heat_carrier_flow_factor_kw_per_k,
        carnot_efficiency=provider.defaults.carnot_efficiency,
        min_running_share=cfg["cop.min_running_share"],
        carnot_condensing_offset_k=cfg["cop.carnot_condensing_offset_k"],
        carnot_evaporating_offset_k=cfg["cop.carnot_evaporating_offset_k"],
        hot_water_min_cycle_minutes=cfg["hot_water.min_cycle_minutes"],
        short_run_minutes=cfg["cycling.short_run_minutes"],
        short_run_share_pct=cfg["cycling.short_run_share_pct"],
        max_starts_per_hour=cfg["cycling.max_starts_per_hour"],
        price_per_kwh=cfg["price.per_kwh"],
        currency=cfg["price.currency"],
        tariff=tariff_of(cfg["price.per_kwh"], cfg["price.periods"], cfg["price.file"], cfg["price.file_unit"]),
        heating_start=month_day(cfg["seasons.heating_start"]),
    )
    publisher = Publisher(cfg.public_dir, cfg["output.grace_s"])
    state = RunState(Manifest.from_json(publisher.read_manifest()), Backoff(cfg["schedule.interval_s"], clock),
                     notifier=make_notifier(cfg))
    return Context(cfg, source, provider, publisher, params, refresh_intervals(cfg), state, clock)


def refresh_intervals(cfg: Config) -> dict[str, float]:
    by_span = {k: cfg[f"schedule.{s}"] for k, s in (("7d", "week_s"), ("30d", "month_s"), ("365d", "year_s"), ("all", "all_s"))}
    return {r.key: float(by_span.get(r.key, cfg["schedule.interval_s"])) for r in RANGES}


# --- the run ----------------------------------------------------------------------------------------
def run_once(ctx: Context, now: datetime | None = None, due: Sequence[RangeSpec] | None = None) -> RunReport:
    """One generation: page, latest values, due ranges, live file, archive, manifest, heartbeat, cleanup."""
    now = now or ctx.clock.now()
    report = RunReport(started=now)
    begun = ctx.clock.monotonic()
    queries_before = ctx.source.query_count
    publish_page(ctx)
    if ctx.state.source.waiting and not ctx.source.ping():  # a cheap probe each run: back within one interval
        report.errors.append(ctx.state.source.last_error or Problem("source_failed", "retrying later"))
    else:
        report.latest = read_latest(ctx, report)
        if report.latest is not None:  # the source answers: refresh what is due
            for spec in due if due is not None else due_ranges(ctx):
                if ctx.stop.is_set():  # a stop asked for: publish what is done, leave the rest for next time
                    break
                refresh_range(ctx, spec, now, report)
            publish_live(ctx, report.latest, report)
            publish_page(ctx)   # now with the new figures
            archive_yesterday(ctx, now, report)
            ctx.state.source.succeeded()
        else:  # it does not: don't wait out one timeout per range, keep the last good files
            ctx.state.manifest.mark_all_stale([r.key for r in RANGES], report.errors[0])
            ctx.state.source.failed(report.errors[0])
    report.manifest_written = publish(ctx, now, report)
    notify(ctx, now, report)
    write_status(ctx.publisher, now, ctx.clock.monotonic() - begun, ctx.source.kind,
                 ctx.source.query_count - queries_before, report.ok, ctx.state.source.failures, ctx.state.ranges,
                 ctx.state.price_problem)
    ctx.publisher.remove_superseded(ctx.state.manifest.to_json())
    ctx.publisher.remove_stale_temp_files()
    return report


def publish_page(ctx: Context) -> None:
    """index.html with the figures of the default range and the live file (written only when its text
    changed), and its bundle once per process (it changes only with a new release)."""
    if ctx.state.assets is None:
        ctx.state.assets = publish_assets_and_icon(ctx.publisher)
    publish_index(ctx.cfg, ctx.publisher, ctx.state.assets, ctx.state.shown_kpis, ctx.state.shown_live)


def due_ranges(ctx: Context) -> list[RangeSpec]:
    """Ranges whose refresh interval has passed, and stale ones (a retry) once their backoff is over."""
    clock = ctx.clock.monotonic()
    due = []
    for spec in RANGES:
        status = ctx.state.ranges.get(spec.key)
        entry = ctx.state.manifest.ranges.get(spec.key)
        if status is None or status.last_attempt is None:
            due.append(spec)
        elif status.backoff.failures or (entry is not None and entry.stale):
            if not status.backoff.waiting:
                due.append(spec)
        elif clock - status.last_attempt >= ctx.refresh_s[spec.key] - 0.5:
            due.append(spec)
    return due


def range_status(ctx: Context, key: str) -> RangeStatus:
    if key not in ctx.state.ranges:
        ctx.state.ranges[key] = RangeStatus(Backoff(ctx.cfg["schedule.interval_s"], ctx.clock))
    return ctx.state.ranges[key]


def read_latest(ctx: Context, report: RunReport) -> Latest | None:
    status = range_status(ctx, LIVE_KEY)
    try:
        latest = ctx.source.latest()
    except SourceError as exc:
        record_failure(status, exc.problem, report)
        return None
    status.backoff.succeeded()
    return latest


def refresh_range(ctx: Context, spec: RangeSpec, now: datetime, report: RunReport) -> None:
    """Query, analyse, chart and publish one range; on a source error keep its last good file."""
    status = range_status(ctx, spec.key)
    status.last_attempt = begun = ctx.clock.monotonic()
    try:
        document = build_range_document(ctx, spec, now, report.latest)
    except SourceError as exc:
        record_failure(status, exc.problem, report)
        ctx.state.manifest.mark_stale(spec.key, exc.problem)
        return
    published = ctx.publisher.put_json(spec.key, document)
    if spec.key == DEFAULT_RANGE:
        ctx.state.shown_kpis = document["kpis"]
    if published.written:
        report.written.append(published.path)
    ctx.state.manifest.range_published(spec.key, published, iso(now), document["from"], document["to"])
    status.last_success_at = iso(now)
    status.backoff.succeeded()
    status.duration_s = round(ctx.clock.monotonic() - begun, 3)


def build_range_document(ctx: Context, spec: RangeSpec, now: datetime, latest: Latest | None) -> dict[str, Any]:
    """Everything a viewer sees for one range: source → analytics → charts."""
    window = window_for(spec, now, ctx.cfg["site.timezone"])
    params = priced_params(ctx)
    frame, finer = read_range(ctx.source, window, spec.bands)
    heat = None
    if window.calendar_months:  # "all": from its first month with data, each month's heat from its days
        window, frame, heat = analytics.from_first_month(window, frame, finer, params)
    changes = ctx.source.state_changes(window, CHANGING)
    # daily bucket means cannot tell hot-water hours from heating hours: the seasons' split uses the hours
    hourly = finer if window.calendar_days else None
    summary = analytics.summarize(frame, changes, window, params, hourly, heat)
    remember_alarm_starts(ctx, summary, latest)
    means = {m: analytics.time_weighted_mean(frame, window, m) for m in MEANS}
    metrics = analytics.metric_quality(frame, window, pd.Timestamp(now), *((latest.sampled_at, latest.future) if latest else ()))
    return range_document(spec, window, frame, summary, active_alarms(ctx, latest), ctx.provider,
                          ctx.cfg["site.language"], ctx.cfg["site.timezone"], params, means,
                          analytics.left_out(frame) + analytics.cost_problems(summary.pricing, ctx.cfg["price.file"]), metrics)


def priced_params(ctx: Context) -> analytics.Params:
    """The params with the price file as it is now (read again only when it changed); a file that cannot
    be used is said once in the log, and in status.json and on the page while it lasts."""
    tariff = ctx.params.tariff
    if tariff is None or tariff.kind != FILE or not tariff.file:
        return ctx.params
    prices = read_price_file(tariff.file, tariff.file_divisor)
    problem = prices if isinstance(prices, Problem) else None
    if problem is not None and (ctx.state.price_problem is None or ctx.state.price_problem.text != problem.text):
        log.warning("%s", problem.text)
    elif problem is None and ctx.state.price_problem is not None:
        log.info("price file %s is readable again", tariff.file)
    ctx.state.price_problem = problem
    return replace(ctx.params, prices=prices)


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
    return alarm_entries(ctx.provider, latest.alarm_codes,
                         lambda code: latest.alarm_since.get(code) or ctx.state.alarm_since.get(code),
                         ctx.cfg["site.language"])


def publish_live(ctx: Context, latest: Latest, report: RunReport) -> None:
    document = live_document(latest, active_alarms(ctx, latest))
    ctx.state.shown_live = document
    published = ctx.publisher.put_json(LIVE_KEY, document)
    if published.written:
        report.written.append(published.path)
    ctx.state.manifest.live_published(published, iso(report.started))


def archive_yesterday(ctx: Context, now: datetime, report: RunReport) -> None:
    """Once a day: the snapshot of the local day that just ended (see generator/archive.py)."""
    day = archive.yesterday(now, ctx.cfg["site.timezone"])
    if ctx.state.archived_day == day:
        return
    if not archive.snapshot_exists(ctx.publisher.public_dir, day):
        try:
            take_archive_snapshot(ctx, day)
        except SourceError as exc:
            record_failure(range_status(ctx, "archive"), exc.problem, report)
            return
    archive.prune_and_index(ctx.publisher, day, ctx.cfg["output.archive_days"])
    ctx.state.archived_day = day


def take_archive_snapshot(ctx: Context, day: date) -> None:
    archive.take_snapshot(ctx.publisher, day, ctx.cfg["site.timezone"],
                          lambda key, end: build_range_document(ctx, BY_KEY[key], end, None))


def publish(ctx: Context, now: datetime, report: RunReport) -> bool:
    """The manifest last: the site, the newest data's time, and stale while the source does not answer or
    any range still shows its last good file."""
    manifest = ctx.state.manifest
    manifest.site = {"name": ctx.cfg["site.name"], "language": ctx.cfg["site.language"],
                     "timezone": ctx.cfg["site.timezone"], "brand": ctx.provider.display_name,
                     "colours": dict(ctx.provider.colours)}
    if report.latest is not None:
        manifest.latest_data_at = iso(report.latest.at)
    manifest.data_old = data_is_old(manifest.latest_data_at, now, ctx.cfg["site.stale_after_s"])
    manifest.stale = bool(report.errors) or any(e.stale for e in manifest.ranges.values())
    manifest.error = report.errors[0] if report.errors else manifest.first_stale_error()
    return publish_manifest(ctx.publisher, manifest, iso(now) or "")


def notify(ctx: Context, now: datetime, report: RunReport) -> None:
    """Tell the owner what started or cleared since the last run, from the manifest just published
    (generator/notify.py: waits at most notify.timeout_s; nothing at all when no channel is set up)."""
    if ctx.state.notifier is not None:
        ctx.state.notifier.run(observed(ctx.state.manifest, report.latest, ctx.provider, ctx.cfg["site.language"]), now)


def data_is_old(latest_at: str | None, now: datetime, limit_s: float) -> bool:
    if latest_at is None:
        return True
    return (pd.Timestamp(now) - pd.Timestamp(latest_at)).total_seconds() > limit_s


def record_failure(status: RangeStatus, problem: Problem, report: RunReport) -> None:
    """One query failed: remember it, and let only this part wait before it is asked again.  A failure
    several parts share (the database is down) is reported once."""
    status.backoff.failed(problem)
    status.last_error_at = iso(report.started)
    if all(p.text != problem.text for p in report.errors):
        log.warning("source failed: %s", problem.text)
        report.errors.append(problem)
