"""Notifications: one message when an alarm, old data or a stale source starts, and one when it clears.

Each run hands over what it already knows (build.py's notify step): the active alarm codes, and the
manifest's data_old and stale.  The notifier compares them with the conditions it has announced, queues
one message per change for every channel, and sends what is queued.  The announced conditions and the
queue live in a small JSON file beside the closed-bucket cache and the lock (public/.notify-state.json: a
dot file, which nginx and the sidecar never serve; under systemd public/ is the one directory the
generator may write), so a restarted generator neither repeats what it announced nor loses a message a
receiver has not taken yet.

Sending happens in worker threads, one per channel with something queued, and the run waits for them at
most notify.timeout_s.  A thread slower than that (a slow receiver; each network step may take up to
notify_channels.SEND_TIMEOUT_S) finishes on its own; its channel is skipped until it has, and what it
delivered is taken off the queue then, so a slow receiver neither slows the runs nor gets a message
twice.  A channel that fails keeps its queue, in order, for the next run.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.config import Config
from generator.core.errors import PublishError, scrub
from generator.manifest import Manifest
from generator.notify_channels import (
    CLEARED,
    STARTED,
    Channel,
    ChannelError,
    Message,
    channels_of,
)
from generator.sources.base import Latest
from generator.writer import atomic_write
from providers.model import Provider

log = logging.getLogger("heatpump_dashboard.notify")
STATE_FILE = ".notify-state.json"
FORMAT = 1
MAX_QUEUED = 50   # per channel: a receiver gone for months must not grow the file without end

# (title, text) per language; the title goes after the site's name
TEXTS: dict[str, dict[tuple[str, str], tuple[str, str]]] = {
    "sv": {
        ("alarm", STARTED): ("Larm {code}", "Larm {code}: {alarm}"),
        ("alarm", CLEARED): ("Larm {code} har upphört", "Larm {code} är inte längre aktivt: {alarm}"),
        ("data_old", STARTED): ("Inga nya data", "Senaste värdet är från {latest}, mer än {limit} sedan."),
        ("data_old", CLEARED): ("Nya data igen", "Nya värden kommer in igen."),
        ("stale", STARTED): ("Datakällan svarar inte", "Datakällan svarar inte; sidan visar de senast hämtade "
                             "värdena. {error}"),
        ("stale", CLEARED): ("Datakällan svarar igen", "Datakällan svarar igen; sidan är aktuell."),
        ("test", STARTED): ("Testmeddelande", "Ett test från heatpump-dashboard notify-test: den här kanalen fungerar."),
    },
    "en": {
        ("alarm", STARTED): ("Alarm {code}", "Alarm {code}: {alarm}"),
        ("alarm", CLEARED): ("Alarm {code} cleared", "Alarm {code} is no longer active: {alarm}"),
        ("data_old", STARTED): ("No new data", "The newest sample is from {latest}, more than {limit} ago."),
        ("data_old", CLEARED): ("New data again", "New samples are coming in again."),
        ("stale", STARTED): ("The data source does not answer", "The data source does not answer; the page shows "
                             "the last values it got. {error}"),
        ("stale", CLEARED): ("The data source answers again", "The data source answers again; the page is up to date."),
        ("test", STARTED): ("Test message", "A test from heatpump-dashboard notify-test: this channel works."),
    },
}


@dataclass(frozen=True)
class Observed:
    """What one run knows about the three conditions."""

    alarms: dict[int, str] | None    # active code -> its text in site.language; None: unknown (no answer)
    data_old: bool
    latest_data_at: str | None       # the manifest's, ISO UTC
    stale: bool
    error: str | None = None         # why the source is stale (the manifest's error text, never a secret)


def observed(manifest: Manifest, latest: Latest | None, provider: Provider, language: str) -> Observed:
    """What a run knows, from the manifest it published and the newest reading (None: no answer)."""
    alarms = None if latest is None else {code: provider.alarm_text(code, language) for code in latest.alarm_codes}
    return Observed(alarms, manifest.data_old, manifest.latest_data_at, manifest.stale,
                    manifest.error.text if manifest.error else None)


@dataclass
class Condition:
    event: str                        # alarm, data_old, stale
    code: int | None = None
    alarm: str = ""                   # the alarm's text, for its cleared message


def conditions(seen: Observed, announced: dict[str, Condition]) -> dict[str, Condition]:
    """The conditions in force now, by key; alarms the run cannot see (the source did not answer) stay
    as they were announced: a source going down does not clear an alarm."""
    if seen.alarms is None:
        now = {k: c for k, c in announced.items() if c.event == "alarm"}
    else:
        now = {f"alarm:{code}": Condition("alarm", code, text) for code, text in seen.alarms.items()}
    if seen.data_old:
        now["data_old"] = Condition("data_old")
    if seen.stale:
        now["stale"] = Condition("stale")
    return now


@dataclass(frozen=True)
class Wording:
    site: str
    language: str
    timezone: str
    stale_after_s: float

    def message(self, condition: Condition, state: str, seen: Observed, at: datetime) -> Message:
        title, text = TEXTS[self.language][(condition.event, state)]
        values = {"code": condition.code, "alarm": condition.alarm, "latest": self.local(seen.latest_data_at),
                  "limit": self.limit(), "error": seen.error or ""}
        stamp = at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        ident = hashlib.sha256(f"{condition.event}|{condition.code}|{state}|{stamp}".encode()).hexdigest()[:20]
        return Message(ident, condition.event, state, condition.code, f"{self.site}: {title.format(**values)}",
                       text.format(**values).strip(), self.language, stamp, self.site)

    def limit(self) -> str:
        """site.stale_after_s in words: '10 min', '45 s'."""
        seconds = self.stale_after_s
        return f"{seconds:g} s" if seconds < 120 else f"{seconds / 60:.0f} min"

    def local(self, iso_utc: str | None) -> str:
        if not iso_utc:
            return "—"
        when = datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(ZoneInfo(self.timezone))
        return when.strftime("%Y-%m-%d %H:%M")


@dataclass
class _Sending:
    """One channel's queue being sent by a worker thread."""

    channel: Channel
    messages: list[Message]
    secrets: list[str]
    sent: set[str] = field(default_factory=set)
    error: str | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name=f"notify-{self.channel.name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for message in self.messages:   # in order; the first failure leaves the rest for the next run
            try:
                self.channel.send(message)
            except ChannelError as exc:
                self.error = scrub(str(exc), self.secrets)
                return
            except Exception as exc:  # a bug must not end the generator: log it, keep the queue
                self.error = scrub(f"{self.channel.name}: {exc.__class__.__name__}: {exc}", self.secrets)
                return
            self.sent.add(message.id)

    @property
    def done(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()


class Notifier:
    """The announced conditions and the queues, kept in `path`; see the module's docstring."""

    def __init__(self, channels: list[Channel], path: Path, wording: Wording, timeout_s: float,
                 secrets: list[str] | None = None):
        self.channels = {c.name: c for c in channels}
        self.path = path
        self.wording = wording
        self.timeout_s = timeout_s
        self.secrets = secrets or []
        self.announced: dict[str, Condition] = {}
        self.queue: dict[str, list[Message]] = {name: [] for name in self.channels}
        self._sending: dict[str, _Sending] = {}
        self._last_error: dict[str, str] = {}
        self._load()

    def run(self, seen: Observed, at: datetime) -> None:
        """One run's step: queue what changed, then send what is queued."""
        self.observe(seen, at)
        self.deliver()

    def observe(self, seen: Observed, at: datetime) -> list[Message]:
        """Queue a message on every channel for each condition that started or cleared since the last run."""
        now = conditions(seen, self.announced)
        messages = [self.wording.message(now[k], STARTED, seen, at) for k in sorted(now.keys() - self.announced.keys())]
        messages += [self.wording.message(self.announced[k], CLEARED, seen, at)
                     for k in sorted(self.announced.keys() - now.keys())]
        if messages:
            for name, queue in self.queue.items():
                queue.extend(messages)
                if len(queue) > MAX_QUEUED:
                    log.warning("notifications to %s: %d messages not delivered; dropping the oldest",
                                name, len(queue) - MAX_QUEUED)
                    del queue[:len(queue) - MAX_QUEUED]
            self.announced = now
            self._save()
        return messages

    def deliver(self) -> None:
        """Send each channel's queue in a worker thread; wait for them at most timeout_s."""
        self._collect()
        started = []
        for name, queue in self.queue.items():
            if queue and name not in self._sending:
                job = _Sending(self.channels[name], list(queue), self.secrets)
                job.start()
                self._sending[name] = job
                started.append(job)
        deadline = time.monotonic() + self.timeout_s
        for job in started:
            assert job.thread is not None
            job.thread.join(max(0.0, deadline - time.monotonic()))
        self._collect()

    def _collect(self) -> None:
        """Take what finished threads delivered off their queues, and log how they ended."""
        changed = False
        for name, job in list(self._sending.items()):
            if not job.done:
                continue
            del self._sending[name]
            if job.sent:
                self.queue[name] = [m for m in self.queue[name] if m.id not in job.sent]
                changed = True
                log.info("notifications: %d sent to %s", len(job.sent), name)
            if job.error and job.error != self._last_error.get(name):   # said once, not every run
                log.warning("notification not delivered, retried next run: %s", job.error)
            elif not job.error and name in self._last_error:
                log.info("notifications: %s takes messages again", name)
            if job.error:
                self._last_error[name] = job.error
            else:
                self._last_error.pop(name, None)
        if changed:
            self._save()

    def wait(self, timeout_s: float) -> None:
        """Let threads still sending finish (a command that exits after one run)."""
        deadline = time.monotonic() + timeout_s
        for job in list(self._sending.values()):
            if job.thread is not None:
                job.thread.join(max(0.0, deadline - time.monotonic()))
        self._collect()

    # --- the state file --------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_bytes())
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            self.announced = {k: Condition(c["event"], c.get("code"), c.get("alarm", ""))
                              for k, c in data["announced"].items()}
            for name, messages in data["queue"].items():
                if name in self.queue:   # a channel no longer configured: its messages go with it
                    self.queue[name] = [Message.from_json(m) for m in messages]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # announcing the conditions in force once more is better than never telling anything again
            log.warning("notifications: %s is unreadable (%s); starting afresh", self.path, exc)
            self.announced, self.queue = {}, {name: [] for name in self.channels}

    def _save(self) -> None:
        data = {"format": FORMAT,
                "announced": {k: {"event": c.event, "code": c.code, "alarm": c.alarm}
                              for k, c in self.announced.items()},
                "queue": {name: [m.to_json() for m in q] for name, q in self.queue.items()}}
        try:
            atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), siblings={})
        except PublishError as exc:   # public/ unwritable: the run says so itself; keep going in memory
            log.warning("notifications: %s", exc)


def make_notifier(cfg: Config) -> Notifier | None:
    """A notifier for the configured channels; None (the feature off, nothing done) when there are none."""
    channels = channels_of(cfg)
    if not channels:
        return None
    wording = Wording(cfg["site.name"], cfg["site.language"], cfg["site.timezone"], float(cfg["site.stale_after_s"]))
    return Notifier(channels, cfg.public_dir / STATE_FILE, wording, float(cfg["notify.timeout_s"]), cfg.secrets())


def trial_message(cfg: Config, at: datetime) -> Message:
    """notify-test's message, in site.language."""
    wording = Wording(cfg["site.name"], cfg["site.language"], cfg["site.timezone"], float(cfg["site.stale_after_s"]))
    return wording.message(Condition("test"), STARTED, Observed({}, False, None, False), at)


def send_test(cfg: Config, at: datetime) -> list[tuple[str, str | None]]:
    """Send the test message to each configured channel now: (channel, None or why it failed)."""
    message = trial_message(cfg, at)
    results: list[tuple[str, str | None]] = []
    for channel in channels_of(cfg):
        try:
            channel.send(message)
            results.append((channel.name, None))
        except ChannelError as exc:
            results.append((channel.name, scrub(str(exc), cfg.secrets()).removeprefix(f"{channel.name}: ")))
    return results
