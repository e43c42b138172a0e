"""What an InfluxDB 2.x server would answer to the Flux scripts of generator/sources/flux.py, computed here
from samples held in memory, by the documented semantics of each Flux function the scripts use (range
[start, stop); first/last; duplicate → difference(keepFirst) → elapsed, which drops each table's first
row; aggregateWindow(fn: sum|min|max|last, createEmpty: false, timeSrc: "_start"), local days through
`location`; group() → sort → elapsed over every series at once; schema.tagValues).

No 2.x server can be had here, so this is how the Flux path is tested: on answers recorded from this
executor, against the same samples that a real influxd answers the InfluxQL source for."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

Samples = dict[str, list[tuple[int, float]]]    # raw name -> [(epoch ms, value)], sorted
Rows = dict[str, list[tuple[pd.Timestamp, float]]]

STRING = r'"((?:[^"\\]|\\.)*)"'


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def flux_ms(text: str) -> int:
    return int(pd.Timestamp(text).value // 1_000_000)


@dataclass
class Part:
    """One `from … |> yield` part, or a named stream it reads."""

    text: str
    start: int | None = None
    stop: int | None = None
    names: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "Part":
        part = cls(text)
        found = re.search(r"range\(start: ([^,]+), stop: ([^)]+)\)", text)
        if found:
            a, b = found.groups()
            part.start = 0 if a.startswith("1970") else flux_ms(a)
            part.stop = 2**62 if b == "now()" else flux_ms(b)
        part.names = tuple(unescape(name) for _, name in re.findall(r'r\[' + STRING + r'\] == ' + STRING, text))
        return part


def _windows(text: str, start: int, stop: int) -> np.ndarray:
    """Window starts of aggregateWindow in `text` that cover [start, stop)."""
    local = re.search(r'location: timezone.location\(name: ' + STRING + r'\)', text)
    if local:
        tz = unescape(local.group(1))
        first = pd.Timestamp(start, unit="ms", tz="UTC").tz_convert(tz).normalize()
        days = pd.date_range(first, pd.Timestamp(stop, unit="ms", tz="UTC").tz_convert(tz), freq="1D")
        return days.tz_convert("UTC").as_unit("ms").asi8
    every, offset = (int(x) for x in re.search(r"every: (\d+)ms, offset: (\d+)ms", text).groups())
    first = (start - offset) // every * every + offset
    return np.arange(first, stop + every, every, dtype=np.int64)


def _window_of(t: int, starts: np.ndarray) -> int:
    return int(starts[np.searchsorted(starts, t, side="right") - 1])


class Executor:
    def __init__(self, samples: Samples, tag: str = "name"):
        self.samples = {k: sorted(v) for k, v in samples.items()}
        self.tag = tag

    def _points(self, part: Part) -> dict[str, list[tuple[int, float]]]:
        return {n: [(t, v) for t, v in self.samples.get(n, []) if part.start <= t < part.stop] for n in part.names}

    def _intervals(self, part: Part) -> dict[str, list[tuple[int, float, float, float]]]:
        """(time, d, dt ms, earlier value) per point after each series' first: difference + elapsed."""
        out = {}
        for name, points in self._points(part).items():
            out[name] = [(t1, v1 - v0, float(t1 - t0), v0) for (t0, v0), (t1, v1) in zip(points, points[1:])]
        return out

    def answer(self, script: str) -> dict[str, Rows]:
        """{yield name: {tag value (or "" when untagged): [(time, value)]}}."""
        parts = [Part.parse(p) for p in script.split("\n\n")]
        streams = {re.match(r"(\w+) = ", p.text).group(1): p for p in parts if re.match(r"\w+ = from", p.text)}
        answers: dict[str, Rows] = {}
        for part in parts:
            named = re.search(r'yield\(name: ' + STRING + r'\)', part.text)
            if not named:
                continue
            name = unescape(named.group(1))
            answers[name] = self._yield(name, part, streams)
        return answers

    def _yield(self, name: str, part: Part, streams: dict[str, Part]) -> Rows:
        out: Rows = {}
        stamp = lambda ms: pd.Timestamp(ms, unit="ms", tz="UTC")  # noqa: E731
        if name == "held":
            return {raw: [] for raw in self.samples}
        if name in ("before", "last_sample", "latest", "first", "after"):
            pick = 0 if name in ("first", "after") else -1
            return {raw: [(stamp(p[pick][0]), p[pick][1])] for raw, p in self._points(part).items() if p}
        if name == "silence":
            merged = sorted(t for raw, points in self._points(part).items() for t, _ in points)
            limit = int(re.search(r"r.dt > (\d+)", part.text).group(1))
            return {"": [(stamp(b), float(b - a)) for a, b in zip(merged, merged[1:]) if b - a > limit]}
        if name == "changes":
            for raw, points in self._points(part).items():
                rows = [points[0]] + [(t, v) for (_, u), (t, v) in zip(points, points[1:]) if v != u] if points else []
                out[raw] = [(stamp(t), v) for t, v in rows]
            return out
        if name in ("min", "max", "last"):
            starts = _windows(part.text, part.start, part.stop)
            fn = {"min": min, "max": max}.get(name)
            for raw, points in self._points(part).items():
                by_window: dict[int, list[float]] = {}
                for t, v in points:
                    by_window.setdefault(_window_of(t, starts), []).append(v)
                out[raw] = [(stamp(w), fn(vs) if fn else vs[-1]) for w, vs in sorted(by_window.items())]
            return out
        prefix, kind, column = name.split("_")        # hold_sum_h, count_row_dt, …
        stream = streams[f"{prefix}_iv"]
        keep = _filter(part.text)
        intervals = {raw: [iv for iv in rows if keep(iv)] for raw, rows in self._intervals(stream).items()}
        value = {"h": lambda iv: iv[3] * iv[2], "dt": lambda iv: iv[2], "d": lambda iv: iv[1],
                 "v": lambda iv: iv[3]}[column]
        if kind == "row":
            return {raw: [(stamp(iv[0]), value(iv)) for iv in rows] for raw, rows in intervals.items()}
        starts = _windows(part.text, stream.start, stream.stop)
        for raw, rows in intervals.items():
            sums: dict[int, float] = {}
            for iv in rows:
                w = _window_of(iv[0], starts)
                sums[w] = sums.get(w, 0.0) + value(iv)
            out[raw] = [(stamp(w), v) for w, v in sorted(sums.items())]
        return out


def _filter(text: str):
    """The interval filter of a part: r.dt <= N [and r.d >= 0.0] or r.dt > N [or r.d < 0.0]."""
    found = re.search(r"filter\(fn: \(r\) => (r\.dt (<=|>) (\d+)(?: (and|or) r\.d (>=|<) 0\.0)?)\)", text)
    _, op, limit, joint, d_op = found.groups()
    limit = float(limit)

    def keep(iv: tuple[int, float, float, float]) -> bool:
        short = iv[2] <= limit if op == "<=" else iv[2] > limit
        if joint is None:
            return short
        d_ok = iv[1] >= 0 if d_op == ">=" else iv[1] < 0
        return (short and d_ok) if joint == "and" else (short or d_ok)
    return keep
