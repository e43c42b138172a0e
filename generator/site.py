"""The page: public/index.html rendered from site_templates/ and the bundled JS/CSS beside it.

The bundle (site_templates/dist/app.js, app.css) is built by esbuild (`make bundle`); this module only
copies it into public/assets/ under content-hashed names, so browsers may cache it for ever.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    select_autoescape,
)

from generator import prerender
from generator.config import Config
from generator.core.errors import BundleMissing
from generator.core.ranges import RANGES
from generator.writer import Publisher, prepacked, write_if_changed

TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"
DIST = TEMPLATES / "dist"
BUNDLE_FILES = ("app.js", "app.css")
DEFAULT_RANGE = "24h"     # the range a page without ?range= shows, whose figures index.html carries
FAVICON = "favicon.svg"   # under a fixed name beside index.html: the page links it, so no /favicon.ico 404


@dataclass(frozen=True)
class Assets:
    js_path: str
    css_path: str
    favicon: str = FAVICON    # the offline report carries it as a data: URL


def favicon_data_url() -> str:
    return "data:image/svg+xml;base64," + base64.b64encode((TEMPLATES / FAVICON).read_bytes()).decode("ascii")


def bundle_missing() -> list[str]:
    return [name for name in BUNDLE_FILES if not (DIST / name).is_file()]


def publish_assets(publisher: Publisher) -> Assets:
    """Copy the built bundle into public/assets/ under content-hashed names."""
    missing = bundle_missing()
    if missing:
        raise BundleMissing(
            f"site_templates/dist/{missing[0]} is missing: build the page bundle with `make bundle` (npm ci && npm run build)")
    paths = {}
    for name in BUNDLE_FILES:
        stem, suffix = name.rsplit(".", 1)
        data = (DIST / name).read_bytes()
        paths[suffix] = publisher.put_hashed(stem, data, "." + suffix, "assets", prepacked(DIST / name, data)).path
    publisher.remove_unreferenced("assets", set(paths.values()))  # bundles of earlier releases
    return Assets(js_path=paths["js"], css_path=paths["css"])


@lru_cache(maxsize=1)
def _page_template() -> Template:
    """The page template, compiled once per process: index.html is rendered on every live update."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("index.html.j2")


def render_index(cfg: Config, assets: Assets, kpis: Mapping[str, Any] | None = None,
                 live: Mapping[str, Any] | None = None) -> str:
    """The page; with the default range's KPIs and the live file, their figures already in it."""
    language = cfg["site.language"]
    return _page_template().render(
        lang=cfg["site.language"],
        site_name=cfg["site.name"],
        timezone=cfg["site.timezone"],
        stale_after_s=cfg["site.stale_after_s"],
        ranges=[r.key for r in RANGES],
        default_range=DEFAULT_RANGE,
        js_path=assets.js_path,
        css_path=assets.css_path,
        favicon=assets.favicon,
        cards=prerender.kpi_cards(kpis, language),
        live_values=prerender.live_values(live, language),
        live_title=prerender.page()["strings"][language]["liveTitle"],
        strings=prerender.page()["strings"][language],
        schematic=prerender.schematic(live, language),
        prerendered=kpis is not None,
    )


def publish_assets_and_icon(publisher: Publisher) -> Assets:
    """The bundle and the icon: once per process (they change only with a release)."""
    write_if_changed(publisher.public_dir / FAVICON, (TEMPLATES / FAVICON).read_bytes())
    return publish_assets(publisher)


def publish_index(cfg: Config, publisher: Publisher, assets: Assets, kpis: Mapping[str, Any] | None = None,
                  live: Mapping[str, Any] | None = None) -> bool:
    """Write index.html with the current figures when its text changed. True when written."""
    return write_if_changed(publisher.public_dir / "index.html", render_index(cfg, assets, kpis, live).encode("utf-8"))

