"""Data quality of a range: what the source left out of it (samples holding text, absurd values), from
the per-bucket quality columns a database source adds (generator/sources/rawplan.py), as problems the
page words in its own language."""
from __future__ import annotations

import pandas as pd

from generator.core.errors import Problem

WHAT = {"text_values": "holds {count} text value(s) where numbers belong (first in the bucket of {first}); "
                       "they are left out: fix or delete them in the database",
        "absurd_values": "holds {count} value(s) beyond ±10¹² (first in the bucket of {first}); they are left out"}


def left_out(frame: pd.DataFrame) -> list[Problem]:
    """One problem per series and kind with any left-out sample in the frame's buckets."""
    problems = []
    for column in sorted(c for c in frame.columns if c.startswith("quality:")):
        counts = frame[column].fillna(0.0)
        if counts.sum() <= 0:
            continue
        _, kind, series = column.split(":", 2)
        first = counts[counts > 0].index[0].tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        count = int(round(counts.sum()))
        problems.append(Problem(kind, f"series {series!r} " + WHAT[kind].format(count=count, first=first),
                                {"series": series, "count": count, "first": first}))
    return problems
