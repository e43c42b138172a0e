"""The `flux` source: an InfluxDB 2.x bucket read with Flux through influxdb-client.

Each method sends one Flux script whose parts end in named `yield`s, so a whole range is one request
(query_count counts requests).  Aggregation happens in the server: aggregateWindow with mean/min/max,
timeWeightedAvg(unit: 1s) for on/off states and powers, last for counters and codes; local days use
aggregateWindow's `location`.  Enumerations and bit fields travel as value changes only (difference()
≠ 0) and their shares are computed here.  Every name from configuration or a provider file enters the
script as an escaped string literal.  See docs/data-layer.md for what was tested against what.
"""
from __future__ import annotations

from collections import defaultdict
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
    place,
    plan_for,
    raws_for_metrics,
    shares_from_changes,
    to_ms,
)
from providers.model import Provider

EPOCH = "1970-01-01T00:00:00Z"


def flux_string(value: str) -> str:
    """A Flux string literal: backslash, quote and `${` (interpolation) escaped; no control characters."""
    if not isinstance(value, str) or not value:
        raise ValueError("a name must be a non-empty text")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"name {value!r} holds a control character")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${") + '"'


def flux_time(ts: pd.Timestamp) -> str:
    ts = pd.Timestamp(ts)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def flux_duration(td: pd.Timedelta) -> str:
    return f"{int(td / pd.Timedelta(milliseconds=1))}ms"


class FluxSource:
    """A Source (generator/sources/base.py) reading an InfluxDB 2.x bucket with Flux."""

    kind = "flux"

    def __init__(self, url: str, token: str, org: str, bucket: str, provider: Provider,
                 measurement: str = "heatpump", tag: str = "name", field: str = "value", timeout_s: float = 10.0):
        from influxdb_client import (
            InfluxDBClient,  # late: only flux installs pay the import
        )

        self.url = url
        self._token = token
        self.provider = provider
        self.plan: RawPlan = plan_for(provider, tag)
        self.tag = tag
        self._bucket = flux_string(bucket)
        self._m = flux_string(measurement)
        self._f = flux_string(field)
        self._t = flux_string(tag)
        self._names = {raw: flux_string(raw) for raw in self.plan.all}
        self.org = org
        self.bucket = bucket
        self.query_count = 0
        self._client = InfluxDBClient(url=url, token=token, org=org, timeout=int(timeout_s * 1000), retries=False)
        self._api = self._client.query_api()

    # --- script parts ----------------------------------------------------------------------------------
    def _from(self, start: str, stop: str, raws: Iterable[str]) -> str:
        names = " or ".join(f"r[{self._t}] == {self._names[r]}" for r in raws)
        return (f"from(bucket: {self._bucket})\n  |> range(start: {start}, stop: {stop})\n"
                f"  |> filter(fn: (r) => r._measurement == {self._m} and r._field == {self._f} and ({names}))")

    def _window(self, window: Window, start: pd.Timestamp, fn: str) -> str:
        if window.calendar_days:
            every = f"every: 1d, location: timezone.location(name: {flux_string(window.tz)})"
        else:
            step = pd.Timedelta(window.bucket)
            offset = pd.Timedelta(to_ms(start) % int(step / pd.Timedelta(milliseconds=1)), unit="ms")
            every = f"every: {flux_duration(step)}, offset: {flux_duration(offset)}"
        return f"  |> aggregateWindow({every}, fn: {fn}, createEmpty: false, timeSrc: \"_start\")"

    def _keep(self, name: str) -> str:
        return f"  |> keep(columns: [\"_time\", \"_value\", {self._t}])\n  |> yield(name: {flux_string(name)})"

    def _changes_parts(self, raws: Sequence[str], start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
        return [
            f"{self._from(f'{flux_time(start)}', flux_time(end), raws)}\n"
            f"  |> duplicate(column: \"_value\", as: \"level\")\n"
            f"  |> difference(columns: [\"_value\"], keepFirst: true)\n"
            f"  |> filter(fn: (r) => not exists r._value or float(v: r._value) != 0.0)\n"
            f"  |> drop(columns: [\"_value\"])\n  |> rename(columns: {{level: \"_value\"}})\n{self._keep('changes')}",
            f"{self._from(f'{flux_time(start - BEFORE_LOOKBACK)}', flux_time(start), raws)}\n"
            f"  |> last()\n{self._keep('before')}",
        ]

    def _held_part(self) -> str:
        return (f"schema.tagValues(bucket: {self._bucket}, tag: {self._t}, "
                f"predicate: (r) => r._measurement == {self._m}, start: {EPOCH})\n  |> yield(name: \"held\")")

    # --- running -----------------------------------------------------------------------------------------
    def _run(self, parts: Sequence[str], imports: Sequence[str] = ()) -> dict[str, dict[str, list[tuple[int, float]]]]:
        """{yield name: {raw: [(ms, value), ...]}}; the "held" yield maps each name to []."""
        script = "".join(f"import {flux_string(i)}\n" for i in imports) + "\n\n".join(parts)
        self.query_count += 1
        try:
            tables = self._api.query(script, org=self.org)
        except Exception as exc:  # noqa: BLE001 — the client raises many types; all mean "source failed"
            raise self._error(exc) from None
        out: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
        try:
            for table in tables:
                for record in table.records:
                    values = record.values
                    result = str(values.get("result", "_result"))
                    if result == "held":
                        out[result][str(values["_value"])]
                        continue
                    raw = values.get(self.tag)
                    if raw is None or values.get("_value") is None:
                        continue
                    t = pd.Timestamp(values["_time"])
                    out[result][str(raw)].append((to_ms(t), float(values["_value"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._fail(f"InfluxDB at {self._safe_url()} sent an answer that is not the expected Flux table "
                             f"({type(exc).__name__}); check source.url") from None
        return out

    def _safe_url(self) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"

    def _fail(self, message: str) -> SourceError:
        return SourceError(scrub(message, [self._token]))

    def _error(self, exc: Exception) -> SourceError:
        where = f"InfluxDB at {self._safe_url()}"
        status = getattr(exc, "status", None)
        body = str(getattr(exc, "body", "") or "")
        message = ""
        try:
            import json

            message = str(json.loads(body).get("message", ""))[:300] if body else ""
        except ValueError:
            message = body[:300]
        if status in (401, 403):
            return self._fail(f"{where} refused the token (HTTP {status}); check source.token or source.token_file "
                              "and that the token may read the bucket")
        if status == 404:
            return self._fail(f"{where}: not found (HTTP 404{': ' + message if message else ''}); "
                              "check source.bucket, source.org and source.url")
        if status is not None and status >= 400:
            return self._fail(f"{where} answered HTTP {status}{': ' + message if message else ''}")
        name = type(exc).__name__
        text = str(exc)
        if "timed out" in text.lower() or "timeout" in name.lower():
            return self._fail(f"{where} did not answer in time; check the server's load or raise source.timeout_s")
        if any(k in name for k in ("MaxRetry", "NewConnection", "Connection", "Protocol")) or isinstance(exc, OSError):
            return self._fail(f"cannot reach {where}; check source.url and that InfluxDB is running")
        return self._fail(f"{where}: query failed ({name}); check source.url")

    # --- Source ------------------------------------------------------------------------------------------
    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        plan = self.plan
        edges = window.edges()
        start, stop = flux_time(edges[0]), flux_time(edges[-1])
        parts = [self._held_part()]
        if plan.mean:
            parts.append(f"{self._from(start, stop, plan.mean)}\n{self._window(window, edges[0], 'mean')}\n{self._keep('mean')}")
            if bands:
                for which in ("min", "max"):
                    parts.append(f"{self._from(start, stop, plan.mean)}\n{self._window(window, edges[0], which)}\n"
                                 f"{self._keep(which)}")
        if plan.time_weighted:
            fn = "(tables=<-, column) => tables |> timeWeightedAvg(unit: 1s)"
            parts.append(f"{self._from(start, stop, plan.time_weighted)}\n{self._window(window, edges[0], fn)}\n"
                         f"{self._keep('time_weighted')}")
        if plan.shares:
            parts.append(f"{self._from(start, stop, plan.shares)}\n{self._window(window, edges[0], 'count')}\n"
                         f"{self._keep('presence')}")
            parts += self._changes_parts(plan.shares, edges[0], edges[-1])
        if plan.last:
            parts.append(f"{self._from(start, stop, plan.last)}\n{self._window(window, edges[0], 'last')}\n{self._keep('last')}")
        imports = ["influxdata/influxdb/schema"] + (["timezone"] if window.calendar_days else [])
        got = self._run(parts, imports)
        held = set(got.get("held", {}))

        def placed(result: str, raw: str) -> np.ndarray:
            return place(dict(got.get(result, {}).get(raw, [])), edges)

        raw_columns: dict[str, np.ndarray] = {}
        for raw in plan.mean:
            if raw in held:
                raw_columns[raw] = placed("mean", raw)
                if bands:
                    for which in ("min", "max"):
                        raw_columns[band_column(raw, which)] = placed(which, raw)
        for raw in plan.time_weighted:
            if raw in held:
                raw_columns[raw] = placed("time_weighted", raw)
        if plan.shares:
            changes = self._changes_from(got, plan.shares, edges[0])
            for raw in plan.shares:
                if raw not in held:
                    continue
                present = placed("presence", raw) > 0
                for share in plan.share_columns[raw]:
                    values = shares_from_changes(changes.get(raw, pd.Series(dtype=float)), edges, share)
                    raw_columns[share.column] = np.where(present, values, np.nan)
        for raw in plan.last:
            if raw in held:
                raw_columns[raw] = placed("last", raw)
        index = pd.DatetimeIndex(edges[:-1])
        frame = pd.DataFrame(raw_columns, index=index, dtype=float)
        return canonical_frame(self.provider, self.tag, frame, bands).reindex(index)

    def _changes_from(self, got: dict[str, Any], raws: Sequence[str], start: pd.Timestamp) -> dict[str, pd.Series]:
        out: dict[str, pd.Series] = {}
        for raw in raws:
            before = got.get("before", {}).get(raw, [])
            rows = sorted(got.get("changes", {}).get(raw, []))
            times = [to_ms(start)]
            if before:
                values = [before[-1][1]]
            elif rows:
                values = [rows[0][1]]
            else:
                out[raw] = pd.Series(dtype=float)
                continue
            for ms, v in rows:
                if v != values[-1]:
                    times.append(max(ms, times[0]))
                    values.append(v)
            index = pd.DatetimeIndex(pd.to_datetime(np.asarray(times, dtype="int64"), unit="ms", utc=True))
            series = pd.Series(values, index=index, dtype=float)
            out[raw] = series[~series.index.duplicated(keep="last")]
        return out

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        raws = [r for r in raws_for_metrics(self.provider, self.tag, metrics) if r in self._names]
        if not raws:
            return {}
        got = self._run(self._changes_parts(raws, window.start, window.end))
        return canonical_changes(self.provider, self.tag, self._changes_from(got, raws, window.start),
                                 metrics, window.start)

    def latest(self) -> Latest:
        # From the epoch on: a collector that stopped long ago must show as old data, not as none.
        got = self._run([f"{self._from(EPOCH, 'now()', self.plan.all)}\n  |> last()\n{self._keep('latest')}"])
        last = {raw: max(points) for raw, points in got.get("latest", {}).items() if points}
        return canonical_latest(self.provider, self.tag, last)

    def held_names(self) -> list[str]:
        return sorted(self._run([self._held_part()], ["influxdata/influxdb/schema"]).get("held", {}))

    def close(self) -> None:
        self._client.close()
