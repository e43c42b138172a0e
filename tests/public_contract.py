"""Validation of public/ files against docs/public-format.schema.json, shared by the tests."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def _schemas() -> dict[str, dict]:
    full = json.loads((ROOT / "docs" / "public-format.schema.json").read_text(encoding="utf-8"))
    return {part["title"]: {**part, "$defs": full["$defs"]} for part in full["oneOf"]}


def kind_of(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    if rel == "manifest.json":
        return "manifest.json"
    if rel == "status.json":
        return "status.json"
    if rel == "archive/index.json":
        return "archive/index.json"
    if name.startswith("live."):
        return "data/live.<hash>.json"
    return "data/<range>.<hash>.json"


def validate_file(public: Path, rel: str) -> dict:
    document = json.loads((public / rel).read_bytes())
    jsonschema.validate(document, _schemas()[kind_of(rel)])
    return document


def validate_tree(public: Path) -> list[str]:
    """Validate every JSON file in public/ (not the .gz copies); returns the relative paths checked."""
    checked = []
    for path in sorted(public.rglob("*.json")):
        rel = path.relative_to(public).as_posix()
        if rel.startswith("assets/") or path.name.startswith("."):
            continue
        validate_file(public, rel)
        checked.append(rel)
    return checked
