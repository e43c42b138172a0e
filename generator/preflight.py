"""Checks of the install that the config's own checks cannot make: things on disk.  check-config runs
them, so a public dir the generator cannot write is found before systemd starts the loop, not as one
failed run after another."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from generator.config import Config

CLONE = Path(__file__).resolve().parent.parent   # a git clone or a source tree; site-packages otherwise


def public_dir_problems(cfg: Config) -> list[str]:
    """One line per problem with output.public_dir, each naming the key and the fix."""
    public = cfg.public_dir
    problems = []
    if cfg["source.kind"] != "demo" and public == (CLONE / "public").resolve():
        problems.append(f"output.public_dir: {public} is the clone's own public/, which an upgrade or `make clean` "
                        "may wipe; set it outside the clone, e.g. /srv/heatpump-dashboard/public")
    reason = _unwritable(public)
    if reason:
        problems.append(f"output.public_dir: {public} cannot be written ({reason}); create it for the user that "
                        "runs the generator (e.g. install -d -o heatpump /srv/heatpump-dashboard/public)")
    return problems


def _unwritable(directory: Path) -> str | None:
    """Why `directory` cannot be written, or None.  Tried for real (a probe file, removed at once): root
    and read-only mounts make permission bits say little."""
    existing = directory
    while not existing.exists():
        if existing.parent == existing:
            return "no part of the path exists"
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a directory"
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=existing)
    except OSError as exc:
        where = "" if existing == directory else f" (it does not exist yet, and {existing} is where it would be made)"
        return f"{exc.strerror or exc}{where}"
    os.close(fd)
    os.unlink(probe)
    return None
