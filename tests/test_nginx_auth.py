"""A private dashboard (nginx.htpasswd): real nginx asks for a user and password on the page, its files,
/healthz and the websocket; check-config names an htpasswd file nginx could not use."""
from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import tempfile
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from generator.build import make_context, run_once
from generator.cli import main
from generator.config import load_config
from generator.site import bundle_missing
from generator.sources.demo import DemoSource
from tests.nginx_server import nginx
from tests.sidecar_process import start_sidecar_process

USER, PASSWORD = "viewer", "correct horse"


def make_htpasswd(path: Path, user: str = USER, password: str = PASSWORD) -> Path:
    """As docs/deploy.md says: `openssl passwd -apr1`, one user:hash line."""
    hashed = subprocess.run(["openssl", "passwd", "-apr1", "-stdin"], input=password, capture_output=True,
                            text=True, check=True).stdout.strip()
    path.write_text(f"{user}:{hashed}\n", encoding="utf-8")
    path.chmod(0o644)  # nginx's unprivileged workers read it
    return path


def basic(user: str = USER, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(scope="module")
def private_site() -> Iterator[tuple[Path, int]]:
    if bundle_missing():
        pytest.skip("page bundle not built: run `make bundle`")
    with tempfile.TemporaryDirectory(prefix="hpd-auth-") as holder:
        base = Path(holder)
        base.chmod(0o755)  # nginx's unprivileged workers read public/ and the htpasswd file through it
        public = base / "public"
        run_once(make_context(load_config(None, {}).with_values(output__public_dir=str(public)), DemoSource(seed=1)),
                 now=datetime.now(timezone.utc))
        sidecar, sidecar_port = start_sidecar_process(public)
        try:
            with nginx(public, sidecar_port, base / "nginx", htpasswd=make_htpasswd(base / "htpasswd")) as port:
                yield public, port
        finally:
            sidecar.terminate()
            sidecar.wait(timeout=10)


def status_of(port: int, path: str, authorization: str | None = None) -> int:
    headers = {"Authorization": authorization} if authorization else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def data_path(public: Path) -> str:
    return "/" + json.loads((public / "manifest.json").read_bytes())["ranges"]["24h"]["path"]


async def websocket_hello(port: int, authorization: str | None) -> Any:
    headers = {"Authorization": authorization} if authorization else None
    async with connect(f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}",
                       additional_headers=headers) as ws:
        return json.loads(await asyncio.wait_for(ws.recv(), 5))


@pytest.mark.parametrize("path", ["/", "/index.html", "/manifest.json", "/healthz", "data"])
def test_without_credentials_nginx_answers_401(private_site, path):
    public, port = private_site
    assert status_of(port, data_path(public) if path == "data" else path) == 401


@pytest.mark.parametrize("path", ["/", "/manifest.json", "/healthz", "data"])
def test_with_the_right_credentials_nginx_serves(private_site, path):
    public, port = private_site
    assert status_of(port, data_path(public) if path == "data" else path, basic()) == 200


def test_a_wrong_password_answers_401(private_site):
    _, port = private_site
    assert status_of(port, "/", basic(password="wrong")) == 401


def test_the_websocket_upgrade_without_credentials_answers_401(private_site):
    _, port = private_site
    with pytest.raises(InvalidStatus) as err:
        asyncio.run(websocket_hello(port, None))
    assert err.value.response.status_code == 401


def test_the_websocket_with_credentials_receives_the_sidecars_hello(private_site):
    public, port = private_site
    message = asyncio.run(websocket_hello(port, basic()))
    assert message["type"] == "hello"
    assert message["manifest"] == json.loads((public / "manifest.json").read_bytes())


@pytest.mark.browser
def test_the_page_with_http_credentials_reaches_connected(private_site):
    """Browsers send the basic-auth credentials they hold for the page with its websocket."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    _, port = private_site
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(http_credentials={"username": USER, "password": PASSWORD})
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#connection[data-connection='connected']", timeout=20000)
        finally:
            browser.close()


# --- check-config --------------------------------------------------------------------------------------
def check_config(tmp_path: Path, htpasswd: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    config = tmp_path / "c.yaml"
    config.write_text(f"output:\n  public_dir: {tmp_path / 'public'}\nnginx:\n  htpasswd: {htpasswd}\n",
                      encoding="utf-8")
    code = main(["check-config", "--config", str(config)])
    return code, capsys.readouterr().err


def test_check_config_names_a_missing_htpasswd_file(tmp_path, capsys):
    code, err = check_config(tmp_path, tmp_path / "nope", capsys)
    assert code == 2
    assert f"nginx.htpasswd: {tmp_path / 'nope'} not found; make it with" in err


def test_check_config_names_an_unreadable_htpasswd_file(tmp_path, capsys):
    code, err = check_config(tmp_path, tmp_path, capsys)  # a directory: nothing to read
    assert code == 2
    assert f"nginx.htpasswd: cannot read {tmp_path}" in err


def test_check_config_names_an_htpasswd_file_without_a_user(tmp_path, capsys):
    empty = tmp_path / "htpasswd"
    empty.write_text("# nobody yet\n\n", encoding="utf-8")
    code, err = check_config(tmp_path, empty, capsys)
    assert code == 2
    assert f"nginx.htpasswd: {empty} has no user:hash line" in err


def test_check_config_accepts_an_htpasswd_file_made_with_openssl(tmp_path, capsys):
    code, _ = check_config(tmp_path, make_htpasswd(tmp_path / "htpasswd"), capsys)
    assert code == 0
