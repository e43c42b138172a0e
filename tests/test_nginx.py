"""nginx with the configuration `heatpump-dashboard nginx-config --standalone` renders (the repository's
nginx.conf is the same rendering), in front of a generated public/ and a real sidecar."""
from __future__ import annotations

import asyncio
import gzip
import json
import re
import tempfile
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from generator.build import make_context, run_once
from generator.config import load_config
from generator.site import bundle_missing
from generator.sources.demo import DemoSource
from tests.nginx_server import ROOT, nginx
from tests.sidecar_process import start_sidecar_process

pytestmark = pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")


@pytest.fixture(scope="module")
def site():
    """A generated public/, a sidecar on a free port, and nginx in front of both. The directory must be
    readable by nginx's unprivileged workers, which pytest's private tmp dirs are not."""
    holder = tempfile.TemporaryDirectory(prefix="hpd-nginx-")
    base = Path(holder.name)
    base.chmod(0o755)
    public = base / "public"
    cfg = load_config(None, {}).with_values(output__public_dir=str(public))
    run_once(make_context(cfg, DemoSource(seed=1)), now=datetime.now(timezone.utc))
    (public / ".manifest.json.tmp-1").write_text("{half", encoding="utf-8")  # what an atomic write leaves
    sidecar, sidecar_port = start_sidecar_process(public)
    try:
        with nginx(public, sidecar_port, base / "nginx") as port:
            yield public, port
    finally:
        sidecar.terminate()
        sidecar.wait(timeout=10)
        holder.cleanup()


def get(port: int, path: str, **headers: str):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    return urllib.request.urlopen(request, timeout=5)


def test_the_page_is_served_with_a_strict_content_security_policy(site):
    _, port = site
    with get(port, "/") as response:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert b"<html" in response.read()


def test_precompressed_files_are_served_to_browsers_that_accept_gzip(site):
    public, port = site
    path = json.loads((public / "manifest.json").read_bytes())["ranges"]["24h"]["path"]
    with get(port, "/" + path, **{"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(response.read())
    assert body == (public / path).read_bytes()


@pytest.mark.skipif(not Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so").exists(),
                    reason="nginx's brotli module is not installed (make test installs libnginx-mod-http-brotli-static)")
def test_brotli_is_served_where_nginx_has_the_module(site):
    import brotli

    public, port = site
    for path in ["/" + json.loads((public / "manifest.json").read_bytes())["ranges"]["24h"]["path"], "/index.html"]:
        with get(port, path, **{"Accept-Encoding": "gzip, deflate, br"}) as response:
            assert response.headers["Content-Encoding"] == "br"
            assert brotli.decompress(response.read()) == (public / path.lstrip("/")).read_bytes()


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_file_that_has_a_packed_copy_says_it_varies_by_accept_encoding(site, encoding):
    public, port = site
    with get(port, "/manifest.json", **{"Accept-Encoding": encoding}) as response:
        assert response.headers.get_all("Vary") == ["Accept-Encoding"], "a cache must not give gzip to all"


def test_hashed_files_are_cached_for_ever_and_the_manifest_is_revalidated(site):
    public, port = site
    path = json.loads((public / "manifest.json").read_bytes())["ranges"]["24h"]["path"]
    with get(port, "/" + path) as response:
        assert "immutable" in response.headers["Cache-Control"]
    with get(port, "/manifest.json") as response:
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Content-Type"].startswith("application/json")


def test_temp_files_of_atomic_writes_are_never_served(site):
    _, port = site
    with pytest.raises(urllib.error.HTTPError) as err:
        get(port, "/.manifest.json.tmp-1")
    assert err.value.code == 403


def test_the_websocket_reaches_the_sidecar_through_nginx_with_the_page_origin(site):
    public, port = site

    async def hello() -> dict:
        async with connect(f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}") as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 5))

    message = asyncio.run(hello())
    assert message["type"] == "hello"
    assert message["manifest"] == json.loads((public / "manifest.json").read_bytes())


def test_healthz_is_proxied_to_the_sidecar(site):
    _, port = site
    with get(port, "/healthz") as response:
        assert set(json.loads(response.read())) >= {"clients", "manifest_age_s", "generator_age_s"}


def test_nginx_and_the_demo_server_send_the_same_content_security_policy():
    from sidecar.static import CSP
    policies = set(re.findall(r'Content-Security-Policy "([^"]+)"', (ROOT / "nginx.conf").read_text(encoding="utf-8")))
    assert policies == {CSP}


def test_every_response_keeps_the_security_headers(site):
    public, port = site
    path = json.loads((public / "manifest.json").read_bytes())["ranges"]["24h"]["path"]
    for url in ("/", "/index.html", "/manifest.json", "/status.json", "/archive/index.json", "/" + path):
        with get(port, url) as response:
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            assert response.headers["Referrer-Policy"] == "same-origin", url
            assert "script-src 'self'" in response.headers["Content-Security-Policy"], url


def test_healthz_through_nginx_sends_each_header_once(site):
    _, port = site
    with get(port, "/healthz") as response:
        assert response.headers.get_all("Cache-Control") == ["no-store"]
        assert response.headers.get_all("X-Content-Type-Options") == ["nosniff"]


def test_a_websocket_refused_by_the_sidecar_through_nginx_sends_nosniff_once(site):
    _, port = site
    with pytest.raises(urllib.error.HTTPError) as err:
        get(port, "/ws", Origin="http://elsewhere.example")
    assert err.value.code == 403
    assert err.value.headers.get_all("X-Content-Type-Options") == ["nosniff"]
