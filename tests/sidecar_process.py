"""`heatpump-dashboard sidecar` as a real process on a free port, for the tests that need one."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CLI = str(REPO / ".venv" / "bin" / "heatpump-dashboard")


def sidecar_command(public: Path, *extra: str) -> list[str]:
    """The one sidecar entry point, on `public`, flags overriding the (absent) config."""
    return [CLI, "sidecar", "--public-dir", str(public), *extra]


def start_sidecar_process(public: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    """Start the sidecar on port 0; returns the process and the port it announced."""
    proc = subprocess.Popen(sidecar_command(public, "--host", "127.0.0.1", "--port", "0", *extra), cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"ws://[^:]+:(\d+)/ws", line)
    assert found, line
    return proc, int(found.group(1))


def write_atomically(path: Path, text: str) -> None:
    """As the generator writes: a temp file renamed over the old one, so the watcher sees one change."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def write_manifest(public: Path, manifest: dict[str, Any], indent: int | None = None) -> None:
    write_atomically(public / "manifest.json", json.dumps(manifest, indent=indent))
