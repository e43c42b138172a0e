"""The public/ format (docs/public-format.md), in one place for the generator that writes it and the
sidecar that reads it: file names, the format version, and the content hash in a data file's name."""
from __future__ import annotations

import re

FORMAT = 2                       # every document's "format"
MANIFEST_NAME = "manifest.json"  # what is current; written last
STATUS_NAME = "status.json"      # the heartbeat, rewritten on every run
DATA_DIR = "data"                # content-hashed documents: data/<key>.<hash>.json
ASSETS_DIR = "assets"            # the page's bundle, content-hashed by esbuild
HASH_CHARS = 12                  # hex digits of SHA-256 in a data file's name
LIVE_KEY = "live"                # the live file's key: data/live.<hash>.json
GZIP_SUFFIXES = (".json", ".html", ".js", ".css", ".svg")  # files with packed siblings (nginx's gzip_static, brotli_static)
PACKED = (".gz", ".br")           # the siblings' suffixes: NAME.gz and NAME.br hold NAME packed

DATA_NAME = re.compile(r"^data/[a-z0-9]+\.[0-9a-f]{%d}\.json$" % HASH_CHARS)
# A content hash in a file's name: ".3f9a1c0b7d2e." (generator, hex) or "-5XQ2ZK3L." (esbuild, base32).
HASHED_NAME = re.compile(r"[.-]([0-9a-f]{8,64}|[0-9A-Z]{8})\.[A-Za-z0-9]+$")


def data_path(key: str, digest: str, suffix: str = ".json", subdir: str = DATA_DIR) -> str:
    """The path relative to public/ of a content-hashed file: data_path("24h", "3f9a…") == "data/24h.3f9a….json"."""
    return f"{subdir}/{key}.{digest}{suffix}"
