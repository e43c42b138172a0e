"""The generator loop: one APScheduler job that ticks at the live cadence and refreshes whatever is due.

One job, not one per range, so runs can never overlap or race on the manifest (max_instances=1), and a
tick missed while the machine was busy is run once, not many times (coalesce=True).
"""
from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from generator.build import Context, run_once

log = logging.getLogger("heatpump_dashboard.scheduler")


def tick_seconds(ctx: Context) -> float:
    return float(min(ctx.cfg["schedule.live_s"], ctx.cfg["schedule.interval_s"]))


def _safe_run(ctx: Context, lock: threading.Lock) -> None:
    """A tick never kills the loop: an unexpected error is logged and the next tick tries again."""
    with lock:
        try:
            report = run_once(ctx)
            if report.written or report.manifest_written:
                log.info("published %s%s", ", ".join(report.written) or "nothing new",
                         " + manifest" if report.manifest_written else "")
        except Exception:  # noqa: BLE001 — the loop must survive anything one run does
            log.exception("generation run failed")


def _add_job(scheduler: BackgroundScheduler | BlockingScheduler, ctx: Context) -> None:
    lock = threading.Lock()
    scheduler.add_job(_safe_run, "interval", args=(ctx, lock), seconds=tick_seconds(ctx), id="generate",
                      max_instances=1, coalesce=True, misfire_grace_time=None)


def run_forever(ctx: Context) -> None:
    """`heatpump-dashboard generate`: a first run at once, then the loop, until SIGINT/SIGTERM, which
    let a run in progress finish (files are never left half-written either way)."""
    _safe_run(ctx, threading.Lock())
    scheduler = BlockingScheduler(timezone="UTC")
    _add_job(scheduler, ctx)

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after the current run", signum)
        scheduler.shutdown(wait=False)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    scheduler.start()


def start_background(ctx: Context) -> BackgroundScheduler:
    """The loop in a thread, for the all-in-one demo."""
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_job(scheduler, ctx)
    scheduler.start()
    return scheduler
