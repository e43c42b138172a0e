"""`heatpump-dashboard check-serving URL`: what a viewer gets through nginx, checked against public/.

Each check is what a browser does (the manifest, the page, a content-hashed data file, the websocket's
hello) plus /healthz, so a wrong root, a missing proxy location or a stopped sidecar each show up as
one line that says what to change.  Credentials given in the URL are sent as basic auth and never
printed: every line is built from the URL without them and scrubbed once more.
"""
from __future__ import annotations

import asyncio
import base64
import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urljoin, urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, WebSocketException

from generator.config import Config
from generator.core.errors import EXIT_OK, EXIT_SOURCE_FAILED, ConfigError, scrub
from generator.core.public_format import MANIFEST_NAME

TIMEOUT_S = 5.0
HELLO_TIMEOUT_S = 5.0
LONG_LIVED_S = 86400          # a content-hashed file cached for less than a day is refetched for nothing
MAX_AGE = re.compile(r"max-age=(\d+)")
PREFERRED_RANGE = "24h"       # the page's default range


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was seen, and for a problem what to change."""

    ok: bool
    text: str
    fix: str = ""

    def line(self) -> str:
        return f"ok: {self.text}" if self.ok else f"problem: {self.text}; fix: {self.fix}"


@dataclass(frozen=True)
class Target:
    """The URL taken apart: where to fetch (no credentials in it) and what to authenticate with."""

    base: str                   # the page's URL without user:password@, ending in /
    origin: str                 # scheme://host[:port], the Origin the page's websocket sends
    ws: str                     # ws(s)://host[:port]/ws, where the page connects
    authorization: str | None   # "Basic …" from user:password@
    secrets: tuple[str, ...]    # never printed

    def url(self, path: str) -> str:
        return urljoin(self.base, path)


@dataclass(frozen=True)
class Answer:
    status: int | None          # None: no HTTP answer at all (see error)
    headers: Message | None
    body: bytes
    error: str = ""


def parse_target(url: str) -> Target:
    """ConfigError unless `url` is an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(["check-serving: give the page's address as http://HOST[:PORT]/ or https://…"])
    hostport = parts.netloc.rpartition("@")[2]
    origin = f"{parts.scheme}://{hostport}"
    base = f"{origin}{parts.path if parts.path.endswith('/') else parts.path + '/'}"
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    authorization, secrets = None, ()
    if parts.username is not None:
        user, password = unquote(parts.username), unquote(parts.password or "")
        authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        secrets = tuple(s for s in (password, parts.password or "", authorization.split()[1]) if s)
    return Target(base, origin, f"{ws_scheme}://{hostport}/ws", authorization, secrets)


def fetch(target: Target, path: str) -> Answer:
    """GET a path relative to the page's URL; an HTTP error status is an answer, not an exception."""
    headers = {"Authorization": target.authorization} if target.authorization else {}
    request = urllib.request.Request(target.url(path), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, b"")
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # HTTPException: not HTTP at all
        reason = getattr(exc, "reason", exc)
        text = " ".join(str(getattr(reason, "strerror", None) or reason).split())  # one line, whatever came back
        return Answer(None, None, b"", f"{exc.__class__.__name__}: {text}" if isinstance(exc, http.client.HTTPException)
                      else text or exc.__class__.__name__)


def status_fix(status: int | None, what: str, cfg: Config) -> str:
    """What to change when nginx answered `status` where `what` should have answered."""
    sidecar = f"{cfg['sidecar.host']}:{cfg['sidecar.port']}"
    return {
        401: "the dashboard is private (nginx.htpasswd): give user:password@ in the URL",
        403: f"nginx or the sidecar refused {what}; for the websocket nginx must pass `Host $http_host` "
             "(nginx-config's server block does) or list the page's origin in sidecar.allowed_origins",
        404: f"nginx does not pass {what} on: use the server block `heatpump-dashboard nginx-config` prints",
        502: f"the sidecar does not answer at {sidecar}: start it (systemctl start heatpump-sidecar; "
             "journalctl -u heatpump-sidecar says why it stopped) and give nginx its address (nginx-config)",
        504: f"the sidecar at {sidecar} does not answer in time: journalctl -u heatpump-sidecar",
    }.get(status or 0, f"see nginx's error log for {what}")


def check_serving(cfg: Config, url: str, out: TextIO) -> int:
    """Print one line per finding; 0 when all are ok, 1 otherwise."""
    target = parse_target(url)
    findings = run_checks(cfg, target)
    for finding in findings:
        print(scrub(finding.line(), target.secrets), file=out, flush=True)
    return EXIT_OK if all(f.ok for f in findings) else EXIT_SOURCE_FAILED


def run_checks(cfg: Config, target: Target) -> list[Finding]:
    served = fetch(target, MANIFEST_NAME)
    if served.status is None:  # nothing else can be checked either
        return [Finding(False, f"cannot reach {target.url(MANIFEST_NAME)} ({served.error})",
                        "start nginx (systemctl status nginx, or heatpump-nginx) and compare the URL with nginx.listen "
                        f"({cfg['nginx.listen']})")]
    served_manifest = _json(served.body) if served.status == 200 else None
    findings = [check_manifest(cfg, target, served)]
    findings.append(check_page(cfg, target))
    findings.append(check_data_file(cfg, target, served_manifest or read_manifest(cfg.public_dir)))
    health, report = check_health(cfg, target)
    findings.append(health)
    if report is not None:
        findings.append(check_generator_age(cfg, report))
    findings.append(check_websocket(cfg, target))
    return findings


def read_manifest(public_dir: Path) -> Any:
    try:
        return json.loads((public_dir / MANIFEST_NAME).read_bytes())
    except (OSError, ValueError):
        return None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _generated_at(manifest: Any) -> str:
    return str(manifest.get("generated_at")) if isinstance(manifest, dict) else "none"


def check_manifest(cfg: Config, target: Target, served: Answer) -> Finding:
    """The manifest nginx serves must be the one the generator wrote into output.public_dir."""
    url, local_path = target.url(MANIFEST_NAME), cfg.public_dir / MANIFEST_NAME
    local = read_manifest(cfg.public_dir)
    if local is None:
        return Finding(False, f"{local_path} is missing or unreadable",
                       "run the generator (systemctl start heatpump-generator) with this --config")
    if served.status != 200:
        return Finding(False, f"{url} answers {served.status}", unserved_fix(served.status, cfg))
    manifest = _json(served.body)
    if manifest != local:  # a generation may have landed between the two reads: look once more
        manifest, local = _json(fetch(target, MANIFEST_NAME).body), read_manifest(cfg.public_dir)
    if manifest != local:
        return Finding(False, f"{url} (generated_at {_generated_at(manifest)}) is not {local_path} "
                              f"(generated_at {_generated_at(local)})",
                       f"nginx's root is not output.public_dir: set root to {cfg.public_dir} "
                       "(heatpump-dashboard nginx-config writes it) and reload nginx")
    return Finding(True, f"{url} is {local_path} (generated_at {_generated_at(local)})")


def unserved_fix(status: int | None, cfg: Config) -> str:
    """Why nginx does not serve a file that is in output.public_dir."""
    if status == 401:
        return status_fix(status, MANIFEST_NAME, cfg)
    if status == 403:
        return (f"nginx's workers (www-data) may not read {cfg.public_dir}: every directory up to it needs "
                "o+x (chmod o+x), its files 0644 (the generator writes them so under umask 022)")
    return f"nginx's root is not output.public_dir: set root to {cfg.public_dir} (nginx-config writes it)"


def check_page(cfg: Config, target: Target) -> Finding:
    answer = fetch(target, "")
    content_type = answer.headers.get("Content-Type", "") if answer.headers else ""
    if answer.status != 200:
        return Finding(False, f"{target.base} answers {answer.status or answer.error} instead of the page",
                       unserved_fix(answer.status, cfg))
    if not content_type.startswith("text/html"):
        return Finding(False, f"{target.base} is {content_type or 'of no type'}, not the page",
                       "nginx must serve index.html for /: `index index.html` (nginx-config writes it)")
    return Finding(True, f"{target.base} serves the page (index.html)")


def hashed_path(manifest: Any) -> str | None:
    """A content-hashed data file the manifest names: the page's default range when it has one."""
    ranges = manifest.get("ranges") if isinstance(manifest, dict) else None
    if not isinstance(ranges, dict):
        return None
    keys = sorted(ranges, key=lambda key: key != PREFERRED_RANGE)
    return next((ranges[k]["path"] for k in keys if isinstance(ranges[k], dict) and ranges[k].get("path")), None)


def check_data_file(cfg: Config, target: Target, manifest: Any) -> Finding:
    path = hashed_path(manifest)
    if path is None:
        return Finding(False, "the manifest names no data file", "let the generator finish a run (status.json says why not)")
    answer = fetch(target, path)
    if answer.status != 200:
        return Finding(False, f"{target.url(path)} answers {answer.status or answer.error}",
                       unserved_fix(answer.status, cfg))
    cache = answer.headers.get("Cache-Control", "") if answer.headers else ""
    found = MAX_AGE.search(cache)
    if not found or int(found.group(1)) < LONG_LIVED_S:
        return Finding(False, f"{target.url(path)} is served with Cache-Control {cache or 'none'!r}",
                       "content-hashed files never change: send `public, max-age=31536000, immutable` "
                       "(the map in nginx-config's output does)")
    return Finding(True, f"{target.url(path)} is served, cached for {int(found.group(1)) // 86400} days")


def check_health(cfg: Config, target: Target) -> tuple[Finding, dict[str, Any] | None]:
    url = urljoin(target.base, "/healthz")
    answer = fetch(target, "/healthz")
    report = _json(answer.body) if answer.status == 200 else None
    if not isinstance(report, dict) or "clients" not in report:
        return Finding(False, f"{url} answers {answer.status or answer.error} without the sidecar's report",
                       status_fix(answer.status, "/healthz", cfg)), None
    return Finding(True, f"{url}: the sidecar answers ({report['clients']} websocket client(s) now)"), report


def check_generator_age(cfg: Config, report: dict[str, Any]) -> Finding:
    """The generator writes status.json every run; far longer than the interval means it stopped."""
    age = report.get("generator_age_s")
    limit = max(120.0, 3 * float(cfg["schedule.interval_s"]))
    if isinstance(age, (int, float)) and age <= limit:
        return Finding(True, f"the generator last ran {age:.0f} s ago")
    seen = "never (no status.json)" if age is None else f"{age:.0f} s ago"
    return Finding(False, f"the generator last ran {seen}, more than {limit:.0f} s",
                   "systemctl status heatpump-generator; journalctl -u heatpump-generator says why")


def check_websocket(cfg: Config, target: Target) -> Finding:
    """The page's websocket through nginx: a hello within 5 s carrying the manifest of public/."""
    hello: Any = None
    for _ in range(2):  # a new manifest may reach the sidecar between its hello and our read: once more
        hello, problem = open_websocket(cfg, target)
        if problem is not None:
            return problem
        if hello.get("manifest") == read_manifest(cfg.public_dir):
            return Finding(True, f"{target.ws}: the sidecar said hello with the current manifest")
    return Finding(False, f"{target.ws}: the sidecar's manifest (generated_at {_generated_at(hello.get('manifest'))}) "
                          f"is not {cfg.public_dir / MANIFEST_NAME}",
                   "run the sidecar with the same --config as the generator (output.public_dir)")


def open_websocket(cfg: Config, target: Target) -> tuple[dict[str, Any], Finding | None]:
    """The hello frame, or the problem that kept it away."""
    try:
        hello = asyncio.run(asyncio.wait_for(receive_hello(target), HELLO_TIMEOUT_S))
    except InvalidStatus as exc:
        status = exc.response.status_code
        return {}, Finding(False, f"{target.ws} refused the websocket with {status}", status_fix(status, "/ws", cfg))
    except TimeoutError:
        return {}, Finding(False, f"{target.ws}: no hello within {HELLO_TIMEOUT_S:.0f} s",
                           "nginx must proxy /ws with Upgrade/Connection headers (nginx-config's server block); "
                           "journalctl -u heatpump-sidecar")
    except (InvalidHandshake, WebSocketException, OSError) as exc:
        return {}, Finding(False, f"{target.ws}: no websocket ({exc.__class__.__name__}: {' '.join(str(exc).split())})",
                           "nginx must proxy /ws to the running sidecar (nginx-config's server block)")
    if not isinstance(hello, dict) or hello.get("type") != "hello":
        return {}, Finding(False, f"{target.ws}: the first frame is not hello", "nginx must proxy /ws to the sidecar")
    return hello, None


async def receive_hello(target: Target) -> Any:
    headers = {"Authorization": target.authorization} if target.authorization else None
    async with connect(target.ws, origin=target.origin, additional_headers=headers,  # type: ignore[arg-type]
                       open_timeout=HELLO_TIMEOUT_S, close_timeout=1) as ws:
        return _json(await ws.recv())
