"""Configuration: one YAML file plus environment overrides, described by one table.

SETTINGS is the single source of truth: defaults, the environment variable that overrides a key, what
the key means and how it is checked.  docs/configuration.md repeats the table for people, and a test
fails when the two disagree.  A missing file means the built-in demo.

Why over 300 lines: SETTINGS is one table by design, every key in one place with its check, and the
file is read here too, refusing what no configuration needs (aliases, a key given twice, non-UTF-8 text).
"""
from __future__ import annotations

import difflib
import errno
import math
import os
import re
import socket
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.core.errors import ConfigError, scrub
from generator.core.ranges import (
    BY_KEY as RANGE_BY_KEY,  # the default cadence of each range lives there
)
from generator.mapping import SiteMapping, parse_mapping
from generator.tariff import parse_periods

Check = Callable[[Any], str | None]  # returns the fix when the value is wrong, else None

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")
SOURCE_KINDS = ("demo", "influxql", "flux")
LANGUAGES = ("sv", "en")


def _choice(options: tuple[str, ...]) -> Check:
    return lambda v: None if v in options else f"use one of: {', '.join(options)}"


def _identifier(v: Any) -> str | None:
    if v is None or (isinstance(v, str) and IDENTIFIER.match(v)):
        return None
    return "use letters, digits, '_', '.', '-' only (starting with a letter or '_'), at most 128 characters"


def _url(v: Any) -> str | None:
    if v is None:
        return None
    parsed = urlparse(str(v))
    if parsed.username or parsed.password:  # urllib would take them for part of the host name
        return "leave the user name and password out of the URL: set source.username and source.password " \
               "(or $INFLUXDB_PASSWORD), which are never printed"
    if parsed.scheme in ("http", "https") and parsed.hostname:
        return None
    return "give a full URL such as http://127.0.0.1:8086"


def _month_day(v: Any) -> str | None:
    """"MM-DD", a day every year has (29 February is not)."""
    from datetime import date
    text = str(v)
    try:
        if len(text) == 5 and text[2] == "-" and text[:2].isdigit() and text[3:].isdigit():
            date(2026, int(text[:2]), int(text[3:]))
            return None
    except ValueError:
        pass
    return 'give a month and day "MM-DD" that every year has, e.g. "09-01" (quoted)'


def _timezone(v: Any) -> str | None:
    try:
        ZoneInfo(str(v))
        return None
    except (ZoneInfoNotFoundError, ValueError):
        return "use an IANA time zone name such as Europe/Stockholm"


@dataclass(frozen=True)
class Number:
    """The one check of every numeric setting: a finite number from `low` to `high` (above `low` when
    `above`; whole numbers only when `whole`; empty allowed when `optional`).  Its range is the fix of an
    error and is added to the setting's meaning in docs/configuration.md, so the two cannot disagree."""

    low: float
    high: float
    unit: str = ""          # "s", "kW": said after the range
    note: str = ""          # the range in words, e.g. "a day"
    whole: bool = False
    above: bool = False
    optional: bool = False

    def __call__(self, v: Any) -> str | None:
        if v is None and self.optional:
            return None
        if isinstance(v, bool):  # YAML reads yes/no/on/off as true/false
            return f"{self.fix} (YAML reads yes/no and on/off as true/false, not as numbers)"
        if self.whole and not isinstance(v, int) or not isinstance(v, (int, float)):
            return self.fix
        if isinstance(v, float) and not math.isfinite(v):
            return self.fix
        low_ok = v > self.low if self.above else v >= self.low
        return None if low_ok and v <= self.high else self.fix

    @property
    def allowed(self) -> str:
        """'from 1 to 86400 s (a day)'"""
        start = f"above {_num(self.low)} up" if self.above else f"from {_num(self.low)}"
        unit = f" {self.unit}" if self.unit else ""
        note = f" ({self.note})" if self.note else ""
        return f"{start} to {_num(self.high)}{unit}{note}"

    @property
    def fix(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        empty = ", or leave it empty" if self.optional else ""
        return f"use {kind} {self.allowed}{empty}"


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) and not x.is_integer() else str(int(x))


HOUR, DAY = 3600, 86400
PORT = Number(1, 65535, whole=True)


def _each(check: Number, most: int) -> Check:
    """A list of at most `most` numbers, each passing `check` (empty: the brand default)."""
    def each(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, list) and 0 < len(v) <= most and not any(check(x) for x in v):
            return None
        return f"use a list of 1 to {most} numbers, each {check.allowed}, e.g. [3000, 6000]"
    each.allowed = f"each {check.allowed}"  # type: ignore[attr-defined]
    return each


def _text(v: Any) -> str | None:
    return None if v is None or isinstance(v, str) else "use a text value (quote it in YAML)"


def _control_character(v: str) -> bool:
    """A character that is not text: C0/C1 controls (CR, LF, tab, NUL…), format characters, line separators."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in v)


def _path(required: bool) -> Check:
    """A file or directory name: empty is refused when required ('' would mean the working directory)."""
    def check(v: Any) -> str | None:
        if v is None or v == "":
            return "give a path, e.g. /srv/heatpump-dashboard/public" if required else None
        if not isinstance(v, str):
            return "use a path as text (quote it in YAML)"
        if not v.strip():
            return "give a path, not blanks"
        if _control_character(v):
            return "remove the control character (line break, tab, NUL…) from the path"
        return None
    return check


def _secret(v: Any) -> str | None:
    """A password or token: text, not blank, no control character (a CR or LF would end up in an HTTP
    header).  The fix never repeats the value."""
    if v is None:
        return None
    if not isinstance(v, str):
        return "use a text value (quote it in YAML)"
    if not v.strip():
        return "it is empty or blanks; give the real value or leave the key out"
    if _control_character(v):
        return "it holds a control character (a line break, tab or similar, often a newline copied or " \
               "echoed along with it); remove it"
    return None


def _token(v: Any) -> str | None:
    fix = _secret(v)
    if fix is None and v is not None and not v.isascii():
        return "it holds a character outside ASCII, which no InfluxDB token has and an HTTP header cannot " \
               "carry; copy the token again"
    return fix


def _host(v: Any) -> str | None:
    """An address to listen on: a host name or IP address, no port or scheme ('' or 0.0.0.0: every address)."""
    if not isinstance(v, str):
        return "use a host name or IP address as text, e.g. 127.0.0.1"
    if v == "":
        return None
    if _control_character(v) or any(c.isspace() for c in v) or "/" in v or "@" in v:
        return "give a host name or IP address only, e.g. 127.0.0.1 (no scheme, path or spaces)"
    if ":" in v:  # only an IPv6 literal has one
        try:
            socket.inet_pton(socket.AF_INET6, v)
        except OSError:
            return "give the port in sidecar.port, not in the host (an IPv6 address is written without [ ])"
    return None


def _strings(v: Any) -> str | None:
    return None if isinstance(v, list) and all(isinstance(s, str) for s in v) else "use a list of texts"


def _override(key: str, within: Check) -> Check:
    """A setting that overrides a brand default is checked where brand defaults are (providers/loader.py),
    after `within`, the range this configuration allows."""
    def check(v: Any) -> str | None:
        from providers.loader import (
            check_overrides,  # late: providers import nothing from here
        )

        fix = within(v)
        if fix:
            return fix
        problems = check_overrides({key: v})
        return problems[0].split("; ", 1)[-1] if problems else None
    check.allowed = getattr(within, "allowed", None)  # type: ignore[attr-defined]
    return check


def _periods(v: Any) -> str | None:
    """Only the shape here: each period's problems are lines of their own (_cross_checks)."""
    return None if v is None or isinstance(v, list) else "use a list of periods such as " \
        "[{from: \"06:00\", to: \"22:00\", price: 1.8}], or leave it out for the flat price.per_kwh"


SMTP_SECURITY = ("starttls", "ssl", "none")
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")
NTFY_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _notify_url(example: str, credentials: str) -> Check:
    """A receiver's URL: http or https with a host, and no user:password@ (proxies and logs show URLs)."""
    def check(v: Any) -> str | None:
        if v is None:
            return None
        if not isinstance(v, str) or _control_character(v):
            return f"give a URL as text on one line, e.g. {example}"
        parsed = urlparse(v)
        if parsed.username or parsed.password:
            return f"leave the user name and password out of the URL; {credentials}"
        return None if parsed.scheme in ("http", "https") and parsed.hostname else f"give a full URL such as {example}"
    return check


def _header_secret(v: Any) -> str | None:
    """A token sent in an HTTP header: a secret in printable ASCII."""
    fix = _secret(v)
    if fix is None and v is not None and not v.isascii():
        return "it holds a character outside ASCII, which an HTTP header cannot carry; copy the token again"
    return fix


def _ntfy_topic(v: Any) -> str | None:
    return None if v is None or (isinstance(v, str) and NTFY_TOPIC.match(v)) else \
        "use 1 to 64 letters, digits, '_' or '-', e.g. heatpump-alarms"


def _address(v: Any) -> str | None:
    return None if v is None or (isinstance(v, str) and EMAIL.match(v)) else \
        "give one e-mail address, e.g. heatpump@example.com"


def _addresses(v: Any) -> str | None:
    if isinstance(v, list) and all(isinstance(a, str) and EMAIL.match(a) for a in v):
        return None
    return "give a list of e-mail addresses, e.g. [owner@example.com]"
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def month_day(v: Any) -> tuple[int, int]:
    """A checked "MM-DD" as (month, day)."""
    found = MONTH_DAY.match(str(v))
    assert found is not None
    return int(found.group(1)), int(found.group(2))


def _month_day(v: Any) -> str | None:
    fix = 'use a month and day in quotes, "MM-DD", such as "09-01" for 1 September'
    if not isinstance(v, str) or not MONTH_DAY.match(v):
        return fix
    month, day = month_day(v)
    # 29 February is left out: a season must start in every year
    if not 1 <= month <= 12 or not 1 <= day <= (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]:
        return fix + " (a day every year has)"
    return None


def _provider(v: Any) -> str | None:
    from providers import (
        available_providers,  # late: providers import nothing from here
    )

    names = available_providers()
    return None if v in names else f"use one of: {', '.join(names)}"


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    env: str | None
    meaning: str
    check: Check
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("provider", "generic", "HEATPUMP_BRAND",
            "Brand of the heat pump: how raw metric names map to canonical ones", _provider),
    Setting("source.kind", "demo", None,
            "Where data comes from: demo (built-in simulator), influxql (InfluxDB 1.x, 2.x v1 API, 3.x), flux (InfluxDB 2.x)",
            _choice(SOURCE_KINDS)),
    Setting("source.url", None, "INFLUXDB_URL", "Base URL of InfluxDB", _url),
    Setting("source.database", None, None, "InfluxQL database (2.x: the mapped database name)", _identifier),
    Setting("source.retention_policy", None, None, "InfluxQL retention policy; empty means the default", _identifier),
    Setting("source.measurement", "heatpump", None, "Measurement holding the heat pump's samples", _identifier),
    Setting("source.tag", "name", None, "Tag that holds the raw metric name (name or register_id)", _identifier),
    Setting("source.field", "value", None, "Field that holds the sample value", _identifier),
    Setting("source.username", None, "INFLUXDB_USERNAME", "InfluxQL user (1.x authentication)", _text),
    Setting("source.password", None, "INFLUXDB_PASSWORD", "InfluxQL password; never printed (no control characters)",
            _secret, secret=True),
    Setting("source.token", None, "INFLUXDB_TOKEN", "API token (2.x and 3.x); never printed (printable ASCII)",
            _token, secret=True),
    Setting("source.token_file", None, None, "File holding the API token, instead of source.token (one line; "
            "the line break at its end is ignored)", _path(required=False)),
    Setting("source.org", None, "INFLUXDB_ORG", "InfluxDB 2.x organisation (flux)", _text),
    Setting("source.bucket", None, "INFLUXDB_BUCKET", "InfluxDB 2.x bucket (flux)", _text),
    Setting("source.timeout_s", 30, None, "Seconds before a query counts as failed (the first 30d/365d query after a start reads the whole period)",
            Number(1, 600, "s", "10 minutes")),
    Setting("source.max_gap_s", 900, None, "Staleness limit: when no series has a sample for longer than this, the time after it is a gap (a value is held until its series' next sample otherwise)",
            Number(1, 7 * DAY, "s", "a week")),
    Setting("source.seed", 1, None, "Seed of the simulated heat pump (demo)", Number(0, 2**32 - 1, whole=True)),
    Setting("output.public_dir", "public", None, "Directory the generator writes and nginx serves", _path(required=True)),
    Setting("output.grace_s", 600, None, "Seconds a superseded data file is kept for viewers of the old manifest",
            Number(0, DAY, "s", "a day")),
    Setting("output.archive_days", 400, None, "Days of daily snapshots kept in public/archive",
            Number(1, 3650, "days", "ten years", whole=True)),
    Setting("site.name", "Värmepump", None, "Name shown in the page title", _text),
    Setting("site.language", "sv", None, "Language of the page and charts: sv or en", _choice(LANGUAGES)),
    Setting("site.timezone", "Europe/Stockholm", None, "Time zone for local days and displayed times", _timezone),
    Setting("site.stale_after_s", 600, None, "Newest sample older than this (seconds) marks the data as old",
            Number(1, 7 * DAY, "s", "a week")),
    Setting("schedule.interval_s", RANGE_BY_KEY["24h"].refresh_s, None, "Seconds between runs for ranges up to 24h",
            Number(1, DAY, "s", "a day")),
    Setting("schedule.week_s", RANGE_BY_KEY["7d"].refresh_s, None, "Seconds between refreshes of the 7d range",
            Number(1, DAY, "s", "a day")),
    Setting("schedule.month_s", RANGE_BY_KEY["30d"].refresh_s, None, "Seconds between refreshes of the 30d range",
            Number(1, DAY, "s", "a day")),
    Setting("schedule.year_s", RANGE_BY_KEY["365d"].refresh_s, None, "Seconds between refreshes of the 365d range",
            Number(1, DAY, "s", "a day")),
    Setting("schedule.all_s", RANGE_BY_KEY["all"].refresh_s, None, "Seconds between refreshes of the all range "
            "(monthly buckets over the whole history: it changes when a month closes, or late data arrives)",
            Number(60, 7 * DAY, "s", "a week")),
    Setting("schedule.live_s", 15, None, "Seconds between refreshes of the live file", Number(1, HOUR, "s", "an hour")),
    Setting("schedule.max_publish_failures", 5, None, "Runs in a row that cannot write public/ before the generator exits with code 3, so systemd notices",
            Number(1, 1000, whole=True)),
    Setting("sidecar.host", "127.0.0.1", None, "Address the live-push sidecar listens on: an IP address or host name "
            "of this machine (0.0.0.0: every address)", _host),
    Setting("sidecar.port", 8765, None, "Port the live-push sidecar listens on (nginx proxies to it; "
            "`sidecar --port 0` picks a free one)", PORT),
    Setting("sidecar.max_clients", 10000, None, "Most websocket connections held at once", Number(1, 100_000, whole=True)),
    Setting("sidecar.allowed_origins", [], None, "Origins allowed to connect; empty means the page's own host", _strings),
    Setting("nginx.listen", "127.0.0.1:8080", None, "Address nginx listens on, as nginx writes it (heatpump-dashboard nginx-config; --listen overrides)", _text),
    Setting("nginx.server_name", "_", None, "nginx server_name of the dashboard's server block", _text),
    Setting("nginx.htpasswd", None, None, "htpasswd file for a private dashboard: nginx asks for a user and password on the page, its files and the websocket; empty means open", _text),
    Setting("cop.flow_factor", None, None, "kW per K of the ΔT that estimates heat when there is no heat meter (the heat-carrier pair, else the radiator pair: doctor says which and suggests a value); empty means the brand default",
            _override("cop.flow_factor", Number(0, 100, "kW/K", above=True, optional=True))),
    Setting("cop.min_running_share", 0.5, None, "The COP line has a point only where the compressor ran at least this share of the bucket",
            Number(0, 1, note="a share, e.g. 0.5", above=True)),
    Setting("heat_pump.nominal_heat_kw", None, None, "The pump's nominal heat output in kW; doctor uses it to suggest cop.flow_factor",
            Number(0, 1000, "kW", above=True, optional=True)),
    Setting("cop.carnot_efficiency", None, None, "Share of the Carnot COP reached, used without heat meter or ΔT; empty means the brand default",
            _override("cop.carnot_efficiency", Number(0, 1, note="a share, e.g. 0.45", above=True, optional=True))),
    Setting("cop.carnot_condensing_offset_k", 2, None, "Kelvin the refrigerant condenses above the supply temperature, for the share of the Carnot COP (emoncms MyHeatpump's default)",
            Number(0, 30, "K")),
    Setting("cop.carnot_evaporating_offset_k", 6, None, "Kelvin the refrigerant evaporates below the brine in temperature, for the share of the Carnot COP (emoncms MyHeatpump's default)",
            Number(0, 30, "K")),
    Setting("aux.step_w", None, None, "Add-heat step powers in W, e.g. [3000, 6000], for brands that report add-heat as steps or percent; empty means the brand default",
            _override("aux.step_w", _each(Number(0, 100_000, "W", above=True), most=10))),
    Setting("alarms.code_base", None, None, "1 when alarm codes are numbered from 1 (IVT via Husdata), 0 when from 0 (raw Rego); empty means the brand default",
            _override("alarms.code_base", Number(0, 1, whole=True, optional=True))),
    Setting("hot_water.min_cycle_minutes", 2, None, "Shorter valve-on periods (minutes) are not counted as hot-water cycles",
            Number(0, 120, "min", "two hours")),
    Setting("cycling.short_run_minutes", 10, None, "A compressor run shorter than this (minutes) counts as short for the short-cycling flag (our assumption: common guidance calls runs under about 10 minutes short cycling; docs/decisions.md, Cycling)",
            Number(1, 120, "min", "two hours")),
    Setting("cycling.short_run_share_pct", 30, None, "The range is flagged as short cycling when at least this share (%) of its complete compressor runs are short (judged from 3 runs on)",
            Number(0, 100, "%", above=True)),
    Setting("cycling.max_starts_per_hour", 3, None, "The range is also flagged as short cycling when the compressor starts more often than this per hour with data (our assumption: about 3 starts an hour is the upper end of normal)",
            Number(0, 60, above=True)),
    Setting("price.per_kwh", 1.5, None, "Electricity price per kWh in price.currency, for cost figures",
            Number(0, 100_000)),
    Setting("price.currency", "SEK", None, "Currency of price.per_kwh", _text),
    Setting("price.periods", [], None, "A time-of-use tariff: a list of periods {from: \"06:00\", to: \"22:00\", days: [mon, tue, wed, thu, fri], price: 1.8} in site.timezone (days optional: every day); the first period that covers a moment gives its price, price.per_kwh otherwise; empty means the flat price.per_kwh (docs/decisions.md, Cost)", _periods),
    Setting("price.file", None, None, "An hourly price file (CSV start,end,value, as the nordpool package and Home Assistant's Nord Pool integration give prices; end optional) that replaces price.per_kwh and price.periods; hours it lacks are not priced (docs/decisions.md, Cost)", _path(required=False)),
    Setting("price.file_unit", "kWh", None, "What the prices of price.file are per: kWh or MWh (Nord Pool's own unit)", _choice(("kWh", "MWh"))),
    Setting("seasons.heating_start", "09-01", None, "Month and day a heating season starts (\"MM-DD\" in quotes); the heat signature draws this season against the last", _month_day),
    Setting("mapping.metrics", {}, None, "The owner's own sensors: a canonical metric from another series (raw name, or measurement, tags, field, database, url; read with InfluxQL, also under a Flux source) with unit or scale/offset; replaces the provider's mapping of that metric (docs/mapping.md)", lambda v: None),
    Setting("mapping.extra", [], None, "Extra series on the temperature or power chart: label, chart and the series as in mapping.metrics (docs/mapping.md)", lambda v: None),
    Setting("notify.webhook.url", None, "HEATPUMP_WEBHOOK_URL", "Notifications: URL that gets a JSON POST when an alarm, old data or a stale source starts or clears (docs/notifications.md); never printed, since such URLs often hold a key; empty means no webhook",
            _notify_url("https://example.com/hooks/heatpump", "put a key in the URL's path or query instead"),
            secret=True),
    Setting("notify.ntfy.url", None, None, "Notifications: ntfy server, e.g. https://ntfy.sh; empty means no ntfy",
            _notify_url("https://ntfy.sh", "give the access token in notify.ntfy.token")),
    Setting("notify.ntfy.topic", None, None, "ntfy topic the messages are posted to (letters, digits, '_', '-')", _ntfy_topic),
    Setting("notify.ntfy.token", None, "HEATPUMP_NTFY_TOKEN", "ntfy access token, sent as a Bearer token; never printed; empty means none",
            _header_secret, secret=True),
    Setting("notify.smtp.host", None, None, "Notifications by e-mail: the SMTP server's host name; empty means no e-mail", _text),
    Setting("notify.smtp.port", 587, None, "SMTP port (587 with starttls, 465 with ssl, 25 without)", PORT),
    Setting("notify.smtp.security", "starttls", None, "How the SMTP connection is encrypted: starttls, ssl or none",
            _choice(SMTP_SECURITY)),
    Setting("notify.smtp.username", None, None, "SMTP user; empty means no login", _text),
    Setting("notify.smtp.password", None, "HEATPUMP_SMTP_PASSWORD", "SMTP password; never printed", _secret, secret=True),
    Setting("notify.smtp.from", None, None, "Sender address of the e-mails, e.g. heatpump@example.com", _address),
    Setting("notify.smtp.to", [], None, "Recipient addresses of the e-mails, a list", _addresses),
    Setting("notify.timeout_s", 5, None, "Seconds a run waits for the notification channels; a send still under way then goes on in the background (each network step may take 30 s) and is not repeated, and one that failed is sent again next run",
            Number(1, 60, "s")),
)
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
PROVIDER_OVERRIDES = ("cop.flow_factor", "cop.carnot_efficiency", "aux.step_w", "alarms.code_base")


@dataclass(frozen=True)
class Config:
    """Validated settings, read with cfg["source.kind"]. Build with load_config()."""

    values: dict[str, Any]
    path: Path | None = None

    def __getitem__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            close = difflib.get_close_matches(key, list(BY_KEY), n=1, cutoff=0.6)
            raise KeyError(f"{key!r} is not a setting{f'; did you mean {close[0]!r}?' if close else ''}") from None

    @property
    def public_dir(self) -> Path:
        return Path(self.values["output.public_dir"]).resolve()

    def token(self) -> str | None:
        """The API token, read from source.token_file when given."""
        if self.values["source.token"]:
            return str(self.values["source.token"])
        if self.values["source.token_file"]:
            token, problem = read_token_file(self.values["source.token_file"])
            if problem:
                raise ConfigError([problem])
            return token
        return None

    def secrets(self) -> list[str]:
        """Every secret value, so messages can be scrubbed of them."""
        found = [str(self.values[s.key]) for s in SETTINGS if s.secret and self.values.get(s.key)]
        token = self.token() if self.values["source.token_file"] else None
        return found + ([token] if token else [])

    def mapping(self) -> SiteMapping:
        """The owner's own sensors (mapping.metrics, mapping.extra), typed; checked at load."""
        return parse_mapping(self.values["mapping.metrics"], self.values["mapping.extra"])[0]

    def provider_overrides(self) -> dict[str, Any]:
        """The settings that override a brand's defaults (None: keep the brand's own)."""
        return {key: self.values[key] for key in PROVIDER_OVERRIDES}

    def with_values(self, **changes: Any) -> "Config":
        """A copy with some keys changed; keys use '__' for '.' (output__public_dir=...)."""
        merged = dict(self.values)
        merged.update({k.replace("__", "."): v for k, v in changes.items()})
        return Config(merged, self.path)


MAX_TOKEN_FILE_BYTES = 64 * 1024


def read_token_file(name: str) -> tuple[str | None, str | None]:
    """(the token in file `name`, None) or (None, the problem naming source.token_file and the fix).
    The problem never holds the file's content."""
    path = Path(name)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_TOKEN_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, f"source.token_file: {path} not found; give the path of a file holding the token"
    except IsADirectoryError:
        return None, f"source.token_file: {path} is a directory; give the path of the file holding the token"
    except OSError as exc:
        return None, (f"source.token_file: cannot read {path} ({exc.strerror or exc.__class__.__name__}); "
                      "let the user that runs heatpump-dashboard read it")
    if len(data) > MAX_TOKEN_FILE_BYTES:
        return None, f"source.token_file: {path} is larger than 64 KiB; give a file holding only the token"
    try:
        token = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, f"source.token_file: {path} is not UTF-8 text; write the token into it as plain text"
    fix = _token(token)
    return (None, f"source.token_file: the token in {path} is not valid; {fix}") if fix else (token, None)


MAX_CONFIG_BYTES = 32 * 1024  # a configuration is a few KiB; pure-Python YAML reads ~100 KiB/s
MAX_UNKNOWN_KEYS_NAMED = 20
MAX_YAML_DEPTH = 20


class _Refused(Exception):
    """What _StrictLoader will not read: each problem as 'line N: what; fix'."""

    def __init__(self, problems: list[str]):
        self.problems = problems


class _StrictLoader(yaml.SafeLoader):
    """safe_load that refuses what a configuration never needs and an attack uses: an alias (*name), with
    which a few lines expand into billions of values ("billion laughs"), and a key given twice in one
    mapping (YAML would keep the last one silently)."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused([f"line {event.start_mark.line + 1}: alias *{event.anchor} refused (aliases can expand "
                            "a few lines into billions of values); write the value out instead"])
        if self.depth >= MAX_YAML_DEPTH:
            raise _Refused([f"line {event.start_mark.line + 1}: nested more than {MAX_YAML_DEPTH} levels deep; "
                            "a configuration is two or three levels deep"])
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_document(self, node: Any) -> Any:
        duplicates = _duplicate_keys(node)
        if duplicates:
            raise _Refused(duplicates)
        return super().construct_document(node)


def _duplicate_keys(root: Any) -> list[str]:
    """'line N: key a.b appears twice …' for each key given again in the same mapping (no aliases: a tree)."""
    found: list[tuple[int, str]] = []
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                name = f"{prefix}{_shown(key.value) if isinstance(key, yaml.ScalarNode) else '?'}"
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    line = key.start_mark.line + 1
                    if (key.tag, key.value) in seen:
                        first = seen[(key.tag, key.value)]
                        found.append((line, f"line {line}: key {name} appears twice (also line {first}); keep one"))
                    else:
                        seen[(key.tag, key.value)] = line
                stack.append((value, name + "."))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, prefix) for item in node.value)
    return [text for _, text in sorted(found)]


def _read_yaml(file_path: Path) -> Any:
    """The parsed file; ConfigError with one line naming the file, what is wrong and the fix."""
    where = f"config file {file_path}"
    try:
        info = file_path.stat()
    except FileNotFoundError:
        raise ConfigError([f"{where}: not found; give an existing file or leave --config out for the demo"]) from None
    except OSError as exc:
        raise ConfigError([f"{where}: cannot read it ({exc.strerror or exc.__class__.__name__}); "
                           "check the path and let the user that runs heatpump-dashboard read it"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError([f"{where}: is a directory; give the YAML file itself, e.g. "
                           f"{file_path / 'heatpump-dashboard.yaml'}"])
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError([f"{where}: not a regular file; give a YAML file"])
    try:
        with file_path.open("rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError([f"{where}: cannot read it ({exc.strerror or exc.__class__.__name__}); "
                           "let the user that runs heatpump-dashboard read it (chmod o+r, or chown)"]) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError([f"{where}: larger than 32 KiB; give the configuration file (a few KiB of YAML)"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError([f"{where}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                           "save the file as UTF-8"]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except _Refused as exc:
        raise ConfigError([f"{where}, {p}" for p in exc.problems]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = ", ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise ConfigError([f"{where}{at}: not valid YAML ({_shown(what, 200)}); fix the syntax"]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text[:exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ConfigError([f"{where}, line {line}: character #x{code:04x} is not allowed in YAML; remove it"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}: not valid YAML ({_shown(' '.join(str(exc).split()), 200)}); "
                           "fix the syntax"]) from None


def _shown(text: Any, limit: int = 80) -> str:
    """Text for a one-line message: control characters escaped, cut at `limit` characters."""
    shown = "".join(c if not _control_character(c) else repr(c)[1:-1] for c in str(text))
    return shown if len(shown) <= limit else shown[:limit - 1] + "…"


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and full not in BY_KEY:
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = value
    return flat


def _from_env(setting: Setting, raw: str) -> Any:
    """Environment values are text; give them the type of the default."""
    if isinstance(setting.default, bool):
        return raw.lower() in ("1", "true", "yes")
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read, merge and validate; raise ConfigError listing every bad key with its fix."""
    environ = dict(os.environ if environ is None else environ)
    problems: list[str] = []
    tree: dict[str, Any] = {}
    file_path = Path(path) if path else None
    if file_path is not None:
        loaded = _read_yaml(file_path)
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError([f"config file {file_path}: the top level must be a mapping of keys"])
        tree = loaded or {}

    given = _flatten(tree)
    unknown = sorted(set(given) - set(BY_KEY))
    for key in unknown[:MAX_UNKNOWN_KEYS_NAMED]:
        close = difflib.get_close_matches(key, list(BY_KEY), n=1, cutoff=0.75)
        hint = f"did you mean {close[0]}?" if close else "remove it (see docs/configuration.md)"
        problems.append(f"{_shown(key)}: unknown key; {hint}")
    if len(unknown) > MAX_UNKNOWN_KEYS_NAMED:
        problems.append(f"{len(unknown) - MAX_UNKNOWN_KEYS_NAMED} more unknown keys; remove them (see docs/configuration.md)")

    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = given.get(setting.key, setting.default)
        if setting.env and environ.get(setting.env):
            value = _from_env(setting, environ[setting.env])
        values[setting.key] = value

    for setting in SETTINGS:
        if setting.key in given or (setting.env and environ.get(setting.env)):
            fix = setting.check(values[setting.key])
            if fix:
                where = f" (from ${setting.env})" if setting.env and environ.get(setting.env) else ""
                problems.append(f"{setting.key}{where}: {_safe_repr(setting, values[setting.key])} is not valid; {fix}")
    refused = {p.split(":", 1)[0].split(" (from ", 1)[0] for p in problems}
    problems += [p for p in _cross_checks(values) if p.split(":", 1)[0] not in refused]  # one problem per key
    if problems:
        raise ConfigError(problems)
    return Config(values, file_path)


def _safe_repr(setting: Setting, value: Any) -> str:
    """The value for an error message: never a secret, never a user:password@ inside a URL."""
    return "the value" if setting.secret else _shown(scrub(repr(value), []), 60)


def _cross_checks(v: dict[str, Any]) -> list[str]:
    """Rules that involve more than one key."""
    problems: list[str] = []
    kind = v["source.kind"]
    if kind in ("influxql", "flux") and not v["source.url"]:
        problems.append(f"source.url: required when source.kind is {kind}; set it or $INFLUXDB_URL, e.g. http://127.0.0.1:8086")
    if kind == "influxql" and not v["source.database"]:
        problems.append("source.database: required when source.kind is influxql; name the database (2.x: the mapped name)")
    if kind == "flux":
        if not (v["source.token"] or v["source.token_file"]):
            problems.append("source.token: required when source.kind is flux; set it, $INFLUXDB_TOKEN or source.token_file")
        if not v["source.org"]:
            problems.append("source.org: required when source.kind is flux; set it or $INFLUXDB_ORG")
        if not v["source.bucket"]:
            problems.append("source.bucket: required when source.kind is flux; set it or $INFLUXDB_BUCKET")
    if v["source.token_file"] and not v["source.token"] and not BY_KEY["source.token_file"].check(v["source.token_file"]):
        problem = read_token_file(v["source.token_file"])[1]
        problems += [problem] if problem else []
    problems += parse_periods(v["price.periods"])[1] if isinstance(v["price.periods"], list) else []
    if v["price.file"] and v["price.periods"]:
        problems.append("price.periods: given together with price.file; keep one of them (the file has the "
                        "price of every hour, the periods a tariff)")
    problems += _notify_checks(v)
    mapping, found = parse_mapping(v["mapping.metrics"], v["mapping.extra"])  # checked here: a line per entry
    problems += found
    if mapping and kind not in ("influxql", "flux"):
        problems.append(f"mapping: the owner's own series are read from InfluxDB; set source.kind: influxql or "
                        f"flux, or remove mapping (source.kind is {kind})")
    if mapping and kind == "flux":   # read with InfluxQL through 2.x's v1 API, which knows databases, not buckets
        named = [(f"mapping.metrics.{m}", ref) for m, ref in mapping.metrics.items()]
        named += [(f"mapping.extra[{i}]", extra.series) for i, extra in enumerate(mapping.extra)]
        problems += [f"{key}.database: required when source.kind is flux: a mapped series is read with InfluxQL "
                     "through InfluxDB 2.x's v1 API; name the database mapped to its bucket (influx v1 dbrp list)"
                     for key, ref in named if not ref.database]
    return problems


def _notify_checks(v: dict[str, Any]) -> list[str]:
    """A channel is on when its first key is set; then the keys it cannot work without are required."""
    problems = []
    if v["notify.ntfy.url"] and not v["notify.ntfy.topic"]:
        problems.append("notify.ntfy.topic: required when notify.ntfy.url is set; name the topic, e.g. heatpump-alarms")
    if v["notify.ntfy.topic"] and not v["notify.ntfy.url"]:
        problems.append("notify.ntfy.url: required when notify.ntfy.topic is set; give the server, e.g. https://ntfy.sh")
    if v["notify.smtp.host"]:
        if not v["notify.smtp.from"]:
            problems.append("notify.smtp.from: required when notify.smtp.host is set; give the sender address")
        if not v["notify.smtp.to"]:
            problems.append("notify.smtp.to: required when notify.smtp.host is set; give a list of recipients")
    elif v["notify.smtp.from"] or v["notify.smtp.to"]:
        problems.append("notify.smtp.host: required when notify.smtp.from or notify.smtp.to is set; give the SMTP server")
    if v["notify.smtp.host"] and v["notify.smtp.password"] and not v["notify.smtp.username"]:
        problems.append("notify.smtp.username: required when notify.smtp.password is set; give the SMTP user")
    return problems


# --- where the sidecar (and the demo) listen: checked by the settings' rules, failures worded once -------
FREE_PORT = Number(0, 65535, note="0: a free port", whole=True)


def check_listen(host: Any, port: Any, host_key: str, port_key: str, *, free_port: bool = False) -> None:
    """ConfigError naming host_key/port_key (a setting, or the flag that overrides it) unless `host` and
    `port` pass the checks of sidecar.host and sidecar.port (with `free_port`, 0 too: any free port)."""
    fixes = [(host_key, host, _host(host)), (port_key, port, (FREE_PORT if free_port else PORT)(port))]
    problems = [f"{key}: {_shown(repr(value), 60)} is not valid; {fix}" for key, value, fix in fixes if fix]
    if problems:
        raise ConfigError(problems)


def probe_listen(host: str, port: int, host_key: str, port_key: str) -> None:
    """Bind host:port for a moment, so that a port in use or a foreign address is said at once, before any
    work (the demo generates first); ConfigError with listen_problem()'s line."""
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                                  flags=socket.AI_PASSIVE):
            with socket.socket(family, kind, proto) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind(address)
    except OSError as exc:
        raise ConfigError([listen_problem(exc, host, port, host_key, port_key)]) from None


def listen_problem(exc: OSError, host: str, port: int, host_key: str, port_key: str) -> str:
    """One line for a failure to listen on host:port: the setting (or flag) to change and how."""
    shown = _shown(host or "every address")
    if isinstance(exc, socket.gaierror):  # getaddrinfo: no such name, or no name server answering
        return (f"{host_key}: {shown} does not resolve to an address ({exc.strerror}); use an IP address of this "
                "machine such as 127.0.0.1, or a name in /etc/hosts")
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"{host_key}: {shown} is not an address of this machine; use 127.0.0.1 (nginx on this machine), "
                "0.0.0.0 (every address) or one that `ip address` lists")
    if exc.errno == errno.EADDRINUSE:
        return (f"{port_key}: port {port} on {shown} is already in use by another program; stop that program "
                "or choose another port")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"{port_key}: this user may not listen on port {port} (below 1024 needs root); choose a port "
                "from 1024 up, e.g. 8765")
    return (f"{host_key} or {port_key}: cannot listen on {shown} port {port} ({_shown(exc.strerror or exc)}); "
            "choose another address or port")


# --- docs/configuration.md is rendered from SETTINGS: `python -m generator.config > docs/configuration.md`
DOC_HEAD = """# Configuration

One YAML file (`--config FILE`), nested by the dots of each key, plus the environment variables below,
which win over the file (as existing installs use them). No file at all means the built-in simulated heat
pump. `heatpump-dashboard check-config --config FILE` names every bad key and how to fix it (exit 2).
Secrets (`source.password`, `source.token`, the content of `source.token_file`, and the notification
keys `notify.webhook.url`, `notify.ntfy.token`, `notify.smtp.password`) never appear in a message
or in public/, and are refused when blank or holding a control character such as a line break.  The file
is UTF-8 text of at most 32 KiB; YAML aliases (`*name`) and a key given twice in one mapping are refused.
Each numeric key says the range it allows.

```yaml
provider: nibe
source:
  kind: influxql
  url: http://127.0.0.1:8086
  database: heatpump
site:
  name: Villa Ek
  language: en
```

"""


def configuration_doc() -> str:
    def cell(value: Any) -> str:
        return "—" if value is None else f"`{value}`"

    def meaning(s: Setting) -> str:
        allowed = getattr(s.check, "allowed", None)  # a numeric setting's range, as its check says it
        return f"{s.meaning}; allowed: {allowed}" if allowed else s.meaning

    rows = [f"| `{s.key}` | {cell(s.default)} | {cell(s.env)} | {meaning(s)} |" for s in SETTINGS]
    return DOC_HEAD + "| key | default | environment variable | meaning |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(configuration_doc(), end="")
