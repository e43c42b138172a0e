"""`python -m sidecar` as a real process on a free port, for the tests that need one."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def start_sidecar_process(public: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    """Start the sidecar on port 0; returns the process and the port it announced."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sidecar", "--public-dir", str(public), "--host", "127.0.0.1", "--port", "0", *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("listening on "), line
    return proc, int(line.split()[-1])
