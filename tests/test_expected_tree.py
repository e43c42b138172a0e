"""A whole generation compared with a committed expected tree (as Pelican tests its builds).

The simulator, a fixed clock and the 1h range give the same bytes on every run, so any change to what
viewers get shows up here as a diff to look at. After an intended change, write the tree anew:

    UPDATE_EXPECTED=1 .venv/bin/pytest tests/test_expected_tree.py
"""
from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.ranges import BY_KEY
from generator.site import bundle_missing
from generator.sources.demo import DemoSource

EXPECTED = Path(__file__).resolve().parent / "expected" / "public"
NOW = datetime(2026, 1, 15, 12, 0, 7, tzinfo=timezone.utc)
# Files that depend on the machine or the JS build, not on the generator: left out of the comparison.
VOLATILE = ("status.json", "index.html", "assets/", "archive/")

pytestmark = pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")


def compared_files(root: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.endswith(".gz") and not rel.startswith(VOLATILE):
            files[rel] = path.read_bytes()
    return files


def test_a_generation_of_the_1h_range_gives_the_expected_tree(tmp_path):
    cfg = load_config(None, {}).with_values(output__public_dir=str(tmp_path))
    ctx = make_context(cfg, DemoSource(seed=1, clock=lambda: pd.Timestamp(NOW)))
    assert run_once(ctx, now=NOW, due=[BY_KEY["1h"]]).ok
    produced = compared_files(tmp_path)
    if os.environ.get("UPDATE_EXPECTED"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, data in produced.items():
            (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / rel).write_bytes(data)
    expected = compared_files(EXPECTED)
    assert sorted(produced) == sorted(expected)
    for rel in expected:
        assert produced[rel] == expected[rel], f"{rel} differs from tests/expected/public/{rel}"
