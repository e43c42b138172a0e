"""The page: public/index.html rendered from site_templates/ and the bundled JS/CSS beside it.

The bundle (site_templates/dist/app.js, app.css) is built by esbuild (`make bundle`); this module only
copies it into public/assets/ under content-hashed names, so browsers may cache it for ever.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.config import Config
from generator.core.errors import BundleMissing
from generator.core.ranges import RANGES
from generator.writer import Publisher, write_if_changed

TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"
DIST = TEMPLATES / "dist"
BUNDLE_FILES = ("app.js", "app.css")
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
        paths[suffix] = publisher.put_hashed(stem, (DIST / name).read_bytes(), "." + suffix, "assets").path
    publisher.remove_unreferenced("assets", set(paths.values()))  # bundles of earlier releases
    return Assets(js_path=paths["js"], css_path=paths["css"])


def render_index(cfg: Config, assets: Assets) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("index.html.j2").render(
        lang=cfg["site.language"],
        site_name=cfg["site.name"],
        timezone=cfg["site.timezone"],
        stale_after_s=cfg["site.stale_after_s"],
        ranges=[r.key for r in RANGES],
        default_range="24h",
        js_path=assets.js_path,
        css_path=assets.css_path,
        favicon=assets.favicon,
    )


def publish_site(cfg: Config, publisher: Publisher) -> bool:
    """Write index.html (and its assets) when they changed. True when the page changed."""
    assets = publish_assets(publisher)
    write_if_changed(publisher.public_dir / FAVICON, (TEMPLATES / FAVICON).read_bytes())
    return write_if_changed(publisher.public_dir / "index.html", render_index(cfg, assets).encode("utf-8"))
