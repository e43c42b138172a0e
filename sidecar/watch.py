"""Watching public/ for a new manifest.

The generator renames a temp file onto manifest.json, so the directory is watched (not the file) and
only events naming manifest.json count.  Every few seconds without events the file is also stat()ed:
that closes the gap between the first read and the watch starting, and covers file systems where
inotify stays silent (some container mounts) or a public/ that was deleted and re-created.
"""
from __future__ import annotations

import asyncio
import logging
import os
from contextlib import aclosing
from pathlib import Path
from typing import Callable

from watchfiles import Change, awatch

from sidecar.manifest import MANIFEST_NAME

log = logging.getLogger("sidecar.watch")

# Changes are collected for `step` ms after the first one and at most `debounce` ms in all: a rename
# arrives within one step, so updates leave about 20–40 ms after the write.
DEBOUNCE_MS = 80
STEP_MS = 20
RESCAN_MS = 2000
RETRY_S = 1.0


def _is_manifest(change: Change, path: str) -> bool:
    return os.path.basename(path) == MANIFEST_NAME


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _replaced(path: Path, held: int) -> bool:
    """Was the directory open as `held` deleted or swapped for another? Holding it open keeps its
    inode number from being reused by a re-created directory, so the comparison cannot be fooled."""
    try:
        kept = os.fstat(held)
    except OSError:
        return True
    return kept.st_nlink == 0 or _inode(path) != kept.st_ino


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


async def watch_manifest(
    public_dir: Path,
    on_change: Callable[[bool], None],
    stop: asyncio.Event,
    *,
    force_polling: bool | None = None,
) -> None:
    """Call `on_change(only_if_touched)` after each manifest event (False) or quiet period (True).

    Runs until `stop` is set; never raises for file-system trouble, it logs and retries.
    """
    while not stop.is_set():
        try:
            held = os.open(public_dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            await _sleep_unless(stop, RETRY_S)  # public/ not created yet: the generator will make it
            continue
        try:
            on_change(False)  # anything written before the watch began
            watcher = awatch(
                public_dir,
                watch_filter=_is_manifest,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=stop,
                rust_timeout=RESCAN_MS,
                yield_on_timeout=True,
                recursive=False,
                force_polling=force_polling,
            )
            async with aclosing(watcher):  # releases the inotify handle when we break out
                async for changes in watcher:
                    on_change(not changes)
                    if _replaced(public_dir, held):  # inotify stays on the old, deleted directory
                        log.info("%s was replaced; watching the new directory", public_dir)
                        break
        except Exception as exc:  # never let the watcher take the sidecar down
            log.warning("watching %s failed (%s); retrying in %.0f s", public_dir, exc, RETRY_S)
            await _sleep_unless(stop, RETRY_S)
        finally:
            os.close(held)
