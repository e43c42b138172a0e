"""Start Debian's nginx on a free loopback port, for the tests: with the configuration
`heatpump-dashboard nginx-config --standalone DIR` renders (the repository's nginx.conf is the same
rendering of the documented example)."""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from generator.config import Config, load_config
from generator.nginx_config import prepare_prefix, render

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(public: Path, sidecar_port: int, port: int, htpasswd: Path | None = None) -> Config:
    """The config the test's nginx is rendered from: as a user's YAML would say it."""
    return load_config(None, {}).with_values(output__public_dir=str(public), sidecar__port=sidecar_port,
                                             nginx__listen=f"127.0.0.1:{port}",
                                             nginx__htpasswd=str(htpasswd) if htpasswd else None)


def start_nginx(conf: Path, prefix: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_until_serving(proc: subprocess.Popen[bytes], port: int) -> None:
    """Any HTTP answer counts (a private dashboard answers 401)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.json", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"nginx did not start: {proc.communicate()[1].decode()}")
            time.sleep(0.05)


@contextmanager
def nginx(public: Path, sidecar_port: int, workdir: Path, *, htpasswd: Path | None = None) -> Iterator[int]:
    """Serve `public` on a free port, /ws and /healthz proxied to the sidecar; yields the port; stops
    nginx afterwards."""
    port = free_port()
    conf = workdir / "nginx.conf"
    prepare_prefix(workdir)
    conf.write_text(render(site_config(public, sidecar_port, port, htpasswd), standalone=workdir), encoding="utf-8")
    proc = start_nginx(conf, workdir)
    try:
        wait_until_serving(proc, port)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
