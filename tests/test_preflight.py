"""A public dir the generator cannot write is found by check-config, and a generator that meets one
anyway gives up with exit code 3 after schedule.max_publish_failures runs, saying why in one line each."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import load_config
from generator.preflight import CLONE, public_dir_problems
from tests.mounts import tmpfs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def read_only_dir(tmp_path):
    """A directory on a read-only mount: unwritable even for root, as on a Pi whose SD card went read-only."""
    with tmpfs(tmp_path / "ro", "ro,size=1m", "a read-only tmpfs") as target:
        yield target


def config_file(tmp_path: Path, public: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"output:\n  public_dir: {public}\n{extra}", encoding="utf-8")
    return path


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def test_check_config_refuses_a_public_dir_on_a_read_only_mount(tmp_path, read_only_dir):
    result = cli("check-config", "--config", str(config_file(tmp_path, read_only_dir / "public")))
    assert result.returncode == 2
    assert "output.public_dir" in result.stderr and "cannot be written" in result.stderr
    assert "Read-only file system" in result.stderr


def test_check_config_refuses_a_public_dir_below_a_file(tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = cli("check-config", "--config", str(config_file(tmp_path, tmp_path / "afile" / "public")))
    assert result.returncode == 2 and "is not a directory" in result.stderr


def test_check_config_accepts_a_public_dir_that_is_yet_to_be_made(tmp_path):
    result = cli("check-config", "--config", str(config_file(tmp_path, tmp_path / "srv" / "public")))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "srv").exists(), "checking makes nothing"


def test_the_clones_own_public_dir_is_refused_only_for_a_real_source():
    cfg = load_config(None, {}).with_values(output__public_dir=str(CLONE / "public"))
    assert public_dir_problems(cfg) == [], "the demo may write into the clone"
    real = cfg.with_values(source__kind="influxql", source__url="http://127.0.0.1:8086", source__database="hp")
    [problem] = public_dir_problems(real)
    assert problem.startswith("output.public_dir:") and "clone's own public/" in problem and "/srv/" in problem


def test_generate_exits_3_after_max_publish_failures_runs_in_a_row(tmp_path, read_only_dir):
    extra = "schedule:\n  live_s: 1\n  interval_s: 1\n  max_publish_failures: 2\n"
    result = cli("generate", "--config", str(config_file(tmp_path, read_only_dir / "public", extra)), timeout=120)
    assert result.returncode == 3, result.stderr[-2000:]
    said = [line for line in result.stderr.splitlines() if "cannot publish" in line]
    assert len(said) == 2 and all("Read-only file system" in line for line in said)
    assert "Traceback" not in result.stderr, "one line per failure, no traceback"
    assert "giving up" in result.stderr
