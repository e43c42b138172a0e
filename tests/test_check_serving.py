"""`heatpump-dashboard check-serving URL`: against real nginx in front of a generated public/ and a real
sidecar, it says ok for a working install and names what is wrong with a broken one."""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from generator.build import make_context, run_once
from generator.check_serving import parse_target
from generator.cli import main
from generator.config import load_config
from generator.site import bundle_missing
from generator.sources.demo import DemoSource
from tests.nginx_server import free_port, nginx
from tests.sidecar_process import CLI, start_sidecar_process
from tests.test_nginx_auth import PASSWORD, USER, make_htpasswd


@dataclass(frozen=True)
class Install:
    base: Path
    public: Path        # what the config's output.public_dir names
    other: Path         # another generated public/ (a wrong root)
    config: Path
    sidecar_port: int


def generate(public: Path, seed: int) -> None:
    cfg = load_config(None, {}).with_values(output__public_dir=str(public))
    run_once(make_context(cfg, DemoSource(seed=seed)), now=datetime.now(timezone.utc))


@pytest.fixture(scope="module")
def install() -> Iterator[Install]:
    if bundle_missing():
        pytest.skip("page bundle not built: run `make bundle`")
    with tempfile.TemporaryDirectory(prefix="hpd-serving-") as holder:
        base = Path(holder)
        base.chmod(0o755)  # nginx's unprivileged workers read public/ through it
        public, other = base / "public", base / "other"
        generate(public, seed=1)
        generate(other, seed=2)
        sidecar, sidecar_port = start_sidecar_process(public)
        config = base / "config.yaml"
        config.write_text(yaml.safe_dump({"output": {"public_dir": str(public)}, "sidecar": {"port": sidecar_port}}),
                          encoding="utf-8")
        try:
            yield Install(base, public, other, config, sidecar_port)
        finally:
            sidecar.terminate()
            sidecar.wait(timeout=10)


def check(install: Install, url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check-serving", url, "--config", str(install.config)])
    return code, capsys.readouterr().out.splitlines()


def test_a_working_install_is_all_ok_and_exits_0(install):
    """The command as a user runs it."""
    with nginx(install.public, install.sidecar_port, install.base / "ok") as port:
        result = subprocess.run([CLI, "check-serving", f"http://127.0.0.1:{port}/", "--config", str(install.config)],
                                capture_output=True, text=True, timeout=60)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(lines) >= 6 and all(line.startswith("ok: ") for line in lines), lines
    assert any("/ws: the sidecar said hello" in line for line in lines)


def test_nginx_serving_another_public_dir_names_both_and_exits_1(install, capsys):
    with nginx(install.other, install.sidecar_port, install.base / "wrong-root") as port:
        code, lines = check(install, f"http://127.0.0.1:{port}/", capsys)
    assert code == 1
    [problem] = [line for line in lines if line.startswith("problem: ")]
    assert f"http://127.0.0.1:{port}/manifest.json (generated_at " in problem
    assert f"is not {install.public / 'manifest.json'} (generated_at " in problem
    assert f"fix: nginx's root is not output.public_dir: set root to {install.public}" in problem


def test_a_stopped_sidecar_is_named_at_the_websocket(install, capsys):
    with nginx(install.public, free_port(), install.base / "no-sidecar") as port:
        code, lines = check(install, f"http://127.0.0.1:{port}/", capsys)
    assert code == 1
    [ws] = [line for line in lines if "/ws" in line]
    assert ws.startswith(f"problem: ws://127.0.0.1:{port}/ws refused the websocket with 502; "
                         f"fix: the sidecar does not answer at 127.0.0.1:{install.sidecar_port}")


def test_credentials_in_the_url_are_used_and_never_printed(install, capsys):
    htpasswd = make_htpasswd(install.base / "htpasswd")
    with nginx(install.public, install.sidecar_port, install.base / "private", htpasswd=htpasswd) as port:
        code, lines = check(install, f"http://{USER}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{port}/", capsys)
    assert code == 0, lines
    printed = "\n".join(lines)
    assert "horse" not in printed and f"{USER}:" not in printed and "@127.0.0.1" not in printed, printed


def test_a_private_dashboard_without_credentials_says_to_give_them(install, capsys):
    htpasswd = make_htpasswd(install.base / "htpasswd-2")
    with nginx(install.public, install.sidecar_port, install.base / "private-2", htpasswd=htpasswd) as port:
        code, lines = check(install, f"http://127.0.0.1:{port}/", capsys)
    assert code == 1
    assert any(line.startswith(f"problem: http://127.0.0.1:{port}/manifest.json answers 401; "
                               "fix: the dashboard is private (nginx.htpasswd)") for line in lines), lines


@pytest.mark.skipif(os.geteuid() != 0, reason="nginx's workers run as another user only when nginx starts as root")
def test_a_public_dir_nginx_may_not_read_names_the_permissions(install, capsys):
    install.public.chmod(0o700)  # as under a home directory: nginx's workers may not enter it
    try:
        with nginx(install.public, install.sidecar_port, install.base / "unreadable") as port:
            code, lines = check(install, f"http://127.0.0.1:{port}/", capsys)
    finally:
        install.public.chmod(0o755)
    assert code == 1
    assert f"problem: http://127.0.0.1:{port}/manifest.json answers 403; fix: nginx's workers (www-data) may not " \
           f"read {install.public}: every directory up to it needs o+x" in "\n".join(lines)


def test_nothing_listening_is_one_problem_line(install, capsys):
    code, lines = check(install, f"http://127.0.0.1:{free_port()}/", capsys)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("problem: cannot reach ")


def test_the_websocket_url_follows_the_scheme_and_drops_credentials():
    target = parse_target("https://u:p%40ss@heat.example.com:8443/dash")
    assert target.ws == "wss://heat.example.com:8443/ws"
    assert target.origin == "https://heat.example.com:8443"
    assert target.base == "https://heat.example.com:8443/dash/"
    assert target.authorization == "Basic dTpwQHNz"  # u:p@ss
