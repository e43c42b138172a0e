"""What the sidecar needs of its process: enough open files for its viewers, and SIGTERM/SIGINT."""
from __future__ import annotations

import asyncio
import logging
import resource
import signal
from typing import Callable

log = logging.getLogger("sidecar")


def raise_open_files_limit(wanted: int) -> int:
    """Lift the soft open-files limit towards `wanted` (one descriptor per viewer); returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft < wanted:
        log.warning("open-files limit is %d, below the %d that sidecar.max_clients needs; raise it (ulimit -n)", soft, wanted)
    return soft


def on_signals(stop: asyncio.Event) -> Callable[[], None]:
    """SIGTERM/SIGINT set `stop`; returns the undo. Outside the main thread signals are left alone."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass

    def undo() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return undo
