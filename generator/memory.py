"""The C allocator's thresholds, set once per generator process (glibc; elsewhere nothing changes).

numpy makes a fresh array for every intermediate result.  At the demo's chunk size (demo.CHUNK_SAMPLES,
256 KiB a column) those arrays sit above glibc's default mmap threshold, and whatever is freed at the
top of the heap beyond the trim threshold goes back to the kernel, so every chunk faults its pages in
again.  On this project's VM those page faults were half of what sampling a year costs (0.37 → 0.19 s
of CPU; docs/benchmarks.md).  So the heap serves arrays up to MMAP_ABOVE_BYTES and keeps up to
KEEP_FREED_BYTES of freed memory for the next chunk and the next run.  The price: about 10 MB more
resident between runs (a running demo generator: 113 MB instead of 102 MB; peak 137 MB instead of 126 MB).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1             # glibc's mallopt() parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_ABOVE_BYTES = 32 << 20       # arrays up to this come from the heap
KEEP_FREED_BYTES = 64 << 20       # freed memory kept at the top of the heap, not returned to the kernel

_set = False


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds (once); False where there is no glibc mallopt to ask."""
    global _set
    if _set:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # musl's mallopt is a stub that answers 0: its allocator keeps its own behaviour then.
    _set = mallopt(M_MMAP_THRESHOLD, MMAP_ABOVE_BYTES) == 1 and mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES) == 1
    if not _set:
        log.debug("mallopt refused the thresholds: the allocator's defaults stay")
    return _set
