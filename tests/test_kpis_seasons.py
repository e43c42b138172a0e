"""The SPF cards of the last twelve months and of the heating season: their keys are in a range file only
where the buckets are days (365d), the page's words for them (sv/en) are the same in index.html as in the
script, and a card whose figure the range lacks is hidden."""
from __future__ import annotations

import pandas as pd
import pytest

from generator import analytics, prerender
from generator.charts import build_kpis
from generator.core.ranges import Window

TZ = "Europe/Stockholm"
SEASON_KEYS = {"spf_year", "spf_year_without_aux", "spf_year_space", "spf_year_hot_water", "spf_season",
               "spf_season_without_aux", "spf_season_space", "spf_season_hot_water", "season_from"}


def year_frame() -> tuple[Window, pd.DataFrame]:
    """20 local days to 10 September 2026: 10 kWh → 30 kWh a day, then (in the season) 10 → 40."""
    end = pd.Timestamp("2026-09-11").tz_localize(TZ).tz_convert("UTC")
    w = Window(pd.Timestamp("2026-08-22").tz_localize(TZ).tz_convert("UTC"), end, "1D", TZ)
    f = pd.DataFrame({"energy_electric": 10.0, "energy_heat": [30.0] * 10 + [40.0] * 10,
                      "compressor_on": 0.5, "switch_valve": 0.1}, index=w.edges()[:-1])
    return w, f


def kpis_of(w: Window, f: pd.DataFrame, hourly: pd.DataFrame | None = None) -> dict:
    return build_kpis(analytics.summarize(f, {}, w, analytics.Params(), hourly), {})


def hourly_of(w: Window, f: pd.DataFrame) -> pd.DataFrame:
    """The same days in hours, each hour an even share of its day (valve on the same share of every hour)."""
    hw = Window(w.start, w.end, "1h", w.tz)
    index = hw.edges()[:-1]
    day = index.tz_convert(TZ).normalize().tz_convert("UTC")
    per_day = f.reindex(day)
    return pd.DataFrame({"power_electric": per_day["energy_electric"].to_numpy() * 1000 / 24,
                         "heat_output": per_day["energy_heat"].to_numpy() * 1000 / 24,
                         "compressor_on": 0.5, "switch_valve": 0.1}, index=index)


def test_the_season_kpis_are_in_a_file_of_days_rounded_with_the_seasons_first_day():
    w, f = year_frame()
    kpis = kpis_of(w, f, hourly_of(w, f))
    assert SEASON_KEYS <= set(kpis)
    assert kpis["spf_year"] == 3.5 and kpis["spf_season"] == 4.0
    assert kpis["spf_season_space"] == 4.0 and kpis["spf_season_hot_water"] == 4.0
    assert kpis["season_from"] == "2026-08-31T22:00:00Z"           # local midnight of 1 September


def test_ranges_of_shorter_buckets_have_no_season_keys_at_all():
    w = Window(pd.Timestamp("2026-01-15T00:00Z"), pd.Timestamp("2026-01-15T06:00Z"), "1h", TZ)
    f = pd.DataFrame({"energy_electric": 1.0, "energy_heat": 3.0}, index=w.edges()[:-1])
    assert not SEASON_KEYS & set(kpis_of(w, f))


@pytest.mark.parametrize("language, texts", [
    ("sv", {"spf_season": "4,00", "spf_season_without_aux": "utan tillsats 4,00",
            "spf_season_space": "uppvärmning 4,00", "spf_season_hot_water": "varmvatten 4,00"}),
    ("en", {"spf_season": "4.00", "spf_season_without_aux": "without add-heat 4.00",
            "spf_season_space": "space heating 4.00", "spf_season_hot_water": "hot water 4.00"}),
])
def test_the_season_card_is_worded_in_both_languages(language, texts):
    w, f = year_frame()
    kpis = kpis_of(w, f, hourly_of(w, f))
    assert {key: prerender.kpi_text(key, kpis, language) for key in texts} == texts
    assert prerender.kpi_text("season_from", kpis, language) is None   # a date: the script words it


def test_an_spf_the_data_cannot_give_is_an_empty_sub_figure():
    kpis = {"spf_year": 3.0, "spf_year_space": None}
    assert prerender.kpi_text("spf_year_space", kpis, "en") == ""


def test_a_card_whose_figure_the_range_lacks_is_hidden_and_shown_where_it_has_it():
    w = Window(pd.Timestamp("2026-01-15T00:00Z"), pd.Timestamp("2026-01-15T06:00Z"), "1h", TZ)
    short = kpis_of(w, pd.DataFrame({"energy_electric": 1.0, "energy_heat": 3.0}, index=w.edges()[:-1]))
    hidden = {card.card for card in prerender.kpi_cards(short, "sv") if card.hidden}
    assert hidden == {"spf_year", "spf_season"}
    assert not any(card.hidden for card in prerender.kpi_cards(kpis_of(*year_frame()), "sv"))
    assert not any(card.hidden for card in prerender.kpi_cards(None, "sv"))     # no figures yet: all wait
