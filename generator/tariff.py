"""Electricity prices: which of the three is in force (a flat price, time-of-use periods from the config,
or an hourly price file the owner provides), the periods checked one line per problem, and the price file
read into a table of [start, end) intervals.  What a bucket costs is computed in
generator/analytics/cost.py; the formula and its limits are in docs/decisions.md ("Cost").

The price file has the shape the `nordpool` Python package and Home Assistant's Nord Pool integration
give each price: its start, its end and its value (docs/decisions.md, "Cost").
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.core.errors import Problem

if TYPE_CHECKING:
    import numpy as np

# numpy and pandas are imported where they are used: the config loads this module to check
# price.periods, and the sidecar, which loads the config, must not carry them (≈ 48 MB).

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_PERIODS = 50
MAX_PRICE = 100_000
MAX_FILE_BYTES = 20 * 1024 * 1024      # ten years of quarter hours is about 10 MB
TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
PERIOD_KEYS = ("from", "to", "days", "price")
FLAT, PERIODS, FILE = "flat", "periods", "file"


@dataclass(frozen=True)
class Period:
    start_min: int              # minutes after local midnight
    end_min: int                # exclusive; below start_min: the period runs past midnight
    days: frozenset[int]        # weekdays (0 = Monday) of the moment priced
    price: float

    def covers(self, minute: np.ndarray, weekday: np.ndarray) -> np.ndarray:
        import numpy as np
        if self.start_min < self.end_min:
            inside = (minute >= self.start_min) & (minute < self.end_min)
        else:
            inside = (minute >= self.start_min) | (minute < self.end_min)
        return inside & np.isin(weekday, list(self.days))


@dataclass(frozen=True)
class Tariff:
    """The price in force: `kind` flat (per_kwh always), periods (the first period that covers a moment,
    per_kwh otherwise) or file (the price file's interval, nothing outside it)."""

    kind: str = FLAT
    per_kwh: float = 1.5
    periods: tuple[Period, ...] = ()
    file: str | None = None
    file_divisor: float = 1.0   # 1000 when the file gives prices per MWh


def _minutes(text: str) -> int:
    match = TIME.match(text)
    assert match
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_periods(raw: Any, key: str = "price.periods") -> tuple[tuple[Period, ...], list[str]]:
    """The periods, and one 'key[i].field: what; fix' line per problem."""
    if raw is None or raw == []:
        return (), []
    if not isinstance(raw, list) or len(raw) > MAX_PERIODS:
        return (), [f"{key}: not a list of periods; use a list of 1 to {MAX_PERIODS} entries such as "
                    "{from: \"06:00\", to: \"22:00\", days: [mon, tue, wed, thu, fri], price: 1.8}"]
    periods, problems = [], []
    for i, entry in enumerate(raw):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: not a mapping; write {{from: \"06:00\", to: \"22:00\", price: 1.8}}")
            continue
        found = []
        for name in sorted(set(map(str, entry)) - set(PERIOD_KEYS)):
            found.append(f"{where}.{name}: unknown key; use only from, to, days and price")
        times = {}
        for name in ("from", "to"):
            value = entry.get(name)
            if not isinstance(value, str) or not TIME.match(value) or _minutes(value) > 24 * 60:
                found.append(f"{where}.{name}: {value!r} is not valid; give a local time \"HH:MM\" from \"00:00\" "
                             "to \"24:00\" in quotes (YAML reads 06:00 unquoted as a number)")
            else:
                times[name] = _minutes(value)
        if len(times) == 2 and times["from"] == times["to"]:
            found.append(f"{where}.to: equals from, a period of no time; for the whole day give "
                         "from \"00:00\" to \"24:00\"")
        days = entry.get("days", list(WEEKDAYS))
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            found.append(f"{where}.days: {days!r} is not valid; give a list of {', '.join(WEEKDAYS)}, "
                         "or leave it out for every day")
        price = entry.get("price")
        if isinstance(price, bool) or not isinstance(price, (int, float)) or not math.isfinite(price) \
                or not 0 <= price <= MAX_PRICE:
            found.append(f"{where}.price: {price!r} is not valid; use a number from 0 to {MAX_PRICE} "
                         "(per kWh in price.currency)")
        if "price" not in entry or "from" not in entry or "to" not in entry:
            found = [p for p in found if ": None is not valid" not in p]
            missing = [n for n in ("from", "to", "price") if n not in entry]
            found.append(f"{where}: {', '.join(missing)} missing; every period needs from, to and price")
        if found:
            problems += found
            continue
        periods.append(Period(times["from"], times["to"],
                              frozenset(WEEKDAYS.index(d) for d in days), float(price)))
    return tuple(periods), problems


def tariff_of(per_kwh: float, periods: Any, file: str | None, unit: str = "kWh") -> Tariff:
    """The tariff a validated configuration puts in force."""
    if file:
        return Tariff(FILE, per_kwh, (), file, 1000.0 if unit == "MWh" else 1.0)
    parsed, _ = parse_periods(periods)
    return Tariff(PERIODS if parsed else FLAT, per_kwh, parsed)


# --- the price file --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PriceTable:
    """The file's prices as intervals: start and end (UTC, ns since the epoch), sorted, and the price per kWh."""

    starts: np.ndarray
    ends: np.ndarray
    prices: np.ndarray

    def at(self, instants: np.ndarray) -> np.ndarray:
        """The price at each instant (ns since the epoch); NaN where no interval of the file holds it."""
        import numpy as np
        i = np.searchsorted(self.starts, instants, side="right") - 1
        inside = (i >= 0) & (instants < self.ends[np.clip(i, 0, None)])
        return np.where(inside, self.prices[np.clip(i, 0, None)], np.nan)


def unreadable(path: str, reason: str) -> Problem:
    return Problem("price_file_unreadable", f"price file {path}: {reason}; no cost is shown until it is fixed "
                   "(docs/decisions.md, Cost)", {"path": path, "reason": reason})


_cache: dict[str, tuple[tuple[int, int], PriceTable | Problem]] = {}


def read_price_file(path: str, divisor: float = 1.0) -> PriceTable | Problem:
    """The price file as a table, or the one problem that says why it cannot be used.  Read again only when
    its size or modification time changed."""
    try:
        info = Path(path).stat()
    except OSError as exc:
        return unreadable(path, "not found" if isinstance(exc, FileNotFoundError)
                          else f"cannot read it ({exc.strerror or exc.__class__.__name__})")
    stamp = (info.st_mtime_ns, info.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    result = _read(path, info.st_size, divisor)
    _cache[path] = (stamp, result)
    return result


def _read(path: str, size: int, divisor: float) -> PriceTable | Problem:
    if size > MAX_FILE_BYTES:
        return unreadable(path, "larger than 20 MB; keep the prices of the years the dashboard shows")
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return unreadable(path, f"cannot read it ({exc.strerror or exc.__class__.__name__})")
    except UnicodeDecodeError:
        return unreadable(path, "not UTF-8 text; save it as UTF-8 CSV")
    return parse_price_csv(text, path, divisor)


def parse_price_csv(text: str, path: str, divisor: float = 1.0) -> PriceTable | Problem:
    """start,end,value rows (end optional; value may be called price); ISO 8601 times with their UTC offset."""
    import numpy as np
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return unreadable(path, "empty; give a header line start,end,value and one line per price")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().lower() for h in rows[0]]
    value_name = "value" if "value" in header else "price" if "price" in header else None
    if "start" not in header or value_name is None:
        return unreadable(path, "the header line must name the columns start and value (or price), e.g. "
                          "start,end,value")
    at_start, at_value = header.index("start"), header.index(value_name)
    at_end = header.index("end") if "end" in header else None
    starts, ends, prices = [], [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            start = _instant(row[at_start])
            end = _instant(row[at_end]) if at_end is not None and row[at_end].strip() else None
            cell = row[at_value].strip()
            price = float(cell.replace(",", ".") if delimiter == ";" else cell)
        except (IndexError, ValueError) as exc:
            return unreadable(path, f"line {number}: {exc if str(exc) else 'not start,end,value'}")
        if not math.isfinite(price):
            return unreadable(path, f"line {number}: the price {cell!r} is not a number")
        if end is not None and end <= start:
            return unreadable(path, f"line {number}: end is not after start")
        starts.append(start)
        ends.append(end)
        prices.append(price / divisor)
    if not starts:
        return unreadable(path, "holds no prices; give one line per hour (or quarter hour)")
    order = np.argsort(starts, kind="stable")
    s = np.asarray(starts, dtype=np.int64)[order]
    if np.any(np.diff(s) == 0):
        return unreadable(path, "a start time appears twice; keep one price per interval")
    step = int(np.diff(s).min()) if len(s) > 1 else 3_600_000_000_000
    step = min(step, 3_600_000_000_000)   # an interval without an end lasts the file's step, at most an hour
    e = np.asarray([x if x is not None else st + step for x, st in zip((ends[i] for i in order), s)], dtype=np.int64)
    if np.any(e[:-1] > s[1:]):
        return unreadable(path, "intervals overlap; give each interval once")
    return PriceTable(s, e, np.asarray(prices, dtype=float)[order])


def _instant(text: str) -> int:
    """ns since the epoch of an ISO 8601 time that carries its offset (2026-01-15T00:00:00+01:00, …Z)."""
    import pandas as pd
    text = text.strip()
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a time; write ISO 8601 with its offset, e.g. 2026-01-15T00:00:00+01:00") from None
    if ts is pd.NaT or ts.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset; write it with its offset, e.g. 2026-01-15T00:00:00+01:00 "
                         "(a local time is ambiguous when the clocks go back)")
    return int(ts.tz_convert("UTC").value)
