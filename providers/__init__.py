"""Brand providers: raw metric names -> canonical metrics, alarm texts, display name, colours.

Each brand is one YAML data file beside this module, loaded into frozen dataclasses and validated at
start-up (see providers/model.py).
"""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).parent


def available_providers() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))
