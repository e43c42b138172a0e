"""The live-push sidecar, one behaviour per test: a real server on a free loopback port, real
websockets clients, a temp public/ written the way the generator writes it (temp file + rename).

Over 300 lines because it is a list of behaviours, one short test each.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import shutil
import signal
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidStatus,
)

from sidecar import Sidecar, run_sidecar
from sidecar.origin import SettingError
from tests.sidecar_process import (
    sidecar_command,
    start_sidecar_process,
    write_atomically,
    write_manifest,
)

REPO = Path(__file__).resolve().parents[1]


# --- helpers -------------------------------------------------------------------------------------------
def run(coro: Any, timeout: float = 20) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def public(tmp_path: Path) -> Path:
    directory = tmp_path / "public"
    directory.mkdir()
    write_manifest(directory, {"generated_at": iso(datetime.now(timezone.utc)), "version": 1})
    return directory


@asynccontextmanager
async def client(sc: Sidecar, **kwargs: Any) -> AsyncIterator[ClientConnection]:
    async with connect(f"ws://127.0.0.1:{sc.port}/ws", open_timeout=5, **kwargs) as ws:
        yield ws


async def next_frame(ws: ClientConnection, timeout: float = 3) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def http_get(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP request; http.client sends the path exactly as given ("..", %2e and all)."""

    def request() -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    return await asyncio.to_thread(request)


async def health(sc: Sidecar) -> dict[str, Any]:
    status, headers, body = await http_get(sc.port, "/healthz")
    assert status == 200 and headers["content-type"] == "application/json"
    return json.loads(body)


async def eventually(check: Any, timeout: float = 3) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


# --- hello and update ----------------------------------------------------------------------------------
def test_hello_carries_the_current_manifest_on_connect(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            frame = await next_frame(ws)
            assert frame == {"type": "hello", "manifest": json.loads((public / "manifest.json").read_text())}

    run(scenario())


def test_hello_carries_null_until_the_first_manifest_then_an_update_follows(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(tmp_path) as sc, client(sc) as ws:
            assert await next_frame(ws) == {"type": "hello", "manifest": None}
            write_manifest(tmp_path, {"version": 1})
            assert await next_frame(ws) == {"type": "update", "manifest": {"version": 1}}

    run(scenario())


def test_a_manifest_change_sends_an_update_within_a_second(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            await next_frame(ws)
            started = time.monotonic()
            write_manifest(public, {"version": 2, "files": {"24h": "data/24h.0123abcd.json"}})
            frame = await next_frame(ws)
            assert frame == {"type": "update", "manifest": {"version": 2, "files": {"24h": "data/24h.0123abcd.json"}}}
            assert time.monotonic() - started < 1.0

    run(scenario())


def test_no_update_when_the_manifest_is_rewritten_with_the_same_content(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            hello = await next_frame(ws)
            write_manifest(public, hello["manifest"], indent=4)  # same content, other bytes
            await asyncio.sleep(0.5)
            write_manifest(public, {"version": 3})
            assert await next_frame(ws) == {"type": "update", "manifest": {"version": 3}}

    run(scenario())


def test_an_unparsable_manifest_is_skipped_and_the_next_good_one_is_sent(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            await next_frame(ws)
            write_atomically(public / "manifest.json", '{"version": 2, "files": ')
            await asyncio.sleep(0.5)
            write_atomically(public / "manifest.json", "[1, 2, 3]")  # parses, but is not a manifest
            await asyncio.sleep(0.5)
            write_manifest(public, {"version": 4})
            assert await next_frame(ws) == {"type": "update", "manifest": {"version": 4}}
            assert (await health(sc))["manifest_skipped"] == 2

    run(scenario())


def test_other_files_in_public_do_not_send_updates(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            await next_frame(ws)
            write_atomically(public / "status.json", '{"last_run_at": "2024-01-01T00:00:00Z"}')
            write_atomically(public / "live.json", '{"x": 1}')
            with pytest.raises(TimeoutError):
                await next_frame(ws, timeout=0.5)

    run(scenario())


def test_a_public_dir_created_after_start_is_picked_up(tmp_path: Path) -> None:
    later = tmp_path / "public"

    async def scenario() -> None:
        async with Sidecar(later) as sc, client(sc) as ws:
            assert await next_frame(ws) == {"type": "hello", "manifest": None}
            later.mkdir()
            write_manifest(later, {"version": 1})
            assert await next_frame(ws, timeout=4) == {"type": "update", "manifest": {"version": 1}}

    run(scenario())


def test_a_public_dir_deleted_and_recreated_is_watched_again(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            await next_frame(ws)
            shutil.rmtree(public)
            public.mkdir()
            write_manifest(public, {"version": 2})
            assert await next_frame(ws, timeout=5) == {"type": "update", "manifest": {"version": 2}}
            write_manifest(public, {"version": 3})  # the new directory is watched: faster than the 2 s rescan
            assert await next_frame(ws, timeout=1) == {"type": "update", "manifest": {"version": 3}}

    run(scenario())


# --- healthz -------------------------------------------------------------------------------------------
def test_healthz_counts_clients_and_reports_manifest_and_generator_age(public: Path) -> None:
    now = datetime.now(timezone.utc)
    write_manifest(public, {"generated_at": iso(now - timedelta(seconds=30))})
    write_atomically(public / "status.json", json.dumps({"last_run_at": iso(now - timedelta(seconds=12))}))

    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc), client(sc), client(sc) as third:
            report = await health(sc)
            assert report["clients"] == 3
            assert 29 <= report["manifest_age_s"] <= 35
            assert 11 <= report["generator_age_s"] <= 17
            await third.close()

            async def two_left() -> bool:
                return (await health(sc))["clients"] == 2

            await eventually(two_left)

    run(scenario())


def test_healthz_reports_null_ages_without_generated_at_or_status_json(tmp_path: Path) -> None:
    write_manifest(tmp_path, {"version": 1})

    async def scenario() -> None:
        async with Sidecar(tmp_path) as sc:
            report = await health(sc)
            assert report["clients"] == 0
            assert report["manifest_age_s"] is None and report["generator_age_s"] is None

    run(scenario())


# --- origins ---------------------------------------------------------------------------------------------
def test_a_foreign_origin_is_refused_with_403(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc:
            with pytest.raises(InvalidStatus) as refused:
                async with client(sc, origin="https://evil.example"):
                    pass
            assert refused.value.response.status_code == 403
            assert (await health(sc))["refused_origin"] == 1

    run(scenario())


def test_the_pages_own_host_and_port_is_accepted_as_origin(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc:
            async with client(sc, origin=f"http://127.0.0.1:{sc.port}") as ws:
                assert (await next_frame(ws))["type"] == "hello"

    run(scenario())


def test_the_same_host_on_another_port_is_refused(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc:
            with pytest.raises(InvalidStatus) as refused:
                async with client(sc, origin=f"http://127.0.0.1:{sc.port + 1}"):
                    pass
            assert refused.value.response.status_code == 403

    run(scenario())


def test_a_configured_origin_is_accepted(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public, allowed_origins=["https://Heat.Example.com:443/"]) as sc:
            async with client(sc, origin="https://heat.example.com") as ws:
                assert (await next_frame(ws))["type"] == "hello"

    run(scenario())


def test_a_client_without_origin_header_is_accepted(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            assert ws.request is not None and "Origin" not in ws.request.headers
            assert (await next_frame(ws))["type"] == "hello"

    run(scenario())


def test_an_allowed_origin_that_is_not_an_origin_is_a_config_error(public: Path) -> None:
    with pytest.raises(SettingError, match=r"sidecar.allowed_origins: 'heat.example.com' is not an origin; write scheme://"):
        Sidecar(public, allowed_origins=["heat.example.com"])


# --- what clients send -----------------------------------------------------------------------------------
def test_garbage_unknown_and_binary_frames_are_ignored_and_counted(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as ws:
            await next_frame(ws)
            for message in ("not json", '{"type": "subscribe"}', "[1, 2]", "[" * 500, b"\x00\x01\x02"):
                await ws.send(message)
            await ws.send('{"type": "ping"}')
            assert await next_frame(ws) == {"type": "pong"}  # still served, nothing answered before
            assert (await health(sc))["ignored_messages"] == 5

    run(scenario())


def test_an_oversized_frame_closes_that_connection_with_1009_and_others_go_on(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc, client(sc) as bystander:
            await next_frame(bystander)
            async with client(sc) as ws:
                await next_frame(ws)
                await ws.send("x" * 2000)
                with pytest.raises(ConnectionClosedError) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
            write_manifest(public, {"version": 5})
            assert await next_frame(bystander) == {"type": "update", "manifest": {"version": 5}}
            assert (await health(sc))["oversized_closed"] == 1

    run(scenario())


# --- limits ------------------------------------------------------------------------------------------------
def test_over_the_connection_cap_the_handshake_is_refused_with_503(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public, max_clients=2) as sc, client(sc) as first, client(sc):
            with pytest.raises(InvalidStatus) as refused:
                async with client(sc):
                    pass
            assert refused.value.response.status_code == 503
            await first.close()

            async def one_left() -> bool:
                return sc.client_count == 1

            await eventually(one_left)
            async with client(sc) as again:
                assert (await next_frame(again))["type"] == "hello"

    run(scenario())


def test_a_zero_connection_cap_is_a_config_error(public: Path) -> None:
    with pytest.raises(SettingError, match="sidecar.max_clients"):
        Sidecar(public, max_clients=0)


def test_without_static_serving_other_paths_are_404(public: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(public) as sc:
            status, _, _ = await http_get(sc.port, "/manifest.json")
            assert status == 404

    run(scenario())


# --- static serving for the demo ---------------------------------------------------------------------------
@pytest.fixture
def site(public: Path) -> Path:
    (public / "index.html").write_text("<!doctype html><title>heat</title>", encoding="utf-8")
    (public / "data").mkdir()
    (public / "data" / "24h.0123abcd.json").write_text('{"series": []}', encoding="utf-8")
    (public / "assets").mkdir()
    (public / "assets" / "app-5XQ2ZK3L.js").write_text("console.log(1)", encoding="utf-8")
    (public / "assets" / "app.css").write_text("body{}", encoding="utf-8")
    (public / "assets" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (public / ".manifest.json.tmp").write_text("{}", encoding="utf-8")
    (public.parent / "secret.txt").write_text("do not serve", encoding="utf-8")
    (public / "leak.txt").symlink_to(public.parent / "secret.txt")
    return public


def test_static_serves_index_html_for_root_and_query_strings(site: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(site, static=True) as sc:
            for path in ("/", "/?range=7d", "/index.html"):
                status, headers, body = await http_get(sc.port, path)
                assert (status, body) == (200, b"<!doctype html><title>heat</title>")
                assert headers["content-type"] == "text/html; charset=utf-8"
                assert headers["cache-control"] == "no-cache"

    run(scenario())


def test_static_caches_hashed_files_long_and_the_manifest_not_at_all(site: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(site, static=True) as sc:
            status, headers, body = await http_get(sc.port, "/data/24h.0123abcd.json")
            assert (status, body, headers["content-type"]) == (200, b'{"series": []}', "application/json")
            assert headers["cache-control"] == "public, max-age=31536000, immutable"
            _, headers, _ = await http_get(sc.port, "/assets/app-5XQ2ZK3L.js")
            assert headers["content-type"] == "text/javascript; charset=utf-8"
            assert "immutable" in headers["cache-control"]
            _, headers, _ = await http_get(sc.port, "/assets/app.css")  # no hash in the name
            assert (headers["content-type"], headers["cache-control"]) == ("text/css; charset=utf-8", "no-cache")
            _, headers, _ = await http_get(sc.port, "/assets/logo.svg")
            assert headers["content-type"] == "image/svg+xml"
            status, headers, body = await http_get(sc.port, "/manifest.json")
            assert status == 200 and json.loads(body)["version"] == 1
            assert headers["cache-control"] == "no-cache"

    run(scenario())


def test_static_answers_404_for_missing_hidden_and_outside_files(site: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(site, static=True) as sc:
            for path in (
                "/nope.html",
                "/data/",
                "/.manifest.json.tmp",
                "/../secret.txt",
                "/%2e%2e/secret.txt",
                "/data/..%2f..%2fsecret.txt",
                "/data/%2e%2e/%2e%2e/secret.txt",
                "/leak.txt",
                "/..\\secret.txt",
                "//etc/passwd",
            ):
                status, _, body = await http_get(sc.port, path)
                assert status == 404, path
                assert b"do not serve" not in body

    run(scenario())


def test_static_refuses_methods_other_than_get_and_head(site: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(site, static=True) as sc:
            status, headers, _ = await http_get(sc.port, "/", method="DELETE")
            assert status == 405 and headers["allow"] == "GET, HEAD"
            status, headers, body = await http_get(sc.port, "/", method="HEAD")
            assert status == 200 and body == b"" and headers["content-length"] == "34"

    run(scenario())


def test_static_mode_keeps_the_websocket_and_healthz(site: Path) -> None:
    async def scenario() -> None:
        async with Sidecar(site, static=True) as sc, client(sc) as ws:
            assert (await next_frame(ws))["type"] == "hello"
            assert (await health(sc))["clients"] == 1

    run(scenario())


# --- the process ---------------------------------------------------------------------------------------------
def test_sigterm_closes_every_client_with_1001_and_exits_0(public: Path) -> None:
    proc, port = start_sidecar_process(public)

    async def scenario() -> list[int]:
        clients = [await connect(f"ws://127.0.0.1:{port}/ws") for _ in range(3)]
        for ws in clients:
            await next_frame(ws)
        proc.send_signal(signal.SIGTERM)
        codes = []
        for ws in clients:
            with pytest.raises(ConnectionClosedOK) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            codes.append(closed.value.rcvd.code if closed.value.rcvd else None)
        return codes

    try:
        assert run(scenario()) == [1001, 1001, 1001]
        assert proc.wait(timeout=5) == 0
    finally:
        proc.kill()
        proc.wait()


def test_run_sidecar_announces_its_port_and_stops_when_told(public: Path) -> None:
    async def scenario() -> None:
        ready, stop = asyncio.Event(), asyncio.Event()
        ports: list[int] = []
        task = asyncio.create_task(run_sidecar(public, "127.0.0.1", 0, ready=ready, stop=stop, announce=ports.append))
        await asyncio.wait_for(ready.wait(), 5)
        async with connect(f"ws://127.0.0.1:{ports[0]}/ws") as ws:
            assert (await next_frame(ws))["type"] == "hello"
            stop.set()
            with pytest.raises(ConnectionClosedOK):
                await asyncio.wait_for(ws.recv(), 5)
        await asyncio.wait_for(task, 5)

    run(scenario())


def test_the_command_line_names_a_bad_allowed_origin_and_exits_2(public: Path) -> None:
    result = subprocess.run(
        sidecar_command(public, "--port", "0", "--allowed-origin", "example.com"),
        cwd=REPO, capture_output=True, text=True, timeout=20,
    )
    assert result.returncode == 2
    assert "sidecar.allowed_origins: 'example.com' is not an origin" in result.stderr


def test_the_sidecar_command_serves_hello_on_the_configured_port(tmp_path: Path) -> None:
    import socket as socket_module
    with socket_module.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    public = tmp_path / "public"
    public.mkdir()
    (public / "manifest.json").write_text('{"format": 1}', encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"output:\n  public_dir: {public}\nsidecar:\n  port: {port}\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "sidecar", "--config", str(config)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert f":{port}/ws" in proc.stdout.readline()

        async def hello() -> dict:
            async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
                return json.loads(await asyncio.wait_for(ws.recv(), 5))

        assert asyncio.run(hello()) == {"type": "hello", "manifest": {"format": 1}}
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0


def test_the_sidecar_command_loads_neither_pandas_nor_numpy() -> None:
    # They were half of an idle sidecar's memory (80 → 31 MB) and it computes nothing with them.
    code = ("import sys; from generator.cli import main; "
            "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
