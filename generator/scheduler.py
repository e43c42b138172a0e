"""The generator loop: one APScheduler job that ticks at the live cadence and refreshes whatever is due.

One job, not one per range, so runs can never overlap or race on the manifest (max_instances=1), and a
tick missed while the machine was busy is run once, not many times (coalesce=True).
"""
from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field

from apscheduler.schedulers.background import BackgroundScheduler

from generator.build import Context, run_once
from generator.core.errors import EXIT_CANNOT_PUBLISH, EXIT_OK, PublishError

log = logging.getLogger("heatpump_dashboard.scheduler")


def tick_seconds(ctx: Context) -> float:
    return float(min(ctx.cfg["schedule.live_s"], ctx.cfg["schedule.interval_s"]))


@dataclass
class Loop:
    """What outlives a tick: the lock that keeps runs from overlapping, and publish failures in a row."""

    ctx: Context
    lock: threading.Lock = field(default_factory=threading.Lock)
    publish_failures: int = 0
    gave_up: threading.Event = field(default_factory=threading.Event)

    def tick(self) -> None:
        """A tick never kills the loop by accident: an unexpected error is logged and the next tick tries
        again.  A public dir that cannot be written is said in one line per run, and after
        schedule.max_publish_failures runs in a row the loop gives up, so systemd sees exit code 3."""
        with self.lock:
            try:
                report = run_once(self.ctx)
            except PublishError as exc:
                self.publish_failures += 1
                limit = self.ctx.cfg["schedule.max_publish_failures"]
                log.error("cannot publish (%d of %d in a row): %s", self.publish_failures, limit, exc)
                if self.publish_failures >= limit:
                    self.gave_up.set()
                return
            except Exception:  # noqa: BLE001 — the loop must survive anything else one run does
                log.exception("generation run failed")
                return
            self.publish_failures = 0
            if report.written or report.manifest_written:
                log.info("published %s%s", ", ".join(report.written) or "nothing new",
                         " + manifest" if report.manifest_written else "")


def _add_job(scheduler: BackgroundScheduler, loop: Loop) -> None:
    scheduler.add_job(loop.tick, "interval", seconds=tick_seconds(loop.ctx), id="generate",
                      max_instances=1, coalesce=True, misfire_grace_time=None)


def run_forever(ctx: Context) -> int:
    """`heatpump-dashboard generate`: a first run at once, then the loop, until SIGINT/SIGTERM, which
    let a run in progress finish (files are never left half-written either way).  Returns the exit
    code: 0 after a signal, 3 when public/ could not be written too many runs in a row."""
    loop = Loop(ctx)
    stopping = ctx.stop

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after the current run", signum)
        stopping.set()

    for signum in (signal.SIGTERM, signal.SIGINT):  # first: a stop during the first run is a clean stop
        signal.signal(signum, stop)
    loop.tick()
    if stopping.is_set():
        return EXIT_OK
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_job(scheduler, loop)
    scheduler.start()
    while not (stopping.is_set() or loop.gave_up.is_set()):
        stopping.wait(0.2)
    scheduler.shutdown(wait=True)
    if loop.gave_up.is_set():
        log.error("giving up: public/ could not be written %d runs in a row", loop.publish_failures)
        return EXIT_CANNOT_PUBLISH
    return EXIT_OK


def start_background(ctx: Context) -> BackgroundScheduler:
    """The loop in a thread, for the all-in-one demo."""
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_job(scheduler, Loop(ctx))
    scheduler.start()
    return scheduler
