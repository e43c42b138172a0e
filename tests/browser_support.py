"""What the browser tests need around the page: the bundle built, the real pipeline started on free
loopback ports in temp dirs (generator, sidecar, demo, a plain static server), and headless Debian
chromium driven by playwright."""
from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml

from generator.charts import CHARTS, shown_on

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CLI = str(VENV_BIN / "heatpump-dashboard")
SITE = ROOT / "site_templates"
DIST = SITE / "dist"
ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
TIMEZONE = "Europe/Stockholm"
CHART_KEYS = tuple(CHARTS)  # the page's card order (tests/test_charts.py holds keys.js to it)
# the cards the default range (24h) shows: the others (daily bars, signature, monthly) are hidden there
DEFAULT_CHARTS = tuple(key for key in CHARTS if shown_on(key, "24h"))


# --- the bundle ------------------------------------------------------------------------------------
def bundle_is_current() -> bool:
    outputs = [DIST / "app.js", DIST / "app.css"]
    if not all(p.is_file() for p in outputs):
        return False
    built = min(p.stat().st_mtime for p in outputs)
    sources = [p for p in (SITE / "src").rglob("*") if p.is_file()] + [SITE / "page.json", SITE / "pack.mjs",
                                                                        ROOT / "package.json"]
    return all(p.stat().st_mtime <= built for p in sources)


def ensure_bundle() -> None:
    """Build site_templates/dist with esbuild when it is missing or older than its sources."""
    if bundle_is_current():
        return
    if not (ROOT / "node_modules" / ".bin" / "esbuild").exists():
        raise RuntimeError("node_modules is missing: run `npm ci` in the repository, then the tests again")
    subprocess.run(["npm", "run", "build"], cwd=ROOT, check=True, capture_output=True, timeout=120)


# --- processes -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 2.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def wait_for_http(url: str, process: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} before serving {url}")
        try:
            http_get(url, timeout=1.0)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.1)
    raise TimeoutError(f"nothing served {url} within {timeout:.0f} s")


@contextmanager
def running(args: Sequence[str], ready_url: str, log: Path, timeout: float = 60.0) -> Iterator[subprocess.Popen]:
    """Start a server, wait until `ready_url` answers, and stop it (SIGTERM, then SIGKILL) afterwards."""
    with log.open("ab") as out:
        process = subprocess.Popen(list(args), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_for_http(ready_url, process, timeout)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# --- the pipeline ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Site:
    """A temp working dir with a config and the public/ it points at."""

    workdir: Path
    config: Path
    public: Path

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.public / "manifest.json").read_text(encoding="utf-8"))

    def range_hash(self, key: str) -> str:
        return self.manifest()["ranges"][key]["hash"]

    def range_document(self, key: str) -> dict[str, Any]:
        return json.loads((self.public / self.manifest()["ranges"][key]["path"]).read_text(encoding="utf-8"))

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"


def make_site(workdir: Path, *, language: str = "sv", seed: int = 1) -> Site:
    workdir.mkdir(parents=True, exist_ok=True)
    site = Site(workdir, workdir / "config.yaml", workdir / "public")
    write_config(site, language=language, seed=seed)
    return site


def write_config(site: Site, *, language: str = "sv", seed: int = 1, source: dict[str, Any] | None = None,
                 stale_after_s: int = 600) -> None:
    """The site's YAML config: the demo source unless `source` says otherwise; a 2 s generator loop."""
    config = {
        "output": {"public_dir": str(site.public)},
        "schedule": {"interval_s": 2, "live_s": 2},
        "site": {"language": language, "timezone": TIMEZONE, "stale_after_s": stale_after_s},
        "source": source or {"kind": "demo", "seed": seed},
    }
    site.config.write_text(yaml.safe_dump(config), encoding="utf-8")


# The demo's clock starts here in every browser test: an hour in which the simulated pump runs and makes
# hot water, so every chart and KPI of every range has data, whatever the time of day the tests run.
CLOCK_START = "2026-01-15T11:00:07Z"


def generate_once(site: Site, *, seed: int | None = None, expect_ok: bool = True) -> None:
    """`heatpump-dashboard generate --once`; another seed makes every file change (a new generation)."""
    if seed is not None:
        write_config(site, language=read_language(site), seed=seed)
    result = subprocess.run([CLI, "generate", "--once", "--config", str(site.config), "--clock-start", CLOCK_START],
                            cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    if expect_ok:
        assert result.returncode == 0, f"generate --once failed:\n{result.stdout}\n{result.stderr}"


def read_language(site: Site) -> str:
    return yaml.safe_load(site.config.read_text(encoding="utf-8"))["site"]["language"]


@contextmanager
def sidecar(site: Site, port: int) -> Iterator[subprocess.Popen]:
    """The live-push sidecar serving public/ and /ws on one port (as nginx would put them together)."""
    args = [CLI, "sidecar", "--public-dir", str(site.public), "--port", str(port), "--static"]
    with running(args, f"http://127.0.0.1:{port}/manifest.json", site.log("sidecar")) as process:
        yield process


@contextmanager
def static_server(site: Site, port: int) -> Iterator[subprocess.Popen]:
    """Plain files and no websocket at all, like a proxy that blocks the upgrade."""
    args = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site.public)]
    with running(args, f"http://127.0.0.1:{port}/manifest.json", site.log("http")) as process:
        yield process


@contextmanager
def demo(site: Site, port: int) -> Iterator[subprocess.Popen]:
    """`heatpump-dashboard demo`: generator loop + sidecar + static files on one port."""
    args = [CLI, "demo", "--port", str(port), "--config", str(site.config), "--clock-start", CLOCK_START]
    with running(args, f"http://127.0.0.1:{port}/manifest.json", site.log("demo"), timeout=120) as process:
        yield process


# --- the page --------------------------------------------------------------------------------------
# Every card the range has is drawn (a chart the range leaves out, charts.ONLY_FOR, has its card hidden).
DRAWN_ALL = ("(() => { const cards = [...document.querySelectorAll('[data-chart]')]"
             ".filter((card) => card.dataset.state !== 'absent');"
             " return cards.length > 0 && cards.every((card) => card.dataset.drawn === '1'); })()")


def wait_drawn(page: Any, timeout_ms: float = 20000) -> None:
    page.wait_for_function(DRAWN_ALL, timeout=timeout_ms)


def shown_hash(page: Any) -> str:
    return page.get_attribute("#dashboard", "data-hash") or ""


def wait_shown_hash(page: Any, expected: str, timeout_ms: float = 20000) -> None:
    page.wait_for_function("(h) => document.getElementById('dashboard').dataset.hash === h", arg=expected,
                           timeout=timeout_ms)


def wait_connection(page: Any, state: str, timeout_ms: float = 20000) -> None:
    page.wait_for_selector(f"#connection[data-connection='{state}']", timeout=timeout_ms)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


# --- pages in Chromium (the browser and pages fixtures are in tests/conftest.py) ----------------------------
def new_page(browser: Any, *, width: int = 1280, height: int = 900, scheme: str = "light",
             bypass_csp: bool = True) -> Any:
    # Playwright's wait_for_function() evaluates its text with eval(), which the page's strict CSP
    # forbids; the tests bypass it, and test_the_page_works_under_its_strict_content_security_policy
    # proves the page itself needs no such bypass.
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                  timezone_id=TIMEZONE, accept_downloads=True, bypass_csp=bypass_csp)
    page = context.new_page()
    page.clock.set_system_time(CLOCK_START)  # the page's clock runs from where the generator's started
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors  # checked by tests: the page must not throw
    return page


def open_page(pages: list[Any], browser: Any, url: str, **kwargs: Any) -> Any:
    page = new_page(browser, **kwargs)
    pages.append(page)
    page.goto(url)
    return page


def luminance(css_color: str) -> float:
    """0 (black) … 1 (white) for '#rrggbb' or 'rgb(r, g, b)'."""
    if css_color.startswith("#"):
        r, g, b = (int(css_color[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (int(x) for x in re.findall(r"\d+", css_color)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
