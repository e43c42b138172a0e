"""Well-behaved viewers for the sidecar attack tests, and where their figures go.

* `measure_latency`: notify latency of a set of connected viewers: from the atomic rename of a new
  public/manifest.json until each viewer holds the `update` frame (one sample per viewer and update).
* `PageViewer`: a client that reconnects the way the page does (site_templates/src/connection.js).
* `record`: prints figures (seen with `pytest -s`) and merges them into test-artifacts/attack-sidecar.json.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

REPO = Path(__file__).resolve().parents[1]
ARTIFACT = REPO / "test-artifacts" / "attack-sidecar.json"  # /test-artifacts/ is in .gitignore
RANGES = ("1h", "6h", "24h", "7d", "30d", "365d")


# --- the manifest the "generator" publishes ------------------------------------------------------------
def write_manifest(public: Path, seq: int) -> None:
    """About the size and shape of a real manifest (~1 KB), renamed into place like the generator does."""
    manifest = {
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seq": seq,
        "ranges": {r: {"file": f"data/{r}.{seq:08x}.json", "bytes": 20_000 + i} for i, r in enumerate(RANGES)},
        "live": {"file": f"data/live.{seq:08x}.json"},
    }
    temp = public / ".manifest.json.tmp"
    temp.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(temp, public / "manifest.json")


# --- latency -------------------------------------------------------------------------------------------
async def connect_viewers(port: int, count: int) -> list[ClientConnection]:
    viewers = await asyncio.gather(*(connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10) for _ in range(count)))
    for ws in viewers:
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "hello"
    return list(viewers)


async def _update_arrives(ws: ClientConnection, seq: int) -> float:
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] == "update" and frame["manifest"]["seq"] == seq:
            return time.monotonic()


class Sequence:
    """Manifest sequence numbers, unique across the measurements of one sidecar."""

    def __init__(self) -> None:
        self.last = 1

    def next(self) -> int:
        self.last += 1
        return self.last


async def measure_latency(viewers: list[ClientConnection], public: Path, seq: Sequence, updates: int,
                          pause_s: float = 0.25, timeout_s: float = 10) -> list[float]:
    """Notify latency in seconds, one per viewer and update."""
    samples: list[float] = []
    for _ in range(updates):
        number = seq.next()
        waiting = [asyncio.create_task(_update_arrives(ws, number)) for ws in viewers]
        await asyncio.sleep(0)  # every viewer is waiting before the file changes
        written = time.monotonic()
        write_manifest(public, number)
        arrivals = await asyncio.wait_for(asyncio.gather(*waiting), timeout_s)
        samples += [arrived - written for arrived in arrivals]
        await asyncio.sleep(pause_s)
    return samples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_figures(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(1000 * statistics.median(samples), 1),
            "p99_ms": round(1000 * percentile(samples, 0.99), 1),
            "max_ms": round(1000 * max(samples), 1), "samples": len(samples)}


# --- a viewer that reconnects like the page --------------------------------------------------------------
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
GOING_AWAY = 1001


def backoff_delay(attempt: int) -> float:
    """connection.js backoffDelay: 0.5–1.5 × (1 s doubling), at most 30 s."""
    step = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** min(attempt, 10))
    return min(BACKOFF_MAX_S, step * (0.5 + random.random()))


def going_away_delay() -> float:
    """connection.js goingAwayDelay: the first wait after a 1001 is 0.5–3 s."""
    return 0.5 + random.random() * 2.5


class PageViewer:
    """Holds a connection like the page: reconnects with backoff and jitter, resets it on `hello`."""

    def __init__(self, port: int):
        self.url = f"ws://127.0.0.1:{port}/ws"
        self.attempt = 0
        self.hello_at: float | None = None  # monotonic time of the latest hello
        self.close_codes: list[int | None] = []

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            code: int | None = 1006
            try:
                async with connect(self.url, open_timeout=10) as ws:
                    try:
                        async for message in ws:
                            if json.loads(message).get("type") == "hello":
                                self.attempt = 0
                                self.hello_at = time.monotonic()
                    except ConnectionClosed:
                        pass
                    code = ws.close_code
            except (OSError, InvalidHandshake, TimeoutError):
                pass  # refused while the sidecar is down: the page sees 1006 too
            self.close_codes.append(code)
            delay = going_away_delay() if code == GOING_AWAY and self.attempt == 0 else backoff_delay(self.attempt)
            self.attempt += 1
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                pass


# --- the sidecar process's memory -------------------------------------------------------------------------
def rss_kib(pid: int) -> int:
    """VmRSS from /proc/PID/status, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


# --- figures ---------------------------------------------------------------------------------------------
def record(name: str, figures: dict[str, Any]) -> None:
    """Print the figures and keep them under `name` in test-artifacts/attack-sidecar.json."""
    figures = {**figures, "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    print(f"\n[attack-sidecar] {name}: {json.dumps(figures)}")
    ARTIFACT.parent.mkdir(exist_ok=True)
    try:
        everything = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        everything = {}
    everything[name] = figures
    temp = ARTIFACT.with_name(f".{ARTIFACT.name}.tmp")
    temp.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, ARTIFACT)
