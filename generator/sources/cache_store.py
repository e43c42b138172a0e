"""The closed-bucket cache kept on disk, so a restarted generator does not fill 30 days again.

One SQLite file (public/.cache.sqlite by default: a dot file, which nginx and the sidecar never serve,
inside the one directory the generator may write).  Each entry of CachedSource is a row: its grid key,
the span it holds, the re-check cursor, and the held buckets or changes as numpy arrays in numpy's own
.npy format (no pickle), with a SHA-256 of that payload.  The file says which format it is and which
source it describes (a fingerprint of the settings and provider that shape the buckets); when either
differs from what this code and config expect, or a row's checksum does not match, it is dropped and the
cache fills again from the database.  Long grids (windows of more than two days) are written each time
they change; short ones at most every 10 minutes (cached.SHORT_SAVED_EVERY_S), since writing them every
30 s would wear out an SD card.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger("heatpump_dashboard.cache")
FORMAT = 1
KEPT_LONGER_THAN = pd.Timedelta(days=2)


def _arrays(named: dict[str, np.ndarray]) -> bytes:
    out = io.BytesIO()
    np.savez(out, **named)
    return out.getvalue()


def _load(payload: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(payload), allow_pickle=False) as found:
        return {name: found[name] for name in found.files}


def frame_payload(frame: pd.DataFrame) -> bytes:
    index = frame.index.as_unit("ns").asi8
    return _arrays({"index": index, "values": frame.to_numpy(dtype=float),
                    "columns": np.array(list(frame.columns), dtype=str), "tz": np.array([str(frame.index.tz)])})


def frame_from(payload: bytes) -> pd.DataFrame:
    a = _load(payload)
    index = pd.DatetimeIndex(pd.to_datetime(a["index"], utc=True)).tz_convert(str(a["tz"][0]))
    return pd.DataFrame(a["values"], index=index, columns=[str(c) for c in a["columns"]], dtype=float)


def changes_payload(changes: dict[str, pd.Series]) -> bytes:
    named: dict[str, np.ndarray] = {}
    for i, (metric, series) in enumerate(changes.items()):
        named[f"m{i}"] = np.array([metric], dtype=str)
        named[f"t{i}"] = series.index.as_unit("ns").asi8
        named[f"v{i}"] = series.to_numpy(dtype=float)
    return _arrays(named)


def changes_from(payload: bytes) -> dict[str, pd.Series]:
    a = _load(payload)
    out = {}
    for i in range(sum(1 for k in a if k.startswith("m"))):
        metric = str(a[f"m{i}"][0])
        index = pd.DatetimeIndex(pd.to_datetime(a[f"t{i}"], utc=True))
        out[metric] = pd.Series(a[f"v{i}"], index=index, dtype=float, name=metric)
    return out


def _key_text(key: tuple) -> str:
    return json.dumps(key)


def _key_from(text: str) -> tuple:
    def tuples(value: Any) -> Any:
        return tuple(tuples(v) for v in value) if isinstance(value, list) else value
    return tuples(json.loads(text))


class CacheStore:
    """Rows of one cache file; every failure to read or write only costs a refill (logged once)."""

    def __init__(self, path: Path, fingerprint: str):
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.broken = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5)
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, start_ns INTEGER, end_ns INTEGER, "
                   "recheck_ns INTEGER, payload BLOB, sha256 TEXT, PRIMARY KEY (kind, key))")
        return db

    def load(self) -> list[tuple[str, tuple, pd.Timestamp, pd.Timestamp, pd.Timestamp | None, Any]]:
        """Every valid row as (kind, key, start, end, recheck, held); an outdated file is emptied."""
        if not self.path.exists():
            return []
        try:
            with closing(self._connect()) as db, db:
                meta = dict(db.execute("SELECT name, value FROM meta"))
                if meta.get("format") != str(FORMAT) or meta.get("fingerprint") != self.fingerprint:
                    log.info("the cache on disk is of another format or source: filling it again")
                    db.execute("DELETE FROM entries")
                    return []
                rows = db.execute("SELECT kind, key, start_ns, end_ns, recheck_ns, payload, sha256 FROM entries").fetchall()
        except sqlite3.Error as exc:
            self._failed("read", exc)
            return []
        found = []
        for kind, key, start, end, recheck, payload, digest in rows:
            if hashlib.sha256(payload).hexdigest() != digest:
                log.warning("a cache entry on disk is damaged: filling it again")
                continue
            held = frame_from(payload) if kind == "frame" else changes_from(payload)
            found.append((kind, _key_from(key), pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC"),
                          pd.Timestamp(recheck, tz="UTC") if recheck is not None else None, held))
        return found

    def save(self, kind: str, key: tuple, start: pd.Timestamp, end: pd.Timestamp, recheck: pd.Timestamp | None,
             held: Any) -> None:
        if self.broken:
            return
        payload = frame_payload(held) if kind == "frame" else changes_payload(held)
        try:
            with closing(self._connect()) as db, db:
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               [("format", str(FORMAT)), ("fingerprint", self.fingerprint)])
                db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (kind, _key_text(key), start.value, end.value,
                            recheck.value if recheck is not None else None, payload,
                            hashlib.sha256(payload).hexdigest()))
        except sqlite3.Error as exc:
            self._failed("write", exc)

    def _failed(self, what: str, exc: Exception) -> None:
        if not self.broken:
            log.warning("cannot %s the cache on disk (%s): it fills from the database after a restart", what, exc)
        self.broken = True
