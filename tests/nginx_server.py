"""Start Debian's nginx with the repository's nginx.conf on a free loopback port, for the tests."""
from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_config(public: Path, port: int, sidecar_port: int) -> str:
    """The repository's nginx.conf with exactly the three marked lines rewritten."""
    text = (ROOT / "nginx.conf").read_text(encoding="utf-8")
    replaced = {
        "listen": (r"listen [^;]+;(\s+# MARK listen)", rf"listen 127.0.0.1:{port};\1"),
        "root": (r"root [^;]+;(\s+# MARK root)", rf"root {public};\1"),
        "sidecar": (r"server [^;]+;(\s+# MARK sidecar)", rf"server 127.0.0.1:{sidecar_port};\1"),
    }
    for name, (pattern, repl) in replaced.items():
        text, n = re.subn(pattern, repl, text)
        assert n == 1, f"nginx.conf: the line marked {name} is missing"
    return text


@contextmanager
def nginx(public: Path, sidecar_port: int, workdir: Path) -> Iterator[int]:
    """Serve `public` on a free port; yields the port; stops nginx afterwards."""
    port = free_port()
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(test_config(public, port, sidecar_port), encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir), "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.json", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise RuntimeError(f"nginx did not start: {proc.communicate()[1].decode()}")
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
