"""What the sidecar expects of a viewer, and what it keeps for one (docs/live-protocol.md, "Limits").

A page sends nothing but its answers to keepalive pings (one every 20 s) and a close frame; a script may
add an application ping now and then.  So each connection gets a small allowance of frames and bytes,
refilled over time (a token bucket); a client that goes beyond it is closed with 1008 (policy
violation) and a reason, then cut off.  Data is parsed in slices of FEED_SLICE bytes with the
allowance checked in between, so one read of a flood (up to 256 KiB) costs the event loop a few
dozen frames of parsing, not tens of thousands of pongs.

On the sending side, `not_draining` tells the sidecar's periodic check which viewers to cut off: one
whose unsent backlog is too large, or has not emptied for DRAIN_TIMEOUT_S.  That check does not wait
for a broadcast, and does not rely on the keepalive ping, which itself waits for a full send buffer
to drain and so never times out on a viewer that stopped reading.
"""
from __future__ import annotations

from typing import Any, Callable

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode, Frame
from websockets.protocol import CONNECTING, OPEN

# --- what a client may send ----------------------------------------------------------------------------
FRAMES_PER_S = 5.0   # sustained; a page sends one frame per 20 s, so this is 100× what it needs
FRAMES_BURST = 20    # at once, e.g. a script's pings after a pause
BYTES_PER_S = 1024   # sustained; a page sends ~10 bytes per 20 s
BYTES_BURST = 4096   # at once: room for a few frames of the largest size (MAX_CLIENT_MESSAGE_BYTES)
FEED_SLICE = 512     # bytes parsed before the frame allowance is looked at again (at most ~85 frames)
CUT_OFF_AFTER_S = 1.0  # after its 1008/1009 close frame, the time a client gets to read it before it is cut off

# --- what the sidecar keeps per viewer -----------------------------------------------------------------
WRITE_LIMIT = 16 * 1024    # the transport's high-water mark: sends that wait (hello, pong) wait above it
MAX_QUEUE = 4              # client messages held before reading pauses; the handler takes them at once
STALLED_BYTES = 256 * 1024  # unsent backlog that cuts a viewer off at once (~100 manifests of ~2 KB)
SHUTDOWN_STALLED_BYTES = 64 * 1024  # at shutdown: a viewer that far behind cannot take a close frame in time
DRAIN_TIMEOUT_S = 20.0     # a backlog not emptied for this long: the viewer stopped reading (= ping timeout)
DRAIN_CHECK_S = 1.0        # how often every viewer's backlog is looked at (3.4 ms for 10,000 viewers here)

# --- timeouts ----------------------------------------------------------------------------------------------
OPEN_TIMEOUT_S = 10.0   # a handshake not done by then (slowloris) is cut off; a browser needs one round trip
PING_INTERVAL_S = 20.0  # keepalive ping; nginx's proxy_read_timeout (60 s) must exceed interval + timeout
PING_TIMEOUT_S = 20.0   # a phone on a slow, lossy link may take seconds to answer; 20 s is websockets' default
CLOSE_TIMEOUT_S = 5.0   # bounds shutdown when a viewer never answers our close frame


class Allowance:
    """A token bucket: `burst` at most, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int, now: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.at = float(burst), now

    def take(self, wanted: int, now: float) -> int:
        """Take up to `wanted` tokens; returns how many were available."""
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        taken = min(wanted, int(self.tokens))
        self.tokens -= taken
        return taken


class GuardedConnection(ServerConnection):
    """A websockets ServerConnection that holds its client to the allowance above.

    Passed to serve() as `create_connection` (with `dismissed` bound); `dismissed(connection)` is called
    once as the client is closed for abuse, so that it no longer counts as a viewer while that finishes.
    """

    def __init__(self, *args: Any, dismissed: Callable[[GuardedConnection], None] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        now = self.loop.time()
        self.frames = Allowance(FRAMES_PER_S, FRAMES_BURST, now)
        self.bytes = Allowance(BYTES_PER_S, BYTES_BURST, now)
        self.violation: str | None = None
        self.dismissed = dismissed
        self.undrained_since: float | None = None  # see not_draining()
        self._held = b""  # data that came after the handshake request, parsed once the handshake is done
        self._tail = b""  # the last bytes of the request so far, to find its end across reads
        self._request_fed = False

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        # Reading paused for an abuser stays paused, even when the handler then empties the message queue.
        self.recv_messages.resume = self._resume_reading

    def _resume_reading(self) -> None:
        if self.violation is None:
            self.transport.resume_reading()

    # --- receiving -------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.violation is not None:
            return  # closed for abuse: nothing it sends matters any more
        if self.protocol.state is CONNECTING:
            self._receive_handshake(data)
        elif self.protocol.state is OPEN:
            allowed = self.bytes.take(len(data), self.loop.time())
            self._feed(data, allowed)
            if self.protocol.state is OPEN:
                if allowed < len(data):
                    self.violate(f"more than {BYTES_BURST} bytes at once or {BYTES_PER_S} bytes/s")
            elif self.protocol.close_rcvd is None and self.violation is None:
                # websockets closed it for a bad frame (1009 too big, 1002, 1007): an abuser like the others
                self._give_up(self.protocol.close_sent.reason if self.protocol.close_sent else "failed")
        else:
            super().data_received(data)  # closing: websockets only discards now

    def _feed(self, data: bytes, end: int) -> None:
        for start in range(0, end, FEED_SLICE):
            if self.protocol.state is not OPEN:
                return  # closed by a frame in an earlier slice; the rest would be discarded anyway
            super().data_received(data[start:min(start + FEED_SLICE, end)])

    def _receive_handshake(self, data: bytes) -> None:
        """Feed the request alone; what follows it waits until the handshake is done.  websockets
        would parse frames sent along with the request at once (and answer pings before its 101)."""
        if self._request_fed:
            self._hold(data)
            return
        seen = self._tail + data
        end = seen.find(b"\r\n\r\n")
        if end < 0:
            self._tail = seen[-3:]
            super().data_received(data)  # websockets bounds a request's lines and headers (431)
            return
        cut = end + 4 - len(self._tail)
        self._request_fed = True
        super().data_received(data[:cut])
        self._hold(data[cut:])

    def _hold(self, data: bytes) -> None:
        self._held += data
        if len(self._held) > BYTES_BURST:
            self.transport.abort()  # no close frame before the handshake response

    async def handshake(self, *args: Any, **kwargs: Any) -> None:
        await super().handshake(*args, **kwargs)
        held, self._held = self._held, b""
        if held and self.protocol.state is OPEN:
            self.data_received(held)

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and self.protocol.state is OPEN:
            if not self.frames.take(1, self.loop.time()):
                self.violate(f"more than {FRAMES_BURST} frames at once or {FRAMES_PER_S:g} frames/s")
        if self.violation is None:
            super().process_event(event)

    # --- closing an abuser -------------------------------------------------------------------------------
    def violate(self, reason: str) -> None:
        """Close with 1008 and `reason`, stop reading, and cut the connection off after CUT_OFF_AFTER_S."""
        if self.violation is not None or self.protocol.state is not OPEN:
            return
        self.protocol.fail(CloseCode.POLICY_VIOLATION, reason)
        try:
            self.send_data()  # the close frame, then end of stream
        except Exception as exc:  # the socket is already broken: it is cut off below either way
            self.set_connection_exc(exc)
        self._give_up(reason)

    def _give_up(self, reason: str) -> None:
        """Our close frame is sent: stop reading, stop counting it as a viewer, cut it off soon."""
        self.violation = reason
        self.close_deadline = self.loop.time() + CUT_OFF_AFTER_S
        self.transport.pause_reading()  # a flood costs nothing more while the close is read
        self.loop.call_later(CUT_OFF_AFTER_S, self._cut_off)
        if self.dismissed is not None:
            self.dismissed(self)

    def _cut_off(self) -> None:
        if not self.connection_lost_waiter.done():
            self.transport.abort()


def not_draining(connection: GuardedConnection, now: float, stalled_bytes: int, drain_timeout: float) -> bool:
    """True when the connection's unsent backlog is over `stalled_bytes`, or has not emptied for
    `drain_timeout` seconds (as seen by the calls so far; each call samples it once)."""
    backlog = connection.transport.get_write_buffer_size()
    if backlog == 0:
        connection.undrained_since = None
        return False
    if connection.undrained_since is None:
        connection.undrained_since = now
    return backlog > stalled_bytes or now - connection.undrained_since >= drain_timeout


def close_overdue(connection: ServerConnection, now: float) -> bool:
    """True when our close frame went out and the client has not closed the connection by its deadline.
    websockets enforces that deadline only when something sends on the connection again."""
    deadline = connection.close_deadline
    return deadline is not None and now > deadline and not connection.connection_lost_waiter.done()
