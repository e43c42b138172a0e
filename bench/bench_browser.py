"""Benchmark: the page in a real browser, first paint on slow networks and freshness end to end.

    .venv/bin/python bench/bench_browser.py [--reps 3] [--samples 5] [--no-desktop] [--http-cache] [--json OUT]

Headless Debian chromium driven by playwright; every server on free loopback ports in a temp dir, all
stopped and removed at the end.  A benchmark, not a test: it prints figures and fails only when the
pipeline does not work at all.

A. First paint (first_paint_ms, bytes).  `heatpump-dashboard generate --once` (demo source) writes
   public/, the sidecar runs (so the websocket connects) and nginx serves it with the configuration
   `heatpump-dashboard nginx-config --standalone` renders (brotli_static where Debian's module is
   installed).  Each load is a new browser context (empty cache) with, through CDP, Network.enable,
   Network.setCacheDisabled true (as a cold first load; --http-cache leaves the cache on) and
   Network.emulateNetworkConditions (latency is added per request, throughputs are bytes/s):

       fast3g   1.6 Mbit/s down, 0.75 Mbit/s up, 150 ms RTT
       4g       9 Mbit/s down,   1.5 Mbit/s up,   60 ms RTT

   on a phone viewport (390x844, device scale factor 2, mobile, touch) and a desktop one (1366x768;
   --no-desktop skips it).  Per profile, the median over --reps loads of (ms from navigation start):
   first_kpi_ms   the paint timing `first-contentful-paint`; the KPI figures are in the served
                  index.html (checked: [data-kpi="cop"] has text there and lies in the viewport), so the
                  first contentful paint is the first paint that shows a KPI value;
   first_chart_ms / all_charts_ms   performance.now() when the first / the last chart card the default range shows got
                  data-drawn="1" (ECharts finished), recorded by a MutationObserver from an init script.
   Bytes: the sum of encodedDataLength of CDP Network.loadingFinished (body and response headers as
   received) until the page is drawn, connected and the network idle, per resource with its
   content-encoding.  The websocket has no loadingFinished: its handshake and frames are listed apart
   (handshake size estimated from the headers CDP reports; frame payloads as decoded) and are not in
   the total.  URLs requested more than once in a load are listed (a repeat the cache answers has 0 bytes).

B. Freshness (freshness_ms).  A real influxd (tests/influxd.py) holds 3 hours of 30 s history of the
   generic provider's metrics (bench/bench_influx.py's line protocol: measurement heatpump, tag name,
   field value); `heatpump-dashboard generate --config FILE` runs as its loop with schedule.live_s 1
   (the minimum; interval_s stays at its default 30 s, so every 30 s a run also refreshes 1h/6h/24h),
   plus the sidecar, nginx and chromium on the page (no emulation).  --samples times, one outdoor_temp
   point with a distinctive value (31.24, 32.36, ...) is written with timestamp now, and the time until
   [data-live="outdoor_temp"] shows it is split into:
   waiting     write returned -> the generator's latest() query reaching influxd (the generator talks to
               influxd through a recording proxy in this script; the run began a few ms earlier with
               index.html, which cannot be seen from outside: the run whose latest() query arrives
               after the write is the one that sees the point);
   generation  that query -> public/manifest.json renamed (a thread stat()s it every 2 ms);
   notify      rename -> the websocket frame naming the new live file reaches the page (an init script
               wraps window.WebSocket and stamps each message with Date.now(); same clock as Python's
               time.time() on one machine);
   fetch       frame -> the live file's responseEnd (Resource Timing, moved to Date.now()'s clock);
   draw        responseEnd -> the strip's text changed in the DOM (MutationObserver, Date.now(); paint
               follows within a frame).

Over 300 lines because both measurements share the servers, the browser set-up and the page hooks, and
the freshness proxy lives here too: one script to run by hand or from bench/run_all.py.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from bench.bench_influx import lines  # noqa: E402
from bench.machine import describe  # noqa: E402
from tests import browser_support as bs  # noqa: E402
from tests.influxd import Influxd  # noqa: E402
from tests.nginx_server import NGINX, start_nginx, wait_until_serving  # noqa: E402
from tests.sidecar_process import sidecar_command  # noqa: E402

MBIT = 1_000_000 / 8  # bytes/s in one Mbit/s
PROFILES = {  # CDP Network.emulateNetworkConditions: latency ms per request, throughputs in bytes/s
    "fast3g": {"latency": 150, "downloadThroughput": 1.6 * MBIT, "uploadThroughput": 0.75 * MBIT},
    "4g": {"latency": 60, "downloadThroughput": 9 * MBIT, "uploadThroughput": 1.5 * MBIT},
}
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 768}, "device_scale_factor": 1},
}
LIVE_S = 1                 # schedule.live_s: the minimum generator/config.py allows
HISTORY_S, HISTORY_STEP_S = 3 * 3600, 30
VALUES = (31.24, 32.36, 33.48, 34.61, 35.72, 36.83, 37.94, 38.16, 39.27, 40.38)  # above the history's 10..30

# Installed in every page before its own scripts: when each chart card is first drawn, every websocket
# message, every change of the live strip's outdoor temperature.  No eval: the page's CSP forbids it.
INIT_JS = """
(() => {
  const b = window.__bench = { drawn: {}, ws: [], outdoor: [] };
  performance.setResourceTimingBufferSize(10000);
  const outdoor = () => {
    const el = document.querySelector('[data-live="outdoor_temp"]');
    const text = el ? el.textContent : null;
    const last = b.outdoor[b.outdoor.length - 1];
    if (!last || last.text !== text) b.outdoor.push({ at: Date.now(), text });
  };
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (r.type === 'attributes' && el.dataset && el.dataset.chart && el.dataset.drawn === '1'
          && !(el.dataset.chart in b.drawn)) b.drawn[el.dataset.chart] = performance.now();
    }
    outdoor();
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true,
                         attributeFilter: ['data-drawn'] });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        let m = null;
        try { m = JSON.parse(event.data); } catch (e) { /* not JSON */ }
        b.ws.push({ at: Date.now(), type: m && m.type, live: m && m.manifest && m.manifest.live
                    ? m.manifest.live.hash : null });
      });
    }
  };
})();
"""
CONNECTED = "document.getElementById('connection')?.dataset.connection === 'connected'"


# --- helpers ---------------------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def wait_js(page: Page, expression: str, timeout_s: float, what: str) -> Any:
    """Poll a JS expression (page.evaluate: no eval inside the page) until it is truthy."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s:.0f} s")
        time.sleep(0.02)


def header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


@contextmanager
def process(args: list[str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("ab") as out:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        bs.stop(proc)


@contextmanager
def sidecar(public: Path, log: Path) -> Iterator[int]:
    """`heatpump-dashboard sidecar` on a free port (it announces the port on stdout); yields the port."""
    with log.open("ab") as err:
        proc = subprocess.Popen(sidecar_command(public, "--host", "127.0.0.1", "--port", "0"), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        found = re.search(r"ws://[^:]+:(\d+)/ws", proc.stdout.readline())
        if not found:
            raise RuntimeError(f"the sidecar did not announce its port (see {log})")
        yield int(found.group(1))
    finally:
        bs.stop(proc)
        if proc.stdout:
            proc.stdout.close()


@contextmanager
def nginx(public: Path, sidecar_port: int, workdir: Path) -> Iterator[int]:
    """nginx with the config `heatpump-dashboard nginx-config --standalone` prints; yields its port."""
    port = bs.free_port()
    prefix = workdir / "nginx"
    config = workdir / "nginx.yaml"
    config.write_text(yaml.safe_dump({"output": {"public_dir": str(public)}, "sidecar": {"port": sidecar_port}}),
                      encoding="utf-8")
    text = subprocess.run([bs.CLI, "nginx-config", "--config", str(config), "--listen", f"127.0.0.1:{port}",
                           "--standalone", str(prefix)], cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=60).stdout
    (prefix / "nginx.conf").write_text(text, encoding="utf-8")
    proc = start_nginx(prefix / "nginx.conf", prefix)
    try:
        wait_until_serving(proc, port)
        yield port
    finally:
        bs.stop(proc)
        for pipe in (proc.stdout, proc.stderr):
            if pipe:
                pipe.close()


# --- A. first paint ----------------------------------------------------------------------------------------
def first_load(browser: Browser, url: str, viewport: str, profile: str, cache_disabled: bool) -> dict[str, Any]:
    context = browser.new_context(**VIEWPORTS[viewport])
    try:
        context.add_init_script(INIT_JS)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        urls: dict[str, str] = {}
        accept: dict[str, str | None] = {}
        encoding: dict[str, str | None] = {}
        done: dict[str, int] = {}
        ws: dict[str, Any] = {"handshake": 0, "frames": 0, "status": None}

        def handshake(p: dict[str, Any]) -> None:
            response = p["response"]
            text = response.get("headersText") or (
                f"HTTP/1.1 {response['status']} {response['statusText']}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in response["headers"].items()) + "\r\n")
            ws.update(handshake=ws["handshake"] + len(text.encode()), status=response["status"])

        cdp.on("Network.requestWillBeSent", lambda p: urls.setdefault(p["requestId"], p["request"]["url"]))
        cdp.on("Network.requestWillBeSentExtraInfo",
               lambda p: accept.setdefault(p["requestId"], header(p["headers"], "accept-encoding")))
        cdp.on("Network.responseReceived",
               lambda p: encoding.__setitem__(p["requestId"], header(p["response"]["headers"], "content-encoding")))
        cdp.on("Network.loadingFinished", lambda p: done.__setitem__(p["requestId"], int(p["encodedDataLength"])))
        cdp.on("Network.webSocketHandshakeResponseReceived", handshake)
        cdp.on("Network.webSocketFrameReceived",
               lambda p: ws.__setitem__("frames", ws["frames"] + len(p["response"]["payloadData"].encode())))
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": cache_disabled})
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **PROFILES[profile]})
        response = page.goto(url, wait_until="commit", timeout=60_000)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        wait_js(page, f"Object.keys(window.__bench.drawn).length >= {len(bs.DEFAULT_CHARTS)}", 90, "all charts drawn")
        wait_js(page, CONNECTED, 30, "websocket connected")
        try:
            page.wait_for_load_state("networkidle", timeout=15_000)
        except Exception:  # noqa: BLE001 — the figures so far still stand
            pass
        found = re.search(r'data-kpi="cop"[^>]*>([^<]*)<', response.text())
        served_kpi = found.group(1).strip() if found else ""
        fcp, drawn, above_fold = page.evaluate("""() => [
            performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
            Object.values(window.__bench.drawn),
            (() => { const r = document.querySelector('[data-kpi="cop"]').getBoundingClientRect();
                     return r.height > 0 && r.bottom <= innerHeight; })()]""")
        resources = [{"url": urllib.parse.urlsplit(urls.get(rid, "?")).path, "content_encoding": encoding.get(rid),
                      "bytes": n} for rid, n in done.items()]
        paths = [r["url"] for r in resources]
        return {
            "first_kpi_ms": fcp, "first_chart_ms": min(drawn), "all_charts_ms": max(drawn),
            "served_cop": served_kpi, "cop_above_fold": above_fold,
            "bytes": sum(done.values()), "resources": resources,
            "duplicates": sorted({p for p in paths if paths.count(p) > 1}),
            "accept_encoding": next((a for a in accept.values() if a), None),
            "websocket": {"status": ws["status"], "handshake_bytes_est": ws["handshake"],
                          "frame_payload_bytes": ws["frames"]},
        }
    finally:
        context.close()


def bench_first_paint(browser: Browser, tmp: Path, reps: int, viewports: list[str], cache_disabled: bool,
                      say: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, Any]]:
    site = bs.make_site(tmp / "a")
    bs.generate_once(site)
    results: dict[str, Any] = {}
    loads: dict[str, list[dict[str, Any]]] = {}
    with sidecar(site.public, tmp / "a-sidecar.log") as sidecar_port, \
            nginx(site.public, sidecar_port, tmp / "a") as port:
        url = f"http://127.0.0.1:{port}/"
        for viewport in viewports:
            for profile in PROFILES:
                key = profile if viewport == "phone" else f"{viewport}_{profile}"
                runs = [first_load(browser, url, viewport, profile, cache_disabled) for _ in range(reps)]
                loads[key] = runs
                results[key] = {m: median([r[m] for r in runs]) for m in ("first_kpi_ms", "first_chart_ms",
                                                                          "all_charts_ms")}
                results[key].update(reps=reps, first_load_kib=median([r["bytes"] / 1024 for r in runs]))
                say(f"  {key}: {results[key]}")
    first = loads["fast3g"][0]
    if not all(r["served_cop"] for rs in loads.values() for r in rs):
        raise RuntimeError("the served index.html has no COP figure: first-contentful-paint shows no KPI")
    text = [r for r in first["resources"] if r["url"].endswith((".html", ".js", ".css", ".json", ".svg", "/"))]
    encodings = sorted({str(r["content_encoding"]) for r in text})
    unique: dict[str, int] = {}
    for r in first["resources"]:  # a repeat served from the cache has 0 bytes
        unique[r["url"]] = max(unique.get(r["url"], 0), r["bytes"])
    byte_figures = {
        "first_load_kib": round(first["bytes"] / 1024, 1),
        "first_load_unique_kib": round(sum(unique.values()) / 1024, 1),
        "measured_on": "phone fast3g, first repetition",
        "cache_disabled": cache_disabled,
        "encoding": encodings[0] if len(encodings) == 1 else encodings,
        "accept_encoding": first["accept_encoding"],
        "requested_twice": first["duplicates"],
        "resources": first["resources"],
        "websocket_not_in_total": first["websocket"],
        "kpi_check": {"served_cop_text": first["served_cop"], "cop_above_fold": first["cop_above_fold"]},
        "by_profile_kib": {k: [round(r["bytes"] / 1024, 1) for r in rs] for k, rs in loads.items()},
    }
    return results, byte_figures


# --- B. freshness ------------------------------------------------------------------------------------------
class QueryProxy:
    """A recording HTTP proxy in front of influxd: when each /query arrived, and whether it was latest()
    (its second statement looks for samples ahead of now(): `time > now() + 1m`)."""

    def __init__(self, target_port: int):
        self.log: list[tuple[float, bool]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self) -> None:
                at = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/query"):
                    q = urllib.parse.parse_qs(body.decode()).get("q", [""])[0]
                    proxy.log.append((at, "now() +" in q))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=120)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    answer = conn.getresponse()
                    data = answer.read()
                finally:
                    conn.close()
                self.send_response(answer.status)
                for k, v in answer.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

            do_GET = do_POST = forward

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "QueryProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class ManifestWatch:
    """When public/manifest.json was replaced (stat every 2 ms), with the live file it then named."""

    def __init__(self, path: Path):
        self.path = path
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        seen = None
        while not self.stopping.is_set():
            try:
                st = os.stat(self.path)
                key = (st.st_ino, st.st_mtime_ns)
                if key != seen:
                    at, seen = time.time(), key
                    try:
                        live = json.loads(self.path.read_bytes()).get("live") or {}
                    except (OSError, ValueError):
                        live = {}
                    self.events.append((at, live))
            except OSError:
                pass
            time.sleep(0.002)

    def __enter__(self) -> "ManifestWatch":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


def wait_for_file(path: Path, ready: Callable[[dict[str, Any]], bool], proc: subprocess.Popen, timeout_s: float,
                  log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if ready(json.loads(path.read_bytes())):
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{path} not ready within {timeout_s:.0f} s: {log.read_text(errors='replace')[-2000:]}")


def one_sample(page: Page, db: Influxd, proxy: QueryProxy, watch: ManifestWatch, value: float) -> dict[str, Any]:
    shown = f"{value:.1f}"
    before = watch.events[-1][1].get("hash") if watch.events else None
    ms = int(time.time() * 1000)
    db.write("hp", [f"heatpump,name=outdoor_temp value={value} {ms}"], precision="ms")
    written = time.time()
    check = ("(() => { const el = document.querySelector('[data-live=\"outdoor_temp\"]');"
             f" return !!el && el.textContent.replace(',', '.').includes('{shown}'); }})()")
    wait_js(page, check, 30, f"outdoor {shown} shown")
    time.sleep(0.1)  # let the last Resource Timing entry settle
    run_start = min(at for at, is_latest in proxy.log if is_latest and at >= written)
    renamed, live = next((at, live) for at, live in watch.events
                         if at >= run_start and live.get("hash") not in (None, before))
    queries = sum(1 for at, _ in proxy.log if run_start <= at <= renamed)
    bench = page.evaluate("""(path) => ({
        ws: window.__bench.ws, outdoor: window.__bench.outdoor, now: Date.now(), perf: performance.now(),
        fetched: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/' + path))
                 .map((e) => e.responseEnd)})""", live["path"])
    frame = next(m["at"] / 1000 for m in bench["ws"] if m["live"] == live["hash"])
    to_epoch = bench["now"] - bench["perf"]
    fetched = (to_epoch + min(bench["fetched"])) / 1000
    text = next(o["at"] / 1000 for o in bench["outdoor"]
                if o["text"] and shown in o["text"].replace(",", "."))
    parts = {"waiting": run_start - written, "generation": renamed - run_start, "notify": frame - renamed,
             "fetch": fetched - frame, "draw": text - fetched}
    return {"value": value, "total": round((text - written) * 1000, 1), "queries_in_run": queries,
            **{k: round(v * 1000, 1) for k, v in parts.items()}}


def bench_freshness(browser: Browser, tmp: Path, samples: int, say: Callable[[str], None]) -> dict[str, Any]:
    work = tmp / "b"
    work.mkdir()
    public = work / "public"
    with ExitStack() as stack:
        db = stack.enter_context(Influxd(work / "influxd"))
        db.create_database("hp")
        end = int(time.time()) - 5
        db.write("hp", lines(end - HISTORY_S, end, HISTORY_STEP_S), precision="s")
        proxy = stack.enter_context(QueryProxy(db.port))
        config = work / "config.yaml"
        config.write_text(yaml.safe_dump({
            "provider": "generic",
            "source": {"kind": "influxql", "url": proxy.url, "database": "hp"},
            "output": {"public_dir": str(public)},
            "schedule": {"live_s": LIVE_S},
            "site": {"language": "sv", "timezone": "Europe/Stockholm"},
        }), encoding="utf-8")
        log = work / "generate.log"
        gen = stack.enter_context(process([bs.CLI, "generate", "--config", str(config)], log))
        wait_for_file(public / "manifest.json", lambda m: bool(m.get("live")) and len(m.get("ranges") or {}) >= 6,
                      gen, 120, log)
        sidecar_port = stack.enter_context(sidecar(public, work / "sidecar.log"))
        port = stack.enter_context(nginx(public, sidecar_port, work))
        watch = stack.enter_context(ManifestWatch(public / "manifest.json"))
        context = browser.new_context()
        stack.callback(context.close)
        context.add_init_script(INIT_JS)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
        wait_js(page, f"Object.keys(window.__bench.drawn).length >= {len(bs.DEFAULT_CHARTS)}", 60, "all charts drawn")
        wait_js(page, CONNECTED, 30, "websocket connected")
        rows = []
        for k in range(samples):
            time.sleep(0.8 + 0.37 * k % 1.0)  # writes fall at different points of the 1 s tick
            rows.append(one_sample(page, db, proxy, watch, VALUES[k % len(VALUES)]))
            say(f"  sample {k + 1}: {rows[-1]}")
        if gen.poll() is not None:
            raise RuntimeError(f"the generator stopped: {log.read_text(errors='replace')[-2000:]}")
    keys = ("total", "waiting", "generation", "notify", "fetch", "draw")
    return {"schedule": {"live_s": LIVE_S, "interval_s": 30}, "samples": rows,
            **{k: {"median": median([r[k] for r in rows]), "max": max(r[k] for r in rows)} for k in keys}}


# --- the report --------------------------------------------------------------------------------------------
def print_tables(first_paint: dict[str, Any], byte_figures: dict[str, Any], freshness: dict[str, Any]) -> None:
    print(f"\nA. first paint, cold loads through nginx (median of {next(iter(first_paint.values()))['reps']}; "
          "ms from navigation start)")
    print(f"  {'profile':<16} {'first KPI':>10} {'1st chart':>10} {'all charts':>11} {'KiB wire':>9}")
    for key, r in first_paint.items():
        print(f"  {key:<16} {r['first_kpi_ms']:>10.0f} {r['first_chart_ms']:>10.0f} {r['all_charts_ms']:>11.0f} "
              f"{r['first_load_kib']:>9.1f}")
    b = byte_figures
    print(f"\n  bytes of one first load ({b['measured_on']}; Accept-Encoding: {b['accept_encoding']}; cache "
          f"{'disabled' if b['cache_disabled'] else 'on'}):")
    for r in b["resources"]:
        print(f"    {r['url']:<40} {str(r['content_encoding']):<6} {r['bytes']:>8}")
    ws = b["websocket_not_in_total"]
    print(f"    {'total':<40} {'':<6} {round(b['first_load_kib'] * 1024):>8}  = {b['first_load_kib']} KiB "
          f"({b['first_load_unique_kib']} KiB counting each URL once; requested twice: "
          f"{', '.join(b['requested_twice']) or 'none'})")
    print(f"    websocket, not in the total: handshake ≈{ws['handshake_bytes_est']} B (status {ws['status']}), "
          f"frame payloads {ws['frame_payload_bytes']} B")
    print(f"    COP in the served HTML: {b['kpi_check']['served_cop_text']!r}, "
          f"in the first viewport: {b['kpi_check']['cop_above_fold']}")
    print(f"\nB. freshness: write to influxd -> shown in the page (ms; live_s {freshness['schedule']['live_s']}, "
          f"interval_s {freshness['schedule']['interval_s']})")
    cols = ("total", "waiting", "generation", "notify", "fetch", "draw")
    print(f"  {'sample':<8}" + "".join(f"{c:>11}" for c in cols) + f"{'queries':>9}")
    for i, r in enumerate(freshness["samples"], 1):
        print(f"  {i:<8}" + "".join(f"{r[c]:>11.1f}" for c in cols) + f"{r['queries_in_run']:>9}")
    for stat in ("median", "max"):
        print(f"  {stat:<8}" + "".join(f"{freshness[c][stat]:>11.1f}" for c in cols))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="cold loads per profile and viewport")
    parser.add_argument("--samples", type=int, default=5, help="points written for the freshness figure")
    parser.add_argument("--no-desktop", action="store_true", help="phone viewport only")
    parser.add_argument("--http-cache", action="store_true",
                        help="leave the browser cache on (a new, empty context still makes every load cold)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    args = parser.parse_args()
    for needed in (bs.CHROMIUM, NGINX):
        if not Path(needed).exists():
            print(f"{needed} is missing", file=sys.stderr)
            return 2
    began = time.monotonic()
    say = lambda text: print(text, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as name, sync_playwright() as pw:
        tmp = Path(name)
        tmp.chmod(0o755)  # nginx's workers must read public/
        browser = pw.chromium.launch(executable_path=bs.CHROMIUM, args=bs.CHROMIUM_ARGS, headless=True)
        try:
            machine = describe(f"Chromium {browser.version}", "nginx " + subprocess.run(
                [NGINX, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1])
            print(machine)
            say("A. first paint")
            viewports = ["phone"] if args.no_desktop else ["phone", "desktop"]
            first_paint, byte_figures = bench_first_paint(browser, tmp, args.reps, viewports, not args.http_cache, say)
            say("B. freshness")
            freshness = bench_freshness(browser, tmp, args.samples, say)
        finally:
            browser.close()
    print_tables(first_paint, byte_figures, freshness)
    print(f"\nwall time {time.monotonic() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "first_paint_ms": first_paint,
                                         "freshness_ms": freshness, "bytes": byte_figures}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
