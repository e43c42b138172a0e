"""One generator per public dir: two would each write their own manifest and the page would flip between
them every run.  The lock is an flock on a dot file in public/ (nginx serves no dot file), released by
the kernel when the process ends however it ends, so a killed generator never leaves it held; the file
says who holds it, so the second one can say so."""
from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO

from generator.core.errors import ConfigError

LOCK_NAME = ".generator.lock"


class PublicDirLock:
    """Held from acquire() until the process ends (or release())."""

    def __init__(self, public_dir: Path):
        self.path = public_dir / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> "PublicDirLock":
        """Take the lock, or raise ConfigError naming the holder and the fix."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")
        except OSError:  # public/ cannot be written: the runs will say so, and give up (exit 3)
            return self
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _describe(handle.read())
            handle.close()
            raise ConfigError([f"output.public_dir: {self.path.parent} is being written by another generator "
                               f"({holder}); stop that one, or give this one another output.public_dir"]) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                 "command": " ".join(sys.argv[1:3])}))
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()   # closing drops the flock
            self._file = None


def _describe(text: str) -> str:
    try:
        holder = json.loads(text)
        return f"pid {holder['pid']} on {holder['host']}, `{holder['command']}` since {holder['since']}"
    except (ValueError, KeyError, TypeError):
        return "a process that left no details"
