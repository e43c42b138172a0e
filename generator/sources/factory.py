"""Choosing the source a configuration asks for: demo, influxql or flux."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from generator.config import PROVIDER_OVERRIDES, Config
from generator.core.clock import SYSTEM, Clock
from generator.core.errors import ConfigError
from generator.sources.base import Source

if TYPE_CHECKING:
    from generator.sources.influxql import Connection


def make_source(cfg: Config, clock: Clock = SYSTEM) -> Source:
    """The Source of cfg["source.kind"]; database sources load the provider to know what to query.  The
    demo source reads the run's clock for "now" (a database knows its newest sample itself)."""
    kind = cfg["source.kind"]
    if kind == "demo":
        from generator.sources.demo import DemoSource

        return DemoSource(seed=cfg["source.seed"], clock=clock)
    from providers import load_provider

    provider = load_provider(cfg["provider"], cfg.provider_overrides())
    if kind == "influxql":
        from generator.sources.influxql import InfluxQLSource

        try:
            source = InfluxQLSource(influxql_connection(cfg), provider, cfg["source.measurement"], cfg["source.tag"],
                                    cfg["source.field"], max_gap_s=float(cfg["source.max_gap_s"]))
            return with_mapping(cfg, source)
        except ValueError as exc:
            raise ConfigError([f"source: {exc}; use plain names in source.measurement, source.tag, source.field"]) from None
    if kind == "flux":
        from generator.sources.flux import FluxSource

        try:
            source = FluxSource(url=cfg["source.url"], token=cfg.token() or "", org=cfg["source.org"],
                                bucket=cfg["source.bucket"], provider=provider,
                                measurement=cfg["source.measurement"], tag=cfg["source.tag"],
                                field=cfg["source.field"], timeout_s=float(cfg["source.timeout_s"]),
                                max_gap_s=float(cfg["source.max_gap_s"]))
            return with_mapping(cfg, source)
        except ValueError as exc:
            raise ConfigError([f"source: {exc}; use plain names in source.measurement, source.tag, source.field, source.bucket"]) from None
    raise ConfigError([f"source.kind: {kind!r} is not known; use one of: demo, influxql, flux"])


def influxql_connection(cfg: Config) -> "Connection":
    """The InfluxQL connection of source.*: the source itself, or (under Flux) the v1 API of the same 2.x
    server that the mapped series are read through, each naming its own database."""
    from generator.sources.influxql import Connection

    return Connection(url=cfg["source.url"], database=cfg["source.database"] or "",
                      retention_policy=cfg["source.retention_policy"] or None,
                      username=cfg["source.username"], password=cfg["source.password"],
                      token=cfg.token(), timeout_s=float(cfg["source.timeout_s"]))


def with_mapping(cfg: Config, source: Source) -> Source:
    """`source`, with the site config's mapped series put in when it has any (generator/sources/composite.py)."""
    mapping = cfg.mapping()
    if not mapping:
        return source
    from generator.sources.composite import composite

    return composite(source, mapping, influxql_connection(cfg), cfg["source.measurement"], cfg["source.tag"],
                     cfg["source.field"], float(cfg["source.max_gap_s"]))


# How often a grid's cache re-asks one older chunk (late data older than the tail): see docs/data-layer.md.
RECHECK_EVERY = pd.Timedelta(minutes=15)


def make_cached_source(cfg: Config, clock: Clock = SYSTEM) -> Source:
    """The source a generator runs on: make_source(cfg), with database sources (influxql, flux) behind
    the closed-bucket cache (generator/sources/cached.py) so a refresh only asks for new and recent
    buckets.  The demo source is fast already and stays bare; the doctor keeps using make_source, since
    it needs the bare source's held_names() and coverage()."""
    source = make_source(cfg, clock)
    if cfg["source.kind"] in ("influxql", "flux"):
        from generator.sources.cache_store import CacheStore
        from generator.sources.cached import CachedSource

        disk = CacheStore(cfg.public_dir / CACHE_FILE, cache_fingerprint(cfg))
        return CachedSource(source, recheck_every=RECHECK_EVERY, disk=disk)
    return source


CACHE_FILE = ".cache.sqlite"   # a dot file inside public/: never served, and the one place the generator may write


def cache_fingerprint(cfg: Config) -> str:
    """What the cached buckets depend on: the settings that choose and read the series, the provider's
    file, and the code of the sources (an upgrade that changes how buckets are made drops the cache)."""
    from providers import load_provider

    keys = ("provider", "source.kind", "source.url", "source.database", "source.retention_policy",
            "source.measurement", "source.tag", "source.field", "source.org", "source.bucket", "source.max_gap_s",
            "mapping.metrics", "mapping.extra", *PROVIDER_OVERRIDES)
    digest = hashlib.sha256(json.dumps({k: cfg[k] for k in keys}, sort_keys=True, default=str).encode())
    provider = load_provider(cfg["provider"], cfg.provider_overrides())
    for path in [Path(provider.path)] + sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()
