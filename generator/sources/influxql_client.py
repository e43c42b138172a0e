"""The HTTP client of the influxql source: sends statements to /query and maps every failure to a
SourceError that says what to check (never a password or token).
"""
from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Sequence

from generator.core.errors import SourceError, scrub

PING_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Connection:
    url: str
    database: str
    retention_policy: str | None
    username: str | None
    password: str | None
    token: str | None
    timeout_s: float

    @property
    def safe_url(self) -> str:
        """scheme://host:port only: never a user name or password."""
        parts = urllib.parse.urlsplit(self.url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}"

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]


class InfluxQLClient:
    """Sends statements to /query and returns each statement's result; every failure is a SourceError."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.requests = 0

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        if self.conn.token:
            headers["Authorization"] = f"Token {self.conn.token}"
        elif self.conn.username:
            pair = f"{self.conn.username}:{self.conn.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return headers

    def _fail(self, message: str, code: str = "source_failed", **params: object) -> SourceError:
        secrets = self.conn.secrets()
        return SourceError(scrub(message, secrets), code,
                           **{k: scrub(v, secrets) if isinstance(v, str) else v for k, v in params.items()})

    def ping(self) -> bool:
        """GET /ping (204 from 1.x, 2.x and 3.x alike): up or not, in at most PING_TIMEOUT_S; no query."""
        request = urllib.request.Request(f"{self.conn.url.rstrip('/')}/ping", method="GET")
        try:
            with urllib.request.urlopen(request, timeout=min(self.conn.timeout_s, PING_TIMEOUT_S)) as response:
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def query(self, statements: Sequence[str], database: bool = True) -> list[dict[str, Any]]:
        # Chunked answers: a server's max-row-limit cuts only unchunked ones, and 1.x marks any series of
        # more than 10,000 rows "partial" even when it sends them all.
        params = {"epoch": "ms", "chunked": "true", "chunk_size": str(CHUNK_ROWS)}
        if database:
            params["db"] = self.conn.database
            if self.conn.retention_policy:
                params["rp"] = self.conn.retention_policy
        base = self.conn.url.rstrip("/")
        url = f"{base}/query?{urllib.parse.urlencode(params)}"
        body = urllib.parse.urlencode({"q": ";\n".join(statements)}).encode()
        request = urllib.request.Request(url, data=body, headers=self._headers(), method="POST")
        self.requests += 1
        url = self.conn.safe_url
        where = f"InfluxDB at {url}"
        try:
            with urllib.request.urlopen(request, timeout=self.conn.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, where, url) from None
        except (socket.timeout, TimeoutError):
            raise self._timeout(where, url) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise self._timeout(where, url) from None
            raise self._fail(f"cannot reach {where}: {_reason(reason)}; check source.url and that "
                             "InfluxDB is running", "unreachable", url=url) from None
        except (ConnectionError, OSError) as exc:
            raise self._fail(f"cannot reach {where}: {_reason(exc)}; check source.url and that InfluxDB is running",
                             "unreachable", url=url) from None
        try:
            return self._results(raw, where, url, len(statements))
        except _NotExecuted:
            # InfluxDB 1.6 reports a failed multi-statement query as "not executed" and hides the reason
            # (e.g. "database not found"): ask the first statement alone to learn it.
            if len(statements) > 1:
                self.query(statements[:1], database)
            raise self._fail(f"{where} did not execute the query; check source.database", "query_rejected",
                             url=url) from None

    def _timeout(self, where: str, url: str) -> SourceError:
        return self._fail(f"{where} did not answer within {self.conn.timeout_s:g} s; "
                          "check the server's load or raise source.timeout_s", "timeout", url=url,
                          seconds=self.conn.timeout_s)

    def _http_error(self, exc: urllib.error.HTTPError, where: str, url: str) -> SourceError:
        detail = _error_text(exc)
        if exc.code in (401, 403):
            how = "source.token" if self.conn.token else "source.username and source.password"
            return self._fail(f"{where} refused the credentials (HTTP {exc.code}{': ' + detail if detail else ''}); "
                              f"check {how}", "auth_refused", url=url)
        if exc.code == 404:
            return self._fail(f"{where} has no InfluxQL endpoint or no such database (HTTP 404"
                              f"{': ' + detail if detail else ''}); check source.url and source.database "
                              "(2.x: a database/retention-policy mapping must exist)", "not_found", url=url)
        return self._fail(f"{where} answered HTTP {exc.code}{': ' + detail if detail else ''}", "http_error",
                          url=url, status=exc.code)

    def _results(self, raw: bytes, where: str, url: str, expected: int) -> list[dict[str, Any]]:
        try:
            results = _joined(_documents(raw.decode("utf-8")))
        except _NoResults as exc:
            raise self._fail(f"{where}: {exc}", "query_rejected", url=url) from None
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            raise self._fail(f"{where} sent an answer that is not InfluxQL JSON; check source.url", "bad_answer",
                             url=url) from None
        for result in results:
            error = result.get("error")
            if error:
                if error == "not executed":
                    raise _NotExecuted()
                if "database not found" in error:
                    raise self._fail(f"{where} has no database {self.conn.database!r}; check source.database",
                                     "no_database", url=url, database=self.conn.database)
                if "retention policy not found" in error:
                        raise self._fail(f"{where} has no retention policy {self.conn.retention_policy!r} in "
                                     f"{self.conn.database!r}; check source.retention_policy", "no_retention_policy",
                                     url=url, retention_policy=self.conn.retention_policy)
                raise self._fail(f"{where} rejected a query: {error}", "query_rejected", url=url)
        if len(results) != expected:
            raise self._fail(f"{where} answered {len(results)} results for {expected} statements", "bad_answer",
                             url=url)
        return results


class _NotExecuted(Exception):
    """A multi-statement answer that hides why it failed."""


class _NoResults(ValueError):
    """An answer that says why it has no results."""


CHUNK_ROWS = 10_000


def _documents(text: str) -> list[dict[str, Any]]:
    """The JSON documents of a chunked answer (one per chunk, one after the other)."""
    decoder = json.JSONDecoder()
    found, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return found
        document, i = decoder.raw_decode(text, i)
        if not isinstance(document, dict):
            raise ValueError("not an object")
        found.append(document)


def _joined(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per statement from the chunks of a chunked answer: the rows of every chunk of a series
    joined in order (series_by_tag() joins entries with the same tags)."""
    if not documents:
        raise ValueError("empty answer")
    by_statement: dict[int, dict[str, Any]] = {}
    for document in documents:
        if "results" not in document:
            raise _NoResults(document.get("error", "answer without results"))
        if not isinstance(document["results"], list):
            raise ValueError("results is not a list")
        for result in document["results"]:
            joined = by_statement.setdefault(int(result.get("statement_id", 0)), {"statement_id": result.get("statement_id", 0)})
            if result.get("error"):
                joined["error"] = result["error"]
            joined.setdefault("series", []).extend(result.get("series") or [])
    return [by_statement[k] for k in sorted(by_statement)]

def _reason(reason: object) -> str:
    text = getattr(reason, "strerror", None) or str(reason)
    return str(text).strip() or type(reason).__name__


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(2000).decode("utf-8", "replace")
        parsed = json.loads(body)
        return str(parsed.get("error") or parsed.get("message") or "")[:300]
    except (ValueError, AttributeError, OSError):
        return ""


# --- reading answers ------------------------------------------------------------------------------------
def series_by_tag(result: dict[str, Any], tag: str) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """{raw name: (columns, rows)} of one statement's result, series grouped by `tag`.

    influxd 1.6 may split one series into several entries with the same tags (seen with INTEGRAL over
    shard boundaries): their rows are joined, never overwritten.
    """
    found: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for series in result.get("series", ()):
        raw = (series.get("tags") or {}).get(tag)
        if raw is None:
            continue
        rows = series.get("values") or []
        if raw in found:
            found[raw][1].extend(rows)
        else:
            found[raw] = (series["columns"], list(rows))
    return found


def column(rows: list[list[Any]], columns: list[str], name: str) -> dict[int, float]:
    """{time ms: value} of one column, nulls left out."""
    i = columns.index(name)
    return {int(r[0]): float(r[i]) for r in rows if r[i] is not None}
