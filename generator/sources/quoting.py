"""Quoting for the two query languages, in one place: every name from a config or provider file enters a
statement only through these, so nothing can change a statement's meaning."""
from __future__ import annotations

import pandas as pd


def check_text(value: str, what: str) -> str:
    """A non-empty text without control characters (they have no business in a name)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty text")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{what} {value!r} holds a control character")
    return value


def utc(ts: pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def milliseconds(td: pd.Timedelta) -> int:
    return int(pd.Timedelta(td) / pd.Timedelta(milliseconds=1))


# --- InfluxQL ---------------------------------------------------------------------------------------------
def quote_ident(name: str) -> str:
    """A double-quoted InfluxQL identifier: "my \\"odd\\" name"."""
    check_text(name, "identifier")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_string(value: str) -> str:
    """A single-quoted InfluxQL string literal; '' too: a tag compared with '' matches series without it."""
    if value != "":
        check_text(value, "string")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def time_literal(ts: pd.Timestamp) -> str:
    """An RFC 3339 InfluxQL time literal with milliseconds."""
    t = utc(ts)
    return "'" + t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z'"


def duration_literal(td: pd.Timedelta) -> str:
    return f"{milliseconds(td)}ms"


# --- Flux -------------------------------------------------------------------------------------------------
def flux_string(value: str) -> str:
    """A Flux string literal: backslash, quote and `${` (interpolation) escaped; no control characters."""
    check_text(value, "a name")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${") + '"'


def flux_time(ts: pd.Timestamp) -> str:
    t = utc(ts)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def flux_duration(td: pd.Timedelta) -> str:
    return f"{milliseconds(td)}ms"
