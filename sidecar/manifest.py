"""The sidecar's copy of public/manifest.json: re-read on demand, kept only when it parses.

The generator replaces the manifest atomically (temp file + rename), but a reader can still meet a
missing file or, with a careless writer, a half-written one; either way the last good copy stays and
nothing is sent.  The two frames that carry it are built here once per change, never per viewer.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from generator.core.public_format import MANIFEST_NAME
from sidecar.protocol import compact_json, hello_frame, update_frame

log = logging.getLogger("sidecar.manifest")

MAX_MANIFEST_BYTES = 8 * 1024 * 1024  # far above any real manifest; guards memory against a runaway file

Signature = tuple[int, int, int]  # inode, mtime_ns, size: tells a rename or rewrite without reading


class ManifestFile:
    """The last manifest that parsed, and its hello/update frames."""

    def __init__(self, public_dir: Path):
        self.path = public_dir / MANIFEST_NAME
        self.content: dict[str, Any] | None = None
        self.hello = hello_frame("null")
        self.update = update_frame("null")
        self.skipped = 0  # unreadable or unparsable versions met so far
        self._signature: Signature | None = None

    def reload(self, only_if_touched: bool = False) -> bool:
        """Re-read the file; True when it parsed and its content differs from the copy held.

        With `only_if_touched`, a file whose inode, mtime and size are unchanged is not read at all
        (the periodic safety-net check costs one stat()).
        """
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("cannot stat %s: %s", self.path, exc)
            return False
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if only_if_touched and signature == self._signature:
            return False
        self._signature = signature
        parsed = self._read()
        if parsed is None or parsed == self.content:
            return False
        self.content = parsed
        text = compact_json(parsed)
        self.hello = hello_frame(text)
        self.update = update_frame(text)
        return True

    def _read(self) -> dict[str, Any] | None:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_MANIFEST_BYTES + 1)
        except OSError as exc:  # vanished between stat and open, or unreadable
            log.warning("cannot read %s: %s; keeping the last good manifest", self.path, exc)
            self.skipped += 1
            return None
        if len(raw) > MAX_MANIFEST_BYTES:
            log.warning("%s is over %d bytes; skipped", self.path, MAX_MANIFEST_BYTES)
            self.skipped += 1
            return None
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            log.warning("%s does not parse (%s); skipped, keeping the last good manifest", self.path, exc)
            self.skipped += 1
            return None
        if not isinstance(parsed, dict):
            log.warning("%s is not a JSON object; skipped", self.path)
            self.skipped += 1
            return None
        return parsed

    def age_s(self, now: datetime) -> float | None:
        """Seconds since the manifest's `generated_at`, or None without a usable one."""
        if self.content is None:
            return None
        return age_s(self.content.get("generated_at"), now)


def parse_instant(value: Any) -> datetime | None:
    """An ISO-8601 text (naive means UTC) or epoch seconds, as an aware datetime; None if neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def age_s(value: Any, now: datetime) -> float | None:
    instant = parse_instant(value)
    return None if instant is None else round((now - instant).total_seconds(), 1)
