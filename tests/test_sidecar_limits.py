"""What a client may send and what it gets closed for (sidecar/limits.py, docs/live-protocol.md "Limits"),
one behaviour per test: a real server on a free loopback port, hostile clients from raw sockets or the
websockets client.  tests/test_sidecar_attack.py measures the same abuses' effect on other viewers."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError

from sidecar import Sidecar
from sidecar.limits import BYTES_BURST, CUT_OFF_AFTER_S, FRAMES_BURST
from tests.sidecar_attackers import (
    PING,
    Tally,
    frame,
    handshake,
    handshake_request,
    open_socket,
    read_until_closed,
)
from tests.sidecar_process import write_manifest


def run(coro: Any, timeout: float = 20) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.fixture
def public(tmp_path: Path) -> Path:
    write_manifest(tmp_path, {"version": 1})
    return tmp_path


async def next_frame(ws: ClientConnection, timeout: float = 3) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def until(check: Any, timeout: float, what: str) -> float:
    """Wait until `check()` holds; returns the seconds it took."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def closed_by_server(ws: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosedError) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None, "no close frame from the sidecar"
    return closed.value.rcvd.code, closed.value.rcvd.reason


# --- a viewer that never reads ---------------------------------------------------------------------------
# The hello alone fills the kernel's buffers (a few MiB on loopback) and then the transport's, so the
# keepalive ping waits for a drain that never comes.  Before: such a viewer stayed for hours.
BIG = {"version": 1, "padding": "x" * (6 * 1024 * 1024)}


def test_a_viewer_that_never_reads_and_keeps_pinging_is_cut_off_without_any_broadcast(public: Path) -> None:
    write_manifest(public, BIG)

    async def scenario() -> None:
        async with Sidecar(public, ping_interval=0.2, ping_timeout=0.2, stalled_bytes=1 << 30, drain_timeout=1.0) as sc:
            _, writer = await handshake(sc.port, Tally(), rcvbuf=4096)
            writer.transport.pause_reading()
            await until(lambda: sc.client_count == 1, 2, "connected")

            async def keep_pinging() -> None:  # within the allowance: only the unread socket is wrong
                while True:
                    writer.write(PING)
                    await asyncio.sleep(0.3)

            pinging = asyncio.create_task(keep_pinging())
            took = await until(lambda: sc.client_count == 0, 5, "the viewer that never reads was not cut off")
            pinging.cancel()
            writer.transport.abort()
            assert 1.0 <= took < 3.5
            assert sc.counters.dropped_stalled == 1 and sc.counters.updates_sent == 0

    run(scenario())


def test_a_backlog_over_stalled_bytes_is_cut_off_at_the_next_check_without_any_broadcast(public: Path) -> None:
    write_manifest(public, BIG)

    async def scenario() -> None:
        async with Sidecar(public) as sc:  # the default limits: 256 KiB of backlog, checked every second
            _, writer = await handshake(sc.port, Tally(), rcvbuf=4096)
            writer.transport.pause_reading()
            await until(lambda: sc.counters.dropped_stalled == 1, 2.5, "the stalled viewer was not cut off")
            assert sc.client_count == 0 and sc.counters.updates_sent == 0
            writer.transport.abort()

    run(scenario())


# --- the allowance ------------------------------------------------------------------------------------------
def test_within_the_allowance_every_ping_is_answered_and_the_client_kept(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, connect(f"ws://127.0.0.1:{sc.port}/ws") as ws:
            await next_frame(ws)
            for _ in range(FRAMES_BURST - 5):
                await ws.send('{"type":"ping"}')
            for _ in range(FRAMES_BURST - 5):
                assert await next_frame(ws) == {"type": "pong"}
            await ws.send("x" * 1024)  # the largest frame allowed
            write_manifest(public, {"version": 2})
            assert await next_frame(ws) == {"type": "update", "manifest": {"version": 2}}
            assert sc.client_count == 1 and sc.counters.policy_closed == 0

    run(scenario())


@pytest.mark.parametrize("flood", ["ping", "message"])
def test_a_frame_flood_is_closed_with_1008_and_a_reason_and_others_go_on(public: Path, flood: str) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, connect(f"ws://127.0.0.1:{sc.port}/ws") as bystander:
            await next_frame(bystander)
            async with connect(f"ws://127.0.0.1:{sc.port}/ws") as ws:
                await next_frame(ws)
                for i in range(FRAMES_BURST + 10):
                    await (ws.ping(str(i)) if flood == "ping" else ws.send('{"type":"ping"}'))
                code, reason = await closed_by_server(ws)
            assert code == 1008 and reason == "more than 20 frames at once or 5 frames/s"
            assert sc.counters.policy_closed == 1 and sc.client_count == 1
            write_manifest(public, {"version": 2})
            assert await next_frame(bystander) == {"type": "update", "manifest": {"version": 2}}

    run(scenario())


def test_more_bytes_than_the_allowance_at_once_is_closed_with_1008(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc:
            reader, writer = await handshake(sc.port, Tally())
            writer.write(frame(0x1, b"y" * 1000) * (BYTES_BURST // 1000 + 1))  # few frames, too many bytes
            tally = Tally()
            await read_until_closed(reader, tally)
            assert tally.codes == {"1008": 1} and tally.reasons == {"more than 4096 bytes at once or 1024 bytes/s"}
            writer.transport.abort()

    run(scenario())


def test_an_oversized_frame_still_gets_1009_and_a_client_that_stays_is_cut_off(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc:
            reader, writer = await handshake(sc.port, Tally())
            await until(lambda: sc.client_count == 1, 2, "connected")
            writer.write(frame(0x1, b"z" * 65536))
            tally = Tally()
            await read_until_closed(reader, tally)
            assert tally.codes == {"1009": 1}
            assert sc.client_count == 0 and sc.counters.oversized_closed == 1  # gone at once, no slot held
            # This client never hangs up: the sidecar ends its stream at once, and lets go of the
            # connection itself when CUT_OFF_AFTER_S has passed (timed from here, so a busy CI box fits).
            assert await asyncio.wait_for(reader.read(), CUT_OFF_AFTER_S + 2) == b""
            await until(lambda: not sc._server.all_connections,  # type: ignore[union-attr]
                        CUT_OFF_AFTER_S + 1.5, "still held")
            writer.transport.abort()

    run(scenario())


def test_frames_sent_along_with_the_handshake_count_too(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc:
            reader, writer = await open_socket(sc.port)
            writer.write(handshake_request(sc.port) + PING * 300)  # 1800 bytes of pings, no waiting for 101
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
            tally = Tally()
            await read_until_closed(reader, tally)  # no hello: the allowance was gone before it
            assert tally.codes == {"1008": 1}
            writer.transport.abort()

            reader, writer = await open_socket(sc.port)
            writer.write(handshake_request(sc.port) + PING * 10000)  # far more than the allowance: cut off
            assert await asyncio.wait_for(reader.read(), 3) in (b"", b"HTTP/1.1 101")
            writer.transport.abort()
            assert sc.client_count == 0 and sc.counters.policy_closed == 1

    run(scenario())


def test_a_closed_abuser_frees_its_client_slot_at_once(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public, max_clients=1) as sc:
            _, writer = await handshake(sc.port, Tally(), rcvbuf=4096)
            writer.transport.pause_reading()  # it will not even read its close frame
            writer.write(PING * (FRAMES_BURST + 1))
            await until(lambda: sc.client_count == 0, 1, "the abuser still holds the only slot")
            async with connect(f"ws://127.0.0.1:{sc.port}/ws") as ws:  # before the abuser is cut off
                assert (await next_frame(ws))["type"] == "hello"
            writer.transport.abort()

    run(scenario())


def test_a_handshake_not_finished_in_time_is_cut_off(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public, open_timeout=0.5) as sc:
            reader, writer = await open_socket(sc.port)
            writer.write(handshake_request(sc.port)[:30])  # slowloris: the rest never comes
            started = time.monotonic()
            assert await asyncio.wait_for(reader.read(), 3) == b""
            assert time.monotonic() - started < 1.5
            writer.transport.abort()

    run(scenario())
