"""One raw name, several series: which one a database source reads.

InfluxDB keeps a series per distinct tag set, so the same `name` can live in two series that differ in
another tag (an old collector left writing with `host=pi`, a new one with `host=nuc`).  Grouped by the
name tag alone their points interleave, and every mean, interval and difference mixes two sensors.
The source reads each name from the series whose newest sample is the newest (the one still written),
and says so as a data-quality problem.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from generator.core.errors import Problem


@dataclass(frozen=True)
class Candidate:
    """One series of a raw name: all its tags and the time of its newest sample (epoch ms)."""

    tags: Mapping[str, str]
    newest_ms: int


@dataclass(frozen=True)
class Choice:
    """Per raw name with several series: the tag values that single out the one read."""

    only: Mapping[str, Mapping[str, str]]
    problems: tuple[Problem, ...]


def choose(candidates: Mapping[str, Sequence[Candidate]], name_tag: str) -> Choice:
    """The newest series of each name that has several (ties: the first by its tags, so the choice is
    stable); for it, every other tag that tells the series apart, with '' where the chosen one lacks it."""
    only: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    for name, found in sorted(candidates.items()):
        if len(found) < 2:
            continue
        chosen = sorted(found, key=lambda c: (-c.newest_ms, sorted(c.tags.items())))[0]
        keys = sorted({k for c in found for k in c.tags if k != name_tag})
        differing = [k for k in keys if len({c.tags.get(k, "") for c in found}) > 1]
        only[name] = {k: chosen.tags.get(k, "") for k in differing}
        using = ", ".join(f"{k}={v}" for k, v in only[name].items())
        problems.append(Problem(
            "duplicate_series",
            f"{name_tag} {name!r} is in {len(found)} series that differ in {', '.join(differing)}; reading the one "
            f"with the newest sample ({using}); delete the other series or give the collectors different names",
            {"series": name, "count": len(found), "using": using}))
    return Choice(only, tuple(problems))
