"""For the notification tests: real local receivers on free loopback ports, a stdlib HTTP server (webhook,
ntfy) and aiosmtpd (e-mail), each recording what it got (stop() and start() again on the same port play a
receiver that is down for a while); a source whose answer the test sets; a generator process."""
from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from generator import archive
from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.errors import SourceError
from generator.sources.base import Latest
from generator.sources.demo import DemoSource
from tests.clocks import ManualClock


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpReceiver:
    """A stdlib HTTP server in a thread that records every POST (path, headers, body) and answers 200;
    stop() and start() again on the same port play a receiver that is down for a while."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.delay_s = 0.0   # a slow receiver: it has the message, and answers this much later
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> "HttpReceiver":
        received, receiver = self.requests, self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, dict(self.headers), body))
                time.sleep(receiver.delay_s)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class SmtpReceiver:
    """aiosmtpd on a free port, recording each message as delivered (envelope and parsed message)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[tuple[list[str], email.message.Message]] = []
        self.logins: list[tuple[str, str]] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    def start(self) -> "SmtpReceiver":
        # a plain connection in the test, so the login is allowed without TLS here
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, authenticator=self.authenticate,
                                     auth_require_tls=False)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class ControlledSource(DemoSource):
    """The simulator's values, with the alarms, the age of the newest sample and the source's answer set
    by the test (as a collector and a database would give them)."""

    def __init__(self, clock: ManualClock):
        super().__init__(1, clock)
        self.alarms: tuple[int, ...] = ()
        self.lag_s = 0.0
        self.down = False

    def latest(self) -> Latest:
        if self.down:
            self.query_count += 1
            raise SourceError("cannot reach http://127.0.0.1:9 (Connection refused)", "unreachable",
                              url="http://127.0.0.1:9")
        found = super().latest()
        at = pd.Timestamp(self._clock.now()).tz_convert("UTC").floor("s") - pd.Timedelta(seconds=self.lag_s)
        return replace(found, at=at, alarm_codes=self.alarms, alarm_since={})

    def ping(self) -> bool:
        return not self.down


NTFY_TOKEN = "tk_Pq81-known-to-the-test"
SMTP_PASSWORD = "smtp-Zr4-known-to-the-test"
ENV = {"HEATPUMP_NTFY_TOKEN": NTFY_TOKEN, "HEATPUMP_SMTP_PASSWORD": SMTP_PASSWORD}


class Generator:
    """A generator process as the scheduler runs it: one context, run_once after run_once.  Only the live
    file and the page are refreshed (no range is due), which is all the three conditions need."""

    def __init__(self, config: Path, clock: ManualClock, source: ControlledSource):
        self.clock, self.source = clock, source
        self.ctx = make_context(load_config(config, ENV), source, clock)

    def run(self, seconds: float = 60):
        self.clock.advance(seconds)
        now = self.clock.now()
        self.ctx.state.archived_day = archive.yesterday(now, self.ctx.cfg["site.timezone"])  # no snapshot
        return run_once(self.ctx, now=now, due=[])
