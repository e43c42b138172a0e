"""GET /healthz: how many viewers are held and how fresh the published data is."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.core.public_format import STATUS_NAME
from sidecar.manifest import age_s

log = logging.getLogger("sidecar.health")

MAX_STATUS_BYTES = 1024 * 1024


def generator_age_s(public_dir: Path, now: datetime) -> float | None:
    """Seconds since status.json's `last_run_at`; None when the file or the field is missing or bad."""
    try:
        with open(public_dir / STATUS_NAME, "rb") as handle:
            raw = handle.read(MAX_STATUS_BYTES + 1)
        status = json.loads(raw) if len(raw) <= MAX_STATUS_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    return age_s(status.get("last_run_at"), now) if isinstance(status, dict) else None


def health_report(
    clients: int,
    manifest_age: float | None,
    public_dir: Path,
    now: datetime,
    counters: dict[str, int],
) -> dict[str, Any]:
    return {
        "clients": clients,
        "manifest_age_s": manifest_age,
        "generator_age_s": generator_age_s(public_dir, now),
        **counters,
    }
