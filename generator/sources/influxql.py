"""The `influxql` source: InfluxQL over HTTP `/query` (InfluxDB 1.x, 2.x v1 compatibility API, 3.x).

Each method sends one HTTP request holding a few `;`-separated statements, all aggregated in the
database (GROUP BY time, one series per raw name); query_count counts those requests.  Identifiers are
double-quoted and escaped, tag values are single-quoted string literals and escaped, and times are
RFC 3339 literals, so nothing from a config or provider file can change a statement's meaning.
The queries and the time-weighting rule are described in docs/data-layer.md.
"""
from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from generator.errors import SourceError, scrub
from generator.ranges import Window
from generator.sources.base import Latest, band_column
from generator.sources.rawplan import (
    BEFORE_LOOKBACK,
    RawPlan,
    canonical_changes,
    canonical_frame,
    canonical_latest,
    changes_from_differences,
    extended_edges,
    place,
    plan_for,
    raws_for_metrics,
    shares_from_changes,
    time_weighted,
    to_ms,
)
from providers.model import Provider


# --- quoting -----------------------------------------------------------------------------------------
def _check_text(value: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty text")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{what} {value!r} holds a control character")
    return value


def quote_ident(name: str) -> str:
    """A double-quoted InfluxQL identifier: "my \\"odd\\" name"."""
    _check_text(name, "identifier")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_string(value: str) -> str:
    """A single-quoted InfluxQL string literal."""
    _check_text(value, "string")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def time_literal(ts: pd.Timestamp) -> str:
    ts = pd.Timestamp(ts)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return "'" + ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z'"


def duration_literal(td: pd.Timedelta) -> str:
    ms = int(td / pd.Timedelta(milliseconds=1))
    return f"{ms}ms"


# --- the HTTP client ------------------------------------------------------------------------------------
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

    def _fail(self, message: str) -> SourceError:
        return SourceError(scrub(message, self.conn.secrets()))

    def query(self, statements: Sequence[str], database: bool = True) -> list[dict[str, Any]]:
        params = {"epoch": "ms"}
        if database:
            params["db"] = self.conn.database
            if self.conn.retention_policy:
                params["rp"] = self.conn.retention_policy
        base = self.conn.url.rstrip("/")
        url = f"{base}/query?{urllib.parse.urlencode(params)}"
        body = urllib.parse.urlencode({"q": ";\n".join(statements)}).encode()
        request = urllib.request.Request(url, data=body, headers=self._headers(), method="POST")
        self.requests += 1
        where = f"InfluxDB at {self.conn.safe_url}"
        try:
            with urllib.request.urlopen(request, timeout=self.conn.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, where) from None
        except (socket.timeout, TimeoutError):
            raise self._fail(f"{where} did not answer within {self.conn.timeout_s:g} s; "
                             "check the server's load or raise source.timeout_s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise self._fail(f"{where} did not answer within {self.conn.timeout_s:g} s; "
                                 "check the server's load or raise source.timeout_s") from None
            raise self._fail(f"cannot reach {where}: {_reason(reason)}; check source.url and that "
                             "InfluxDB is running") from None
        except (ConnectionError, OSError) as exc:
            raise self._fail(f"cannot reach {where}: {_reason(exc)}; check source.url and that InfluxDB is running") from None
        try:
            return self._results(raw, where, len(statements))
        except _NotExecuted:
            # InfluxDB 1.6 reports a failed multi-statement query as "not executed" and hides the reason
            # (e.g. "database not found"): ask the first statement alone to learn it.
            if len(statements) > 1:
                self.query(statements[:1], database)
            raise self._fail(f"{where} did not execute the query; check source.database") from None

    def _http_error(self, exc: urllib.error.HTTPError, where: str) -> SourceError:
        detail = _error_text(exc)
        if exc.code in (401, 403):
            how = "source.token" if self.conn.token else "source.username and source.password"
            return self._fail(f"{where} refused the credentials (HTTP {exc.code}{': ' + detail if detail else ''}); "
                              f"check {how}")
        if exc.code == 404:
            return self._fail(f"{where} has no InfluxQL endpoint or no such database (HTTP 404"
                              f"{': ' + detail if detail else ''}); check source.url and source.database "
                              "(2.x: a database/retention-policy mapping must exist)")
        return self._fail(f"{where} answered HTTP {exc.code}{': ' + detail if detail else ''}")

    def _results(self, raw: bytes, where: str, expected: int) -> list[dict[str, Any]]:
        try:
            answer = json.loads(raw)
            results = answer["results"] if "results" in answer else None
        except (ValueError, TypeError, KeyError):
            raise self._fail(f"{where} sent an answer that is not InfluxQL JSON; check source.url") from None
        if results is None:
            raise self._fail(f"{where}: {answer.get('error', 'answer without results')}")
        if not isinstance(results, list):
            raise self._fail(f"{where} sent an answer that is not InfluxQL JSON; check source.url")
        for result in results:
            error = result.get("error")
            if error:
                if error == "not executed":
                    raise _NotExecuted()
                if "database not found" in error:
                    raise self._fail(f"{where} has no database {self.conn.database!r}; check source.database")
                if "retention policy not found" in error:
                    raise self._fail(f"{where} has no retention policy {self.conn.retention_policy!r} in "
                                     f"{self.conn.database!r}; check source.retention_policy")
                raise self._fail(f"{where} rejected a query: {error}")
            for series in result.get("series", ()):
                if series.get("partial"):
                    raise self._fail(f"{where} cut an answer short (max-row-limit); raise it or shorten the range")
        if len(results) != expected:
            raise self._fail(f"{where} answered {len(results)} results for {expected} statements")
        return results


class _NotExecuted(Exception):
    """A multi-statement answer that hides why it failed."""


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


# --- the source --------------------------------------------------------------------------------------------
class InfluxQLSource:
    """A Source (generator/sources/base.py) reading InfluxDB through InfluxQL."""

    kind = "influxql"

    def __init__(self, conn: Connection, provider: Provider, measurement: str = "heatpump",
                 tag: str = "name", field: str = "value"):
        self.client = InfluxQLClient(conn)
        self.provider = provider
        self.plan: RawPlan = plan_for(provider, tag)
        self.tag = tag
        self.measurement = measurement
        self.field = field
        # Quote once; a bad name fails here, at start-up, not inside a query.
        self._m = (f"{quote_ident(conn.retention_policy)}." if conn.retention_policy else "") + quote_ident(measurement)
        self._t = quote_ident(tag)
        self._f = quote_ident(field)
        for raw in self.plan.all:
            quote_string(raw)

    @property
    def query_count(self) -> int:
        return self.client.requests

    # --- statement builders --------------------------------------------------------------------------
    def _where(self, raws: Iterable[str], start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
        names = " OR ".join(f"{self._t} = {quote_string(r)}" for r in raws)
        parts = [f"({names})"]
        if start is not None:
            parts.append(f"time >= {time_literal(start)}")
        if end is not None:
            parts.append(f"time < {time_literal(end)}")
        return " AND ".join(parts)

    def _group(self, window: Window, start: pd.Timestamp) -> str:
        if window.calendar_days:  # local days: InfluxDB aligns 1d buckets to local midnight
            return f"GROUP BY time(1d), {self._t} fill(none) tz({quote_string(window.tz)})"
        step = pd.Timedelta(window.bucket)
        offset = pd.Timedelta(to_ms(start) % int(step / pd.Timedelta(milliseconds=1)), unit="ms")
        return f"GROUP BY time({duration_literal(step)}, {duration_literal(offset)}), {self._t} fill(none)"

    def _select(self, calls: str, raws: Sequence[str], window: Window, start: pd.Timestamp,
                end: pd.Timestamp) -> str:
        return f"SELECT {calls} FROM {self._m} WHERE {self._where(raws, start, end)} {self._group(window, start)}"

    def _change_statements(self, raws: Sequence[str], start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
        """Value before the window, first value inside it, and every non-zero DIFFERENCE()."""
        f = self._f
        return [
            f"SELECT LAST({f}) FROM {self._m} WHERE {self._where(raws, start - BEFORE_LOOKBACK, start)} GROUP BY {self._t}",
            f"SELECT FIRST({f}) FROM {self._m} WHERE {self._where(raws, start, end)} GROUP BY {self._t}",
            f"SELECT \"d\" FROM (SELECT DIFFERENCE({f}) AS \"d\" FROM {self._m} WHERE {self._where(raws, start, end)} "
            f"GROUP BY {self._t}) WHERE \"d\" <> 0 GROUP BY {self._t}",
        ]

    def _held_statement(self) -> str:
        return f"SHOW TAG VALUES FROM {self._m} WITH KEY = {self._t}"

    # --- Source ---------------------------------------------------------------------------------------
    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        plan, f = self.plan, self._f
        edges = window.edges()
        ext = extended_edges(window)
        start, end = ext[0], ext[-1]
        statements: list[tuple[str, str]] = [("held", self._held_statement())]
        if plan.mean:
            calls = f"MEAN({f}) AS \"mean\"" + (f", MIN({f}) AS \"min\", MAX({f}) AS \"max\"" if bands else "")
            statements.append(("mean", self._select(calls, plan.mean, window, edges[0], edges[-1])))
        presence = plan.time_weighted + plan.shares
        if presence:
            statements.append(("presence", self._select(f"MEAN({f}) AS \"mean\"", presence, window, start, end)))
        if plan.time_weighted:
            statements.append(("integral", self._select(f"INTEGRAL({f}, 1s) AS \"integral\"", plan.time_weighted,
                                                        window, start, end)))
        if plan.last:
            statements.append(("last", self._select(f"LAST({f}) AS \"last\"", plan.last, window, edges[0], edges[-1])))
        if plan.shares:
            for i, stmt in enumerate(self._change_statements(plan.shares, edges[0], edges[-1])):
                statements.append((f"changes{i}", stmt))
        results = dict(zip((k for k, _ in statements), self.client.query([s for _, s in statements])))

        held = self._held(results["held"])
        index = pd.DatetimeIndex(edges[:-1])
        raw: dict[str, np.ndarray] = {}
        if plan.mean:
            got = series_by_tag(results["mean"], self.tag)
            for name in plan.mean:
                if name not in held:
                    continue
                cols, rows = got.get(name, (["time", "mean"], []))
                raw[name] = place(column(rows, cols, "mean"), edges)
                if bands:
                    for which in ("min", "max"):
                        raw[band_column(name, which)] = place(column(rows, cols, which) if rows else {}, edges)
        if presence:
            means = series_by_tag(results["presence"], self.tag)
            integrals = series_by_tag(results["integral"], self.tag) if plan.time_weighted else {}
            for name in plan.time_weighted:
                if name not in held:
                    continue
                cols, rows = means.get(name, (["time", "mean"], []))
                mean_ext = place(column(rows, cols, "mean"), ext)
                icols, irows = integrals.get(name, (["time", "integral"], []))
                raw[name] = time_weighted(place(column(irows, icols, "integral"), ext), mean_ext, ext)
            if plan.shares:
                changes = self._changes_from(results, "changes", plan.shares, edges[0])
                for name in plan.shares:
                    if name not in held:
                        continue
                    cols, rows = means.get(name, (["time", "mean"], []))
                    present = ~np.isnan(place(column(rows, cols, "mean"), edges))
                    for share in plan.share_columns[name]:
                        values = shares_from_changes(changes.get(name, pd.Series(dtype=float)), edges, share)
                        raw[share.column] = np.where(present, values, np.nan)
        if plan.last:
            got = series_by_tag(results["last"], self.tag)
            for name in plan.last:
                if name in held:
                    cols, rows = got.get(name, (["time", "last"], []))
                    raw[name] = place(column(rows, cols, "last"), edges)
        frame = pd.DataFrame(raw, index=index, dtype=float)
        return canonical_frame(self.provider, self.tag, frame, bands).reindex(index)

    def _held(self, result: dict[str, Any]) -> set[str]:
        held: set[str] = set()
        for series in result.get("series", ()):
            held.update(str(row[1]) for row in series.get("values") or [])
        return held

    def _changes_from(self, results: dict[str, Any], prefix: str, raws: Sequence[str],
                      start: pd.Timestamp) -> dict[str, pd.Series]:
        before = series_by_tag(results[f"{prefix}0"], self.tag)
        first = series_by_tag(results[f"{prefix}1"], self.tag)
        diffs = series_by_tag(results[f"{prefix}2"], self.tag)
        out: dict[str, pd.Series] = {}
        for name in raws:
            b = before.get(name)
            fr = first.get(name)
            d = diffs.get(name)
            before_value = float(b[1][0][1]) if b and b[1] and b[1][0][1] is not None else None
            first_point = (int(fr[1][0][0]), float(fr[1][0][1])) if fr and fr[1] and fr[1][0][1] is not None else None
            diff_rows = [(int(r[0]), float(r[1])) for r in (d[1] if d else []) if r[1] is not None]
            out[name] = changes_from_differences(start, before_value, first_point, diff_rows)
        return out

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        raws = [r for r in raws_for_metrics(self.provider, self.tag, metrics) if r in set(self.plan.all)]
        if not raws:
            return {}
        statements = self._change_statements(raws, window.start, window.end)
        results = dict(zip(("changes0", "changes1", "changes2"), self.client.query(statements)))
        raw_changes = self._changes_from(results, "changes", raws, window.start)
        return canonical_changes(self.provider, self.tag, raw_changes, metrics, window.start)

    def latest(self) -> Latest:
        # No lower time bound: a collector that stopped long ago must show as old data, not as none.
        statement = f"SELECT LAST({self._f}) FROM {self._m} WHERE {self._where(self.plan.all, None, None)} GROUP BY {self._t}"
        (result,) = self.client.query([statement])
        last: dict[str, tuple[int, float]] = {}
        for name, (cols, rows) in series_by_tag(result, self.tag).items():
            if rows and rows[0][1] is not None:
                last[name] = (int(rows[0][0]), float(rows[0][1]))
        return canonical_latest(self.provider, self.tag, last)

    def close(self) -> None:
        """Connections are not kept open between requests."""

    # --- used by the doctor ---------------------------------------------------------------------------
    def held_names(self) -> list[str]:
        (result,) = self.client.query([self._held_statement()])
        return sorted(self._held(result))

    def coverage(self, names: Sequence[str]) -> dict[str, tuple[int, int, int]]:
        """{raw: (first ms, last ms, samples in the day before the newest sample)}, for the doctor.

        Counting is done over one day only: a count over years of 10 s data would take the database
        seconds, and a day is enough to tell the typical sample interval.
        """
        if not names:
            return {}
        where = self._where(names, None, None)
        first, last = (series_by_tag(r, self.tag) for r in self.client.query([
            f"SELECT FIRST({self._f}) FROM {self._m} WHERE {where} GROUP BY {self._t}",
            f"SELECT LAST({self._f}) FROM {self._m} WHERE {where} GROUP BY {self._t}"]))
        ends = {n: (int(first[n][1][0][0]), int(last[n][1][0][0])) for n in names
                if first.get(n, (0, []))[1] and last.get(n, (0, []))[1]}
        if not ends:
            return {}
        newest = pd.Timestamp(max(e for _, e in ends.values()), unit="ms", tz="UTC")
        (result,) = self.client.query([
            f"SELECT COUNT({self._f}) FROM {self._m} WHERE "
            f"{self._where(list(ends), newest - pd.Timedelta(days=1), newest + pd.Timedelta(milliseconds=1))} "
            f"GROUP BY {self._t}"])
        counts = series_by_tag(result, self.tag)
        return {n: (a, b, int(counts[n][1][0][1]) if counts.get(n, (0, []))[1] else 0) for n, (a, b) in ends.items()}
