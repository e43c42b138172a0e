"""The machine a benchmark ran on, printed above its figures."""
from __future__ import annotations

import os
import platform
from pathlib import Path


def describe(*extra: str) -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [model, f"nproc {len(os.sched_getaffinity(0))}", f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
             f"Linux {platform.release()}", f"Python {platform.python_version()}", *extra]
    return "; ".join(parts)
