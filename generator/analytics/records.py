"""The records analytics hands to the charts: one frozen dataclass per figure group, and Params, the
configured numbers the analytics use (flow factors, price, thresholds)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from generator.core.errors import Problem
    from generator.tariff import PriceTable, Tariff


@dataclass(frozen=True)
class Params:
    flow_factor_kw_per_k: float = 2.7                # radiator pair
    heat_carrier_flow_factor_kw_per_k: float = 1.0   # heat-carrier pair
    carnot_efficiency: float = 0.45
    # the refrigerant's side of the exchangers: condensing above the supply, evaporating below the brine in
    # (emoncms MyHeatpump's defaults; docs/decisions.md)
    carnot_condensing_offset_k: float = 2.0
    carnot_evaporating_offset_k: float = 6.0
    hot_water_min_cycle_minutes: float = 2.0
    min_running_share: float = 0.5                   # a COP point needs the compressor on this share of its bucket
    price_per_kwh: float = 1.5
    currency: str = "SEK"
    tariff: "Tariff | None" = None                   # None: the flat price_per_kwh
    prices: "PriceTable | Problem | None" = None     # the price file as read this run (tariff kind file)
    # short cycling (generator/config.py, cycling.*): our assumptions, see docs/decisions.md
    short_run_minutes: float = 10.0
    short_run_share_pct: float = 30.0
    max_starts_per_hour: float = 3.0
    heating_start: tuple[int, int] = (9, 1)          # (month, day) a heating season starts (seasons.heating_start)


@dataclass(frozen=True)
class Heat:
    kwh: pd.Series            # per-bucket heat delivered, kWh; NaN where unknown
    method: str | None        # "measured" | "delta_t" | "carnot" | None
    basis: str | None         # "energy_heat" | "heat_output" | "heat_carrier" | "radiator" | "supply_brine"
    flow_factor_kw_per_k: float | None = None   # of a ΔT estimate

    def watts(self, hours: pd.Series) -> pd.Series:
        """Mean heat power of each bucket over the time it covers."""
        return self.kwh * 1000.0 / hours


@dataclass(frozen=True)
class Energy:
    electric_kwh: float | None
    compressor_kwh: float | None
    aux_kwh: float | None
    heat_kwh: float | None
    heat_space_kwh: float | None
    heat_hot_water_kwh: float | None
    ground_kwh: float | None          # free energy from the ground: heat − electricity
    electric_space_kwh: float | None
    electric_hot_water_kwh: float | None


@dataclass(frozen=True)
class Performance:
    spf: float | None                 # Σheat ÷ Σelectricity, add-heat on both sides
    spf_without_aux: float | None     # the compressor alone
    spf_space: float | None
    spf_hot_water: float | None
    carnot_spf: float | None          # the best SPF physics allows at the measured temperatures
    plausible: bool | None            # False: the compressor's SPF beats its Carnot bound, so the estimate is wrong
    carnot_cop: float | None = None   # heat-weighted Carnot COP of the running buckets: Σheat ÷ Σ(heat ÷ Carnot COP)
    carnot_share_pct: float | None = None  # the compressor's SPF as a share of carnot_cop


@dataclass(frozen=True)
class Runtime:
    compressor_pct: float | None
    aux_pct: float | None
    hot_water_share_pct: float | None     # of compressor running time
    compressor_space_pct: float | None    # of all covered time
    compressor_hot_water_pct: float | None
    aux_only_pct: float | None            # add-heat while the compressor was off
    idle_pct: float | None                # compressor_space + compressor_hot_water + aux_only + idle = 100


@dataclass(frozen=True)
class Cycles:
    starts: int | None
    starts_per_day: float | None          # per covered day
    avg_cycle_minutes: float | None


@dataclass(frozen=True)
class Cycling:
    """Compressor runs and pauses of one window (generator/analytics/cycling.py)."""

    runs_minutes: tuple[float, ...]       # complete runs: both ends seen inside the window, no gap within
    pauses_minutes: tuple[float, ...]     # complete pauses, likewise
    incomplete: int                       # runs and pauses cut off by the window's ends or by a gap
    starts_per_hour: pd.Series            # per rate period (index: its start); NaN where under half covered
    mean_starts_per_hour: float | None    # all starts ÷ covered hours of the window
    short_run_share_pct: float | None     # of the complete runs, shorter than short_run_minutes; None: too few
    short_cycling: bool | None            # the flag; None: nothing to judge by
    short_run_minutes: float              # the threshold it was judged by


@dataclass(frozen=True)
class HotWater:
    cycles: int | None
    mean_minutes: float | None
    energy_kwh: float | None


@dataclass(frozen=True)
class AlarmEvent:
    code: int
    start: pd.Timestamp
    end: pd.Timestamp | None          # None: still active at the window's end


@dataclass(frozen=True)
class Coverage:
    hours: float                      # time with data in the range
    share: float                      # of the range, 0–1
    start: pd.Timestamp | None        # first and last bucket with data
    end: pd.Timestamp | None


@dataclass(frozen=True)
class Summary:
    heat: Heat
    energy: Energy
    performance: Performance
    runtime: Runtime
    cycles: Cycles
    hot_water: HotWater
    alarm_events: tuple[AlarmEvent, ...]
    coverage: Coverage
    electric_kwh_per_day: float | None
    heat_kwh_per_day: float | None
    outdoor_mean: float | None        # time-weighted over the covered time
    cost: float | None
    currency: str
    pricing: "Cost | None" = None
    cycling: "Cycling | None" = None
    signature: "Signature | None" = None   # ranges of 28 days or more (analytics/signature.py)
    seasons: "Seasons | None" = None  # only where buckets are days (365d)


@dataclass(frozen=True)
class Days:
    """One row per local day of the window (index: the day's start, UTC); NaN where the day has no data."""

    electric_kwh: pd.Series
    heat_kwh: pd.Series
    cop: pd.Series                    # Σheat ÷ Σelectricity over the day's buckets where both are known
    covered_hours: pd.Series          # of the electricity's data
    hours: pd.Series                  # the local day's length: 23, 24 or 25
    partial: pd.Series                # data covers less than periods.WHOLE_DAY_SHARE of the day (bool)


@dataclass(frozen=True)
class SeasonSpf:
    """Energy-weighted SPFs of one period (docs/decisions.md, Seasons); None where the data cannot say."""

    start: pd.Timestamp               # the period's first bucket (UTC)
    spf: float | None                 # add-heat on both sides
    spf_without_aux: float | None     # the compressor alone
    spf_space: float | None           # None without valve data or where the heat misses hot water
    spf_hot_water: float | None


@dataclass(frozen=True)
class Seasons:
    year: SeasonSpf                   # the whole window: on 365d the last twelve months
    season: SeasonSpf                 # the heating season so far (from Params.heating_start)


@dataclass(frozen=True)
class Cost:
    """What the electricity cost at the price in force when it was used (docs/decisions.md, Cost)."""

    tariff: str                       # flat | periods | file: the price in force
    cost: float | None                # Σ electricity × price over the priced buckets
    per_day: float | None             # per covered day of those buckets
    per_heat_kwh: float | None        # Σ(electricity × price) ÷ Σheat over the buckets with both and a price
    direct_electric: float | None     # Σ heat × price over the same buckets: the same heat at COP 1
    saving: float | None              # direct_electric − the cost of those buckets
    unpriced_hours: float = 0.0       # hours with electricity the price file has no price for
    first_unpriced: pd.Timestamp | None = None
    problem: "Problem | None" = None  # the price file could not be used


@dataclass(frozen=True)
class FlowSuggestion:
    kw_per_k: float
    how: str               # what it was derived from, in words
    running_hours: float


@dataclass(frozen=True)
class SignatureFit:
    """A season's heating line: heat/day = baseline + UA × 24/1000 × max(0, balance − outdoor)."""

    ua_w_per_k: float                 # heat loss: the line's slope, kWh/day per K × 1000/24
    balance_c: float                  # the outdoor temperature where heating stops
    baseline_kwh_per_day: float       # what the line levels off at above balance_c (0 for the straight line)
    change_point: bool                # True: balance_c is a fitted change point; False: the zero crossing
    r2: float                         # of the fit over its days
    days: int                         # days the fit used
    heating_days: int                 # of them below balance_c


@dataclass(frozen=True)
class SignatureSeason:
    start: date                       # the season's first day (seasons.heating_start)
    dates: tuple[date, ...]           # local days with enough coverage
    outdoor_c: tuple[float, ...]      # each day's time-weighted mean outdoor temperature
    heat_kwh_per_day: tuple[float, ...]  # each day's heat per 24 h of covered time
    fit: SignatureFit | None          # None: too few heating days or too narrow a spread of temperatures


@dataclass(frozen=True)
class Signature:
    heat: str                         # "space": hot water taken out; "total": the split is unknown
    seasons: tuple[SignatureSeason, ...]  # oldest first: the last is the current season
    days_left_out: int                # days with some data but too little coverage of heat or outdoor temperature


@dataclass(frozen=True)
class MetricQuality:
    """How far one metric's data in a range can be trusted (generator/analytics/quality.py has the rules)."""

    metric: str
    coverage: float                   # share of the window its data covers, 0–1
    since: pd.Timestamp | None        # its first data, where its history starts inside the window
    gaps: int                         # runs without data inside its history, each ≥ GAP_MIN_H
    longest_gap_h: float
    stuck_h: float                    # its longest run of one unchanged value beyond the kind's limit; else 0
    out_of_range: int                 # buckets whose value (or min/max) is outside the kind's bounds
    worst: float | None               # the value furthest outside them
    behind_h: float | None            # its newest sample is this far behind the newest of any metric
    behind_limit_h: float | None      # beyond this, behind counts as drift (None: never)
    future: int                       # samples stamped in the future (the source leaves them out)

    @property
    def flags(self) -> tuple[str, ...]:
        """What is wrong, as codes the page words: gaps, stuck, range, behind, future."""
        behind = self.behind_h is not None and self.behind_limit_h is not None and self.behind_h >= self.behind_limit_h
        return tuple(code for code, bad in (("gaps", self.gaps > 0), ("stuck", self.stuck_h > 0),
                                             ("range", self.out_of_range > 0), ("behind", behind),
                                             ("future", self.future > 0)) if bad)


@dataclass(frozen=True)
class Month:
    """One local calendar month of a range (the monthly bars): energy as held power × covered time."""

    start: pd.Timestamp               # the local month's first midnight, UTC
    electric_kwh: float | None
    heat_kwh: float | None
    cop: float | None                 # Σheat ÷ Σelectricity over the buckets with both
    covered_share: float              # of the whole month's hours, 0–1
    partial: bool                     # the range or the data covers less than PARTIAL_BELOW of the month
    last_year: "Month | None" = None  # the same month a year before, where the range holds it
