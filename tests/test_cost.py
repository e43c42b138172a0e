"""Cost: each bucket's electricity × the price in force then (a flat price, a time-of-use tariff from the
config, or an hourly price file), per day, per kWh of heat, and the same heat from direct electric
heating.  Expected figures are worked out by hand in each test."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator import analytics as a
from generator.config import load_config
from generator.core.errors import ConfigError
from generator.core.ranges import Window
from generator.tariff import FILE, PERIODS, Tariff, parse_periods, read_price_file

TZ = "Europe/Stockholm"


def frame(w: Window, **columns: object) -> pd.DataFrame:
    index = w.edges()[:-1]
    return pd.DataFrame({k: (np.full(len(index), v, dtype=float) if np.isscalar(v) else v)
                         for k, v in columns.items()}, index=index)


def periods(*entries: dict) -> Tariff:
    parsed, problems = parse_periods(list(entries))
    assert not problems
    return Tariff(PERIODS, 1.0, parsed)


def price_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "prices.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def with_file(path: str) -> a.Params:
    tariff = Tariff(FILE, 1.0, (), path)
    return a.Params(tariff=tariff, prices=read_price_file(path))


def test_a_period_tariff_prices_each_bucket_at_its_local_time_across_the_spring_dst_change():
    # 2026-03-29: Stockholm goes from 02:00 CET to 03:00 CEST at 01:00 UTC
    w = Window(pd.Timestamp("2026-03-28T22:00Z"), pd.Timestamp("2026-03-29T04:00Z"), "1h", TZ)
    tariff = periods({"from": "03:00", "to": "06:00", "price": 3.0})
    f = frame(w, energy_electric=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    s = a.summarize(f, {}, w, a.Params(tariff=tariff))
    # local starts 23:00, 00:00, 01:00 (CET), 03:00, 04:00, 05:00 (CEST): three at 1.0, three at 3.0
    assert s.cost == pytest.approx(3 * 1.0 + 3 * 3.0)
    assert s.pricing.tariff == "periods"


def test_the_first_matching_period_wins_and_days_are_the_local_weekday():
    w = Window(pd.Timestamp("2026-01-16T11:00Z"), pd.Timestamp("2026-01-17T12:00Z"), "1h", TZ)
    tariff = periods({"from": "12:00", "to": "13:00", "days": ["fri"], "price": 5.0},
                     {"from": "12:00", "to": "13:00", "price": 2.0})
    prices, _ = a.bucket_prices(w, tariff, None, TZ)
    # Friday 16 Jan 12:00 local (11:00Z) is the first period's; Saturday 12:00 local (11:00Z) the second's
    assert prices[pd.Timestamp("2026-01-16T11:00Z")] == 5.0
    assert prices[pd.Timestamp("2026-01-17T11:00Z")] == 2.0
    assert prices[pd.Timestamp("2026-01-16T12:00Z")] == 1.0      # outside every period: the fallback


def test_a_period_that_runs_past_midnight_covers_both_sides_of_it():
    w = Window(pd.Timestamp("2026-01-15T20:00Z"), pd.Timestamp("2026-01-16T07:00Z"), "1h", "UTC")
    prices, _ = a.bucket_prices(w, periods({"from": "22:00", "to": "06:00", "price": 0.5}), None, "UTC")
    assert prices.tolist() == [1.0, 1.0] + [0.5] * 8 + [1.0]


def test_a_daily_bucket_is_priced_at_the_days_time_weighted_mean_price_on_a_23_hour_day():
    w = Window(pd.Timestamp("2026-03-28T23:00Z"), pd.Timestamp("2026-03-29T22:00Z"), "1D", TZ)  # 23 h
    prices, _ = a.bucket_prices(w, periods({"from": "06:00", "to": "22:00", "price": 3.0}), None, TZ)
    # 16 hours at 3.0, the other 7 (the day lost 02:00–03:00) at 1.0
    assert prices.tolist() == [pytest.approx((16 * 3.0 + 7 * 1.0) / 23)]


def test_a_price_file_prices_each_hour(tmp_path):
    path = price_file(tmp_path, "start,end,value\n"
                                "2026-01-15T00:00:00+01:00,2026-01-15T01:00:00+01:00,0.5\n"
                                "2026-01-15T01:00:00+01:00,2026-01-15T02:00:00+01:00,1.25\n"
                                "2026-01-15T02:00:00+01:00,2026-01-15T03:00:00+01:00,2.0\n")
    w = Window(pd.Timestamp("2026-01-14T23:00Z"), pd.Timestamp("2026-01-15T02:00Z"), "1h", TZ)
    s = a.summarize(frame(w, energy_electric=[2.0, 4.0, 1.0]), {}, w, with_file(path))
    assert s.cost == pytest.approx(2.0 * 0.5 + 4.0 * 1.25 + 1.0 * 2.0)
    assert s.pricing.tariff == "file" and s.pricing.unpriced_hours == 0


def test_short_buckets_take_the_price_of_the_hour_they_lie_in(tmp_path):
    path = price_file(tmp_path, "start,value\n2026-01-15T00:00:00Z,1.0\n2026-01-15T01:00:00Z,3.0\n")
    w = Window(pd.Timestamp("2026-01-15T00:30Z"), pd.Timestamp("2026-01-15T01:30Z"), "15min", TZ)
    prices, _ = a.bucket_prices(w, Tariff(FILE, 1.0, (), path), read_price_file(path), TZ)
    assert prices.tolist() == [1.0, 1.0, 3.0, 3.0]


def test_hours_missing_in_the_file_give_no_cost_for_those_buckets_and_a_problem(tmp_path):
    path = price_file(tmp_path, "start,end,value\n"
                                "2026-01-15T00:00:00Z,2026-01-15T01:00:00Z,1.0\n"
                                "2026-01-15T02:00:00Z,2026-01-15T03:00:00Z,2.0\n")
    w = Window(pd.Timestamp("2026-01-15T00:00Z"), pd.Timestamp("2026-01-15T03:00Z"), "1h", TZ)
    s = a.summarize(frame(w, energy_electric=[1.0, 10.0, 1.0]), {}, w, with_file(path))
    assert s.cost == pytest.approx(1.0 * 1.0 + 1.0 * 2.0)          # the 10 kWh of 01:00 is not priced as 0
    [problem] = a.cost_problems(s.pricing, path)
    assert problem.code == "price_hours_missing"
    assert problem.params == {"hours": 1, "first": "2026-01-15T01:00:00Z"}


def test_a_missing_price_file_gives_no_cost_one_problem_and_the_rest_of_the_figures(tmp_path):
    path = str(tmp_path / "nowhere.csv")
    w = Window(pd.Timestamp("2026-01-15T00:00Z"), pd.Timestamp("2026-01-15T02:00Z"), "1h", TZ)
    s = a.summarize(frame(w, energy_electric=[1.0, 1.0], energy_heat=[3.0, 3.0]), {}, w, with_file(path))
    assert s.cost is None and s.pricing.direct_electric is None and s.pricing.per_day is None
    assert s.performance.spf == pytest.approx(3.0)
    [problem] = a.cost_problems(s.pricing, path)
    assert problem.code == "price_file_unreadable" and problem.params == {"path": path, "reason": "not found"}


def test_an_unreadable_price_file_is_one_problem_naming_the_line(tmp_path):
    problem = read_price_file(price_file(tmp_path, "start,value\n2026-01-15 00:00,1.0\n"))
    assert problem.code == "price_file_unreadable" and "line 2" in problem.params["reason"]
    assert "offset" in problem.params["reason"]


def test_the_nord_pool_shape_with_semicolons_and_decimal_commas_is_read(tmp_path):
    table = read_price_file(price_file(tmp_path, "start;end;value\n2026-01-15T00:00:00+01:00;"
                                                 "2026-01-15T01:00:00+01:00;1,25\n"))
    assert table.prices.tolist() == [1.25]


def test_direct_electric_is_heat_times_the_price_and_the_saving_what_the_pump_saved():
    w = Window(pd.Timestamp("2026-01-15T00:00Z"), pd.Timestamp("2026-01-15T02:00Z"), "1h", "UTC")
    tariff = periods({"from": "01:00", "to": "02:00", "price": 2.0})
    s = a.summarize(frame(w, energy_electric=[1.0, 2.0], energy_heat=[3.0, 8.0]), {}, w, a.Params(tariff=tariff))
    assert s.pricing.direct_electric == pytest.approx(3.0 * 1.0 + 8.0 * 2.0)
    assert s.pricing.saving == pytest.approx((3.0 * 1.0 + 8.0 * 2.0) - (1.0 * 1.0 + 2.0 * 2.0))
    assert s.pricing.per_heat_kwh == pytest.approx((1.0 * 1.0 + 2.0 * 2.0) / (3.0 + 8.0))
    assert s.pricing.per_day == pytest.approx((1.0 + 4.0) / (2 / 24))


def test_the_flat_price_is_still_electricity_times_price_per_kwh():
    w = Window(pd.Timestamp("2026-01-15T00:00Z"), pd.Timestamp("2026-01-15T10:00Z"), "1h", "UTC")
    s = a.summarize(frame(w, power_electric=1000.0), {}, w, a.Params(price_per_kwh=2.0))
    assert s.cost == pytest.approx(20.0) and s.pricing.tariff == "flat"


# --- configuration ---------------------------------------------------------------------------------
def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, {})
    return err.value.problems


@pytest.mark.parametrize("period,key,fix", [
    ('{from: "25:00", to: "06:00", price: 1}', "price.periods[0].from", 'local time "HH:MM"'),
    ('{from: "06:00", to: 22:00, price: 1}', "price.periods[0].to", "in quotes"),   # YAML: 1320
    ('{from: "06:00", to: "22:00", days: [monday], price: 1}', "price.periods[0].days", "mon, tue"),
    ('{from: "06:00", to: "22:00", price: -1}', "price.periods[0].price", "from 0 to"),
    ('{from: "06:00", to: "06:00", price: 1}', "price.periods[0].to", "no time"),
    ('{from: "06:00", to: "22:00"}', "price.periods[0]", "price missing"),
    ('{from: "06:00", to: "22:00", price: 1, cost: 2}', "price.periods[0].cost", "unknown key"),
])
def test_a_bad_period_is_one_line_naming_its_key_and_the_fix(tmp_path, period, key, fix):
    found = problems(tmp_path, f"price:\n  periods:\n    - {period}\n")
    assert len(found) == 1 and found[0].startswith(f"{key}:") and fix in found[0], found


def test_periods_and_a_price_file_together_are_refused(tmp_path):
    found = problems(tmp_path, 'price:\n  file: /srv/prices.csv\n  periods:\n    - {from: "06:00", to: "22:00", '
                               'price: 1}\n')
    assert found == [p for p in found if p.startswith("price.periods:")] and "keep one" in found[0]


def test_a_good_tariff_is_accepted(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text('price:\n  per_kwh: 0.9\n  periods:\n    - {from: "06:00", to: "22:00", '
                    'days: [mon, tue, wed, thu, fri], price: 1.8}\n', encoding="utf-8")
    assert load_config(path, {})["price.periods"][0]["price"] == 1.8


# --- a whole run --------------------------------------------------------------------------------------
def test_a_missing_price_file_is_said_in_the_log_status_and_range_files_and_the_rest_still_works(tmp_path, caplog):
    import json

    from generator.build import make_context, run_once
    from generator.sources.demo import DemoSource
    from tests.clocks import ManualClock

    now = pd.Timestamp("2026-01-15T11:00:07Z").to_pydatetime()
    clock = ManualClock(now)
    cfg = load_config(None, {}).with_values(output__public_dir=str(tmp_path / "public"),
                                             price__file=str(tmp_path / "prices.csv"))
    run_once(make_context(cfg, DemoSource(seed=1, clock=clock), clock), now=now)
    status = json.loads((tmp_path / "public" / "status.json").read_text(encoding="utf-8"))
    assert status["prices"]["code"] == "price_file_unreadable"
    assert status["prices"]["params"] == {"path": str(tmp_path / "prices.csv"), "reason": "not found"}
    assert [r.getMessage() for r in caplog.records if "price file" in r.getMessage()][:1]
    manifest = json.loads((tmp_path / "public" / "manifest.json").read_text(encoding="utf-8"))
    document = json.loads((tmp_path / "public" / manifest["ranges"]["24h"]["path"]).read_text(encoding="utf-8"))
    assert [p["code"] for p in document["data_quality"]] == ["price_file_unreadable"]
    assert document["kpis"]["cost"] is None and document["kpis"]["tariff"] == "file"
    assert document["kpis"]["cop"] is not None
