"""Hostile websocket clients for tests/test_sidecar_attack.py, each run as its own process so that their
busy loops do not share an event loop with the viewers being measured:

    python -m tests.sidecar_attackers KIND PORT SECONDS [COUNT]

COUNT clients (default 1) of KIND repeat their abuse until SECONDS have passed or SIGTERM comes,
reconnecting shortly after the sidecar drops them, as an attacker would.  At the end one JSON line on
stdout says what happened: connections made, close codes and reasons received, how long each
connection lived.

never_reads    handshake with a tiny receive buffer, never read again, send a ping every 5 ms for ever
ping_flood     websocket ping frames as fast as the socket takes them
message_flood  text frames {"type":"ping"} as fast as the socket takes them
oversized      one 64 KiB text frame (the limit is 1 KiB), again and again
slowloris      a handshake request trickled one byte every 0.5 s, never finished
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import statistics
import struct
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Awaitable, Callable

RECONNECT_PAUSE_S = 0.05  # back again almost at once; a pause keeps this an abuse test, not a SYN flood
FLOOD_CHUNK = 64 * 1024


def frame(opcode: int, payload: bytes = b"") -> bytes:
    """A client frame (FIN set, masked with a zero key: valid, and the bytes stay readable)."""
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return head + b"\x00\x00\x00\x00" + payload


PING = frame(0x9)
TEXT_PING = frame(0x1, b'{"type":"ping"}')


class Refused(Exception):
    """The handshake was answered with something other than 101."""


@dataclass
class Tally:
    connections: int = 0
    refused: int = 0
    errors: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    reasons: set[str] = field(default_factory=set)
    lifetimes: list[float] = field(default_factory=list)

    def summary(self, kind: str, count: int) -> dict[str, object]:
        lived = sorted(self.lifetimes)
        return {
            "kind": kind, "clients": count, "connections": self.connections, "refused": self.refused,
            "errors": self.errors, "close_codes": dict(self.codes), "reasons": sorted(self.reasons),
            "lifetime_median_s": round(statistics.median(lived), 3) if lived else None,
            "lifetime_max_s": round(lived[-1], 3) if lived else None,
        }


async def open_socket(port: int, rcvbuf: int | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await asyncio.open_connection(sock=sock)


def handshake_request(port: int) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


async def handshake(port: int, tally: Tally, rcvbuf: int | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await open_socket(port, rcvbuf)
    writer.write(handshake_request(port))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    if not head.startswith(b"HTTP/1.1 101"):
        writer.close()
        raise Refused(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    tally.connections += 1
    return reader, writer


async def read_until_closed(reader: asyncio.StreamReader, tally: Tally) -> None:
    """Read server frames until a close frame (its code and reason are tallied) or the end of the stream."""
    try:
        while True:
            b0, b1 = await reader.readexactly(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", await reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await reader.readexactly(8))[0]
            payload = await reader.readexactly(length)
            if b0 & 0x0F == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                tally.codes[str(code)] += 1
                tally.reasons.add(payload[2:].decode(errors="replace"))
                return
    except (asyncio.IncompleteReadError, ConnectionError):
        tally.codes["no close frame"] += 1


async def flood(port: int, tally: Tally, chunk: bytes) -> None:
    """Write `chunk` as fast as the socket takes it while reading; ends when the sidecar closes."""
    reader, writer = await handshake(port, tally)
    started = time.monotonic()
    closed = asyncio.create_task(read_until_closed(reader, tally))
    try:
        try:
            while not closed.done():
                writer.write(chunk)
                await writer.drain()
                await asyncio.sleep(0)  # drain() returns without yielding while the socket takes it all
        except ConnectionError:
            pass
        await asyncio.wait([closed], timeout=5)  # the close frame may still be on its way
    finally:
        closed.cancel()
        tally.lifetimes.append(time.monotonic() - started)
        writer.transport.abort()


async def never_reads(port: int, tally: Tally) -> None:
    _, writer = await handshake(port, tally, rcvbuf=4096)
    writer.transport.pause_reading()  # from here on nothing is read: the sidecar's writes back up
    started = time.monotonic()
    try:
        while True:
            writer.write(PING)
            await writer.drain()
            await asyncio.sleep(0.005)
    except ConnectionError:  # reset by the sidecar: the only way a client that never reads learns of it
        tally.codes["reset"] += 1
    finally:
        tally.lifetimes.append(time.monotonic() - started)
        writer.transport.abort()


async def oversized(port: int, tally: Tally) -> None:
    reader, writer = await handshake(port, tally)
    started = time.monotonic()
    try:
        writer.write(frame(0x1, b"x" * 65536))
        await writer.drain()
    except ConnectionError:
        pass
    await read_until_closed(reader, tally)
    tally.lifetimes.append(time.monotonic() - started)
    writer.transport.abort()


async def slowloris(port: int, tally: Tally) -> None:
    reader, writer = await open_socket(port)
    tally.connections += 1
    started = time.monotonic()
    request = handshake_request(port)[:-2]  # never the final blank line
    try:
        for byte in request:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1024), 0.5) == b"":
                    break  # the sidecar hung up
            except TimeoutError:
                pass
        tally.codes["hung up"] += 1
    except ConnectionError:
        tally.codes["reset"] += 1
    finally:
        tally.lifetimes.append(time.monotonic() - started)
        writer.transport.abort()


ABUSES: dict[str, Callable[[int, Tally], Awaitable[None]]] = {
    "never_reads": never_reads,
    "ping_flood": lambda port, tally: flood(port, tally, PING * (FLOOD_CHUNK // len(PING))),
    "message_flood": lambda port, tally: flood(port, tally, TEXT_PING * (FLOOD_CHUNK // len(TEXT_PING))),
    "oversized": oversized,
    "slowloris": slowloris,
}


async def attack(kind: str, port: int, seconds: float, count: int) -> dict[str, object]:
    tally = Tally()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def one() -> None:
        while not stop.is_set():   # also a way out: Python 3.11's wait_for can swallow a cancel (gh-86296)
            try:
                await ABUSES[kind](port, tally)
            except Refused:
                tally.refused += 1
            except (OSError, asyncio.IncompleteReadError):
                tally.errors += 1
            await asyncio.sleep(RECONNECT_PAUSE_S)

    clients = [asyncio.create_task(one()) for _ in range(count)]
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
    for client in clients:
        client.cancel()  # one still connected records how long it has lived
    await asyncio.wait(clients, timeout=5)  # a client whose cancel was swallowed ends at its loop's test
    return tally.summary(kind, count)


def main(argv: list[str]) -> None:
    kind, port, seconds = argv[0], int(argv[1]), float(argv[2])
    count = int(argv[3]) if len(argv) > 3 else 1
    print(json.dumps(asyncio.run(attack(kind, port, seconds, count))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
