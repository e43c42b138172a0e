"""Benchmark of the live-push sidecar on loopback.

Runs the sidecar as its own process (`heatpump-dashboard sidecar`), holds N viewers from worker processes and
measures, for N = 100, 1,000 and 5,000 (a few repetitions each):

* notify latency: from the atomic rename of public/manifest.json until ALL N viewers hold the update
  (p50 and p99 over the repetitions; includes the file watch's debounce);
* sidecar CPU time per update (user + system, from /proc via psutil);
* sidecar RSS idle and with N viewers held.

Viewers are minimal raw-socket websocket clients (handshake, frame parsing, pong replies) so that the
figure measures the sidecar rather than a client library.  Usage:

    .venv/bin/python bench/bench_sidecar.py [--sizes 100 1000 5000] [--reps 7] [--workers 2]

Over 300 lines because the viewers' worker processes and the measuring are one script, run by hand.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import re
import resource
import shutil
import statistics
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path

import psutil
import websockets
from machine import describe

REPO = Path(__file__).resolve().parents[1]
SEQ = re.compile(rb'"seq":(\d+)')
RANGES = ("1h", "6h", "24h", "7d", "30d", "365d")


# --- the manifest the "generator" writes -------------------------------------------------------------------
def manifest(seq: int) -> dict[str, object]:
    """About the size and shape of a real manifest: one hashed file per range plus the live file."""
    digest = f"{seq:08x}"
    return {
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seq": seq,
        "stale": False,
        "error": None,
        "ranges": {r: {"file": f"data/{r}.{digest}{i}.json", "bytes": 20_000 + i} for i, r in enumerate(RANGES)},
        "live": {"file": f"data/live.{digest}.json"},
    }


def publish(public: Path, seq: int) -> None:
    temp = public / ".manifest.json.tmp"
    temp.write_text(json.dumps(manifest(seq)), encoding="utf-8")
    os.replace(temp, public / "manifest.json")


# --- viewers (worker processes) ----------------------------------------------------------------------------
class Viewer(asyncio.Protocol):
    """A websocket client reduced to what a viewer does: read frames, answer pings."""

    def __init__(self, port: int, hub: "Hub"):
        self.port = port
        self.hub = hub
        self.buffer = bytearray()
        self.open = False
        self.seq = -1
        self.transport: asyncio.Transport | None = None
        self.hello = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.open:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 101"):
                self.hello.set_exception(RuntimeError(bytes(self.buffer[:80]).decode(errors="replace")))
                return
            del self.buffer[: end + 4]
            self.open = True
        while len(self.buffer) >= 2:
            opcode, length = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length, offset = struct.unpack_from("!H", self.buffer, 2)[0], 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length, offset = struct.unpack_from("!Q", self.buffer, 2)[0], 10
            if len(self.buffer) < offset + length:
                return
            payload = bytes(self.buffer[offset : offset + length])
            del self.buffer[: offset + length]
            self.frame(opcode, payload)

    def frame(self, opcode: int, payload: bytes) -> None:
        if opcode == 0x1:
            found = SEQ.search(payload)
            if found:
                self.seq = int(found.group(1))
                if not self.hello.done():
                    self.hello.set_result(None)
                self.hub.arrived(self.seq)
        elif opcode == 0x9 and self.transport is not None:  # ping → masked pong with the same payload
            mask = os.urandom(4)
            masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.hello.done():
            self.hello.set_exception(ConnectionError("closed before hello"))


class Hub:
    """Counts, per worker, how many viewers hold the awaited sequence number and when the last got it."""

    def __init__(self) -> None:
        self.viewers: list[Viewer] = []
        self.target = -1
        self.count = 0
        self.done: asyncio.Future[float] | None = None

    def arrived(self, seq: int) -> None:
        if seq == self.target and self.done is not None and not self.done.done():
            self.count += 1
            if self.count == len(self.viewers):
                self.done.set_result(time.monotonic())


async def worker_main(pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    hub = Hub()
    while True:
        command, *args = await asyncio.to_thread(pipe.recv)
        if command == "connect":
            port, count = args
            for start in range(0, count, 200):
                batch = []
                for _ in range(min(200, count - start)):
                    _, viewer = await loop.create_connection(lambda: Viewer(port, hub), "127.0.0.1", port)
                    batch.append(viewer)
                await asyncio.wait_for(asyncio.gather(*(v.hello for v in batch)), 60)
                hub.viewers += batch
            pipe.send(len(hub.viewers))
        elif command == "expect":
            hub.target, hub.count, hub.done = args[0], 0, loop.create_future()
            pipe.send("armed")
        elif command == "wait":
            assert hub.done is not None
            try:
                pipe.send(await asyncio.wait_for(hub.done, 30))
            except TimeoutError:
                pipe.send(None)
        elif command == "close":
            for viewer in hub.viewers:
                if viewer.transport is not None:
                    viewer.transport.close()
            hub.viewers = []
            await asyncio.sleep(0.2)
            pipe.send("closed")
        elif command == "quit":
            return


def worker(pipe: Connection) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(worker_main(pipe))


# --- the sidecar process -----------------------------------------------------------------------------------
def start_sidecar(public: Path, log_level: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "heatpump-dashboard"), "sidecar", "--public-dir", str(public), "--host", "127.0.0.1",
         "--port", "0", "--max-clients", "15000"] + (["-v"] if log_level.upper() == "DEBUG" else []),
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"ws://[^:]+:(\d+)/ws", line)
    if not found:
        raise SystemExit(f"sidecar did not start: {line!r}")
    return proc, int(found.group(1))


def healthz(port: int) -> dict[str, object]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/healthz")
    body = conn.getresponse().read()
    conn.close()
    return json.loads(body)


def cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Row:
    viewers: int
    held: int
    connect_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_update: float
    rss_mb: float
    kb_per_viewer: float


def machine() -> str:
    return describe(f"websockets {websockets.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sidecar-log-level", default="WARNING", help="INFO shows each broadcast's duration")
    args = parser.parse_args()

    public = Path(tempfile.mkdtemp(prefix="bench-sidecar-"))
    seq = 1
    publish(public, seq)
    proc, port = start_sidecar(public, args.sidecar_log_level)
    sidecar = psutil.Process(proc.pid)
    pipes: list[Connection] = []
    workers: list[mp.Process] = []
    for _ in range(args.workers):
        ours, theirs = mp.Pipe()
        process = mp.Process(target=worker, args=(theirs,), daemon=True)
        process.start()
        pipes.append(ours)
        workers.append(process)

    rows: list[Row] = []
    try:
        time.sleep(0.5)
        idle_rss = sidecar.memory_info().rss
        for size in args.sizes:
            started = time.monotonic()
            shares = [size // args.workers + (1 if i < size % args.workers else 0) for i in range(args.workers)]
            for pipe, share in zip(pipes, shares):
                pipe.send(("connect", port, share))
            assert sum(pipe.recv() for pipe in pipes) == size
            connect_s = time.monotonic() - started
            held = int(healthz(port)["clients"])  # type: ignore[arg-type]
            time.sleep(0.5)
            rss = sidecar.memory_info().rss
            latencies: list[float] = []
            cpu: list[float] = []
            for _ in range(args.reps):
                seq += 1
                for pipe in pipes:
                    pipe.send(("expect", seq))
                for pipe in pipes:
                    pipe.recv()
                cpu_before = cpu_seconds(sidecar)
                written = time.monotonic()
                publish(public, seq)
                for pipe in pipes:
                    pipe.send(("wait",))
                arrivals = [pipe.recv() for pipe in pipes]
                if None in arrivals:
                    raise SystemExit(f"update {seq} did not reach all {size} viewers within 30 s")
                latencies.append(max(arrivals) - written)
                time.sleep(0.3)  # let the sidecar settle so its CPU figure holds this update only
                cpu.append(cpu_seconds(sidecar) - cpu_before)
            rows.append(Row(size, held, connect_s, 1000 * statistics.median(latencies),
                            1000 * percentile(latencies, 0.99), 1000 * statistics.mean(cpu),
                            rss / 1e6, (rss - idle_rss) / 1024 / size))
            for pipe in pipes:
                pipe.send(("close",))
            for pipe in pipes:
                pipe.recv()
            deadline = time.monotonic() + 20
            while healthz(port)["clients"] and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        for pipe in pipes:
            pipe.send(("quit",))
        for process in workers:
            process.join(5)
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(public, ignore_errors=True)

    print(f"machine: {machine()}")
    print(f"sidecar idle RSS {idle_rss / 1e6:.1f} MB; {args.reps} updates per size; viewers in "
          f"{args.workers} worker processes on the same machine; latency = rename → last viewer holds it")
    header = ("viewers", "held", "connect s", "p50 ms", "p99 ms", "CPU ms/update", "RSS MB", "KB/viewer")
    print(" | ".join(f"{h:>13}" for h in header))
    print("-+-".join("-" * 13 for _ in header))
    for r in rows:
        cells = (f"{r.viewers:,}", f"{r.held:,}", f"{r.connect_s:.2f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}",
                 f"{r.cpu_ms_per_update:.1f}", f"{r.rss_mb:.1f}", f"{r.kb_per_viewer:.1f}")
        print(" | ".join(f"{c:>13}" for c in cells))


if __name__ == "__main__":
    main()
