"""Benchmark of the live-push sidecar on loopback.

Runs the sidecar as its own process (`heatpump-dashboard sidecar`), holds N viewers from worker processes and
measures, for N = 100, 1,000, 5,000 and 10,000 (a few repetitions each):

* notify latency: from the atomic rename of public/manifest.json until ALL N viewers hold the update
  (p50 and p99 over the repetitions; includes the file watch's debounce);
* sidecar CPU time per update (user + system, from /proc via psutil);
* sidecar RSS idle and with N viewers held.

Viewers are minimal raw-socket websocket clients (handshake, frame parsing, pong replies) so that the
figure measures the sidecar rather than a client library.  Usage:

    .venv/bin/python bench/bench_sidecar.py [--sizes 100 1000 5000 10000] [--reps 7] [--workers 2] [--json OUT]

bench/bench_viewers.py reuses the viewers (ViewerPool), the server start and measure() to run our sidecar
and the per-viewer baseline (bench/baselines/) side by side.  Over 300 lines because the viewers' worker
processes and the measuring are one script.
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
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable

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
                pipe.send(await asyncio.wait_for(hub.done, args[0] if args else 30))
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


class ViewerPool:
    """The viewers' worker processes: connect N viewers to a server, time updates, close them."""

    def __init__(self, workers: int = 2):
        self.pipes: list[Connection] = []
        self.processes: list[mp.Process] = []
        for _ in range(workers):
            ours, theirs = mp.Pipe()
            process = mp.Process(target=worker, args=(theirs,), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def __enter__(self) -> "ViewerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.quit()

    def connect(self, port: int, size: int) -> float:
        """Open `size` viewers, spread over the workers; returns the seconds it took."""
        started = time.monotonic()
        n = len(self.pipes)
        for i, pipe in enumerate(self.pipes):
            pipe.send(("connect", port, size // n + (1 if i < size % n else 0)))
        held = sum(pipe.recv() for pipe in self.pipes)
        assert held == size, f"{held} viewers connected of {size}"
        return time.monotonic() - started

    def update(self, publish_update: Callable[[int], None], seq: int, timeout_s: float) -> float | None:
        """publish_update(seq), then wait until every viewer holds `seq`: seconds from the publish, or None."""
        for pipe in self.pipes:
            pipe.send(("expect", seq))
        for pipe in self.pipes:
            pipe.recv()
        written = time.monotonic()
        publish_update(seq)
        for pipe in self.pipes:
            pipe.send(("wait", timeout_s))
        arrivals = [pipe.recv() for pipe in self.pipes]
        return None if None in arrivals else max(arrivals) - written

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(("close",))
        for pipe in self.pipes:
            pipe.recv()

    def quit(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("quit",))
            except (BrokenPipeError, OSError):
                pass
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(5)
        self.pipes, self.processes = [], []


# --- the server processes ----------------------------------------------------------------------------------
def sidecar_command(public: Path, max_clients: int = 15000, verbose: bool = False) -> list[str]:
    return ([str(REPO / ".venv" / "bin" / "heatpump-dashboard"), "sidecar", "--public-dir", str(public),
             "--host", "127.0.0.1", "--port", "0", "--max-clients", str(max_clients)] + (["-v"] if verbose else []))


def start_server(command: list[str], timeout_s: float = 60) -> tuple[subprocess.Popen[str], int]:
    """Start a websocket server that prints `ws://HOST:PORT/ws` once it listens; returns it and the port."""
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        found = re.search(r"ws://[^:]+:(\d+)/ws", line)
        if found:
            return proc, int(found.group(1))
    proc.kill()
    proc.wait(10)
    raise SystemExit(f"{command[0]} did not start (its first lines said nothing of ws://)")


def stop_server(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def start_sidecar(public: Path, log_level: str = "WARNING", max_clients: int = 15000) -> tuple[subprocess.Popen[str], int]:
    return start_server(sidecar_command(public, max_clients, log_level.upper() == "DEBUG"))


def healthz(port: int) -> dict[str, object]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/healthz")
    body = conn.getresponse().read()
    conn.close()
    return json.loads(body)


def cpu_seconds(proc: psutil.Process) -> float:
    """CPU time of all the process's threads so far, in ns resolution from /proc/PID/task/*/schedstat
    (psutil's user + system count 10 ms clock ticks: too coarse for a few ms per update)."""
    total = 0
    try:
        for task in Path(f"/proc/{proc.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue  # a thread that just ended
    except OSError:
        total = 0
    if total:
        return total / 1e9
    times = proc.cpu_times()
    return times.user + times.system


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (with few values p99 is the largest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Row:
    viewers: int
    held: int | None
    connect_s: float
    reps: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms_per_update: float
    rss_mb: float
    idle_rss_mb: float
    kb_per_viewer: float


class Updates:
    """The sequence numbers of the manifests written into one public/ (one counter for all servers)."""

    def __init__(self, public: Path):
        self.public = public
        self.seq = 1
        publish(public, self.seq)

    def next(self) -> int:
        self.seq += 1
        return self.seq


def measure(proc: subprocess.Popen[str], port: int, updates: Updates, pool: ViewerPool, size: int, reps: int, *,
            timeout_s: float = 30, settle_s: float = 0.3, count_held: bool = True) -> Row:
    """Hold `size` viewers on the server, time `reps` manifest renames until all viewers have each, and
    the server's CPU time per update (from just before the rename to `settle_s` after the last viewer)."""
    server = psutil.Process(proc.pid)
    idle_rss = server.memory_info().rss
    connect_s = pool.connect(port, size)
    held = int(healthz(port)["clients"]) if count_held else None  # type: ignore[arg-type]
    time.sleep(0.5)
    rss = [server.memory_info().rss]
    latencies: list[float] = []
    cpu: list[float] = []
    for _ in range(reps):
        seq = updates.next()
        cpu_before = cpu_seconds(server)
        latency = pool.update(lambda s: publish(updates.public, s), seq, timeout_s)
        if latency is None:
            raise SystemExit(f"update {seq} did not reach all {size} viewers within {timeout_s:.0f} s")
        latencies.append(latency)
        time.sleep(settle_s)  # let the server settle so its CPU figure holds this update only
        cpu.append(cpu_seconds(server) - cpu_before)
        rss.append(server.memory_info().rss)
    pool.close()
    if count_held:
        deadline = time.monotonic() + 20
        while healthz(port)["clients"] and time.monotonic() < deadline:
            time.sleep(0.1)
    else:
        time.sleep(1.0)
    return Row(size, held, connect_s, reps, 1000 * statistics.median(latencies), 1000 * percentile(latencies, 0.99),
               1000 * max(latencies), 1000 * statistics.mean(cpu), max(rss) / 1e6, idle_rss / 1e6,
               (max(rss) - idle_rss) / 1024 / size)


def machine() -> str:
    return describe(f"websockets {websockets.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sidecar-log-level", default="WARNING", help="DEBUG shows each broadcast's duration")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    raise_open_files_limit()

    public = Path(tempfile.mkdtemp(prefix="bench-sidecar-"))
    updates = Updates(public)
    proc, port = start_sidecar(public, args.sidecar_log_level, max(15000, max(args.sizes) + 1000))
    rows: list[Row] = []
    try:
        with ViewerPool(args.workers) as pool:
            time.sleep(0.5)
            for size in args.sizes:
                rows.append(measure(proc, port, updates, pool, size, args.reps))
    finally:
        stop_server(proc)
        shutil.rmtree(public, ignore_errors=True)

    print(f"machine: {machine()}")
    print(f"sidecar idle RSS {rows[0].idle_rss_mb:.1f} MB; {args.reps} updates per size; viewers in "
          f"{args.workers} worker processes on the same machine; latency = rename → last viewer holds it")
    header = ("viewers", "held", "connect s", "p50 ms", "p99 ms", "CPU ms/update", "RSS MB", "KB/viewer")
    print(" | ".join(f"{h:>13}" for h in header))
    print("-+-".join("-" * 13 for _ in header))
    for r in rows:
        cells = (f"{r.viewers:,}", f"{r.held:,}", f"{r.connect_s:.2f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}",
                 f"{r.cpu_ms_per_update:.1f}", f"{r.rss_mb:.1f}", f"{r.kb_per_viewer:.1f}")
        print(" | ".join(f"{c:>13}" for c in cells))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": [asdict(r) for r in rows]}, indent=1))


def raise_open_files_limit(wanted: int = 65536) -> tuple[int, int]:
    """One descriptor per viewer in the server and in the workers: lift the limit as far as allowed
    (root may raise the hard limit too; children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in ((max(wanted, hard), max(wanted, hard)), (hard, hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limit)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)


if __name__ == "__main__":
    main()
