"""A whole generation compared with a committed expected tree (as Pelican tests its builds).

The simulator, a fixed clock and the 1h range give the same documents on every run, so any change to
what viewers get shows up here as a failure naming the first JSON path that differs. The comparison is
by meaning, not by bytes, so that a newer numpy/pandas within the pinned ranges cannot fail it for no
real change:
- files are matched by role (manifest.json, data/1h.*.json, data/live.*.json), not by hash name;
- documents must have the same keys, the same list lengths and equal strings, except the `hash` and
  `path` fields, which need only have their pattern (and `path` must name a file of the tree);
- numbers may differ by one rounding step (see `tolerance`).

The expected files are pretty-printed so that a diff of them after an intended change reads well.
Write the tree anew with:

    UPDATE_EXPECTED=1 .venv/bin/pytest tests/test_expected_tree.py
"""
from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.build import make_context, run_once
from generator.config import load_config
from generator.core.ranges import BY_KEY
from generator.site import bundle_missing
from generator.sources.demo import DemoSource
from generator.writer import HASH_CHARS
from tests.clocks import ManualClock

EXPECTED = Path(__file__).resolve().parent / "expected" / "public"
NOW = datetime(2026, 1, 15, 12, 0, 7, tzinfo=UTC)
# Files that depend on the machine or the JS build, not on the generator: left out of the comparison.
VOLATILE = ("status.json", "index.html", "assets/", "archive/")
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_CHARS}}}\.json$")
HASH = re.compile(rf"[0-9a-f]{{{HASH_CHARS}}}")
# Floats are written rounded to 0.1 or 0.01: 0.11 admits one step of either; the relative part covers
# large values. Integers are whole-unit roundings (W), counts, pixels or epoch milliseconds: one step is 1,
# and no relative part, which on a timestamp would admit half an hour.
ABS_TOLERANCE = 0.11
REL_TOLERANCE = 1e-6
INT_TOLERANCE = 1


def role(rel: str) -> str:
    """data/1h.fd58ffc7640b.json → data/1h.*.json: what a file is, whatever its content hash."""
    return HASHED_NAME.sub(".*.json", rel)


def documents(root: Path) -> dict[str, Any]:
    """The compared JSON documents of a tree, by role."""
    docs: dict[str, Any] = {}
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(VOLATILE):
            assert role(rel) not in docs, f"two files of role {role(rel)} in {root}"
            docs[role(rel)] = json.loads(path.read_text(encoding="utf-8"))
    return docs


def tolerance(expected: float) -> float:
    if isinstance(expected, int):
        return INT_TOLERANCE
    return max(ABS_TOLERANCE, REL_TOLERANCE * abs(expected))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def first_difference(got: Any, want: Any, where: str = "$") -> str | None:
    """The JSON path of the first meaningful difference and what differs there, or None."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{where}: expected an object, got {got!r:.80}"
        if sorted(got) != sorted(want):
            return f"{where}: keys {sorted(got)} != expected {sorted(want)}"
        for key in sorted(want):
            if key in ("hash", "path") and isinstance(want[key], str):
                problem = hashed_field_problem(key, got[key], want[key], f"{where}.{key}")
            else:
                problem = first_difference(got[key], want[key], f"{where}.{key}")
            if problem:
                return problem
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{where}: expected a list, got {got!r:.80}"
        if len(got) != len(want):
            return f"{where}: {len(got)} items != expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            problem = first_difference(g, w, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if is_number(want) and is_number(got):
        if abs(got - want) > tolerance(want):
            return f"{where}: {got!r} != expected {want!r} (tolerance {tolerance(want)})"
        return None
    if got != want or type(got) is not type(want):
        return f"{where}: {got!r:.80} != expected {want!r:.80}"
    return None


def hashed_field_problem(key: str, got: Any, want: str, where: str) -> str | None:
    """A hash must be a hash; a path must be the expected path with any hash in it."""
    pattern = HASH if key == "hash" else re.compile(re.escape(role(want)).replace(r"\*", HASH.pattern))
    if not isinstance(got, str) or not pattern.fullmatch(got):
        return f"{where}: {got!r} does not match {pattern.pattern}"
    return None


def referenced_paths(manifest: dict[str, Any]) -> list[str]:
    return [manifest["live"]["path"], *(r["path"] for r in manifest["ranges"].values())]


def write_expected(root: Path) -> None:
    """Copy the compared documents of `root` into EXPECTED, pretty-printed for readable diffs."""
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(VOLATILE):
            doc = json.loads(path.read_text(encoding="utf-8"))
            (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            (EXPECTED / rel).write_text(text, encoding="utf-8")


@pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")
def test_a_generation_of_the_1h_range_gives_the_expected_tree(tmp_path):
    cfg = load_config(None, {}).with_values(output__public_dir=str(tmp_path))
    ctx = make_context(cfg, DemoSource(seed=1, clock=ManualClock(NOW)), ManualClock(NOW))
    assert run_once(ctx, now=NOW, due=[BY_KEY["1h"]]).ok
    if os.environ.get("UPDATE_EXPECTED"):
        write_expected(tmp_path)
    produced, expected = documents(tmp_path), documents(EXPECTED)
    assert sorted(produced) == sorted(expected), "the tree's files differ by role"
    for rel in referenced_paths(produced["manifest.json"]):
        assert (tmp_path / rel).is_file(), f"manifest.json names {rel}, which is not in the tree"
    for name in sorted(expected):
        problem = first_difference(produced[name], expected[name])
        assert problem is None, f"{name} differs from tests/expected/public/{name} at {problem}"


# The comparison itself: it must let one rounding step through and stop anything more.
MANIFEST = {"live": {"hash": "85a7e7332617", "path": "data/live.85a7e7332617.json"},
            "kpis": {"cop": 3.72, "starts": 0}, "source": [[1768474800000, 2070, 4.1]]}


def changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(MANIFEST))
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    target[last] = value
    return doc


def test_one_rounding_step_and_another_content_hash_are_no_difference():
    assert first_difference(changed(("kpis", "cop"), 3.73), MANIFEST) is None
    assert first_difference(changed(("source", 0, 2), 4.2), MANIFEST) is None
    assert first_difference(changed(("source", 0, 1), 2071), MANIFEST) is None
    other = changed(("live", "hash"), "0123456789ab")
    other["live"]["path"] = "data/live.0123456789ab.json"
    assert first_difference(other, MANIFEST) is None


def test_a_value_beyond_one_rounding_step_is_reported_at_its_json_path():
    assert first_difference(changed(("source", 0, 2), 4.3), MANIFEST).startswith("$.source[0][2]: 4.3")
    assert first_difference(changed(("source", 0, 0), 1768474800002), MANIFEST).startswith("$.source[0][0]")
    assert first_difference(changed(("kpis", "starts"), None), MANIFEST).startswith("$.kpis.starts")


def test_a_hash_or_path_out_of_pattern_is_reported():
    assert first_difference(changed(("live", "hash"), "not-a-hash"), MANIFEST).startswith("$.live.hash")
    moved = changed(("live", "path"), "data/1h.85a7e7332617.json")
    assert first_difference(moved, MANIFEST).startswith("$.live.path")


def test_missing_keys_and_other_list_lengths_are_reported():
    fewer = changed(("kpis",), {"cop": 3.72})
    assert first_difference(fewer, MANIFEST).startswith("$.kpis: keys")
    shorter = changed(("source",), [])
    assert first_difference(shorter, MANIFEST).startswith("$.source: 0 items")
