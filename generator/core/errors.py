"""The project's one exceptions module.

Two families, kept apart on purpose: a *retryable* error is about the outside world (a database that is
down, refuses auth, times out) and the generator keeps the last good files, marks them stale and tries
again; a *logic* error is about what we were told (a bad config, a broken provider file) and stops at
start-up with exit code 2.  Messages never carry tokens or passwords.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

# What went wrong, as a code the page words in its own language (site_templates/src/i18n.js, `errors`),
# with the parameters those words use.  Every code a run can publish is here; a test checks that the page
# has Swedish and English words for each that use only these parameters.  The English `text` of a
# Problem stays for logs, status.json readers and as the page's fallback.
PROBLEM_PARAMS: dict[str, tuple[str, ...]] = {
    "unreachable": ("url",),                          # nothing answers at source.url
    "timeout": ("url", "seconds"),
    "auth_refused": ("url",),
    "not_found": ("url",),                            # no such endpoint, bucket or database
    "no_database": ("url", "database"),
    "no_retention_policy": ("url", "retention_policy"),
    "query_rejected": ("url",),
    "http_error": ("url", "status"),
    "bad_answer": ("url",),                           # not the JSON or table expected
    "no_data": ("measurement",),                      # the database has nothing there yet
    "nothing_maps": ("measurement", "provider", "names"),
    "cache_incomplete": (),
    "cannot_publish": ("path",),
    # Data quality: what a range or the live file left out, and why; the rest is drawn.
    "text_values": ("series", "count", "first"),      # a series holds text where numbers belong
    "absurd_values": ("series", "count", "first"),    # beyond ±1e12: no heat pump reading, and +Inf on the way
    "duplicate_series": ("series", "count", "using"),  # one name, several series (another tag differs)
    "future_samples": ("series", "count"),            # stamped later than the database's clock allows
    # Prices (price.file): the file cannot be used (no cost is shown), or it lacks hours of a range.
    "price_file_unreadable": ("path", "reason"),
    "price_hours_missing": ("hours", "first"),        # hours of electricity without a price; first bucket
    "source_failed": (),                              # anything else: the page shows the English text
}


@dataclass(frozen=True)
class Problem:
    """A publishable failure: code, parameters, English text; never a secret (see scrub())."""

    code: str
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expected = PROBLEM_PARAMS.get(self.code)
        if expected is None or set(self.params) != set(expected):  # a bug of ours: say so in tests
            raise ValueError(f"problem {self.code!r} with params {sorted(self.params)}: "
                             f"expected one of {sorted(PROBLEM_PARAMS)} with {expected}")

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "text": self.text}

    @classmethod
    def from_json(cls, data: Any) -> "Problem | None":
        """A problem as written in public/; a plain text (an older manifest) or an unknown code becomes
        source_failed with that text."""
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            try:
                return cls(str(data.get("code")), data["text"], dict(data.get("params") or {}))
            except ValueError:
                return cls("source_failed", data["text"])
        return cls("source_failed", data) if isinstance(data, str) and data else None


class DashboardError(Exception):
    """Base of every error this project raises on purpose."""


# --- logic errors: fix the input, retrying will not help -------------------------------------------
class ConfigError(DashboardError):
    """A configuration key is wrong. Carries every problem found, each naming the key and the fix."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class BundleMissing(DashboardError):
    """The page bundle was never built (`make bundle`): an installation step, not the data."""


class ProviderError(DashboardError):
    """A provider data file is invalid: names the file, the key and the fix."""


# --- retryable I/O errors: the world may heal by itself ---------------------------------------------
class SourceError(DashboardError):
    """The data source failed (unreachable, refused auth, no such database, bad answer).

    `message` is safe to publish: the manifest's `error` shows it to every viewer, as `problem`.
    """

    def __init__(self, message: str, code: str = "source_failed", **params: Any):
        super().__init__(message)
        self.problem = Problem(code, message, params)


class PublishError(DashboardError):
    """Writing into public/ failed (disk full, permissions)."""

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.problem = Problem("cannot_publish", message, {"path": path})


_USERINFO = re.compile(r"(//)[^/@\s]*@")


SHORTEST_SCRUBBED = 4   # a shorter secret cannot be told from ordinary text: scrubbing "p" garbles every word


def scrub(message: str, secrets: Iterable[str]) -> str:
    """A message safe to publish: no secret value and no user:password@ in a URL."""
    text = _USERINFO.sub(r"\1", message)
    for secret in sorted(secrets, key=len, reverse=True):   # a secret inside a longer one: the longer first
        if len(secret) >= SHORTEST_SCRUBBED:
            text = text.replace(secret, "***")
    return text


EXIT_OK = 0
EXIT_SOURCE_FAILED = 1
EXIT_BAD_CONFIG = 2
EXIT_CANNOT_PUBLISH = 3     # public/ could not be written schedule.max_publish_failures runs in a row
