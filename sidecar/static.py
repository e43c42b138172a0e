"""Serving public/ over plain HTTP for the all-in-one demo (`heatpump-dashboard demo`).

Production puts nginx in front of public/; this is the same contract in miniature: GET and HEAD only,
never a file outside public/ or a hidden (temp) file, index.html for a directory, revalidation for the
files that change in place (manifest.json, *.html) and a year of caching for content-hashed files.
"""
from __future__ import annotations

import asyncio
import email.utils
from pathlib import Path
from urllib.parse import unquote

from websockets.datastructures import Headers
from websockets.http11 import Response

from generator.core.public_format import ASSETS_DIR, DATA_DIR, HASHED_NAME

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
    ".woff2": "font/woff2",
    ".gz": "application/gzip",
}
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
HASHED_DIRS = (DATA_DIR, ASSETS_DIR)


def resolve(root: Path, request_path: str) -> Path | None:
    """The file a URL path names inside `root` (already resolved), or None. Query strings are dropped."""
    raw = unquote(request_path.split("?", 1)[0].split("#", 1)[0])
    if "\x00" in raw or "\\" in raw or not raw.startswith("/"):
        return None
    parts = [part for part in raw.split("/") if part]
    if any(part.startswith(".") for part in parts):  # "..", ".", dotfiles and the writer's temp files
        return None
    candidate = root.joinpath(*parts)
    if not parts or raw.endswith("/"):
        candidate = candidate / "index.html"
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root) or not resolved.is_file():  # symlinks out of public/ too
        return None
    return resolved


# The page's Content-Security-Policy; nginx.conf sends the same (a test keeps the two equal). The page has
# no inline script, so script-src 'self' holds; the demo sends it too, so the browser tests prove it.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


def cache_control(root: Path, file: Path) -> str:
    relative = file.relative_to(root)
    if relative.parts[0] in HASHED_DIRS and len(relative.parts) > 1 and HASHED_NAME.search(file.name):
        return IMMUTABLE
    return NO_CACHE  # manifest.json, index.html, status.json and anything unhashed


def content_type(file: Path) -> str:
    return CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream")


def plain_response(status: int, reason: str, text: str, extra: dict[str, str] | None = None) -> Response:
    return bytes_response(status, reason, text.encode(), "text/plain; charset=utf-8", NO_CACHE, extra)


def bytes_response(
    status: int,
    reason: str,
    body: bytes,
    ctype: str,
    cache: str,
    extra: dict[str, str] | None = None,
    head: bool = False,
) -> Response:
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Type", ctype),
            ("Content-Length", str(len(body))),
            ("Cache-Control", cache),
            ("X-Content-Type-Options", "nosniff"),
        ]
    )
    if ctype.startswith("text/html"):
        headers["Content-Security-Policy"] = CSP
    for name, value in (extra or {}).items():
        headers[name] = value
    return Response(status, reason, headers, b"" if head else body)


async def static_response(root: Path, method: str, request_path: str) -> Response:
    if method not in ("GET", "HEAD"):
        return plain_response(405, "Method Not Allowed", "Only GET and HEAD.\n", {"Allow": "GET, HEAD"})
    file = resolve(root, request_path)
    if file is None:
        return plain_response(404, "Not Found", "Not found.\n")
    try:
        body = await asyncio.to_thread(file.read_bytes)  # a data file can be large; keep the loop free
    except OSError:  # replaced or removed by the generator meanwhile
        return plain_response(404, "Not Found", "Not found.\n")
    return bytes_response(200, "OK", body, content_type(file), cache_control(root, file), head=method == "HEAD")
