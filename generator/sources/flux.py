"""The `flux` source: an InfluxDB 2.x bucket read with Flux through influxdb-client.

Each method sends one Flux script whose parts end in named `yield`s, so a whole range is one request
(query_count counts requests).  It asks the same questions as the influxql source (docs/data-layer.md):
per series the intervals between consecutive samples, from duplicate → difference → elapsed, short ones
summed per bucket (aggregateWindow, fn: sum; local days through aggregateWindow's `location`) and long
ones as rows; each series' samples around the window; where the whole collector was silent; and for
enumerations and bit fields the value changes (difference() ≠ 0).  rawplan.assemble() does the rest.
Every name from configuration or a provider file enters the script as an escaped string literal.  No 2.x
server can be had here: the scripts are tested on recorded answers (tests/test_flux.py says what).

Why over 300 lines: the Flux scripts and the reading of their answers belong together.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Sequence

import pandas as pd

from generator.core.errors import SourceError, scrub
from generator.core.ranges import Window
from generator.sources import hold, rawplan
from generator.sources.base import Latest
from generator.sources.fold import refuse_months
from generator.sources.quoting import flux_duration, flux_string, flux_time
from providers.model import Provider

__all__ = ["FluxSource", "flux_string"]

EPOCH = "1970-01-01T00:00:00Z"
DEFAULT_MAX_GAP_S = 900.0
Points = dict[str, dict[str, list[tuple[int, float]]]]   # yield name -> raw -> [(ms, value)]


class FluxSource:
    """A Source (generator/sources/base.py) reading an InfluxDB 2.x bucket with Flux."""

    kind = "flux"

    def __init__(self, url: str, token: str, org: str, bucket: str, provider: Provider,
                 measurement: str = "heatpump", tag: str = "name", field: str = "value", timeout_s: float = 10.0,
                 max_gap_s: float = DEFAULT_MAX_GAP_S):
        from influxdb_client import (
            InfluxDBClient,  # late: only flux installs pay the import
        )

        self.url = url
        self._token = token
        self.provider = provider
        self.plan: rawplan.RawPlan = rawplan.plan_for(provider, tag)
        self.tag = tag
        self.max_gap_s = float(max_gap_s)
        self._bucket = flux_string(bucket)
        self._m = flux_string(measurement)
        self._measurement = measurement
        self._f = flux_string(field)
        self._t = flux_string(tag)
        self._names = {raw: flux_string(raw) for raw in self.plan.all}
        self.org = org
        self.bucket = bucket
        self.query_count = 0
        self._timeout_s = timeout_s
        self._client = InfluxDBClient(url=url, token=token, org=org, timeout=int(timeout_s * 1000), retries=False)
        self._api = self._client.query_api()

    # --- script parts ----------------------------------------------------------------------------------
    def _from(self, start: pd.Timestamp | str, stop: pd.Timestamp | str, raws: Iterable[str]) -> str:
        names = " or ".join(f"r[{self._t}] == {self._names[r]}" for r in raws)
        a = start if isinstance(start, str) else flux_time(start)
        b = stop if isinstance(stop, str) else flux_time(stop)
        return (f"from(bucket: {self._bucket})\n  |> range(start: {a}, stop: {b})\n"
                f"  |> filter(fn: (r) => r._measurement == {self._m} and r._field == {self._f} and ({names}))")

    def _window(self, window: Window, fn: str) -> str:
        if window.calendar_days:
            every = f"every: 1d, location: timezone.location(name: {flux_string(window.tz)})"
        else:
            step = pd.Timedelta(window.bucket)
            offset = pd.Timedelta(rawplan.to_ms(window.start) % int(step / pd.Timedelta(milliseconds=1)), unit="ms")
            every = f"every: {flux_duration(step)}, offset: {flux_duration(offset)}"
        return f"  |> aggregateWindow({every}, fn: {fn}, createEmpty: false, timeSrc: \"_start\")"

    def _keep(self, name: str, tagged: bool = True) -> str:
        columns = f"[\"_time\", \"_value\", {self._t}]" if tagged else "[\"_time\", \"_value\"]"
        return f"  |> keep(columns: {columns})\n  |> yield(name: {flux_string(name)})"

    def _interval_parts(self, prefix: str, raws: Sequence[str], window: Window, short_ms: int,
                        counters: bool) -> list[str]:
        """Per point: d, dt (ms) and the earlier value; short intervals summed per bucket, long ones as rows."""
        stream = f"{prefix}_iv"
        short = f"r.dt <= {short_ms}" + (" and r.d >= 0.0" if counters else "")
        long = f"r.dt > {short_ms}" + (" or r.d < 0.0" if counters else "")
        parts = [f"{stream} = {self._from(window.start, window.end, raws)}\n"
                 f"  |> duplicate(column: \"_value\", as: \"v\")\n"
                 f"  |> difference(columns: [\"_value\"], keepFirst: true)\n"
                 f"  |> elapsed(unit: 1ms, columnName: \"dt\")\n"
                 f"  |> map(fn: (r) => ({{r with d: r._value, prev: r.v - r._value}}))"]
        for column, expression in (("h", "r.prev * float(v: r.dt)"), ("dt", "float(v: r.dt)"), ("d", "r.d")):
            parts.append(f"{stream}\n  |> filter(fn: (r) => {short})\n"
                         f"  |> map(fn: (r) => ({{r with _value: {expression}}}))\n"
                         f"{self._window(window, 'sum')}\n{self._keep(f'{prefix}_sum_{column}')}")
        for column, expression in (("v", "r.prev"), ("dt", "float(v: r.dt)"), ("d", "r.d")):
            parts.append(f"{stream}\n  |> filter(fn: (r) => {long})\n"
                         f"  |> map(fn: (r) => ({{r with _value: {expression}}}))\n{self._keep(f'{prefix}_row_{column}')}")
        return parts

    def _anchor_parts(self, raws: Sequence[str], start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
        return [f"{self._from(q.start, q.end, raws)}\n  |> {q.pick}()\n{self._keep(q.name)}"
                for q in rawplan.anchor_queries(start, end)]

    def _change_part(self, raws: Sequence[str], start: pd.Timestamp, end: pd.Timestamp) -> str:
        return (f"{self._from(start, end, raws)}\n"
                f"  |> duplicate(column: \"_value\", as: \"level\")\n"
                f"  |> difference(columns: [\"_value\"], keepFirst: true)\n"
                f"  |> filter(fn: (r) => not exists r._value or float(v: r._value) != 0.0)\n"
                f"  |> drop(columns: [\"_value\"])\n  |> rename(columns: {{level: \"_value\"}})\n{self._keep('changes')}")

    def _silence_part(self, raws: Sequence[str], window: Window) -> str:
        return (f"{self._from(window.start, window.end, raws)}\n  |> group()\n  |> sort(columns: [\"_time\"])\n"
                f"  |> elapsed(unit: 1ms, columnName: \"dt\")\n  |> filter(fn: (r) => r.dt > {int(self.max_gap_s * 1000)})\n"
                f"  |> map(fn: (r) => ({{r with _value: float(v: r.dt)}}))\n{self._keep('silence', tagged=False)}")

    def _held_part(self, tag: str | None = None) -> str:
        return (f"schema.tagValues(bucket: {self._bucket}, tag: {flux_string(tag) if tag else self._t}, "
                f"predicate: (r) => r._measurement == {self._m}, start: {EPOCH})\n  |> yield(name: \"held\")")

    # --- running -----------------------------------------------------------------------------------------
    def _run(self, parts: Sequence[str], imports: Sequence[str] = ()) -> Points:
        """{yield name: {raw: [(ms, value), ...]}}; the "held" yield maps each name to []; an untagged
        yield keys its rows by ""."""
        script = "".join(f"import {flux_string(i)}\n" for i in imports) + "\n\n".join(parts)
        self.query_count += 1
        try:
            tables = self._api.query(script, org=self.org)
        except Exception as exc:  # noqa: BLE001 — the client raises many types; all mean "source failed"
            raise self._error(exc) from None
        out: Points = defaultdict(lambda: defaultdict(list))
        try:
            for table in tables:
                for record in table.records:
                    values = record.values
                    result = str(values.get("result", "_result"))
                    if result == "held":
                        out[result][str(values["_value"])]
                        continue
                    if values.get("_value") is None:
                        continue
                    raw = values.get(self.tag)
                    t = pd.Timestamp(values["_time"])
                    out[result]["" if raw is None else str(raw)].append((rawplan.to_ms(t), float(values["_value"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._fail(f"InfluxDB at {self._safe_url()} sent an answer that is not the expected Flux table "
                             f"({type(exc).__name__}); check source.url", "bad_answer", url=self._safe_url()) from None
        return out

    def _safe_url(self) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"

    def _fail(self, message: str, code: str = "source_failed", **params: object) -> SourceError:
        return SourceError(scrub(message, [self._token]), code,
                           **{k: scrub(v, [self._token]) if isinstance(v, str) else v for k, v in params.items()})

    def _error(self, exc: Exception) -> SourceError:
        url = self._safe_url()
        where = f"InfluxDB at {url}"
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
                              "and that the token may read the bucket", "auth_refused", url=url)
        if status == 404:
            return self._fail(f"{where}: not found (HTTP 404{': ' + message if message else ''}); "
                              "check source.bucket, source.org and source.url", "not_found", url=url)
        if status is not None and status >= 400:
            return self._fail(f"{where} answered HTTP {status}{': ' + message if message else ''}", "http_error",
                              url=url, status=status)
        name = type(exc).__name__
        text = str(exc)
        if "timed out" in text.lower() or "timeout" in name.lower():
            return self._fail(f"{where} did not answer in time; check the server's load or raise source.timeout_s",
                              "timeout", url=url, seconds=self._timeout_s)
        if any(k in name for k in ("MaxRetry", "NewConnection", "Connection", "Protocol")) or isinstance(exc, OSError):
            return self._fail(f"cannot reach {where}; check source.url and that InfluxDB is running", "unreachable",
                              url=url)
        return self._fail(f"{where}: query failed ({name}); check source.url", "query_rejected", url=url)

    # --- Source ------------------------------------------------------------------------------------------
    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        refuse_months(window)
        plan = self.plan
        short_ms = hold.short_interval_ms(window, self.max_gap_s)
        parts = [self._held_part(), *self._anchor_parts(plan.all, window.start, window.end),
                 self._silence_part(plan.all, window)]
        if plan.hold:
            parts += self._interval_parts("hold", plan.hold, window, short_ms, counters=False)
        if plan.increase:
            parts += self._interval_parts("count", plan.increase, window, short_ms, counters=True)
        if bands and plan.bands:
            for which in ("min", "max"):
                parts.append(f"{self._from(window.start, window.end, plan.bands)}\n{self._window(window, which)}\n"
                             f"{self._keep(which)}")
        if plan.last:
            parts.append(f"{self._from(window.start, window.end, plan.last)}\n{self._window(window, 'last')}\n"
                         f"{self._keep('last')}")
        if plan.shares:
            parts.append(self._change_part(plan.shares, window.start, window.end))
        imports = ["influxdata/influxdb/schema"] + (["timezone"] if window.calendar_days else [])
        got = self._run(parts, imports)

        answer = rawplan.WindowAnswer(set(got.get("held", {})))
        anchors = _anchors(got)
        answer.collector = rawplan.Collector(
            max((a.before[0] for a in anchors.values() if a.before), default=None),
            min((a.first[0] for a in anchors.values() if a.first), default=None),
            max((a.last[0] for a in anchors.values() if a.last), default=None),
            [(ms, dt) for ms, dt in got.get("silence", {}).get("", [])])
        for prefix, raws in (("hold", plan.hold), ("count", plan.increase)):
            for raw in raws:
                answer.series[raw] = _series_answer(got, prefix, raw, anchors.get(raw, hold.Anchors()))
        if bands and plan.bands:
            for raw in plan.bands:
                lows, highs = dict(got.get("min", {}).get(raw, [])), dict(got.get("max", {}).get(raw, []))
                answer.bands[raw] = {t: (v, highs.get(t, v)) for t, v in lows.items()}
        answer.last = {raw: dict(points) for raw, points in got.get("last", {}).items()}
        if plan.shares:
            answer.changes = self._changes_from(got, plan.shares, anchors, window.start)
        return rawplan.assemble(self.provider, plan, window, answer, bands, self.max_gap_s)

    def _changes_from(self, got: Points, raws: Sequence[str], anchors: dict[str, hold.Anchors],
                      start: pd.Timestamp) -> dict[str, pd.Series]:
        out: dict[str, pd.Series] = {}
        for raw in raws:
            a = anchors.get(raw, hold.Anchors())
            rows = sorted(got.get("changes", {}).get(raw, []))
            if a.before is None and not rows:
                out[raw] = pd.Series(dtype=float)
                continue
            first = rows[0] if rows else None
            levels = [(ms, v) for ms, v in rows[1:]]
            diffs: list[tuple[int, float]] = []
            current = first[1] if first else None
            for ms, v in levels:  # the answer holds levels where the value changed; the helper wants steps
                if current is not None and v != current:
                    diffs.append((ms, v - current))
                current = v
            out[raw] = rawplan.changes_from_differences(start, a.before[1] if a.before else None, first, diffs)
        return out

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        raws = [r for r in rawplan.state_raws(self.provider, self.tag, metrics) if r in self._names]
        if not raws:
            return {}
        parts = self._anchor_parts(raws, window.start, window.end)[:2] + [self._change_part(raws, window.start, window.end)]
        got = self._run(parts)
        return rawplan.canonical_changes(self.provider, self.tag, self._changes_from(got, raws, _anchors(got), window.start),
                                 metrics, window.start)

    def latest(self) -> Latest:
        # From the epoch on: a collector that stopped long ago must show as old data, not as none.
        got = self._run([f"{self._from(EPOCH, 'now()', self.plan.all)}\n  |> last()\n{self._keep('latest')}"])
        last = {raw: max(points) for raw, points in got.get("latest", {}).items() if points}
        if not last:
            raise rawplan.nothing_maps(self.held_names(), self._measurement, self.tag, self.provider.name,
                                       f"bucket {self.bucket!r}")
        return rawplan.canonical_latest(self.provider, self.tag, last)

    def held_names(self, tag: str | None = None) -> list[str]:
        """The values of `tag` (default: source.tag) in the measurement: the raw names it holds."""
        return sorted(self._run([self._held_part(tag)], ["influxdata/influxdb/schema"]).get("held", {}))

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except Exception:  # noqa: BLE001 — a ping answers yes or no, whatever the client raises
            return False

    def close(self) -> None:
        self._client.close()


def _anchors(got: Points) -> dict[str, hold.Anchors]:
    def one(name: str, raw: str, pick: Any) -> tuple[int, float] | None:
        points = got.get(name, {}).get(raw, [])
        return pick(points) if points else None

    raws = set().union(*(got.get(n, {}) for n in ("before", "first", "last_sample", "after")))
    return {raw: hold.Anchors(one("before", raw, max), one("first", raw, min), one("last_sample", raw, max),
                              one("after", raw, min)) for raw in raws}


def _series_answer(got: Points, prefix: str, raw: str, anchors: hold.Anchors) -> hold.SeriesAnswer:
    """One series' sums and long rows from the yields <prefix>_sum_{h,dt,d} and <prefix>_row_{v,dt,d}."""
    def by_time(name: str) -> dict[int, float]:
        return dict(got.get(f"{prefix}_{name}", {}).get(raw, []))

    h, dt, d = by_time("sum_h"), by_time("sum_dt"), by_time("sum_d")
    sums = {t: (h.get(t, 0.0), dt[t], d.get(t, 0.0)) for t in dt}
    v, rdt, rd = by_time("row_v"), by_time("row_dt"), by_time("row_d")
    rows = [hold.LongInterval(t, rdt[t], v[t], hold.reset_aware(v[t], rd.get(t, 0.0))) for t in sorted(v) if t in rdt]
    return hold.SeriesAnswer(anchors, sums, rows)
