"""The canonical vocabulary is data (generator/core/metrics.yaml), checked when it is read."""
from __future__ import annotations

import pytest

from generator.core.metrics import BY_NAME, METRICS, Kind, load_metrics, reading


def test_every_metric_of_the_vocabulary_has_a_unit_a_kind_and_a_meaning():
    assert len(METRICS) == len(BY_NAME) >= 20
    assert all(m.unit and m.meaning and isinstance(m.kind, Kind) for m in METRICS)


def test_states_are_held_counters_increase_and_codes_take_the_last_value():
    assert (reading("compressor_on"), reading("energy_electric"), reading("alarm_code")) == ("hold", "increase", "last")


@pytest.mark.parametrize(("entry", "says"), [
    ("supply_temp: {unit: °C, kind: warmth, meaning: flow}", "supply_temp.kind: 'warmth' is not known"),
    ("supply_temp: {unit: °C, kind: temperature}", "supply_temp: give exactly {unit: ..., kind: ..., meaning: ...}"),
    ("Supply-Temp: {unit: °C, kind: temperature, meaning: flow}", "'Supply-Temp': not a metric name"),
    ("", "no metrics"),
])
def test_a_broken_vocabulary_is_refused_naming_the_entry(tmp_path, entry, says):
    path = tmp_path / "metrics.yaml"
    path.write_text(entry + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_metrics(path)
    assert says in str(refused.value)
