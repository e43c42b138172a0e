"""The live-push sidecar: one port, `/ws` for viewers, `/healthz` for monitoring, optionally public/.

Each viewer gets `hello` with the current manifest on connect and `update` whenever the manifest's
content changes.  An update is serialised once and handed to websockets' broadcast(), which writes to
every socket without waiting on any of them.  A check every second cuts off a viewer whose unsent
backlog passes `stalled_bytes` or has not emptied for `drain_timeout`, so a dead, slow or hostile one
never holds memory or delays the others.  What viewers send is at most answered with a pong (see
sidecar/protocol.py), within the allowance of sidecar/limits.py; beyond it they are closed with 1008.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response

from sidecar.health import health_report
from sidecar.limits import (
    CLOSE_TIMEOUT_S,
    DRAIN_CHECK_S,
    DRAIN_TIMEOUT_S,
    MAX_QUEUE,
    OPEN_TIMEOUT_S,
    PING_INTERVAL_S,
    PING_TIMEOUT_S,
    SHUTDOWN_STALLED_BYTES,
    STALLED_BYTES,
    WRITE_LIMIT,
    GuardedConnection,
    close_overdue,
    not_draining,
)
from sidecar.manifest import ManifestFile
from sidecar.origin import SettingError, check_allowed_origins, origin_allowed
from sidecar.process import on_signals, raise_open_files_limit
from sidecar.protocol import (
    HEALTH_PATH,
    MAX_CLIENT_MESSAGE_BYTES,
    PONG_FRAME,
    WS_PATH,
    ClientMessage,
    classify,
    compact_json,
)
from sidecar.static import bytes_response, plain_response, static_response
from sidecar.watch import watch_manifest

log = logging.getLogger("sidecar")
# websockets logs every connection opened and closed at INFO: noise with thousands of viewers.
# Only a level nobody set is changed, so `logging.getLogger("sidecar.websockets").setLevel(...)` wins.
_ws_log = logging.getLogger("sidecar.websockets")
if _ws_log.level == logging.NOTSET:
    _ws_log.setLevel(logging.WARNING)

# The limits on what viewers send and what is kept for them are in sidecar/limits.py, with their reasons.
RETRY_AFTER_S = 10  # a refused (full) viewer's wait; browsers do not show it, the page backs off anyway


@dataclass
class Counters:
    """Running totals, reported by /healthz."""

    updates_sent: int = 0
    ignored_messages: int = 0
    oversized_closed: int = 0
    policy_closed: int = 0
    refused_origin: int = 0
    refused_full: int = 0
    dropped_stalled: int = 0


class Sidecar:
    """The running server. `async with Sidecar(public_dir, port=0) as sc: sc.port` in tests."""

    def __init__(
        self,
        public_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_clients: int = 10000,
        allowed_origins: Sequence[str] = (),
        static: bool = False,
        ping_interval: float | None = PING_INTERVAL_S,
        ping_timeout: float | None = PING_TIMEOUT_S,
        close_timeout: float = CLOSE_TIMEOUT_S,
        stalled_bytes: int = STALLED_BYTES,
        drain_timeout: float = DRAIN_TIMEOUT_S,
        open_timeout: float = OPEN_TIMEOUT_S,
        force_polling: bool | None = None,
    ):
        if not isinstance(max_clients, int) or max_clients < 1:
            raise SettingError([f"sidecar.max_clients: {max_clients!r} is not valid; use a whole number above 0"])
        self.public_dir = Path(public_dir).resolve()
        self.host = host
        self.requested_port = port
        self.max_clients = max_clients
        self.allowed_origins = check_allowed_origins(allowed_origins)
        self.static = static
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.close_timeout = close_timeout
        self.stalled_bytes = stalled_bytes
        self.drain_timeout = drain_timeout
        self.open_timeout = open_timeout
        self.force_polling = force_polling
        self.manifest = ManifestFile(self.public_dir)
        self.counters = Counters()
        self._clients: set[ServerConnection] = set()
        self._stop = asyncio.Event()
        self._server: Server | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._checker: asyncio.Task[None] | None = None

    # --- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        self.manifest.reload()
        self._server = await serve(
            self._handler,
            self.host,
            self.requested_port,
            process_request=self._process_request,
            compression=None,  # frames are small JSON; deflate would cost CPU and memory per viewer
            # the allowance of what a client may send; websockets only calls this, so a partial will do
            create_connection=partial(GuardedConnection, dismissed=self._dismiss),  # type: ignore[arg-type]
            max_size=MAX_CLIENT_MESSAGE_BYTES,
            max_queue=MAX_QUEUE,
            write_limit=WRITE_LIMIT,
            open_timeout=self.open_timeout,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            close_timeout=self.close_timeout,
            logger=_ws_log,
            backlog=1024,  # bursts of reconnects after a restart
        )
        self._watcher = asyncio.create_task(
            watch_manifest(self.public_dir, self._manifest_touched, self._stop, force_polling=self.force_polling)
        )
        self._checker = asyncio.create_task(self._check_viewers())

    async def close(self) -> None:
        """Stop watching, close every viewer with 1001 (going away) and wait until all are gone."""
        self._stop.set()
        if self._server is not None:
            self._drop_stalled(SHUTDOWN_STALLED_BYTES)  # they could not take a close frame in time anyway
            self._server.close(code=CloseCode.GOING_AWAY, reason="sidecar stopping")
            try:
                await asyncio.wait_for(self._server.wait_closed(), self.close_timeout + 1)
            except TimeoutError:  # a viewer that never answered the close: cut it off
                for connection in list(self._server.all_connections):
                    connection.transport.abort()
                await self._server.wait_closed()
        if self._watcher is not None:
            await self._watcher
        if self._checker is not None:
            await self._checker

    async def __aenter__(self) -> "Sidecar":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        assert self._server is not None, "start the sidecar first"
        return self._server.sockets[0].getsockname()[1]

    @property
    def client_count(self) -> int:
        return len(self._clients)

    # --- manifest changes ---------------------------------------------------------------------------
    def _manifest_touched(self, only_if_touched: bool) -> None:
        if not self.manifest.reload(only_if_touched):
            return
        started = time.perf_counter()
        frame = self.manifest.update.encode()  # serialised and encoded once for every viewer
        broadcast(self._clients, frame, text=True)
        # The stalled-viewer scan right after, not before: at 10 000 viewers it takes 15-20 ms that
        # no viewer should wait for; a stalled one takes at most this one more frame.
        asyncio.get_running_loop().call_soon(self._drop_stalled)
        self.counters.updates_sent += 1
        # DEBUG: at a 1-s live interval an INFO line per update fills the journal (the count is in /healthz)
        log.debug("manifest changed; update sent to %d viewers in %.1f ms",
                 len(self._clients), 1000 * (time.perf_counter() - started))

    async def _check_viewers(self) -> None:
        """Every DRAIN_CHECK_S, whether or not anything is broadcast: the keepalive ping cannot see a
        viewer that stopped reading, since it waits for the send buffer to drain before it starts."""
        interval = min(DRAIN_CHECK_S, self.drain_timeout / 4)
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), interval)
            except TimeoutError:
                self._drop_stalled()

    def _drop_stalled(self, limit: int | None = None) -> None:
        limit = self.stalled_bytes if limit is None else limit
        now = asyncio.get_running_loop().time()
        for connection in list(self._server.all_connections if self._server else ()):
            if isinstance(connection, GuardedConnection) and connection.violation is None \
                    and not_draining(connection, now, limit, self.drain_timeout):
                self.counters.dropped_stalled += 1
                self._clients.discard(connection)
                connection.transport.abort()  # a close frame would only queue behind the backlog
            elif close_overdue(connection, now):
                connection.transport.abort()

    def _dismiss(self, connection: GuardedConnection) -> None:
        """A viewer closed for abuse leaves at once: no slot, no broadcast, while its close finishes."""
        self._clients.discard(connection)
        sent = connection.protocol.close_sent
        if sent is not None and sent.code == CloseCode.MESSAGE_TOO_BIG:
            self.counters.oversized_closed += 1
        elif sent is not None and sent.code == CloseCode.POLICY_VIOLATION:
            self.counters.policy_closed += 1

    # --- HTTP side of the handshake -----------------------------------------------------------------
    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == WS_PATH:
            return self._admit(request)
        if path == HEALTH_PATH:
            return self._health()
        if self.static:
            return await static_response(self.public_dir, request.method, request.path)
        return plain_response(404, "Not Found", "Not found; the websocket is at /ws.\n")

    def _admit(self, request: Request) -> Response | None:
        """None lets the websocket handshake go on; a response refuses it."""
        if not origin_allowed(request.headers.get_all("Origin"), request.headers.get_all("Host"), self.allowed_origins):
            self.counters.refused_origin += 1
            return plain_response(403, "Forbidden", "Origin not allowed; see sidecar.allowed_origins.\n")
        if len(self._clients) >= self.max_clients:
            self.counters.refused_full += 1
            return plain_response(
                503, "Service Unavailable", "Too many viewers; retry later.\n", {"Retry-After": str(RETRY_AFTER_S)}
            )
        return None

    def _health(self) -> Response:
        now = datetime.now(timezone.utc)
        counters = asdict(self.counters) | {"manifest_skipped": self.manifest.skipped}
        report = health_report(len(self._clients), self.manifest.age_s(now), self.public_dir, now, counters)
        return bytes_response(200, "OK", compact_json(report).encode(), "application/json", "no-store")

    # --- one viewer ---------------------------------------------------------------------------------
    async def _handler(self, connection: ServerConnection) -> None:
        # Joining the set and writing hello happen without a pause between them, so no update can
        # fall between the hello and the first broadcast this viewer sees.
        self._clients.add(connection)
        try:
            await connection.send(self.manifest.hello)
            async for message in connection:
                if classify(message) is ClientMessage.PING:
                    await connection.send(PONG_FRAME)
                else:
                    self.counters.ignored_messages += 1
        except ConnectionClosed:
            pass
        finally:
            self._clients.discard(connection)


async def run_sidecar(
    public_dir: Path,
    host: str,
    port: int,
    *,
    max_clients: int = 10000,
    allowed_origins: Sequence[str] = (),
    static: bool = False,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
    announce: Callable[[int], None] | None = None,
) -> None:
    """Serve until `stop` is set or SIGTERM/SIGINT arrives; viewers then get 1001 (going away).

    `announce(port)` is called once listening (with the real port when `port` is 0), then `ready` set.
    """
    stop = stop or asyncio.Event()
    raise_open_files_limit(max_clients + 64)
    sidecar = Sidecar(public_dir, host, port, max_clients=max_clients, allowed_origins=allowed_origins, static=static)
    async with sidecar:
        undo = on_signals(stop)
        try:
            if announce is not None:
                announce(sidecar.port)
            if ready is not None:
                ready.set()
            await stop.wait()
        finally:
            undo()
    log.info("sidecar stopped")
