"""The allocator's thresholds (generator/memory.py): freed arrays are reused, not faulted in again."""
from __future__ import annotations

import subprocess
import sys

import pytest

# argv: "keep" or "default".  Prints the page faults of 200 rounds of a sampling chunk's arrays.
CHILD = r"""
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from generator.memory import keep_freed_memory
    assert keep_freed_memory()
def chunk():
    arrays = [np.full(1 << 15, float(i)) for i in range(40)]   # 40 columns of 256 KiB, freed together
    return sum(float(a[0]) for a in arrays)
chunk()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(200):
    chunk()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_generator_process_reuses_freed_arrays_instead_of_faulting_their_pages_in_again():
    default, kept = page_faults("default"), page_faults("keep")
    assert default > 200 * 40 * 10     # the allocator's defaults: about a fault per page of every array
    assert kept < default / 100


def test_the_thresholds_are_set_once_and_say_so():
    from generator.memory import keep_freed_memory
    assert keep_freed_memory() is keep_freed_memory()
