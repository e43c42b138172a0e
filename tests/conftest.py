"""Shared fixtures: real influxd instances (Debian's influxdb 1.6.7), one per test session, and Chromium."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.influxd import INFLUXD, Influxd, available


def _require_influxd() -> None:
    if not available():
        pytest.fail(f"influxd not found at {INFLUXD}: install Debian's influxdb package (apt-get install influxdb)")


@pytest.fixture(scope="session")
def influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    """One influxd without authentication, shared by the whole session; tests use their own databases."""
    _require_influxd()
    with Influxd(tmp_path_factory.mktemp("influxd")) as server:
        yield server


@pytest.fixture(scope="session")
def influxd_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    """An influxd with auth-enabled=true and an admin user (credentials in .admin)."""
    _require_influxd()
    with Influxd(tmp_path_factory.mktemp("influxd-auth"), auth=True) as server:
        server.create_admin("admin", "s3cret-Pa55word")
        yield server


# --- Chromium: one browser per test module, and the pages a test opened closed after it -------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by playwright (tests/browser_support.py: the path and the flags)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, ensure_bundle
    ensure_bundle()
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def pages(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for page in opened:
        page.context.close()
