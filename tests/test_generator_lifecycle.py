"""The generator as systemd runs it: SIGTERM at any moment is a clean stop, one generator per public dir,
and a killed run's temp files do not stay for ever."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.build import make_context, run_once
from generator.config import load_config
from generator.sources.demo import DemoSource
from tests.public_contract import validate_tree

ROOT = Path(__file__).resolve().parent.parent


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"output:\n  public_dir: {tmp_path / 'public'}\nschedule:\n  live_s: 1\n", encoding="utf-8")
    return path


def generate(path: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "generator.cli", "generate", "--config", str(path), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_sigterm_during_the_first_run_is_a_clean_stop(tmp_path):
    proc = generate(config(tmp_path))
    try:
        wait_for(tmp_path / "public" / "index.html", proc)   # the first step of the first run
        assert not (tmp_path / "public" / "manifest.json").exists(), "the first run is still going"
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr
    validate_tree(tmp_path / "public")   # whatever it had written is whole


def test_a_second_generator_on_the_same_public_dir_is_refused_naming_the_first(tmp_path):
    path = config(tmp_path)
    first = generate(path)
    try:
        wait_for(tmp_path / "public" / "manifest.json", first)
        second = subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--once", "--config", str(path)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"being written by another generator (pid {first.pid} on " in second.stderr
        assert "`generate --config` since" in second.stderr and "output.public_dir" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 0
    again = subprocess.run([sys.executable, "-m", "generator.cli", "generate", "--once", "--config", str(path)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, "the lock goes with the process that held it"


def test_temp_files_a_killed_run_left_are_removed_by_the_next_run(tmp_path):
    public = tmp_path / "public"
    public.mkdir()
    left = [public / ".status.json.tmp-4194301", public / ".manifest.json.tmp-17", public / ".index.html.tmp-99"]
    for path in left:
        path.write_text("{half", encoding="utf-8")
    cfg = load_config(None, {}).with_values(output__public_dir=str(public))
    run_once(make_context(cfg, DemoSource(seed=1)))
    assert not any(path.exists() for path in left)
    validate_tree(public)
