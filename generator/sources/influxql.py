"""The `influxql` source: InfluxQL over HTTP `/query` (InfluxDB 1.x, 2.x v1 compatibility API, 3.x).

Each method sends one HTTP request holding a few `;`-separated statements, all reduced in the database;
query_count counts those requests.  Names enter statements only through generator/sources/quoting.py.
What is asked, and why, is in docs/data-layer.md; the answer becomes frames in rawplan.assemble().

Held values need, per series, the intervals between consecutive samples.  InfluxQL gives them with three
transformations on the raw points of each series: DIFFERENCE (d = vᵢ − vᵢ₋₁), ELAPSED (dt = tᵢ − tᵢ₋₁) and
MOVING_AVERAGE over two points (ma = (vᵢ + vᵢ₋₁)/2), so the earlier value is ma − d/2.  Short intervals are
summed per bucket in the database; long ones come back as rows.

Data we did not write is read defensively (docs/data-layer.md, "Data quality"): the field is read as
`::float`, so a shard where it holds text contributes nothing instead of failing the query; values beyond
±ABSURD and samples stamped after the database's clock (beyond FUTURE_TOLERANCE) are left out of every
statement; each name is read from one series (series_choice.py).  What was left out is counted per bucket
into quality columns, so the page can say so.

Why over 300 lines: the statements and the reading of their answers belong together (as in flux.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from generator.core.errors import Problem
from generator.core.ranges import Window
from generator.sources import hold, rawplan
from generator.sources.base import Latest
from generator.sources.fold import refuse_months
from generator.sources.influxql_client import (
    Connection,
    InfluxQLClient,
    column,
    series_by_tag,
)
from generator.sources.quoting import (
    duration_literal,
    quote_ident,
    quote_string,
    time_literal,
)
from generator.sources.series_choice import Candidate, Choice, choose
from providers.model import Provider

__all__ = ["Connection", "InfluxQLSource"]

DEFAULT_MAX_GAP_S = 900.0
ABSURD = "1000000000000.0"        # ±10¹²: beyond any heat-pump reading; InfluxQL reads no 1e12 literal
FUTURE_TOLERANCE = "1m"           # a collector's clock may run this far ahead of the database's


class InfluxQLSource:
    """A Source (generator/sources/base.py) reading InfluxDB through InfluxQL."""

    kind = "influxql"

    def __init__(self, conn: Connection, provider: Provider, measurement: str = "heatpump",
                 tag: str = "name", field: str = "value", max_gap_s: float = DEFAULT_MAX_GAP_S,
                 provider_tag: str | None = None, pinned: Mapping[str, str] | None = None):
        """`tag` is the database's tag that holds the raw names; `provider_tag` the provider's tag they are
        mapped under (default: the same); `pinned` tags every series read must have besides (an owner's
        own series: generator/sources/composite.py)."""
        self.client = InfluxQLClient(conn)
        self.provider = provider
        self.plan: rawplan.RawPlan = rawplan.plan_for(provider, provider_tag or tag)
        self._pinned = dict(pinned or {})
        self.tag = tag
        self.measurement = measurement
        self.field = field
        self.max_gap_s = float(max_gap_s)
        # Quote once; a bad name fails here, at start-up, not inside a query.
        self._m = (f"{quote_ident(conn.retention_policy)}." if conn.retention_policy else "") + quote_ident(measurement)
        self._t = quote_ident(tag)
        self._fv = quote_ident(field)
        self._f = f"{self._fv}::float"   # a shard where the field holds text gives nothing, not an error
        for raw in self.plan.all:
            quote_string(raw)
        self._choice: Choice | None = None   # set by latest(): which series each name is read from

    @property
    def query_count(self) -> int:
        return self.client.requests

    # --- statement builders --------------------------------------------------------------------------
    def _where(self, raws: Iterable[str], start: pd.Timestamp | None, end: pd.Timestamp | None,
               sane: bool = True, chosen: bool = True) -> str:
        """The raws (each from its chosen series unless `chosen` is False), the time range, and unless
        `sane` is False only values within ±ABSURD and no sample stamped in the future."""
        only = self._choice.only if self._choice and chosen else {}
        names = " OR ".join(self._one_series(r, {**self._pinned, **only.get(r, {})}) for r in raws)
        parts = [f"({names})"]
        if start is not None:
            parts.append(f"time >= {time_literal(start)}")
        if end is not None:
            parts.append(f"time < {time_literal(end)}")
        if sane:
            parts += [f"time <= now() + {FUTURE_TOLERANCE}", f"{self._fv} > -{ABSURD}", f"{self._fv} < {ABSURD}"]
        return " AND ".join(parts)

    def _one_series(self, raw: str, only: dict[str, str] | None) -> str:
        tags = [f"{self._t} = {quote_string(raw)}"] + [f"{quote_ident(k)} = {quote_string(v)}"
                                                       for k, v in (only or {}).items()]
        return f"({' AND '.join(tags)})" if len(tags) > 1 else tags[0]

    def _group(self, window: Window) -> str:
        if window.calendar_days:  # local days: InfluxDB aligns 1d buckets to local midnight
            return f"GROUP BY time(1d), {self._t} fill(none) tz({quote_string(window.tz)})"
        step = pd.Timedelta(window.bucket)
        offset = pd.Timedelta(rawplan.to_ms(window.start) % int(step / pd.Timedelta(milliseconds=1)), unit="ms")
        return f"GROUP BY time({duration_literal(step)}, {duration_literal(offset)}), {self._t} fill(none)"

    def _intervals(self, raws: Sequence[str], window: Window) -> str:
        """Per point of each series: d, dt (ms) and ma — the subquery every interval statement reads."""
        f = self._f
        return (f"SELECT DIFFERENCE({f}) AS \"d\", ELAPSED({f}, 1ms) AS \"dt\", MOVING_AVERAGE({f}, 2) AS \"ma\" "
                f"FROM {self._m} WHERE {self._where(raws, window.start, window.end)} GROUP BY {self._t}")

    def _interval_statements(self, raws: Sequence[str], window: Window, short_ms: int, counters: bool) -> list[str]:
        """Per bucket Σ v·dt, Σ dt, Σ d over the short intervals; every long interval as a row.  For counters
        a drop (a reset) is a row too, so its increase can be taken as the new value."""
        inner = self._intervals(raws, window)
        time_range = f"time >= {time_literal(window.start)} AND time < {time_literal(window.end)}"
        short = f"\"dt\" <= {short_ms}" + (" AND \"d\" >= 0" if counters else "")
        long = f"\"dt\" > {short_ms}" + (" OR \"d\" < 0" if counters else "")
        return [
            f"SELECT SUM(\"h\") AS \"h\", SUM(\"dt\") AS \"dt\", SUM(\"d\") AS \"d\" FROM "
            f"(SELECT (\"ma\" - \"d\" / 2) * \"dt\" AS \"h\", \"dt\", \"d\" FROM ({inner}) WHERE {short}) "
            f"WHERE {time_range} {self._group(window)}",
            f"SELECT \"ma\" - \"d\" / 2 AS \"v\", \"dt\", \"d\" FROM ({inner}) WHERE {long} GROUP BY {self._t}",
        ]

    def _anchor_statements(self, raws: Sequence[str], start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
        return [f"SELECT {q.pick.upper()}({self._f}) FROM {self._m} WHERE {self._where(raws, q.start, q.end)} "
                f"GROUP BY {self._t}" for q in rawplan.anchor_queries(start, end)]

    def _change_statement(self, raws: Sequence[str], start: pd.Timestamp, end: pd.Timestamp) -> str:
        """Every non-zero DIFFERENCE(): with the anchors, the value changes of enumerations and states."""
        return (f"SELECT \"d\" FROM (SELECT DIFFERENCE({self._f}) AS \"d\" FROM {self._m} WHERE "
                f"{self._where(raws, start, end)} GROUP BY {self._t}) WHERE \"d\" <> 0 GROUP BY {self._t}")

    def _silence_statement(self, raws: Sequence[str], window: Window) -> str:
        """Where no series at all had a sample for longer than the limit (one merged stream, no GROUP BY)."""
        return (f"SELECT \"dt\" FROM (SELECT ELAPSED({self._f}, 1ms) AS \"dt\" FROM {self._m} WHERE "
                f"{self._where(raws, window.start, window.end)}) WHERE \"dt\" > {int(self.max_gap_s * 1000)}")

    def _held_statement(self, tag: str | None = None) -> str:
        return f"SHOW TAG VALUES FROM {self._m} WITH KEY = {quote_ident(tag) if tag else self._t}"

    # --- Source ---------------------------------------------------------------------------------------
    def _quality_statements(self, raws: Sequence[str], window: Window) -> dict[str, str]:
        """Per bucket and series: samples holding text, and values beyond ±ABSURD (both left out above)."""
        where = self._where(raws, window.start, window.end, sane=False)
        return {
            "text_values": f"SELECT COUNT({self._fv}::string) AS \"n\" FROM {self._m} WHERE {where} {self._group(window)}",
            "absurd_values": f"SELECT COUNT({self._f}) AS \"n\" FROM {self._m} WHERE {where} AND "
                             f"({self._fv} >= {ABSURD} OR {self._fv} <= -{ABSURD}) {self._group(window)}",
        }

    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        refuse_months(window)
        if self._choice is None:
            self._newest()
        plan, f = self.plan, self._f
        short_ms = hold.short_interval_ms(window, self.max_gap_s)
        everything = plan.all
        statements: dict[str, str] = {"held": self._held_statement(), **self._quality_statements(everything, window)}
        for i, stmt in enumerate(self._anchor_statements(everything, window.start, window.end)):
            statements[f"anchor{i}"] = stmt
        statements["silence"] = self._silence_statement(everything, window)
        if plan.hold:
            statements["hold_sums"], statements["hold_rows"] = self._interval_statements(plan.hold, window, short_ms, False)
        if plan.increase:
            statements["count_sums"], statements["count_rows"] = self._interval_statements(plan.increase, window,
                                                                                           short_ms, True)
        if bands and plan.bands:
            statements["bands"] = (f"SELECT MIN({f}) AS \"min\", MAX({f}) AS \"max\" FROM {self._m} WHERE "
                                   f"{self._where(plan.bands, window.start, window.end)} {self._group(window)}")
        if plan.last:
            statements["last"] = (f"SELECT LAST({f}) AS \"last\" FROM {self._m} WHERE "
                                  f"{self._where(plan.last, window.start, window.end)} {self._group(window)}")
        if plan.shares:
            statements["changes"] = self._change_statement(plan.shares, window.start, window.end)
        results = dict(zip(statements, self.client.query(list(statements.values()))))

        answer = rawplan.WindowAnswer(self._held(results["held"]))
        anchors = self._anchors(results)
        answer.collector = _collector(anchors, results["silence"])
        for key, raws in (("hold", plan.hold), ("count", plan.increase)):
            if raws:
                self._read_intervals(answer, raws, anchors, results[f"{key}_sums"], results[f"{key}_rows"])
        if "bands" in results:
            for name, (cols, rows) in series_by_tag(results["bands"], self.tag).items():
                lows, highs = column(rows, cols, "min"), column(rows, cols, "max")
                answer.bands[name] = {t: (lows[t], highs.get(t, lows[t])) for t in lows}
        if "last" in results:
            answer.last = {name: column(rows, cols, "last")
                           for name, (cols, rows) in series_by_tag(results["last"], self.tag).items()}
        if plan.shares:
            answer.changes = self._changes(plan.shares, anchors, results["changes"], window.start)
        for kind in rawplan.QUALITY_KINDS:
            answer.quality[kind] = {name: {int(t): float(n) for t, n in column(rows, cols, "n").items() if n}
                                    for name, (cols, rows) in series_by_tag(results[kind], self.tag).items()}
        return rawplan.assemble(self.provider, plan, window, answer, bands, self.max_gap_s)

    def _held(self, result: dict[str, Any]) -> set[str]:
        held: set[str] = set()
        for series in result.get("series", ()):
            held.update(str(row[1]) for row in series.get("values") or [])
        return held

    def _anchors(self, results: dict[str, Any]) -> dict[str, hold.Anchors]:
        found: list[dict[str, tuple[int, float]]] = []
        for i in range(4):
            points: dict[str, tuple[int, float]] = {}
            for name, (cols, rows) in series_by_tag(results[f"anchor{i}"], self.tag).items():
                if rows and rows[0][1] is not None:
                    points[name] = (int(rows[0][0]), float(rows[0][1]))
            found.append(points)
        before, first, last, after = found
        return {name: hold.Anchors(before.get(name), first.get(name), last.get(name), after.get(name))
                for name in set(before) | set(first) | set(last) | set(after)}

    def _read_intervals(self, answer: rawplan.WindowAnswer, raws: Sequence[str], anchors: dict[str, hold.Anchors],
                        sums: dict[str, Any], rows: dict[str, Any]) -> None:
        by_sum = series_by_tag(sums, self.tag)
        by_row = series_by_tag(rows, self.tag)
        for name in raws:
            got = hold.SeriesAnswer(anchors.get(name, hold.Anchors()))
            cols, values = by_sum.get(name, (["time", "h", "dt", "d"], []))
            ih, idt, id_ = cols.index("h"), cols.index("dt"), cols.index("d")
            got.sums = {int(r[0]): (float(r[ih] or 0.0), float(r[idt] or 0.0), float(r[id_] or 0.0))
                        for r in values if r[idt] is not None}
            cols, values = by_row.get(name, (["time", "v", "dt", "d"], []))
            iv, idt, id_ = cols.index("v"), cols.index("dt"), cols.index("d")
            got.long = [hold.LongInterval(int(r[0]), float(r[idt]), float(r[iv]), hold.reset_aware(float(r[iv]), float(r[id_])))
                        for r in values if None not in (r[iv], r[idt], r[id_])]
            answer.series[name] = got

    def _changes(self, raws: Sequence[str], anchors: dict[str, hold.Anchors], result: dict[str, Any],
                 start: pd.Timestamp) -> dict[str, pd.Series]:
        diffs = series_by_tag(result, self.tag)
        out: dict[str, pd.Series] = {}
        for name in raws:
            a = anchors.get(name, hold.Anchors())
            d = diffs.get(name)
            rows = [(int(r[0]), float(r[1])) for r in (d[1] if d else []) if r[1] is not None]
            out[name] = rawplan.changes_from_differences(start, a.before[1] if a.before else None, a.first, rows)
        return out

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        raws = [r for r in rawplan.state_raws(self.provider, self.plan.tag, metrics) if r in set(self.plan.all)]
        if not raws:
            return {}
        statements = self._anchor_statements(raws, window.start, window.end)[:2]
        statements.append(self._change_statement(raws, window.start, window.end))
        before, first, diffs = self.client.query(statements)
        anchors = self._anchors({"anchor0": before, "anchor1": first, "anchor2": {}, "anchor3": {}})
        raw_changes = self._changes(raws, anchors, diffs, window.start)
        return rawplan.canonical_changes(self.provider, self.plan.tag, raw_changes, metrics, window.start)

    def _newest_statement(self) -> str:
        """Every series' newest sample, all tags kept apart (GROUP BY *); no lower time bound: a collector
        that stopped long ago must show as old data, not as none."""
        return (f"SELECT LAST({self._f}) FROM {self._m} WHERE {self._where(self.plan.all, None, None, chosen=False)} "
                "GROUP BY *")

    def _choose(self, result: dict[str, Any]) -> dict[str, tuple[int, float]]:
        """Choose each name's series from its newest samples; the newest sample of each chosen one."""
        candidates: dict[str, list[tuple[Candidate, float]]] = {}
        for series in result.get("series", ()):
            tags = series.get("tags") or {}
            rows = series.get("values") or []
            if tags.get(self.tag) is not None and rows and rows[0][1] is not None:
                candidates.setdefault(tags[self.tag], []).append((Candidate(tags, int(rows[0][0])), float(rows[0][1])))
        self._choice = choose({n: [c for c, _ in found] for n, found in candidates.items()}, self.tag)
        return {name: max(((c.newest_ms, v) for c, v in found
                           if all(c.tags.get(k, "") == want for k, want in self._choice.only.get(name, {}).items())))
                for name, found in candidates.items()}

    def _newest(self) -> dict[str, tuple[int, float]]:
        (result,) = self.client.query([self._newest_statement()])
        return self._choose(result)

    def latest(self) -> Latest:
        newest = self._newest_statement()
        future = (f"SELECT COUNT({self._f}) AS \"n\" FROM {self._m} WHERE "
                  f"{self._where(self.plan.all, None, None, sane=False)} AND time > now() + {FUTURE_TOLERANCE} "
                  f"GROUP BY {self._t}")
        result, ahead = self.client.query([newest, future])
        last = self._choose(result)
        if not last:
            raise rawplan.nothing_maps(self.held_names(), self.measurement, self.tag, self.provider.name,
                                       f"database {self.client.conn.database!r}")
        assert self._choice is not None
        counts = _future_counts(ahead, self.tag)
        return replace(rawplan.canonical_latest(self.provider, self.plan.tag, last, counts),
                       quality=self._choice.problems + tuple(_future_problems(counts, self.tag)))

    def ping(self) -> bool:
        return self.client.ping()

    def close(self) -> None:
        """Connections are not kept open between requests."""

    # --- used by the doctor ---------------------------------------------------------------------------
    def held_names(self, tag: str | None = None) -> list[str]:
        """The values of `tag` (default: source.tag) in the measurement: the raw names it holds."""
        (result,) = self.client.query([self._held_statement(tag)])
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


def _collector(anchors: dict[str, hold.Anchors], silence: dict[str, Any]) -> rawplan.Collector:
    """When any series was heard: from every series' anchors and the merged silence rows."""
    befores = [a.before[0] for a in anchors.values() if a.before]
    firsts = [a.first[0] for a in anchors.values() if a.first]
    lasts = [a.last[0] for a in anchors.values() if a.last]
    gaps = [(int(r[0]), float(r[1])) for s in silence.get("series", ()) for r in s.get("values") or []
            if r[1] is not None]
    return rawplan.Collector(max(befores) if befores else None, min(firsts) if firsts else None,
                     max(lasts) if lasts else None, gaps)


def _future_counts(result: dict[str, Any], tag: str) -> dict[str, int]:
    """Per raw series, its samples stamped later than the database's clock allows."""
    counts = {name: int(sum(r[cols.index("n")] or 0 for r in rows))
              for name, (cols, rows) in series_by_tag(result, tag).items()}
    return {name: n for name, n in counts.items() if n}


def _future_problems(counts: dict[str, int], tag: str) -> list[Problem]:
    out = []
    for name, count in sorted(counts.items()):
        if count:
            out.append(Problem("future_samples", f"{tag} {name!r} has {count} sample(s) stamped more than "
                               f"{FUTURE_TOLERANCE} after the database's clock; they are left out until their time "
                               "comes (check the collector's clock)", {"series": name, "count": count}))
    return out
