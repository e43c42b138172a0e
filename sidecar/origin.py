"""Which browser pages may open the websocket (defence against cross-site websocket hijacking).

Allowed: no Origin header at all (not a browser), an Origin whose host:port is the request's own Host
header (nginx forwards the browser's Host with `$http_host`, port included), or an Origin listed in
`sidecar.allowed_origins`.  Default ports (80 for http, 443 for https) compare equal to no port.
"""
from __future__ import annotations

from typing import Sequence
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_origin(origin: str) -> str | None:
    """scheme://host[:port] in lower case with the default port dropped; None if not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/") or parts.query:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


class SettingError(ValueError):
    """A sidecar setting is wrong: carries every problem, each naming the setting and the fix.  (The
    sidecar depends on the public/ format alone, so it has its own error; the command maps it to exit 2.)"""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def check_allowed_origins(origins: Sequence[str]) -> tuple[str, ...]:
    """The configured origins, normalised; SettingError naming each one that is not an origin."""
    normalized: list[str] = []
    problems: list[str] = []
    for origin in origins:
        value = normalize_origin(origin) if isinstance(origin, str) else None
        if value is None:
            problems.append(
                f"sidecar.allowed_origins: {origin!r} is not an origin; "
                "write scheme://host[:port] such as https://heat.example.com"
            )
        else:
            normalized.append(value)
    if problems:
        raise SettingError(problems)
    return tuple(normalized)


def origin_allowed(origins: list[str], hosts: list[str], allowed: Sequence[str]) -> bool:
    """`origins`/`hosts` are every value of the Origin/Host headers; `allowed` is normalised."""
    if not origins:
        return True
    if len(origins) != 1:
        return False
    origin = normalize_origin(origins[0])  # "null" (sandboxed pages, file://) gives None: refused
    if origin is None:
        return False
    if origin in allowed:
        return True
    if len(hosts) != 1:
        return False
    scheme = origin.split("://", 1)[0]
    own = normalize_origin(f"{scheme}://{hosts[0].strip()}")
    return own is not None and own == origin
