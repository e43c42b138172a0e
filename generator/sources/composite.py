"""The heat pump's source plus the owner's own series (generator/mapping.py): one Source.

Each mapped series is read by an InfluxQL source of its own, on its own measurement, tags, field,
database and server, through a one-metric provider that converts its unit (also under a Flux main source:
InfluxDB 2.x answers InfluxQL through its v1 API); its canonical columns (value, coverage,
bands) then replace the main source's columns of that metric, and an extra series lands under its own
column (ExtraSeries.column).  Counts, ratios and coverage stay per metric, so a COP whose electricity
comes from a Shelly meter covers the time both the meter and the heat estimate have data.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Sequence

import pandas as pd

from generator.core.ranges import Window
from generator.mapping import SeriesRef, SiteMapping
from generator.sources.base import Latest, Source
from generator.sources.influxql import Connection, InfluxQLSource
from providers.model import Provider
from providers.records import AlarmRules, Layout, ProviderDefaults, TagMapping
from providers.transforms import Direct

PROVIDER_TAG = "name"
NO_TAG = "name"   # a series without tags is found as the one lacking this tag: InfluxQL's `tag = ''`
STAND_IN = {"temperature": "outdoor_temp", "power": "power_electric"}   # a metric of an extra's kind


@dataclass(frozen=True)
class Part:
    """One mapped series: the source that reads it, the canonical metric it is read as, and the column
    (and its coverage and bands) it gives the frame."""

    source: InfluxQLSource
    metric: str
    column: str


def one_metric_provider(metric: str, raw: str, ref: SeriesRef) -> Provider:
    mapping = TagMapping(MappingProxyType({metric: (Direct(raw, ref.scale, ref.offset),)}))
    layout = Layout("site-mapping", "the site config's mapping", MappingProxyType({PROVIDER_TAG: mapping}))
    return Provider(name="site-mapping", display_name="mapping", colours=MappingProxyType({}),
                    defaults=ProviderDefaults(), layouts=(layout,), tags=MappingProxyType({PROVIDER_TAG: mapping}),
                    alarms=AlarmRules())


def part_source(conn: Connection, ref: SeriesRef, metric: str, measurement: str, tag: str, field: str,
                max_gap_s: float) -> InfluxQLSource:
    """An InfluxQL source that reads exactly the series `ref` names, as `metric`."""
    max_gap_s = ref.max_gap_s or max_gap_s
    own = replace(conn, database=ref.database, retention_policy=None) if ref.database else conn
    own = replace(own, url=ref.url) if ref.url else own
    if ref.raw is not None:   # a raw name in the heat pump's own measurement
        return InfluxQLSource(own, one_metric_provider(metric, ref.raw, ref), measurement, tag, field,
                              max_gap_s, provider_tag=PROVIDER_TAG)
    tags = dict(ref.tags)
    key = sorted(tags)[0] if tags else NO_TAG
    value = tags.pop(key, "")
    return InfluxQLSource(own, one_metric_provider(metric, value, ref), ref.measurement or measurement, key,
                          ref.field or field, max_gap_s, provider_tag=PROVIDER_TAG, pinned=tags)


class CompositeSource:
    """A Source: the main source's frames with the mapped series' columns put in."""

    def __init__(self, main: Source, parts: Sequence[Part]):
        self.main = main
        self.parts = tuple(parts)

    @property
    def kind(self) -> str:
        return self.main.kind

    @property
    def query_count(self) -> int:
        return self.main.query_count + sum(p.source.query_count for p in self.parts)

    def series(self, window: Window, bands: bool) -> pd.DataFrame:
        frame = self.main.series(window, bands).copy()
        for part in self.parts:
            got = part.source.series(window, bands)
            for suffix in ("", ":cov", ":min", ":max"):
                source_column = part.metric + suffix
                target = part.column + suffix
                if source_column in got:
                    frame[target] = got[source_column].reindex(frame.index)
                elif target in frame and part.column == part.metric:
                    frame = frame.drop(columns=target)   # the provider's own reading no longer counts
            for column in (c for c in got.columns if c.startswith("quality:")):   # data quality, by its use
                frame[column.rsplit(":", 1)[0] + ":" + part.column] = got[column].reindex(frame.index)
        return frame

    def state_changes(self, window: Window, metrics: Sequence[str]) -> dict[str, pd.Series]:
        mapped = {p.metric: p for p in self.parts if p.column == p.metric}
        changes = self.main.state_changes(window, [m for m in metrics if m not in mapped])
        for metric in metrics:
            if metric in mapped:
                changes.update(mapped[metric].source.state_changes(window, [metric]))
        return changes

    def latest(self) -> Latest:
        found = self.main.latest()
        values, quality, at = dict(found.values), list(found.quality), found.at
        for part in self.parts:
            if part.column != part.metric:
                continue
            got = part.source.latest()
            if part.metric in got.values:
                values[part.metric] = got.values[part.metric]
            quality += got.quality
        return replace(found, values=values, quality=tuple(quality), at=at)

    def ping(self) -> bool:
        return self.main.ping() and all(p.source.ping() for p in self.parts)

    def close(self) -> None:
        self.main.close()
        for part in self.parts:
            part.source.close()

    # --- the doctor reads the main source's names --------------------------------------------------------
    def __getattr__(self, name: str):
        return getattr(self.main, name)


def composite(main: Source, mapping: SiteMapping, conn: Connection, measurement: str, tag: str, field: str,
              max_gap_s: float) -> CompositeSource:
    parts = [Part(part_source(conn, ref, metric, measurement, tag, field, max_gap_s), metric, metric)
             for metric, ref in mapping.metrics.items()]
    parts += [Part(part_source(conn, extra.series, STAND_IN[extra.chart], measurement, tag, field, max_gap_s),
                   STAND_IN[extra.chart], extra.column) for extra in mapping.extra]
    return CompositeSource(main, parts)

