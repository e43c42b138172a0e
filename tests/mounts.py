"""A small tmpfs mounted for one test (a full disk, a read-only SD card), or the test skipped with the
reason where this machine cannot mount one (not root, no mount namespace)."""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


@contextmanager
def tmpfs(target: Path, options: str, what: str) -> Iterator[Path]:
    """`target` (created) with a tmpfs of `options` (e.g. "size=8m", "ro,size=1m") on it, unmounted after."""
    target.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount {what} here: {mounted.stderr.decode().strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)
