"""Configuration: one YAML file plus environment overrides, described by one table.

SETTINGS is the single source of truth: defaults, the environment variable that overrides a key, what
the key means and how it is checked.  docs/configuration.md repeats the table for people, and a test
fails when the two disagree.  A missing file means the built-in demo.

Why over 300 lines: SETTINGS is one table by design, every key in one place with its check.
"""
from __future__ import annotations

import difflib
import os
import re
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


def _timezone(v: Any) -> str | None:
    try:
        ZoneInfo(str(v))
        return None
    except (ZoneInfoNotFoundError, ValueError):
        return "use an IANA time zone name such as Europe/Stockholm"


def _positive(v: Any) -> str | None:
    return None if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 else "use a number above 0"


def _non_negative(v: Any) -> str | None:
    return None if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 else "use a number ≥ 0"


def _port(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 65535 else "use a port number 0–65535"


def _text(v: Any) -> str | None:
    return None if v is None or isinstance(v, str) else "use a text value (quote it in YAML)"


def _strings(v: Any) -> str | None:
    return None if isinstance(v, list) and all(isinstance(s, str) for s in v) else "use a list of texts"


def _override(key: str) -> Check:
    """A setting that overrides a brand default is checked where brand defaults are: providers/loader.py."""
    def check(v: Any) -> str | None:
        from providers.loader import (
            check_overrides,  # late: providers import nothing from here
        )

        problems = check_overrides({key: v})
        return problems[0].split("; ", 1)[-1] if problems else None
    return check


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
    Setting("source.password", None, "INFLUXDB_PASSWORD", "InfluxQL password", _text, secret=True),
    Setting("source.token", None, "INFLUXDB_TOKEN", "API token (2.x and 3.x); never printed", _text, secret=True),
    Setting("source.token_file", None, None, "File holding the API token, instead of source.token", _text),
    Setting("source.org", None, "INFLUXDB_ORG", "InfluxDB 2.x organisation (flux)", _text),
    Setting("source.bucket", None, "INFLUXDB_BUCKET", "InfluxDB 2.x bucket (flux)", _text),
    Setting("source.timeout_s", 30, None, "Seconds before a query counts as failed (the first 30d/365d query after a start reads the whole period)", _positive),
    Setting("source.max_gap_s", 900, None, "Staleness limit: when no series has a sample for longer than this, the time after it is a gap (a value is held until its series' next sample otherwise)", _positive),
    Setting("source.seed", 1, None, "Seed of the simulated heat pump (demo)",
            lambda v: None if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else "use a whole number ≥ 0"),
    Setting("output.public_dir", "public", None, "Directory the generator writes and nginx serves", _text),
    Setting("output.grace_s", 600, None, "Seconds a superseded data file is kept for viewers of the old manifest", _non_negative),
    Setting("output.archive_days", 400, None, "Days of daily snapshots kept in public/archive", _positive),
    Setting("site.name", "Värmepump", None, "Name shown in the page title", _text),
    Setting("site.language", "sv", None, "Language of the page and charts: sv or en", _choice(LANGUAGES)),
    Setting("site.timezone", "Europe/Stockholm", None, "Time zone for local days and displayed times", _timezone),
    Setting("site.stale_after_s", 600, None, "Newest sample older than this marks the data as old", _positive),
    Setting("schedule.interval_s", RANGE_BY_KEY["24h"].refresh_s, None, "Seconds between runs for ranges up to 24h", _positive),
    Setting("schedule.week_s", RANGE_BY_KEY["7d"].refresh_s, None, "Seconds between refreshes of the 7d range", _positive),
    Setting("schedule.month_s", RANGE_BY_KEY["30d"].refresh_s, None, "Seconds between refreshes of the 30d range", _positive),
    Setting("schedule.year_s", RANGE_BY_KEY["365d"].refresh_s, None, "Seconds between refreshes of the 365d range", _positive),
    Setting("schedule.live_s", 15, None, "Seconds between refreshes of the live file", _positive),
    Setting("schedule.max_publish_failures", 5, None, "Runs in a row that cannot write public/ before the generator exits with code 3, so systemd notices", _positive),
    Setting("sidecar.host", "127.0.0.1", None, "Address the live-push sidecar listens on", _text),
    Setting("sidecar.port", 8765, None, "Port the live-push sidecar listens on", _port),
    Setting("sidecar.max_clients", 10000, None, "Most websocket connections held at once", _positive),
    Setting("sidecar.allowed_origins", [], None, "Origins allowed to connect; empty means the page's own host", _strings),
    Setting("nginx.listen", "127.0.0.1:8080", None, "Address nginx listens on, as nginx writes it (heatpump-dashboard nginx-config; --listen overrides)", _text),
    Setting("nginx.server_name", "_", None, "nginx server_name of the dashboard's server block", _text),
    Setting("nginx.htpasswd", None, None, "htpasswd file for a private dashboard: nginx asks for a user and password on the page, its files and the websocket; empty means open", _text),
    Setting("cop.flow_factor", None, None, "kW per K of the ΔT that estimates heat when there is no heat meter (the heat-carrier pair, else the radiator pair: doctor says which and suggests a value); empty means the brand default", _override("cop.flow_factor")),
    Setting("cop.min_running_share", 0.5, None, "The COP line has a point only where the compressor ran at least this share of the bucket", lambda v: None if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1 else "use a share above 0 and at most 1, e.g. 0.5"),
    Setting("heat_pump.nominal_heat_kw", None, None, "The pump's nominal heat output in kW; doctor uses it to suggest cop.flow_factor", lambda v: None if v is None else _positive(v)),
    Setting("cop.carnot_efficiency", None, None, "Share of the Carnot COP reached, used without heat meter or ΔT; empty means the brand default", _override("cop.carnot_efficiency")),
    Setting("aux.step_w", None, None, "Add-heat step powers in W, e.g. [3000, 6000], for brands that report add-heat as steps or percent; empty means the brand default", _override("aux.step_w")),
    Setting("alarms.code_base", None, None, "1 when alarm codes are numbered from 1 (IVT via Husdata), 0 when from 0 (raw Rego); empty means the brand default", _override("alarms.code_base")),
    Setting("hot_water.min_cycle_minutes", 2, None, "Shorter valve-on periods are not counted as hot-water cycles", _non_negative),
    Setting("price.per_kwh", 1.5, None, "Electricity price per kWh, for cost figures", _non_negative),
    Setting("price.currency", "SEK", None, "Currency of price.per_kwh", _text),
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
            try:
                return Path(self.values["source.token_file"]).read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError([f"source.token_file: cannot read it ({exc.__class__.__name__}); "
                                   "check the path and that this user may read the file"]) from None
        return None

    def secrets(self) -> list[str]:
        """Every secret value, so messages can be scrubbed of them."""
        found = [str(self.values[s.key]) for s in SETTINGS if s.secret and self.values.get(s.key)]
        token = self.token() if self.values["source.token_file"] else None
        return found + ([token] if token else [])

    def provider_overrides(self) -> dict[str, Any]:
        """The settings that override a brand's defaults (None: keep the brand's own)."""
        return {key: self.values[key] for key in PROVIDER_OVERRIDES}

    def with_values(self, **changes: Any) -> "Config":
        """A copy with some keys changed; keys use '__' for '.' (output__public_dir=...)."""
        merged = dict(self.values)
        merged.update({k.replace("__", "."): v for k, v in changes.items()})
        return Config(merged, self.path)


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
        if not file_path.exists():
            raise ConfigError([f"config file {file_path}: not found; give an existing file or leave --config out for the demo"])
        try:
            loaded = yaml.safe_load(file_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError([f"config file {file_path}: not valid YAML ({exc}); fix the syntax"]) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError([f"config file {file_path}: the top level must be a mapping of keys"])
        tree = loaded or {}

    given = _flatten(tree)
    for key in sorted(set(given) - set(BY_KEY)):
        close = difflib.get_close_matches(key, list(BY_KEY), n=1, cutoff=0.75)
        hint = f"did you mean {close[0]}?" if close else "remove it (see docs/configuration.md)"
        problems.append(f"{key}: unknown key; {hint}")

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
    problems += _cross_checks(values)
    if problems:
        raise ConfigError(problems)
    return Config(values, file_path)


def _safe_repr(setting: Setting, value: Any) -> str:
    """The value for an error message: never a secret, never a user:password@ inside a URL."""
    return "the value" if setting.secret else scrub(repr(value), [])


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
    if v["source.token_file"] and not Path(v["source.token_file"]).is_file():
        problems.append("source.token_file: file not found; give the path of a file holding the token")
    return problems


# --- docs/configuration.md is rendered from SETTINGS: `python -m generator.config > docs/configuration.md`
DOC_HEAD = """# Configuration

One YAML file (`--config FILE`), nested by the dots of each key, plus the environment variables below,
which win over the file (as existing installs use them). No file at all means the built-in simulated heat
pump. `heatpump-dashboard check-config --config FILE` names every bad key and how to fix it (exit 2).
Secrets (`source.password`, `source.token`, the content of `source.token_file`) never appear in a message
or in public/.

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

    rows = [f"| `{s.key}` | {cell(s.default)} | {cell(s.env)} | {s.meaning} |" for s in SETTINGS]
    return DOC_HEAD + "| key | default | environment variable | meaning |\n| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(configuration_doc(), end="")
