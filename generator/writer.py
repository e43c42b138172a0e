"""Publication into public/: atomic, content-hashed, quiet when nothing changed.

- Every file goes to a temp name in the same directory, is fsynced and renamed, so a reader sees the old
  file or the new one, never half of one.  Data files are written before the manifest that names them.
- Data files are named by the hash of their content: unchanged content means no write at all (an SD
  card wears out) and an unchanged manifest (viewers are not woken for nothing).
- A file the manifest stops naming is kept for a grace period (a viewer that read the old manifest still
  gets it), then deleted.  Its mtime is set to the moment it was superseded, which is what the grace
  period counts from.
- `.gz` and `.br` siblings accompany every JSON/HTML/JS/CSS/SVG file, for nginx's gzip_static and
  brotli_static (brotli at quality 11 for the bundle, packed once per build by site_templates/pack.mjs;
  9 for data, written often).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli

from generator.core.errors import PublishError
from generator.core.public_format import (
    ASSETS_DIR,
    DATA_DIR,
    GZIP_SUFFIXES,
    HASH_CHARS,
    MANIFEST_NAME,
    PACKED,
    data_path,
)

TEMP_NAME = re.compile(r"^\..+\.tmp-(\d+)$")   # atomic_write()'s temp files: .NAME.tmp-PID


def to_json_bytes(obj: Any) -> bytes:
    """Compact, stable JSON; NaN is a bug upstream (charts must give None), so refuse it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      allow_nan=False).encode("utf-8")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def packed(path: Path, data: bytes) -> dict[str, bytes]:
    """The packed siblings of a file: {".gz": …, ".br": …}, or none for a type that is not packed."""
    if path.suffix not in GZIP_SUFFIXES:
        return {}
    quality = 11 if path.parent.name == ASSETS_DIR else 9
    return {".gz": gzip.compress(data, compresslevel=9, mtime=0), ".br": brotli.compress(data, quality=quality)}


def prepacked(source: Path, data: bytes) -> dict[str, bytes] | None:
    """The .gz and .br siblings a build wrote beside `source` (site_templates/pack.mjs), when both unpack
    to `data`; None when either is missing or stale (then the writer packs them itself)."""
    try:
        gz = source.with_name(source.name + ".gz").read_bytes()
        br = source.with_name(source.name + ".br").read_bytes()
        if gzip.decompress(gz) == data and brotli.decompress(br) == data:
            return {".gz": gz, ".br": br}
    except (OSError, EOFError, brotli.error):
        pass
    return None


def atomic_write(path: Path, data: bytes, siblings: dict[str, bytes] | None = None) -> None:
    """Write `data` to `path` so no reader ever sees a partial file; its packed siblings first (nginx may
    serve any of them): `siblings` when given, else packed here."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix, body in (packed(path, data) if siblings is None else siblings).items():
            _replace(path.with_name(path.name + suffix), body)
        _replace(path, data)
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}", str(path)) from exc


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:  # a full disk: the half-written temp file would keep the space it took
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomic write unless the file (and its .gz sibling, which nginx may serve instead) already holds
    exactly `data`. True when written. Checking the .gz too mends a crash between the two renames."""
    try:
        same = path.read_bytes() == data
        if same and path.suffix in GZIP_SUFFIXES:
            same = (gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == data
                    and brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == data)
    except (FileNotFoundError, OSError, EOFError, brotli.error):
        same = False
    if same:
        return False
    atomic_write(path, data)
    return True


@dataclass(frozen=True)
class Published:
    path: str   # relative to public/
    hash: str
    written: bool


class Publisher:
    """Writes content-hashed files and the manifest into one public/ directory."""

    def __init__(self, public_dir: Path, grace_s: float):
        self.public_dir = public_dir
        self.grace_s = grace_s
        self.bytes_written = 0

    @property
    def manifest_path(self) -> Path:
        return self.public_dir / MANIFEST_NAME

    def put_hashed(self, stem: str, data: bytes, suffix: str = ".json", subdir: str = DATA_DIR,
                   siblings: dict[str, bytes] | None = None) -> Published:
        """Store `data` as <subdir>/<stem>.<hash><suffix> (with `siblings` as its packed files, when
        given); no write when that file already exists."""
        digest = content_hash(data)
        rel = data_path(stem, digest, suffix, subdir)
        target = self.public_dir / rel
        if target.exists():
            return Published(rel, digest, False)
        atomic_write(target, data, siblings)
        self.bytes_written += len(data)
        return Published(rel, digest, True)

    def put_json(self, stem: str, obj: Any) -> Published:
        return self.put_hashed(stem, to_json_bytes(obj))

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest on disk, so a restarted generator carries on from the last good files."""
        try:
            loaded = json.loads(self.manifest_path.read_bytes())
        except (OSError, json.JSONDecodeError):  # none yet, or unreadable: start afresh
            return None
        return loaded if isinstance(loaded, dict) else None

    def write_manifest(self, manifest: dict[str, Any], previous: dict[str, Any] | None) -> bool:
        """Write the manifest last; superseded files start their grace period now. True when written."""
        data = to_json_bytes(manifest)
        if not write_if_changed(self.manifest_path, data):
            return False
        self.bytes_written += len(data)
        now = time.time()
        for rel in referenced_paths(previous) - referenced_paths(manifest):
            for path in (self.public_dir / rel, *(self.public_dir / (rel + p) for p in PACKED)):
                try:
                    os.utime(path, (now, now))
                except FileNotFoundError:
                    pass
        return True

    def write_plain(self, rel: str, obj: Any) -> None:
        """A file with a fixed name that is rewritten on every run (status.json)."""
        data = to_json_bytes(obj)
        atomic_write(self.public_dir / rel, data)
        self.bytes_written += len(data)

    def remove_stale_temp_files(self) -> list[str]:
        """Delete the temp files of writes that a killed process left (.NAME.tmp-PID, never served): any
        not of this process, since one generator writes a public dir at a time (generator/lock.py).
        data/ and assets/ need not be searched: what they do not reference goes after the grace period."""
        removed = []
        for folder in (self.public_dir, *sorted((self.public_dir / "archive").glob("*"))):
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                found = TEMP_NAME.match(path.name)
                if found and int(found.group(1)) != os.getpid():
                    try:
                        path.unlink()
                        removed.append(str(path.relative_to(self.public_dir)))
                    except FileNotFoundError:
                        pass
        return removed

    def remove_superseded(self, manifest: dict[str, Any], now: float | None = None) -> list[str]:
        """Delete data files the manifest no longer names once their grace period is over."""
        return self.remove_unreferenced(DATA_DIR, referenced_paths(manifest), now)

    def remove_unreferenced(self, subdir: str, keep: set[str], now: float | None = None) -> list[str]:
        """Delete files of `subdir` not in `keep` (paths relative to public/) once their mtime is more than
        the grace period ago: public/ never grows without bound."""
        now = time.time() if now is None else now
        removed: list[str] = []
        data_dir = self.public_dir / subdir
        if not data_dir.is_dir():
            return removed
        for path in data_dir.iterdir():
            rel = f"{subdir}/{path.name}"
            base = rel[:-3] if rel.endswith(PACKED) else rel
            if base in keep:
                continue
            try:
                if now - path.stat().st_mtime >= self.grace_s:
                    path.unlink()
                    removed.append(rel)
            except FileNotFoundError:
                pass
        return removed


def referenced_paths(manifest: dict[str, Any] | None) -> set[str]:
    if not manifest:
        return set()
    paths = {entry["path"] for entry in manifest.get("ranges", {}).values() if entry.get("path")}
    live = manifest.get("live") or {}
    if live.get("path"):
        paths.add(live["path"])
    return paths
