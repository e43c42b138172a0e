"""The live file (generator/charts/document.py's live_document) carries the states the live schematic
draws: each 0/1 state in `status` where the source has it, and none where it has not, so the page draws a
missing pump as unknown, not as off (docs/public-format.md)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from generator.charts.document import live_document
from generator.sources.base import Latest
from tests.public_contract import validate_file

AT = pd.Timestamp("2026-01-15T11:00:00Z")


def validate(document: dict[str, Any], public: Path) -> None:
    """Against docs/public-format.schema.json, as a file in public/ is."""
    (public / "data").mkdir(exist_ok=True)
    (public / "data" / "live.0123456789ab.json").write_text(json.dumps(document), encoding="utf-8")
    validate_file(public, "data/live.0123456789ab.json")


def test_both_pumps_are_carried_as_states_where_the_source_has_them(tmp_path):
    latest = Latest(at=AT, values={"compressor_on": 1.0, "switch_valve": 0.0, "brine_pump_on": 1.0,
                                   "heating_pump_on": 0.0, "outdoor_temp": -4.2})
    document = live_document(latest, [])
    assert document["status"] == {"compressor_on": 1, "switch_valve": 0, "brine_pump_on": 1, "heating_pump_on": 0}
    assert document["values"]["brine_pump_on"] == 1.0
    validate(document, tmp_path)


def test_a_pump_the_source_lacks_is_left_out_not_written_as_off():
    document = live_document(Latest(at=AT, values={"compressor_on": 0.0, "switch_valve": 1.0}), [])
    assert document["status"] == {"compressor_on": 0, "switch_valve": 1}


def test_a_state_held_for_part_of_a_sample_rounds_to_the_nearer_state():
    """A source may hand a share of time on (a share column's mean); the status says what it mostly was."""
    document = live_document(Latest(at=AT, values={"heating_pump_on": 0.75, "brine_pump_on": 0.25}), [])
    assert document["status"] == {"brine_pump_on": 0, "heating_pump_on": 1}


def test_the_schema_refuses_a_status_the_format_does_not_name(tmp_path):
    document = live_document(Latest(at=AT, values={"compressor_on": 1.0}), [])
    document["status"]["pump_on"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validate(document, tmp_path)
