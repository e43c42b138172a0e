"""A real influxd (Debian's influxdb 1.6.7) for tests and the benchmark: own config, temp dirs, free ports.

    with Influxd(tmp_path) as db:
        db.create_database("hp")
        db.write("hp", ["heatpump,name=outdoor_temp value=1.5 1700000000000"])
        db.query("SHOW DATABASES")

Both the HTTP port and the RPC `bind-address` (default 8088; two instances would collide) get free
loopback ports.  Reporting, the monitor store, UDP/graphite/collectd/opentsdb and continuous queries are
off so the instance stays quiet and cheap on a small machine.
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterable

INFLUXD = shutil.which("influxd") or "/usr/bin/influxd"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return Path(INFLUXD).exists()


class Influxd:
    """One influxd process; a context manager that always stops it."""

    def __init__(self, workdir: Path, auth: bool = False, start_timeout_s: float = 30.0, max_row_limit: int = 0):
        self.workdir = Path(workdir)
        self.auth = auth
        self.max_row_limit = max_row_limit
        self.start_timeout_s = start_timeout_s
        self.port = free_port()
        self.rpc_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.admin: tuple[str, str] | None = None  # set by create_admin()

    # --- lifecycle ---------------------------------------------------------------------------------
    def config_text(self) -> str:
        d = self.workdir
        return f"""
reporting-enabled = false
bind-address = "127.0.0.1:{self.rpc_port}"

[meta]
  dir = "{d / 'meta'}"
  logging-enabled = false

[data]
  dir = "{d / 'data'}"
  wal-dir = "{d / 'wal'}"
  wal-fsync-delay = "0s"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "10s"

[coordinator]
  log-queries-after = "0s"

[retention]
  enabled = false

[shard-precreation]
  enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{self.port}"
  auth-enabled = {'true' if self.auth else 'false'}
  log-enabled = false
  pprof-enabled = false
  max-body-size = 0
  max-row-limit = {self.max_row_limit}

[logging]
  level = "warn"
  suppress-logo = true
"""

    def start(self) -> "Influxd":
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "influxdb.conf"
        config.write_text(self.config_text(), encoding="utf-8")
        log = open(self.workdir / "influxd.log", "wb")
        self.proc = subprocess.Popen([INFLUXD, "-config", str(config)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"influxd exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=1) as resp:
                    if resp.status == 204:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"influxd did not answer /ping within {self.start_timeout_s}s: {self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def log_tail(self, chars: int = 2000) -> str:
        path = self.workdir / "influxd.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def __enter__(self) -> "Influxd":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- admin helpers (tests only; the product's client lives in generator/sources/influxql.py) ---
    def _request(self, path: str, params: dict[str, str], body: bytes | None = None) -> bytes:
        if self.admin:
            params = {**params, "u": self.admin[0], "p": self.admin[1]}
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        req = urllib.request.Request(url, data=body, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"influxd {path} answered {exc.code}: {exc.read()[:500]!r}") from None

    def query(self, q: str, db: str | None = None) -> dict:
        params = {"q": q, "epoch": "ms"}
        if db:
            params["db"] = db
        answer = json.loads(self._request("/query", params))
        for result in answer.get("results", []):
            if "error" in result:
                raise RuntimeError(f"influxd query error: {result['error']}")
        return answer

    def create_database(self, name: str) -> None:
        self.query(f'CREATE DATABASE "{name}"')

    def create_admin(self, user: str, password: str) -> None:
        """With auth on, the first user must be an admin; later helper calls authenticate as it."""
        self.query(f"CREATE USER \"{user}\" WITH PASSWORD '{password}' WITH ALL PRIVILEGES")
        self.admin = (user, password)

    def write(self, db: str, lines: Iterable[str], precision: str = "ms", batch: int = 50_000) -> int:
        """Write line protocol in batches; returns the number of lines written."""
        count = 0
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= batch:
                self._request("/write", {"db": db, "precision": precision}, "\n".join(chunk).encode())
                count += len(chunk)
                chunk = []
        if chunk:
            self._request("/write", {"db": db, "precision": precision}, "\n".join(chunk).encode())
            count += len(chunk)
        return count
