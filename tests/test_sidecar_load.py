"""The sidecar under load: many viewers, a viewer that never reads, and connection churn.

Real server, real sockets on loopback; the churn test runs the sidecar as its own process so its
memory can be read from outside."""
from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import socket
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from websockets.asyncio.client import ClientConnection, connect

from sidecar import Sidecar
from tests.sidecar_process import start_sidecar_process, write_manifest

REPO = Path(__file__).resolve().parents[1]
VIEWERS = 500


def run(coro: Any, timeout: float = 40) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def next_frame(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


@pytest.fixture(autouse=True)
def enough_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * VIEWERS + 256  # both ends of every connection live in this process
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


@pytest.fixture
def public(tmp_path: Path) -> Path:
    write_manifest(tmp_path, {"version": 1})
    return tmp_path


async def connect_many(port: int, count: int, batch: int = 100) -> list[ClientConnection]:
    clients: list[ClientConnection] = []
    while len(clients) < count:
        size = min(batch, count - len(clients))
        clients += await asyncio.gather(
            *(connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10, max_size=None) for _ in range(size))
        )
    return clients


async def stalled_viewer(port: int) -> socket.socket:
    """A websocket viewer that completes the handshake and then never reads again."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await loop.sock_connect(sock, ("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await loop.sock_sendall(sock, request.encode())
    head = await asyncio.wait_for(loop.sock_recv(sock, 4096), 5)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def test_an_update_reaches_every_one_of_500_viewers_within_a_second(public: Path) -> None:
    async def scenario() -> float:
        async with Sidecar(public) as sc:
            clients = await connect_many(sc.port, VIEWERS)
            assert sc.client_count == VIEWERS
            await asyncio.gather(*(next_frame(ws) for ws in clients))  # every hello

            async def arrival(ws: ClientConnection) -> float:
                frame = await next_frame(ws)
                assert frame == {"type": "update", "manifest": {"version": 2}}
                return time.monotonic()

            waiting = [asyncio.create_task(arrival(ws)) for ws in clients]
            started = time.monotonic()
            write_manifest(public, {"version": 2})
            slowest = max(await asyncio.gather(*waiting)) - started
            await asyncio.gather(*(ws.close() for ws in clients))
            return slowest

    assert run(scenario()) < 1.0


def test_a_viewer_that_never_reads_delays_no_one_and_is_dropped_once_its_backlog_is_large(public: Path) -> None:
    # Big manifests get past the kernel's own send buffer (autotuned up to 4 MiB) within a few updates.
    padding = "x" * 512 * 1024

    async def scenario() -> None:
        async with Sidecar(public, stalled_bytes=256 * 1024) as sc:
            stalled = await stalled_viewer(sc.port)
            readers = await connect_many(sc.port, 5)
            await asyncio.gather(*(next_frame(ws) for ws in readers))
            for version in range(2, 14):
                started = time.monotonic()
                write_manifest(public, {"version": version, "padding": padding})
                frames = await asyncio.gather(*(next_frame(ws) for ws in readers))
                assert all(frame["manifest"]["version"] == version for frame in frames)
                assert time.monotonic() - started < 1.0, f"update {version} was late"
            assert sc.counters.dropped_stalled == 1
            assert sc.client_count == 5
            stalled.close()
            await asyncio.gather(*(ws.close() for ws in readers))

    run(scenario())


def test_a_viewer_that_does_not_answer_keepalive_pings_is_closed_and_one_that_does_is_kept(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public, ping_interval=0.2, ping_timeout=0.2, close_timeout=0.3) as sc:
            silent = await stalled_viewer(sc.port)  # never reads, so never answers a ping
            async with connect(f"ws://127.0.0.1:{sc.port}/ws") as answering:  # the library answers pings
                await next_frame(answering)
                deadline = time.monotonic() + 5
                while sc.client_count > 1:
                    assert time.monotonic() < deadline, "the silent viewer was never closed"
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.6)  # several more ping rounds
                assert sc.client_count == 1
                write_manifest(public, {"version": 2})
                assert await next_frame(answering) == {"type": "update", "manifest": {"version": 2}}
            silent.close()

    run(scenario())


def healthz_clients(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        response = b""
        while chunk := sock.recv(4096):
            response += chunk
    return json.loads(response.split(b"\r\n\r\n", 1)[1])["clients"]


def test_2000_connect_disconnect_cycles_leave_the_sidecar_serving_with_bounded_memory(public: Path) -> None:
    proc, port = start_sidecar_process(public)
    sidecar = psutil.Process(proc.pid)

    async def cycles(count: int, concurrency: int = 25) -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with gate:
                ws = await connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10)
                await next_frame(ws)
                if i % 2:
                    await ws.close()
                else:  # vanish without a closing handshake, like a phone losing its network
                    ws.transport.abort()
                    await ws.wait_closed()

        await asyncio.gather(*(one(i) for i in range(count)))

    async def until_no_clients() -> None:
        while await asyncio.to_thread(healthz_clients, port):
            await asyncio.sleep(0.05)

    try:
        run(cycles(300))  # warm-up: allocator pools, caches, lazily imported code
        run(until_no_clients(), timeout=10)
        before = sidecar.memory_info().rss
        run(cycles(2000))
        run(until_no_clients(), timeout=10)
        grown = sidecar.memory_info().rss - before
        assert grown < 8 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB over 2000 cycles"

        async def still_serving() -> dict[str, Any]:
            async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
                return await next_frame(ws)

        assert run(still_serving()) == {"type": "hello", "manifest": {"version": 1}}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
