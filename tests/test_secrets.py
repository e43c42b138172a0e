"""Everything run with a known InfluxDB password and token: generate (working, refused, the database
down), doctor, check-config, the sidecar.  Neither secret, nor the Basic-auth header made of the
password, appears anywhere a person or a viewer can read: files under public/ (their .gz copies too),
status.json, /healthz, logs and every error text."""
from __future__ import annotations

import base64
import gzip
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.influxd import Influxd, available
from tests.sidecar_process import start_sidecar_process

pytestmark = pytest.mark.skipif(not available(), reason="influxd not installed (make test installs it)")

ROOT = Path(__file__).resolve().parent.parent
USER = "owner"
PASSWORD = "pw-Zq7-known-to-the-test"
TOKEN = "tok-Hk2-known-to-the-test"
SECRETS = (PASSWORD, TOKEN, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())


def readable(public: Path) -> str:
    """Every file under public/ as text, .gz copies unpacked."""
    texts = []
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts.append((gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", errors="replace"))
    return "\n".join(texts)


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    """Run a command; returns everything it printed (stdout and stderr: the log)."""
    import os

    done = subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=180, env={**os.environ, **(env or {})})
    return f"[exit {done.returncode}]\n{done.stdout}\n{done.stderr}"


def config(tmp_path: Path, name: str, public: Path, source: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"provider: generic\noutput:\n  public_dir: {public}\nsource:\n  kind: influxql\n"
                    f"  database: hp\n  timeout_s: 5\n{source}", encoding="utf-8")
    return path


def test_no_secret_is_found_anywhere_a_person_or_a_viewer_can_read(tmp_path):
    public = tmp_path / "public"
    seen: list[str] = []
    with Influxd(tmp_path / "influxd", auth=True) as db:
        db.create_admin(USER, PASSWORD)
        db.create_database("hp")
        now_ms = int(time.time() * 1000)
        db.write("hp", [f"heatpump,name={m} value={v} {now_ms - k * 60_000}" for k in range(120)
                        for m, v in (("outdoor_temp", -2.5), ("power_electric", 1800), ("compressor_on", 1))])
        url_with_userinfo = db.url.replace("http://", f"http://{USER}:{PASSWORD}@")
        good = config(tmp_path, "good", public, f"  url: {db.url}\n  username: {USER}\n")
        seen.append(cli("generate", "--once", "--config", str(good), env={"INFLUXDB_PASSWORD": PASSWORD}))
        assert seen[-1].startswith("[exit 0]"), seen[-1]
        seen.append(cli("doctor", "--config", str(good), env={"INFLUXDB_PASSWORD": PASSWORD}))
        seen.append(cli("check-config", "--config", str(good), env={"INFLUXDB_PASSWORD": PASSWORD}))
        in_url = config(tmp_path, "in-url", public, f"  url: {url_with_userinfo}\n")
        seen.append(cli("check-config", "--config", str(in_url)))
        assert seen[-1].startswith("[exit 2]") and "leave the user name and password out of the URL" in seen[-1]
        token = config(tmp_path, "token", public, f"  url: {db.url}\n  token: {TOKEN}\n")
        seen.append(cli("generate", "--once", "--config", str(token)))
        assert seen[-1].startswith("[exit 1]") and "refused the credentials" in seen[-1], seen[-1]
        seen.append(cli("doctor", "--config", str(token)))
        wrong = config(tmp_path, "wrong", public, f"  url: {db.url}\n  username: {USER}\n  password: {PASSWORD}x\n")
        seen.append(cli("generate", "--once", "--config", str(wrong)))
    seen.append(cli("generate", "--once", "--config", str(token)))  # the database is down now
    assert "cannot reach" in seen[-1]
    sidecar, port = start_sidecar_process(public)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            seen.append(response.read().decode())
    finally:
        sidecar.terminate()
        sidecar.wait(timeout=10)
    seen.append(readable(public))
    everything = "\n".join(seen)
    assert '"stale":true' in everything and '"code":"unreachable"' in everything, "the failures did reach public/"
    for secret in SECRETS:
        assert secret not in everything


def test_a_secret_too_short_to_tell_from_text_does_not_garble_messages():
    from generator.core.errors import scrub

    assert scrub("cannot reach http://u:p@db:8086: operation timed out", ["p"]) == \
        "cannot reach http://db:8086: operation timed out"
    assert scrub("refused tok-123456 and tok-123456-long", ["tok-123456", "tok-123456-long"]) == "refused *** and ***"
