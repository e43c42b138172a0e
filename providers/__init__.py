"""Brand providers: raw metric names -> canonical metrics, alarm texts, display name, colours.

Each brand is one YAML data file beside this module, loaded into frozen dataclasses and validated at
start-up (see providers/model.py, providers/loader.py and docs/providers.md).

    from providers import load_provider
    provider = load_provider("nibe", {"cop.flow_factor": 2.9})
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent


def available_providers() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def __getattr__(name: str) -> Any:
    # Late, so config checks can call available_providers() without importing pandas.
    if name in ("load_provider", "load_provider_file"):
        from providers import loader

        return getattr(loader, name)
    if name in ("Provider", "ProviderDefaults", "AlarmInfo", "Roles"):
        from providers import model

        return getattr(model, name)
    raise AttributeError(f"module 'providers' has no attribute {name!r}")
