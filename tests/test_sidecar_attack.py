"""The sidecar under attack, as a real process with its default limits (docs/live-protocol.md, "Limits").

Each abuse test holds 50 well-behaved viewers and measures their notify latency (rename of a new
manifest.json → `update` frame in hand), first undisturbed and then while one hostile client from
tests/sidecar_attackers.py (its own process) does its worst; the latency must stay within 2× of the
undisturbed figure.  Twenty ping flooders at once must leave /healthz fast, updates flowing and
client slots free.  500 viewers that reconnect like the page must all be back soon after the sidecar
is restarted with SIGTERM and after it is killed with SIGKILL.

Figures are printed (`pytest -s`) and kept in test-artifacts/attack-sidecar.json.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import resource
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.sidecar_process import sidecar_command, start_sidecar_process
from tests.sidecar_viewers import (
    PageViewer,
    Sequence,
    connect_viewers,
    latency_figures,
    measure_latency,
    record,
    rss_kib,
    write_manifest,
)

REPO = Path(__file__).resolve().parents[1]
GOOD = 50  # well-behaved viewers measured during each abuse
UPDATES = 6  # manifests published per measurement: 300 latency samples each
ABUSE_S = 30.0  # the most a hostile client keeps at it; it is stopped when the measurement is done
SETTLE_S = 1.0  # the attacker process starts and gets going before the abused measurement
FLOODERS = 20
RESTART_VIEWERS = 500
ALL_BACK_S = 15.0


def run(coro: Any, timeout: float = 60) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.fixture(autouse=True)
def enough_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = RESTART_VIEWERS + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


@pytest.fixture
def public(tmp_path: Path) -> Path:
    write_manifest(tmp_path, 1)
    return tmp_path


@contextmanager
def sidecar_process(public: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    proc, port = start_sidecar_process(public, *extra)
    try:
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def no_attacker_outlives_its_test() -> Iterator[None]:
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def start_attacker(kind: str, port: int, seconds: float = ABUSE_S, count: int = 1) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.sidecar_attackers", kind, str(port), str(seconds), str(count)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    STARTED.append(proc)
    return proc


async def attacker_summary(proc: subprocess.Popen[str]) -> dict[str, Any]:
    """Stop the attacker and read what it saw."""
    proc.terminate()
    out, _ = await asyncio.to_thread(proc.communicate, timeout=30)
    return json.loads(out)


async def healthz(port: int) -> tuple[float, dict[str, Any]]:
    """Seconds /healthz took to answer, and its report."""

    def request() -> tuple[float, dict[str, Any]]:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", "/healthz")
            body = conn.getresponse().read()
        finally:
            conn.close()
        return time.monotonic() - started, json.loads(body)

    return await asyncio.to_thread(request)


# --- one hostile client, 50 viewers measured ---------------------------------------------------------------
# What becomes of the attacker: the close codes it must have seen, and how long a connection may live.
FATE = {
    "never_reads": ({"reset"}, 3.0),      # 1008 for its pings, unread; then cut off
    "ping_flood": ({"1008"}, 2.0),
    "message_flood": ({"1008"}, 2.0),
    "oversized": ({"1009"}, 2.0),
    "slowloris": (set(), None),           # cut off by the handshake timeout, after the measurement
}


def within_twice(normal: dict[str, float], abused: dict[str, float]) -> bool:
    return abused["median_ms"] <= 2 * normal["median_ms"] and abused["p99_ms"] <= 2 * normal["p99_ms"]


@pytest.mark.parametrize("kind", list(FATE))
def test_one_hostile_client_keeps_the_others_update_latency_within_twice_normal(public: Path, kind: str) -> None:
    with sidecar_process(public) as (proc, port):
        async def scenario() -> dict[str, Any]:
            seq = Sequence()
            viewers = await connect_viewers(port, GOOD)
            await measure_latency(viewers, public, seq, 2)  # warm-up
            rss_before = rss_kib(proc.pid)
            rounds: list[dict[str, Any]] = []
            # A second round only if the first is over: a neighbour's burst of CPU on this shared machine
            # can spoil one measurement; an abuse that really slows the others spoils both.
            while len(rounds) < 2 and not (rounds and within_twice(rounds[-1]["normal"], rounds[-1]["abused"])):
                normal = await measure_latency(viewers, public, seq, UPDATES)
                attacker = start_attacker(kind, port)
                await asyncio.sleep(SETTLE_S)
                abused = await measure_latency(viewers, public, seq, UPDATES)
                rounds.append({"normal": latency_figures(normal), "abused": latency_figures(abused),
                               "attacker": await attacker_summary(attacker)})
            _, report = await healthz(port)
            await asyncio.gather(*(ws.close() for ws in viewers))
            return {**rounds[-1], "rounds": len(rounds), "earlier_rounds": rounds[:-1],
                    "sidecar_rss_kib_before": rss_before, "sidecar_rss_kib_after": rss_kib(proc.pid),
                    "healthz_after": report}

        figures = run(scenario())
    record(f"one_{kind}", figures)
    assert within_twice(figures["normal"], figures["abused"]), figures
    codes, longest = FATE[kind]
    summary = figures["attacker"]
    assert codes <= set(summary["close_codes"]), summary
    if longest is not None:
        assert summary["lifetime_max_s"] is not None and summary["lifetime_max_s"] < longest, summary
    assert figures["sidecar_rss_kib_after"] - figures["sidecar_rss_kib_before"] < 16 * 1024


# --- twenty ping flooders ----------------------------------------------------------------------------------
def test_twenty_ping_flooders_leave_healthz_fast_updates_flowing_and_client_slots_free(public: Path) -> None:
    with sidecar_process(public, "--max-clients", str(GOOD + FLOODERS)) as (_, port):
        async def scenario() -> dict[str, Any]:
            seq = Sequence()
            viewers = await connect_viewers(port, GOOD)
            await measure_latency(viewers, public, seq, 2)
            normal = await measure_latency(viewers, public, seq, UPDATES)
            attackers = start_attacker("ping_flood", port, count=FLOODERS)
            await asyncio.sleep(SETTLE_S)
            probing = True

            async def probe_healthz() -> list[float]:
                took = []
                while probing:
                    took.append((await healthz(port))[0])
                    await asyncio.sleep(0.1)
                return took

            async def newcomer() -> tuple[float, int]:
                """A viewer arriving during the flood, retrying a refused handshake every 0.1 s."""
                started, refused = time.monotonic(), 0
                while True:
                    try:
                        async with connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10) as ws:
                            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "hello"
                            return time.monotonic() - started, refused
                    except InvalidStatus as refusal:
                        assert refusal.response.status_code == 503
                        refused += 1
                        await asyncio.sleep(0.1)

            probes = asyncio.create_task(probe_healthz())
            admitted_s, refused = await asyncio.wait_for(newcomer(), 10)
            abused = await measure_latency(viewers, public, seq, UPDATES)
            probing = False
            healthz_s = await probes
            summary = await attacker_summary(attackers)
            _, report = await healthz(port)
            await asyncio.gather(*(ws.close() for ws in viewers))
            return {"normal": latency_figures(normal), "abused": latency_figures(abused), "attackers": summary,
                    "healthz_max_ms": round(1000 * max(healthz_s), 1), "healthz_requests": len(healthz_s),
                    "newcomer_admitted_s": round(admitted_s, 3), "newcomer_refused": refused,
                    "healthz_after": report}

        figures = run(scenario())
    record("twenty_ping_flooders", figures)
    assert figures["healthz_max_ms"] < 1000, figures
    assert figures["abused"]["p99_ms"] < 1000, figures  # every update reached every viewer, promptly
    assert figures["newcomer_admitted_s"] < 2.0, figures
    assert set(figures["attackers"]["close_codes"]) == {"1008"}, figures


# --- 500 viewers across restarts -----------------------------------------------------------------------------
def test_500_page_viewers_are_all_back_soon_after_a_sigterm_and_after_a_sigkill(public: Path) -> None:
    proc, port = start_sidecar_process(public)
    procs = [proc]

    def restart() -> subprocess.Popen[str]:
        again = subprocess.Popen(sidecar_command(public, "--host", "127.0.0.1", "--port", str(port)),
                                 cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert again.stdout is not None and f":{port}/ws" in again.stdout.readline()
        procs.append(again)
        return again

    async def all_back(viewers: list[PageViewer], since: float) -> float:
        while not all(v.hello_at is not None and v.hello_at > since for v in viewers):
            await asyncio.sleep(0.05)
        return max(v.hello_at for v in viewers if v.hello_at is not None) - since

    async def scenario() -> dict[str, Any]:
        stop = asyncio.Event()
        viewers = [PageViewer(port) for _ in range(RESTART_VIEWERS)]
        tasks = [asyncio.create_task(v.run(stop)) for v in viewers]
        figures: dict[str, Any] = {"viewers": RESTART_VIEWERS}
        try:
            figures["first_connect_s"] = round(await asyncio.wait_for(all_back(viewers, time.monotonic()), 30), 2)
            figures["sidecar_rss_kib_before"] = rss_kib(procs[-1].pid)
            for name, how in (("sigterm", signal.SIGTERM), ("sigkill", signal.SIGKILL)):
                old = procs[-1]
                signalled = time.monotonic()
                old.send_signal(how)
                await asyncio.to_thread(old.wait, 15)
                figures[f"{name}_exit_code"] = old.returncode
                await asyncio.to_thread(restart)
                figures[f"{name}_all_back_s"] = round(await asyncio.wait_for(all_back(viewers, signalled), 30), 2)
            await asyncio.sleep(0.5)
            figures["sidecar_rss_kib_after"] = rss_kib(procs[-1].pid)
            figures["clients_after"] = (await healthz(port))[1]["clients"]
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return figures

    try:
        figures = run(scenario(), timeout=120)
    finally:
        for each in procs:
            if each.poll() is None:
                each.terminate()
                each.wait(10)
    record("restart_500_viewers", figures)
    assert figures["sigterm_exit_code"] == 0
    assert figures["sigterm_all_back_s"] < ALL_BACK_S and figures["sigkill_all_back_s"] < ALL_BACK_S, figures
    assert figures["clients_after"] == RESTART_VIEWERS
