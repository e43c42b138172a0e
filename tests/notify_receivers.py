"""Real local receivers for the notification tests, on free loopback ports: a stdlib HTTP server (webhook,
ntfy) and aiosmtpd (e-mail).  Each records what it got; stop() and start() again on the same port play a
receiver that is down for a while."""
from __future__ import annotations

import email
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


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
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> "HttpReceiver":
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, dict(self.headers), body))
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
