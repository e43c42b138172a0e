"""The generator attacked as a process, with real files and a real influxd: killed with SIGKILL at random
moments while a reader follows the manifest, a public dir whose disk is full, and its database killed
and restarted while the loop runs.  Nothing a reader sees is ever half-written or missing, and the data
comes back on its own.  Figures go to test-artifacts/attack-generator.json for the closing note."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.sources.demo import DemoSource
from tests.influxd import Influxd, available
from tests.mounts import tmpfs
from tests.public_contract import validate_tree

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "test-artifacts" / "attack-generator.json"
KILLS = 50


def record(name: str, figures: dict) -> None:
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(FIGURES.read_text(encoding="utf-8")) if FIGURES.exists() else {}
    known[name] = figures
    FIGURES.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
    print(name, figures)


class Reader(threading.Thread):
    """What a browser does, as fast as it can: read manifest.json, then every file it names."""

    def __init__(self, public: Path):
        super().__init__(daemon=True)
        self.public = public
        self.stop = threading.Event()
        self.files = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                manifest = json.loads((self.public / "manifest.json").read_bytes())
            except FileNotFoundError:
                time.sleep(0.005)
                continue
            except ValueError as exc:
                self.errors.append(f"manifest.json: {exc}")
                continue
            named = [e["path"] for e in manifest["ranges"].values()] + [manifest["live"]["path"]]
            for rel in named:
                try:
                    json.loads((self.public / rel).read_bytes())
                    self.files += 1
                except (OSError, ValueError) as exc:
                    self.errors.append(f"{rel}: {exc}")


def config(tmp_path: Path, public: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"output:\n  public_dir: {public}\nschedule:\n  live_s: 1\n  interval_s: 1\n{extra}",
                    encoding="utf-8")
    return path


def test_fifty_sigkills_of_the_generator_never_show_a_reader_a_broken_file(tmp_path):
    public = tmp_path / "public"
    rng = random.Random(7)
    reader = Reader(public)
    reader.start()
    # The kills fall anywhere from the import to past the first publish, however fast this machine is.
    (tmp_path / "timing").mkdir()
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--once", "--config",
                    str(config(tmp_path / "timing", tmp_path / "timing" / "public"))],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    first_publish_s = time.monotonic() - started
    began = time.monotonic()
    try:
        for seed in range(KILLS):
            path = config(tmp_path, public, f"source:\n  seed: {seed}\n")   # other data: every file is new
            proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "generate", "--config", str(path)],
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.25, 1.5) * first_publish_s)   # importing, mid-run, or in the next run
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
    finally:
        reader.stop.set()
        reader.join(timeout=10)
    assert reader.errors == []
    assert reader.files > 0
    final = subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--once", "--config", str(path)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr[-2000:]
    validate_tree(public)
    assert not [p.name for p in public.glob(".*.tmp-*")], "the last run removed what the killed ones left"
    record("sigkills", {"kills": KILLS, "reader_files_read": reader.files, "reader_errors": len(reader.errors),
                        "first_publish_s": round(first_publish_s, 2),
                        "seconds": round(time.monotonic() - began, 1)})


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "disk", "size=8m", "a small tmpfs") as target:
        yield target


def test_a_full_disk_keeps_the_last_good_files_and_the_next_run_after_space_returns_publishes(small_disk):
    public = small_disk / "public"
    cfg = load_config(None, {}).with_values(output__public_dir=str(public))
    run_once(make_context(cfg, DemoSource(seed=1)))
    before = (public / "manifest.json").read_bytes()
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as out:   # fill the disk to the last block (unbuffered: close() has nothing left to fail on)
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    from generator.core.errors import PublishError
    with pytest.raises(PublishError) as failed:
        run_once(make_context(cfg, DemoSource(seed=2)))
    assert "No space left on device" in str(failed.value)
    assert (public / "manifest.json").read_bytes() == before, "the manifest still names the last good files"
    validate_tree(public)
    assert not list(public.rglob(".*.tmp-*")), "a failed write leaves no temp file behind"
    filler.unlink()
    report = run_once(make_context(cfg, DemoSource(seed=2)))
    assert report.manifest_written and (public / "manifest.json").read_bytes() != before
    validate_tree(public)
    record("full_disk", {"tmpfs_mb": 8, "kept_last_good": True, "recovered": True})


@pytest.mark.skipif(not available(), reason="influxd not installed (make test installs it)")
def test_influxd_killed_and_restarted_under_the_loop_comes_back_within_an_interval(tmp_path):
    now = int(time.time()) * 1000
    public = tmp_path / "public"
    with Influxd(tmp_path / "influxd") as db:
        db.create_database("hp")
        db.write("hp", [f"heatpump,name={m} value={v} {t}" for t in range(now - 6 * 3600_000, now, 60_000)
                        for m, v in (("outdoor_temp", 1.5), ("power_electric", 1500), ("compressor_on", 1))])
        path = config(tmp_path, public, f"source:\n  kind: influxql\n  url: {db.url}\n  database: hp\n"
                                        "  timeout_s: 2\nprovider: generic\n")
        loop = subprocess.Popen([sys.executable, "-m", "generator.cli", "generate", "--config", str(path)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            manifest = public / "manifest.json"
            deadline = time.monotonic() + 60
            while not (manifest.exists() and not json.loads(manifest.read_bytes())["stale"]):
                assert loop.poll() is None and time.monotonic() < deadline, "the loop never published"
                time.sleep(0.1)
            db.proc.send_signal(signal.SIGKILL)
            db.proc.wait(timeout=10)
            db.proc = None
            while not json.loads(manifest.read_bytes())["stale"]:
                assert loop.poll() is None and time.monotonic() < deadline + 60, "the loop never noticed"
                time.sleep(0.1)
            time.sleep(6)   # several runs while it is down: the backoff grows past one interval
            db.start()
            back = time.monotonic()
            while json.loads(manifest.read_bytes())["stale"]:
                assert loop.poll() is None, loop.stderr.read()[-2000:] if loop.poll() is not None else ""
                assert time.monotonic() - back < 15, "the data did not come back"
                time.sleep(0.05)
            recovered_s = time.monotonic() - back
        finally:
            loop.send_signal(signal.SIGTERM)
            _, stderr = loop.communicate(timeout=60)
        assert loop.returncode == 0 and "Traceback" not in stderr
        assert recovered_s < 3.0, "a ping every interval (1 s here) finds it at once"
        validate_tree(public)
        record("influxd_restart", {"interval_s": 1, "recovered_s": round(recovered_s, 2)})
