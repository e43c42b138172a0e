"""public/manifest.json, typed: which file is current for each range and the live strip, whether it is
stale and why, and the facts about the site.  It is written last, and only when what it says changed
(docs/public-format.md): `generated_at` is the time its content last changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.core.errors import Problem
from generator.core.public_format import FORMAT
from generator.writer import Published, Publisher

ARCHIVE_INDEX = "archive/index.json"


@dataclass
class FileEntry:
    """A content-hashed file the manifest names."""

    path: str
    hash: str
    generated_at: str      # when its content last changed

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "hash": self.hash, "generated_at": self.generated_at}


@dataclass
class RangeEntry(FileEntry):
    start: str | None = None
    end: str | None = None
    stale: bool = False          # the last good file, kept while its refresh fails
    error: Problem | None = None

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "stale": self.stale, "error": _json(self.error), "from": self.start,
                "to": self.end}


@dataclass
class Manifest:
    ranges: dict[str, RangeEntry] = field(default_factory=dict)
    live: FileEntry | None = None
    site: dict[str, Any] = field(default_factory=dict)
    latest_data_at: str | None = None
    data_old: bool = True
    stale: bool = False
    error: Problem | None = None
    generated_at: str | None = None

    # --- reading and writing ---------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Manifest":
        """The manifest a restarted generator finds on disk (or an empty one)."""
        if not data:
            return cls()
        ranges = {}
        for key, e in (data.get("ranges") or {}).items():
            if isinstance(e, dict) and e.get("path") and e.get("hash"):
                ranges[key] = RangeEntry(e["path"], e["hash"], e.get("generated_at") or "", e.get("from"), e.get("to"),
                                         bool(e.get("stale")), Problem.from_json(e.get("error")))
        live = data.get("live")
        return cls(ranges=ranges,
                   live=FileEntry(live["path"], live["hash"], live.get("generated_at") or "")
                   if isinstance(live, dict) and live.get("path") else None,
                   site=dict(data.get("site") or {}), latest_data_at=data.get("latest_data_at"),
                   data_old=bool(data.get("data_old", True)), stale=bool(data.get("stale")),
                   error=Problem.from_json(data.get("error")),
                   generated_at=data.get("generated_at"))

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "format": FORMAT,
            "ranges": {key: e.to_json() for key, e in self.ranges.items()},
            "site": self.site,
            "latest_data_at": self.latest_data_at,
            "data_old": self.data_old,
            "stale": self.stale,
            "error": _json(self.error),
            "archive": ARCHIVE_INDEX,
        }
        if self.live is not None:
            body["live"] = self.live.to_json()
        if self.generated_at is not None:
            body["generated_at"] = self.generated_at
        return body

    # --- entries -----------------------------------------------------------------------------------------
    def range_published(self, key: str, published: Published, now: str, start: str | None, end: str | None) -> None:
        """A range's new file is current and good; its generated_at moves only when its content changed."""
        previous = self.ranges.get(key)
        changed = previous is None or previous.hash != published.hash
        self.ranges[key] = RangeEntry(published.path, published.hash, now if changed else previous.generated_at,
                                      start, end)

    def live_published(self, published: Published, now: str) -> None:
        changed = self.live is None or self.live.hash != published.hash
        self.live = FileEntry(published.path, published.hash, now if changed else self.live.generated_at)

    def mark_stale(self, key: str, error: Problem) -> None:
        """Keep a range's last good file, marked stale with why; nothing to mark before its first file."""
        entry = self.ranges.get(key)
        if entry is not None:
            entry.stale, entry.error = True, error

    def mark_all_stale(self, keys: list[str], error: Problem) -> None:
        for key in keys:
            self.mark_stale(key, error)

    def first_stale_error(self) -> Problem | None:
        return next((e.error for e in self.ranges.values() if e.stale), None)


def _json(problem: Problem | None) -> dict[str, Any] | None:
    return problem.to_json() if problem is not None else None


def publish_manifest(publisher: Publisher, manifest: Manifest, now: str) -> bool:
    """Write the manifest last, and only when what it says changed; True when written.  A run that changes
    nothing leaves the file alone (SD cards wear out), but mends a .gz copy that lags it."""
    previous = publisher.read_manifest()
    body = manifest.to_json()
    comparable = {k: v for k, v in body.items() if k != "generated_at"}
    if previous is not None and {k: v for k, v in previous.items() if k != "generated_at"} == comparable:
        manifest.generated_at = previous.get("generated_at")
        publisher.write_manifest(previous, previous)  # writes nothing, unless its .gz copy is off
        return False
    manifest.generated_at = now
    return publisher.write_manifest(manifest.to_json(), previous)
