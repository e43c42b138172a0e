"""The project's one exceptions module.

Two families, kept apart on purpose: a *retryable* error is about the outside world (a database that is
down, refuses auth, times out) and the generator keeps the last good files, marks them stale and tries
again; a *logic* error is about what we were told (a bad config, a broken provider file) and stops at
start-up with exit code 2.  Messages never carry tokens or passwords.
"""
from __future__ import annotations

import re
from typing import Iterable


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

    `message` is safe to publish: the manifest's `error` text shows it to every viewer.
    """


class PublishError(DashboardError):
    """Writing into public/ failed (disk full, permissions)."""


_USERINFO = re.compile(r"(//)[^/@\s]*@")


def scrub(message: str, secrets: Iterable[str]) -> str:
    """A message safe to publish: no secret value and no user:password@ in a URL."""
    text = _USERINFO.sub(r"\1", message)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


EXIT_OK = 0
EXIT_SOURCE_FAILED = 1
EXIT_BAD_CONFIG = 2
