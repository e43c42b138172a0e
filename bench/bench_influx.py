"""Benchmark: every range on a real influxd holding 30 days of 10-second data for 15 metrics.

    .venv/bin/python bench/bench_influx.py [--days 30] [--step 10] [--no-check]

Starts its own influxd (Debian's influxdb 1.6.7) in a temp dir on free ports, loads line protocol in
batches of 50,000 lines, then times series(), state_changes() and latest() of the influxql source for
each range and prints the time and the points returned.  The target is under 1 s per range.

Then the closed-bucket cache (generator/sources/cached.py): per range a cold call (empty cache: the window
asked chunk by chunk) with its total time, number of requests and largest single request, then warm calls
one refresh interval apart (the data runs an hour past the cold window, like new samples arriving) for one
re-check cycle (at most 10 calls): the first warm call, the slowest one, the requests a warm call sent, and
whether the last answer equals the bare source's for the same window (--no-check skips that comparison,
which costs one more bare query per range).
bench/bench_generate.py imports load() from here for its --influxd mode.
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from generator.core.ranges import RANGES, RangeSpec, window_for  # noqa: E402
from generator.sources.cached import CachedSource  # noqa: E402
from generator.sources.influxql import Connection, InfluxQLSource  # noqa: E402
from providers import load_provider  # noqa: E402
from tests.influxd import Influxd  # noqa: E402

TEMPS = ("outdoor_temp", "indoor_temp", "supply_temp", "return_temp", "hot_water_temp", "brine_in_temp",
         "brine_out_temp")
STATES = ("compressor_on", "aux_heater_on", "switch_valve")
POWERS = ("power_electric", "aux_heater_power")
COUNTERS = ("energy_electric", "compressor_starts_total")
CODES = ("alarm_code",)
METRICS = TEMPS + STATES + POWERS + COUNTERS + CODES  # 15, generic (canonical) names
T = TypeVar("T")


def lines(start: int, end: int, step: int) -> Iterator[str]:
    energy, starts, was_on = 0.0, 0, 0
    for t in range(start, end, step):
        on = 1 if (t // 600) % 3 != 0 else 0          # 20 min on, 10 min off
        hot = 1 if (t // 3600) % 6 == 0 and on else 0  # one hour in six on hot water
        aux = 1 if (t // 86400) % 5 == 0 and on else 0
        power = 2000.0 * on + 3000.0 * aux + 30.0
        energy += power * step / 3.6e6
        starts += 1 if on and not was_on else 0
        was_on = on
        values = {m: round(20 + 10 * math.sin(t / 3600 + i), 1) for i, m in enumerate(TEMPS)}
        values.update(compressor_on=on, aux_heater_on=aux, switch_valve=hot, power_electric=power,
                      aux_heater_power=3000.0 * aux, energy_electric=round(energy, 3),
                      compressor_starts_total=starts, alarm_code=0)
        for name in METRICS:
            yield f"heatpump,name={name} value={values[name]} {t}"


def load(db: Influxd, database: str, start: int, end: int, step: int) -> tuple[int, float]:
    """Create `database` and write lines(start, end, step) into it: (points written, seconds taken)."""
    db.create_database(database)
    began = time.perf_counter()
    count = db.write(database, lines(start, end, step), precision="s", batch=50_000)
    return count, time.perf_counter() - began


def timed(call: Callable[[], T]) -> tuple[T, float]:
    began = time.perf_counter()
    result = call()
    return result, time.perf_counter() - began


def same(a: pd.DataFrame, b: pd.DataFrame, ca: dict[str, pd.Series], cb: dict[str, pd.Series]) -> bool:
    """Exactly equal frames and change series."""
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert list(ca) == list(cb)
        for m in cb:
            pd.testing.assert_series_equal(ca[m], cb[m], check_exact=True)
    except AssertionError:
        return False
    return True


class TimedSource:
    """The real source, timing every request the cache sends it."""

    def __init__(self, inner: InfluxQLSource):
        self.inner, self.kind = inner, inner.kind
        self.times: list[float] = []

    @property
    def query_count(self) -> int:
        return self.inner.query_count

    def series(self, window, bands):
        result, seconds = timed(lambda: self.inner.series(window, bands))
        self.times.append(seconds)
        return result

    def state_changes(self, window, metrics):
        result, seconds = timed(lambda: self.inner.state_changes(window, metrics))
        self.times.append(seconds)
        return result

    def latest(self):
        return self.inner.latest()

    def close(self) -> None:
        self.inner.close()


def bench_cache(src: InfluxQLSource, spec: RangeSpec, now: pd.Timestamp, check: bool) -> str:
    """One range through a fresh cache: cold at `now`, then warm calls one refresh interval apart."""
    inner = TimedSource(src)
    cached = CachedSource(inner)
    tz = "Europe/Stockholm"

    def call(window):
        (frame, changes), seconds = timed(lambda: (cached.series(window, spec.bands),
                                                   cached.state_changes(window, STATES + CODES)))
        return frame, changes, seconds

    cold_window = window_for(spec, now.to_pydatetime(), tz)
    _, _, cold = call(cold_window)
    cold_requests, largest = len(inner.times), max(inner.times)
    n = cached.chunk_buckets(cold_window)
    cycle = min(10, math.ceil((len(cold_window.edges()) - 1) / n))
    warm: list[float] = []
    q0 = src.query_count
    for k in range(1, cycle + 1):
        window = window_for(spec, (now + pd.Timedelta(seconds=spec.refresh_s * k)).to_pydatetime(), tz)
        frame, changes, seconds = call(window)
        warm.append(seconds)
    requests = (src.query_count - q0) / len(warm)
    warm_largest = max(inner.times[cold_requests:])
    # The generator re-checks a grid at most every 15 min (factory.RECHECK_EVERY): most refreshes of
    # the short ranges ask only their tail.
    cached.recheck_every_s = float("inf")
    _, _, tail_only = call(window_for(spec, (now + pd.Timedelta(seconds=spec.refresh_s * (cycle + 1))).to_pydatetime(), tz))
    verdict = "-"
    if check:
        verdict = "yes" if same(frame, src.series(window, spec.bands), changes,
                                src.state_changes(window, STATES + CODES)) else "NO"
    return (f"{spec.key:>6} {len(frame):>8} {n:>6} {cold:>7.3f} {cold_requests:>6} {largest:>8.3f} "
            f"{warm[0]:>7.3f} {max(warm):>7.3f} {warm_largest:>8.3f} {requests:>6.1f} {len(warm):>6} {verdict:>5} "
            f"{tail_only:>9.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--step", type=int, default=10, help="seconds between samples")
    parser.add_argument("--no-check", action="store_true", help="skip comparing warm answers with the bare source")
    args = parser.parse_args()
    end = int(time.time()) // 60 * 60
    start = end - args.days * 86400
    ahead = max(r.refresh_s for r in RANGES)  # samples that "arrive" between the cold and the warm call
    with tempfile.TemporaryDirectory(prefix="bench-influx-") as tmp, Influxd(Path(tmp)) as db:
        count, load_s = load(db, "bench", start, end + ahead, args.step)
        print(f"loaded {count:,} points ({args.days} d + {ahead} s × {len(METRICS)} metrics every {args.step} s) "
              f"in {load_s:.1f} s ({count / load_s:,.0f} points/s)")
        time.sleep(12)  # let the cache snapshot to TSM, as on a server that has been running a while
        src = InfluxQLSource(Connection(db.url, "bench", None, None, None, None, 120.0), load_provider("generic"))
        now = pd.Timestamp(end, unit="s", tz="UTC").to_pydatetime()
        print(f"{'range':>6} {'buckets':>8} {'series s':>9} {'points':>8} {'changes s':>10} {'changes':>8} {'requests':>9}")
        for spec in RANGES:
            window = window_for(spec, now, "Europe/Stockholm")
            q0 = src.query_count
            t0 = time.perf_counter()
            frame = src.series(window, spec.bands)
            t1 = time.perf_counter()
            changes = src.state_changes(window, STATES + CODES)
            t2 = time.perf_counter()
            points = int(frame.notna().sum().sum())
            n_changes = sum(len(s) for s in changes.values())
            print(f"{spec.key:>6} {len(frame):>8} {t1 - t0:>9.3f} {points:>8} {t2 - t1:>10.3f} {n_changes:>8} "
                  f"{src.query_count - q0:>9}")
        t0 = time.perf_counter()
        latest = src.latest()
        print(f"latest: {(time.perf_counter() - t0) * 1000:.0f} ms, newest sample {latest.at}, "
              f"{len(latest.values)} values")
        print("\nclosed-bucket cache (seconds; series() + state_changes() per call): cold = empty cache, "
              "warm = one refresh interval apart, over one re-check cycle (at most 10 calls), each with its "
              "re-check chunk; tail-only = a refresh between re-checks (the generator re-checks a grid at "
              "most every 15 min)")
        print(f"{'range':>6} {'buckets':>8} {'chunk':>6} {'cold':>7} {'cold':>6} {'largest':>8} "
              f"{'warm':>7} {'warm':>7} {'largest':>8} {'warm':>6} {'warm':>6} {'same':>5} {'tail-only':>9}")
        print(f"{'':>6} {'':>8} {'bkts':>6} {'total':>7} {'reqs':>6} {'request':>8} "
              f"{'first':>7} {'max':>7} {'request':>8} {'reqs':>6} {'calls':>6} {'':>5} {'call':>9}")
        for spec in RANGES:
            print(bench_cache(src, spec, pd.Timestamp(now), not args.no_check))
    return 0


if __name__ == "__main__":
    sys.exit(main())
