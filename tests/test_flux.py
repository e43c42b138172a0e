"""The flux source through influxdb-client against a local HTTP server (real sockets) that answers
/api/v2/query with annotated CSV synthesized to the documented format.  No 2.x server runs here, so what
the server computes is given by tests/flux_replay.py from samples held in memory; on the same samples the
flux source must give the frame the influxql source gives from a real influxd.  Over 300 lines because
every Flux behaviour is tested through the one fake server above, which is set up here."""
from __future__ import annotations

import csv
import http.server
import io
import json
import re
import threading
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pytest

from generator.core.errors import SourceError
from generator.core.ranges import MONTHS, Window
from generator.sources.flux import FluxSource, flux_string
from providers import load_provider
from tests.flux_replay import Executor
from tests.influxd import free_port

TOKEN = "flux-token-very-secret"
FIXTURES = Path(__file__).parent / "fixtures" / "flux"
T0 = pd.Timestamp("2024-05-01T00:00Z")
WINDOW = Window(T0 + pd.Timedelta(hours=1), T0 + pd.Timedelta(hours=3), "30min", "Europe/Stockholm")
Rows = dict[str, list[tuple[pd.Timestamp, object]]]


def annotated_csv(result: str, tables: Rows, tag: str = "name") -> str:
    """One result block as InfluxDB 2.x writes it after keep(columns: [_time, _value, tag])."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if result == "held":
        w.writerows([["#datatype", "string", "long", "string"], ["#group", "false", "false", "false"],
                     ["#default", result, "", ""], ["", "result", "table", "_value"]])
        for raw in tables:
            w.writerow(["", "", "0", raw])
    else:
        w.writerows([["#datatype", "string", "long", "dateTime:RFC3339", "double", "string"],
                     ["#group", "false", "false", "false", "false", "true"],
                     ["#default", result, "", "", "", ""], ["", "result", "table", "_time", "_value", tag]])
        for i, (raw, rows) in enumerate(tables.items()):
            for t, v in rows:
                w.writerow(["", "", str(i), pd.Timestamp(t).strftime("%Y-%m-%dT%H:%M:%SZ"), v, raw])
    return out.getvalue() + "\r\n"


class Replay:
    """What the fake server answers: per yield name, the tables; plus every script it received."""

    def __init__(self) -> None:
        self.answers: dict[str, Rows] = {}
        self.scripts: list[str] = []
        self.raw_body: bytes | None = None  # answer this verbatim instead
        self.buckets = {"hp"}
        self.delay_forever = False
        self.executor: Executor | None = None  # answer every yield from these samples instead


@pytest.fixture()
def replay() -> Iterator[tuple[Replay, str]]:
    state = Replay()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            script = body.get("query", "")
            state.scripts.append(script)
            if state.delay_forever:
                threading.Event().wait(3)
                return
            if self.headers.get("Authorization") != f"Token {TOKEN}":
                return self._json(401, {"code": "unauthorized", "message": "unauthorized access"})
            bucket = re.search(r'from\(bucket: "([^"]*)"\)|schema.tagValues\(bucket: "([^"]*)"', script)
            name = next(g for g in bucket.groups() if g is not None) if bucket else "hp"
            if name not in state.buckets:
                return self._json(404, {"code": "not found", "message": f'failed to initialize execute state: could not find bucket "{name}"'})
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.end_headers()
            if state.raw_body is not None:
                self.wfile.write(state.raw_body)
                return
            answers = state.executor.answer(script) if state.executor else state.answers
            for result in re.findall(r'yield\(name: "([^"]+)"\)', script):
                self.wfile.write(annotated_csv(result, answers.get(result, {})).encode())

        def _json(self, code: int, payload: dict) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(payload).encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def flux(url: str, provider: str = "generic", token: str = TOKEN, bucket: str = "hp", timeout_s: float = 5.0) -> FluxSource:
    return FluxSource(url=url, token=token, org="home", bucket=bucket, provider=load_provider(provider),
                      timeout_s=timeout_s)


def buckets(window: Window) -> pd.DatetimeIndex:
    return window.edges()[:-1]


# --- series ------------------------------------------------------------------------------------------
DAY = pd.Timestamp("2024-03-30", tz="Europe/Stockholm").tz_convert("UTC")


def recorded_samples() -> dict[str, list[tuple[int, float]]]:
    """Two local days across the spring DST change, as a change-only collector writes them: the compressor
    and valve on change, temperatures every minute, a counter every two minutes, a 40-minute silence."""
    start, end = int(DAY.timestamp()), int((DAY + pd.Timedelta(hours=47)).timestamp())
    silence = (start + 30 * 3600, start + 30 * 3600 + 2400)
    minutes = [t for t in range(start, end, 60) if not silence[0] <= t < silence[1]]
    on = [(t, 1.0 if (t // 60) % 50 < 17 else 0.0) for t in range(start, end, 60)
          if (t // 60) % 50 in (0, 17) and not silence[0] <= t < silence[1]]
    samples = {
        "outdoor_temp": [(t, round(2 + 6 * np.sin(t / 9000.0), 2)) for t in minutes],
        "supply_temp": [(t, round(30 + (t % 3000) / 300, 2)) for t in minutes],
        "compressor_on": on,
        "switch_valve": [(t, 1.0 if (t // 60) % 300 < 25 else 0.0) for t in minutes[::7]],
        "energy_electric": [(t, round(100 + (t - start) / 3600 * 0.9, 3)) for t in minutes[::2]],
        "alarm_code": [(start, 0.0), (start + 7200, 14.0), (start + 9000, 0.0)],
    }
    return {k: [(t * 1000, v) for t, v in points] for k, points in samples.items()}


@pytest.fixture(scope="module")
def both_sources(influxd):
    """The same samples in a real influxd (for the InfluxQL source) and in the Flux replay executor."""
    from generator.sources.influxql import Connection, InfluxQLSource

    samples = recorded_samples()
    influxd.create_database("flux_cross")
    influxd.write("flux_cross", [f"heatpump,name={k} value={v} {t}" for k, points in samples.items() for t, v in points])
    influxql = InfluxQLSource(Connection(influxd.url, "flux_cross", None, None, None, None, 30.0), load_provider("generic"))
    return samples, influxql


@pytest.mark.influxd
@pytest.mark.parametrize("bucket", ["2min", "15min", "1h", "1D"])
def test_series_equals_the_influxql_source_on_the_same_samples(replay, both_sources, bucket):
    state, url = replay
    samples, influxql = both_sources
    state.executor = Executor(samples)
    end = DAY + pd.Timedelta(hours=48) if bucket == "1D" else DAY + pd.Timedelta(hours=40)
    start = DAY if bucket == "1D" else end - pd.Timedelta(hours=12)
    window = Window(start, end if bucket != "1D" else pd.Timestamp("2024-04-01", tz="Europe/Stockholm").tz_convert("UTC"),
                    bucket, "Europe/Stockholm")
    got = flux(url).series(window, bands=True)
    want = influxql.series(window, bands=True)
    want = want[sorted(c for c in want.columns if not c.startswith("quality:"))]  # data quality: InfluxQL only
    pd.testing.assert_frame_equal(got[list(want.columns)], want, check_exact=False, rtol=1e-9, atol=1e-9)
    assert want["compressor_on:cov"].lt(1).any() or bucket == "2min"  # the silence shows in the coverage


def test_series_script_reduces_in_the_server(replay):
    state, url = replay
    state.executor = Executor(recorded_samples())
    flux(url).series(WINDOW, bands=True)
    script = state.scripts[-1]
    assert "difference(columns: [\"_value\"], keepFirst: true)" in script and "elapsed(unit: 1ms" in script
    assert "aggregateWindow(every: 1800000ms, offset: 0ms, fn: sum, createEmpty: false" in script
    assert "fn: max" in script and "group()" in script
    assert 'range(start: 2024-05-01T01:00:00.000Z, stop: 2024-05-01T03:00:00.000Z)' in script


def test_daily_buckets_use_local_days(replay):
    state, url = replay
    state.executor = Executor(recorded_samples())
    window = Window(DAY, pd.Timestamp("2024-04-01", tz="Europe/Stockholm").tz_convert("UTC"), "1D", "Europe/Stockholm")
    frame = flux(url).series(window, bands=False)
    assert list(frame.index) == list(window.edges()[:-1]) and frame["outdoor_temp"].notna().all()
    assert 'location: timezone.location(name: "Europe/Stockholm")' in state.scripts[-1]
    assert 'import "timezone"' in state.scripts[-1]


def test_full_column_answers_with_several_results_are_read(replay):
    state, url = replay
    state.raw_body = (FIXTURES / "latest_full_columns.csv").read_bytes()
    latest = flux(url).latest()
    assert latest.values["outdoor_temp"] == 5.5 and latest.values["supply_temp"] == 38.125
    assert latest.at == pd.Timestamp("2024-05-01T01:30:00Z")


def test_nibe_priority_share_comes_from_value_changes(replay):
    state, url = replay
    b = buckets(WINDOW)
    prio = "prio-43086"
    # Hot water (20) from 01:10 to 01:40, else heating (30); value before the window 30.
    changes = [(T0 + pd.Timedelta(minutes=50), 30.0), (b[0] + pd.Timedelta(minutes=10), 20.0),
               (b[0] + pd.Timedelta(minutes=40), 30.0), (b[3] + pd.Timedelta(minutes=29), 30.0)]
    # the priority is written on change; the outdoor temperature every minute shows the collector is alive
    minutes = pd.date_range(T0, T0 + pd.Timedelta(hours=4), freq="1min")
    state.executor = Executor({prio: [(int(t.value // 1_000_000), v) for t, v in changes],
                               "bt1-outdoor-temperature-40004": [(int(t.value // 1_000_000), 3.0) for t in minutes]})
    frame = flux(url, "nibe").series(WINDOW, bands=False)
    assert np.allclose(frame["switch_valve"].to_numpy(), [20 / 30, 10 / 30, 0.0, 0.0])


# --- state changes, latest ----------------------------------------------------------------------------------
def test_state_changes_rebuild_the_value_at_start_and_every_change(replay):
    state, url = replay
    state.answers = {
        "before": {"compressor_on": [(WINDOW.start - pd.Timedelta(seconds=20), 1.0)]},
        "changes": {"compressor_on": [(WINDOW.start + pd.Timedelta(seconds=5), 1.0),
                                      (WINDOW.start + pd.Timedelta(minutes=7), 0.0),
                                      (WINDOW.start + pd.Timedelta(minutes=31), 1.0)]},
    }
    src = flux(url)
    got = src.state_changes(WINDOW, ["compressor_on"])["compressor_on"]
    assert list(got.index) == [WINDOW.start, WINDOW.start + pd.Timedelta(minutes=7), WINDOW.start + pd.Timedelta(minutes=31)]
    assert got.tolist() == [1.0, 0.0, 1.0]
    script = state.scripts[-1]
    assert "difference(columns: [\"_value\"], keepFirst: true)" in script and src.query_count == 1


def test_latest_gives_values_alarm_and_newest_time(replay):
    state, url = replay
    newest = T0 + pd.Timedelta(hours=5, seconds=30)
    state.answers = {"latest": {"outdoor_temp": [(T0 + pd.Timedelta(hours=5), -3.5)],
                                "alarm_code": [(newest, 12.0)]}}
    latest = flux(url).latest()
    assert latest.at == newest and latest.values["outdoor_temp"] == -3.5 and latest.alarm_codes == (12,)


# --- errors and escaping ---------------------------------------------------------------------------------------
def failure(src: FluxSource) -> str:
    with pytest.raises(SourceError) as err:
        src.series(WINDOW, bands=False)
    return str(err.value)


def test_a_refused_token_is_a_source_error_without_the_token(replay):
    _, url = replay
    message = failure(flux(url, token="wrong-" + TOKEN))
    assert "refused the token (HTTP 401)" in message and TOKEN not in message


def test_an_unknown_bucket_is_a_source_error(replay):
    _, url = replay
    message = failure(flux(url, bucket="nope"))
    assert "HTTP 404" in message and "source.bucket" in message and TOKEN not in message


def test_an_unreachable_server_is_a_source_error():
    message = failure(flux(f"http://127.0.0.1:{free_port()}"))
    assert "cannot reach InfluxDB at http://127.0.0.1" in message and TOKEN not in message


def test_a_server_that_does_not_answer_times_out(replay):
    state, url = replay
    state.delay_forever = True
    message = failure(flux(url, timeout_s=0.5))
    assert "did not answer in time" in message


def test_an_answer_that_is_not_flux_csv_is_a_source_error(replay):
    state, url = replay
    state.raw_body = b"#datatype,string\n,result,table,_time\n,,0,not-a-time\n"
    with pytest.raises(SourceError):
        flux(url).series(WINDOW, bands=False)


def test_names_enter_the_script_only_as_escaped_strings(replay):
    state, url = replay
    hostile = 'hp") |> drop() |> yield(name: "x'
    state.buckets.add(hostile)
    src = flux(url, bucket=hostile)
    with pytest.raises(SourceError):
        src.series(WINDOW, bands=False)  # the fake server cannot parse it either: we only check the script
    assert flux_string(hostile) in state.scripts[-1]
    assert flux_string('a${b}') == '"a\\${b}"'
    assert flux_string('q"\\') == '"q\\"\\\\"'


# --- the owner's own meter under a Flux source ----------------------------------------------------------
@pytest.mark.influxd
def test_a_flux_heat_pump_gets_its_cop_from_a_meter_read_over_influxql(replay, influxd, tmp_path):
    """issue 14: a mapped series may live where another kind of source reads it: the heat pump in a 2.x
    bucket (Flux), its electricity meter read with InfluxQL (here a real influxd; on a 2.x server its v1
    API).  Four hours at a steady 4 kW of heat for 1 kW of electricity: COP 4, 4 kWh."""
    from generator.build import build_range_document, make_context
    from generator.config import load_config
    from generator.core.ranges import BY_KEY
    from generator.sources.factory import make_source

    state, url = replay
    start = int(T0.timestamp())
    minutes = range(start, start + 4 * 3600, 60)
    state.executor = Executor({"compressor_on": [(start * 1000, 1.0)],
                               "heat_output": [(t * 1000, 4000.0) for t in minutes],
                               "supply_temp": [(t * 1000, 35.0) for t in minutes],
                               "brine_in_temp": [(t * 1000, 2.0) for t in minutes]})
    influxd.create_database("flux_meter")
    influxd.write("flux_meter", [f"shelly,device=hp-em power=1000 {t}" for t in minutes], precision="s")
    meter = {"measurement": "shelly", "tags": {"device": "hp-em"}, "field": "power", "database": "flux_meter",
             "url": influxd.url}
    cfg = load_config(None, environ={}).with_values(
        provider="generic", source__kind="flux", source__url=url, source__token=TOKEN, source__org="home",
        source__bucket="hp", output__public_dir=str(tmp_path / "public"), mapping__metrics={"power_electric": meter})
    now = (T0 + pd.Timedelta(hours=4)).to_pydatetime()
    kpis = build_range_document(make_context(cfg, make_source(cfg)), BY_KEY["6h"], now, None)["kpis"]
    assert kpis["energy_electric_kwh"] == pytest.approx(4.0, rel=0.01)
    assert kpis["cop"] == pytest.approx(4.0, rel=0.01)


def test_a_window_of_calendar_months_is_refused_before_any_query():
    """A range of months is read in local days and folded (generator/sources/fold.py): Flux is never asked."""
    months = Window(pd.Timestamp("2024-01-01", tz="Europe/Stockholm").tz_convert("UTC"),
                    pd.Timestamp("2024-04-01", tz="Europe/Stockholm").tz_convert("UTC"), MONTHS, "Europe/Stockholm")
    assert months.calendar_months
    with pytest.raises(ValueError, match="folded from local days"):   # not a SourceError: nothing listens there
        flux(f"http://127.0.0.1:{free_port()}").series(months, bands=False)
