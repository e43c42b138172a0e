"""The state changes the demo keeps beside its hours (generator/sources/demo_changes.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.sources.demo_changes import Changes

STATE = np.array([0., 0., 1., 1., 1., 0., 0., 1.])
T = np.arange(STATE.size, dtype=np.int64) * 30 + 600


def of(lo: int, hi: int) -> Changes:
    """The changes of samples lo … hi − 1 of STATE."""
    return Changes.of_samples(T[lo:hi], {"s": STATE[lo:hi]}, int(T[lo]) + 30 * (hi - lo))


def test_the_changes_of_samples_are_the_first_then_each_differing_sample():
    c = of(0, 8)
    assert list(c.times["s"]) == [600, 660, 750, 810] and list(c.values["s"]) == [0, 1, 0, 1]


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 7])
def test_changes_joined_at_any_sample_equal_those_of_all_the_samples(cut):
    joined, whole = of(0, cut).then(of(cut, 8)), of(0, 8)
    assert list(joined.times["s"]) == list(whole.times["s"]) and list(joined.values["s"]) == list(whole.values["s"])
    assert (joined.start, joined.end) == (whole.start, whole.end)


def test_changes_that_do_not_meet_are_not_joined():
    with pytest.raises(ValueError, match="cannot follow"):
        of(0, 3).then(of(4, 8))


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 7])
def test_changes_since_a_sample_equal_those_of_the_samples_from_there(cut):
    since, later = of(0, 8).since(int(T[cut])), of(cut, 8)
    assert list(since.times["s"]) == list(later.times["s"]) and list(since.values["s"]) == list(later.values["s"])


def test_a_window_between_grid_points_gets_the_value_in_force_stamped_at_its_start():
    ns = 1_000_000_000
    series = of(0, 8).between(700 * ns, 811 * ns, ["s"])["s"]
    assert list(series.values) == [1, 0, 1]
    assert list(series.index) == [pd.Timestamp(700, unit="s", tz="UTC"), pd.Timestamp(750, unit="s", tz="UTC"),
                                  pd.Timestamp(810, unit="s", tz="UTC")]
