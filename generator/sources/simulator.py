"""The built-in simulated heat pump: a pure function of absolute time and a seed.

A Swedish 7.5 kW fixed-speed ground-source heat pump on a radiator circuit, heating a house of ~9 kW
design heat loss (at -20 °C) and its hot-water tank.  `sample(t, seed)` gives every metric in METRICS
at the instants `t` (epoch seconds; resolution one second); the demo source calls it on the 30 s grid,
and the known-answer tests sample it second by second as the process whose true heat and electricity
they integrate.

Calibration (what a newcomer sees must look like a healthy pump, not a short-cycling one):

* heatpumpmonitor.org, the OpenEnergyMonitor fleet (CC BY 4.0), export of the last 365 days dated
  2026-07-15 (openenergymonitor/heatpumpmonitor.org, analysis/performance_prediction/
  heatpumpmonitor_all_fields_last365_2026-07-15.csv), its seven ground-source systems: median 2.1
  compressor starts a day (0.7–8; the two fixed-speed NIBE F1145: 2.1 and 7.2 a day, runs of 40 and
  22 min on average); hot water 16 % of the heat (median, 0.3–31 %); hot-water COP below space-heating
  COP in every system (medians 3.5 and 5.0); SPF 3.3 for both fixed-speed F1145, 4.7 median over all
  seven (a small, enthusiast-installed sample, mostly underfloor heating).
* Fraunhofer ISE field test "WP Effizienz": ground-source SPF 3.7–3.8 on average (43 and 61 systems).

This pump aims at those: about 3–4 space-heating starts a day in mild weather and one or two long runs a
day in the cold, plus two or three hot-water charges (4–8 starts a day in winter, 2–3 in summer, about
5 over a year; no run shorter than 20 minutes), hot water 15–20 % of the year's heat, SPF ≈ 3.5 over a
year on radiators (≈ 3.1 in January, down to ≈ 2.3 in the week of a hard cold snap), add-heat only on
the coldest days.  tests/test_simulator.py checks each figure on a simulated year.

No state is carried between samples.  Everything that looks like history (compressor cycles,
hot-water cycles, the sawtooth of the supply line) is structure laid on *fixed slots aligned to the
epoch*, so any instant finds its slot, and the slot's attributes, without looking back:

* Hash noise.  `_uniform(k, stream, seed)` is a splitmix64 hash of an integer key: the same key,
  stream and seed always give the same number in [0, 1).  Weather is value noise (hashed knots every
  8 h, 3 d, 5 d and 11 d, smoothstep between them); sensor noise is looked up by the 30 s grid index
  in a hashed table of 65,536 values per seed.
* Climate.  Outdoor = seasonal cosine (mean 6.5 °C, coldest around 20 January at -4 °C, warmest
  around 21 July at +17 °C) + daily cosine (peak 14:00 UTC ≈ 15:00 solar time in Sweden, amplitude
  1 K in winter, 4.5 K in summer) + weather (a few K, wider in winter) + spells (cold snaps down to
  about -18 °C in winter, warm spells to ~28 °C in summer; monthly means unchanged).  It is evaluated
  on 30-minute knots and interpolated (errors far below the 0.1 K sensor step).  The building feels
  the mean of the last six whole 2-hour marks (`felt_outdoor`).
* Space heating.  Demand = UA·(20.5 − felt) − gains (zero above ~17 °C).  Time is cut into 12-hour
  blocks; each block takes its compressor slot length from the demand at its start, as a degree-minute
  controller with hysteresis does: on for C/(1 − d) and off for C/d (C = 60 min, d the duty), so a slot
  of C/(d(1 − d)) snapped to 2, 3, 4, 6 or 12 hours.  At its start a slot takes its duty from demand ÷
  capacity (less a share kept for hot water) and runs the compressor from the slot start for duty ×
  slot length.  Every slot rests at least 8 minutes (the restart delay); no run is shorter than 20
  minutes: a slot then runs 20 minutes or not at all, chosen by a golden-ratio ordered dither so the
  time-average duty is kept.  Slot starts are jittered by up to 7.5 minutes.
* Hot water.  8-hour hot-water slots; each starts a charge 60–240 minutes in, lasting 25–45 minutes
  (longer in winter: colder mains water).  During a charge the switching valve is 1 and the compressor
  runs; the tank top rises linearly to ~52 °C and falls linearly to ~44–46.5 °C until the next charge.
* Add-heat.  When demand exceeds what the compressor's share of the slot delivers, the deficit is covered
  by a 3/6/9 kW electric step running for that share of the slot: only on cold days (felt ≲ -7 °C).
* Temperatures.  Heating curve: 20 + 0.75·(20 − felt), 22–55 °C.  The condenser outlet (heat carrier
  out, IVT GT8 / NIBE BT2) rises towards curve + 2.5 K while running (τ 4 min) and falls towards curve −
  4 K while off (τ 12 min); during a hot-water charge it heads for tank + 5 K (τ 2 min) and decays back
  afterwards (τ 400 s).  The heat carrier comes back colder by the condenser's heat ÷ 1045 W/K (a
  heat-carrier flow of 0.25 kg/s).  The radiator forward follows the condenser outlet while heating and
  the space-heating sawtooth otherwise (the valve sends a hot-water charge to the tank, not the
  radiators); radiator return = forward − emitted heat ÷ 2700 W/K.  Brine in follows the ground
  (warmest mid-September, lowest in March) and is pulled down up to 1.2 K by a run; brine out = brine in
  − evaporator heat ÷ 2000 W/K while running.
* Power and heat.  COP = 0.5 × Carnot COP between (condenser outlet + 3 K) and (brine in − 5 K), clipped
  to 2–6.  Heat capacity = 7.5 kW × (1 + 0.03·brine_in) × (1 − 0.006·(outlet − 35)); compressor power =
  capacity ÷ COP.  After a stop the condenser gives off its warmth: its heat decays from the capacity
  with τ 60 s (heat that runs down, no electricity but the pumps').  power_electric = compressor (with
  the brine pump) + add-heat, and 30 W of controller and circulation pump while the compressor rests;
  heat_output (a heat meter after the add-heat) = condenser heat + add-heat power.
* Pumps.  The brine pump (NIBE GP2) runs exactly while the compressor does: it carries the ground's heat
  to the evaporator, so it runs on hot water too, and not during an alarm, which stops the compressor (no
  pre-run or run-on: real ones last seconds to a minute).  The heating pump (the heat-carrier / radiator
  circulation pump, NIBE GP1) runs while the house needs heat (its slot's demand > 0, as the controller
  decides it at the slot's start) and the valve is not on hot water; it keeps running while the
  compressor rests and through an alarm (the radiators still give off stored heat), and is off in
  summer.  Their electricity is not modelled apart: it is inside the compressor's power and IDLE_W.
* Degree-minutes.  NIBE's regulation integrates, every minute, DM += supply − calculated supply (NIBE
  VVM 320 service manual, "Degree minutes": "New DM = Previous DM + (actual value − set point value)",
  locked at 0 while heating is not permitted), starts the compressor at −60 DM and the add-heat 400 DM
  further down, 30 DM more per further step (the factory settings of menu 4.9.3 in the F1345 and SMO 40
  manuals).  Here the slots already decide when the compressor runs, so `degree_minutes` is the integral
  such a controller would show for them: during a space-heating run it rises linearly (supply above the
  curve) from the slot's start value to 0 at the stop, and while resting it falls linearly to the next
  run's start value: −60, or −(60 + 400 + 30 per further step) for a slot whose add-heat runs; a slot
  without a run has 0 (heating not permitted or not needed).  It is continuous, bounded, whole DM, and
  ignores hot-water charges and alarms (NIBE's own value does too little with them to matter here).
* Lifetime counters.  `counters(at, seed)` gives what the controller's counters read at an instant: the
  compressor's hours (all, and on hot water), add-heat hours, compressor starts and the electricity and
  heat meters.  The controller adds to them at its register ticks, every REGISTER_SECONDS (5 min) since
  INSTALLED_S (the pump's installation): each tick adds 5 minutes of what it reads at that instant (a
  state, a power), and a start when the compressor runs at a tick and did not at the one before.  Ticks
  rather than the 30 s samples, because the sum runs over the pump's whole life and every fresh process
  makes it: on the 30 s grid that took 0.5 s two years after the installation and grew by 0.25 s a
  year; on ticks it is a tenth.  Every run outlasts a tick, and nearly every pause does: in a year
  about 1 start in 200 hides in a pause shorter than a tick, and the hours come within 0.2 % of the
  runtime (tests/test_simulator_counters.py).  Spans of ticks are cached: later calls sum the last one.
* Alarms.  40-day alarm slots; about every other one holds a 10–45 minute low-brine-flow alarm
  (code ALARM_LOW_BRINE_FLOW) that blocks the compressor while active; `alarm_events()` lists them.
  (The tank temperature keeps its schedule through one: a simplification too short to notice.)

Every slot boundary and every on/off edge falls on the 30 s grid, so a sampled state switches exactly
at a grid point.  All arrays returned are float64; temperatures in 0.1 °C steps like real sensors.
A year of 30 s samples of every metric takes well under a second (the per-sample path avoids int64
division, float64 exp and binary searches; see _Model).  This module is long because the model is one
piece: its slots, climate and physics read each other's quantities.

Why over 300 lines: weather, house, controller, cycles and meters are one process laid on the same
slots; split apart, every part would reach into the others' internals.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable, Iterable

import numpy as np

SAMPLE_SECONDS = 30

# --- time structure ------------------------------------------------------------------------------
BLOCK_SECONDS = 12 * 3600         # space-heating blocks: each picks its slot length at its start
SLOT_CHOICES_S = np.array([120, 180, 240, 360, 720]) * 60   # slot lengths that divide a block
CYCLE_C_SECONDS = 60 * 60         # the controller's hysteresis: on C/(1−d), off C/d
SLOT_JITTER_STEPS = 15            # slot start jitter, in samples (0–7 min)
MIN_RUN_SECONDS = 20 * 60         # no shorter space-heating runs
MIN_OFF_SECONDS = 8 * 60          # the compressor's restart delay: every slot rests this long
HW_SLOT_SECONDS = 8 * 3600        # one hot-water charge per slot
KNOT_SECONDS = 1800              # knots of the outdoor temperature, interpolated in between
FELT_STEP_SECONDS, FELT_STEPS = 7200, 6   # the building feels the mean of the last 10–12 hours
ALARM_SLOT_SECONDS = 40 * 86400
ALARM_PROBABILITY = 0.5
ALARM_LOW_BRINE_FLOW = 20         # code reported while the (rare) low-brine-flow alarm is active
YEAR_DAYS = 365.2425
SPELL_MEAN = 0.125                # mean of max(value noise, 0)², measured over a long run

# --- the house and the machine -------------------------------------------------------------------
UA_W_PER_K = 240.0
GAINS_W = 800.0
INDOOR_SET = 20.5
HW_SHARE = 0.10                   # share of compressor time kept for hot water
CAPACITY_W = 7500.0
CARNOT_EFFICIENCY = 0.5
COP_MIN, COP_MAX = 2.0, 6.0
FLOW_W_PER_K = 2700.0             # radiator circuit: W per K of radiator forward − return
HEAT_CARRIER_W_PER_K = 1045.0     # condenser: 0.25 kg/s × 4180 J/(kg·K)
BRINE_W_PER_K = 2000.0            # collector: W per K of brine in − out
BRINE_DROP_K = 1.2
RUNDOWN_SECONDS = 60.0            # the condenser's heat decays with this time constant after a stop
IDLE_W = 30.0                     # controller and circulation pump while the compressor rests
AUX_STEP_W = 3000.0
AUX_MAX_W = 9000.0
DM_START_COMPRESSOR = -60.0       # NIBE menu 4.9.3 factory settings (see Degree-minutes above)
DM_START_ADD_HEAT_DIFF = 400.0
DM_ADD_HEAT_STEP_DIFF = 30.0
INSTALLED_S = 1_725_148_800       # 2024-09-01T00:00:00Z: the counters count from here

_MASK64 = (1 << 64) - 1
# Fixed numbers: a new stream must not shift the others (that would change every seed's history).
_STREAMS = {"weather_8h": 1, "weather_3d": 2, "weather_11d": 3, "slot_jitter": 4, "slot_duty": 5,
            "hw_offset": 6, "hw_length": 7, "hw_low": 8, "hw_high": 9, "alarm_happens": 10,
            "alarm_offset": 11, "alarm_length": 12, "indoor": 13, "sensor": 14, "weather_spell": 15}

METRICS: tuple[str, ...] = (
    "outdoor_temp", "indoor_temp", "supply_temp", "return_temp", "heat_carrier_supply_temp",
    "heat_carrier_return_temp", "hot_water_temp", "brine_in_temp", "brine_out_temp", "compressor_on",
    "aux_heater_on", "aux_heater_power", "switch_valve", "power_electric", "heat_output", "alarm_active",
    "alarm_code", "degree_minutes", "brine_pump_on", "heating_pump_on",
)
# The lifetime counters `counters()` gives (not sampled: a counter is a sum over the pump's whole life).
COUNTERS: tuple[str, ...] = ("compressor_hours_total", "compressor_hours_hot_water_total", "aux_heater_hours_total",
                             "compressor_starts_total", "energy_electric", "energy_heat")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 (wrapping multiplication is intended)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _hash(k: np.ndarray, stream: str, seed: int) -> np.ndarray:
    salt = (seed * 0x632BE59BD9B4E019 + _STREAMS[stream] * 0xD1B54A32D192ED03) & _MASK64
    x = np.asarray(k, dtype=np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(salt)
    return _mix(x)


def _uniform(k: np.ndarray, stream: str, seed: int) -> np.ndarray:
    """A reproducible uniform number in [0, 1) per integer key."""
    return (_hash(k, stream, seed) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _value_noise(t: np.ndarray, period: float, stream: str, seed: int) -> np.ndarray:
    """Smooth noise in [-1, 1]: hashed knots every `period` seconds, smoothstep between them."""
    x = t / period
    k = np.floor(x).astype(np.int64)
    k0 = int(k.min()) if k.size else 0
    knots = _uniform(np.arange(k0, int(k.max()) + 2 if k.size else k0 + 2), stream, seed) * 2.0 - 1.0
    f = x - k
    s = f * f * (3.0 - 2.0 * f)
    a = knots[k - k0]
    return a + (knots[k - k0 + 1] - a) * s


def _season(t: np.ndarray) -> np.ndarray:
    """cos of the season: 1 at the coldest time (~20 January), -1 at the warmest."""
    return np.cos(2.0 * np.pi * (t / 86400.0 - 19.5) / YEAR_DAYS)


def outdoor_smooth(t: np.ndarray, seed: int) -> np.ndarray:
    """Outdoor air temperature without sensor noise (°C)."""
    t = np.asarray(t, dtype=np.float64)
    c = _season(t)
    daily = (2.75 - 1.75 * c) * np.cos(2.0 * np.pi * (t / 86400.0 - 14.0 / 24.0))
    weather = (4.5 * _value_noise(t, 3 * 86400.0, "weather_3d", seed)
               + 3.0 * _value_noise(t, 11 * 86400.0, "weather_11d", seed)
               + 1.0 * _value_noise(t, 8 * 3600.0, "weather_8h", seed))
    # Spells: cold snaps in winter, warm spells in summer; the mean of the square term is taken
    # out (SPELL_MEAN) so the monthly means stay where the seasonal cosine puts them.
    spell = np.maximum(_value_noise(t, 5 * 86400.0, "weather_spell", seed), 0.0) ** 2 - SPELL_MEAN
    spell_k = np.where(c > 0.0, -11.0 * c, -5.0 * c)
    return 6.5 - 10.5 * c + daily + weather * (1.0 + 0.45 * c) + spell_k * spell


def felt_outdoor(t: np.ndarray, seed: int) -> np.ndarray:
    """What the building feels: the mean outdoor temperature at the six whole 2-hour marks up to t."""
    j = np.floor(np.asarray(t, dtype=np.float64) / FELT_STEP_SECONDS).astype(np.int64)
    j0 = int(j.min()) - FELT_STEPS + 1
    marks = outdoor_smooth(np.arange(j0, int(j.max()) + 1, dtype=np.float64) * FELT_STEP_SECONDS, seed)
    window_sums = np.convolve(marks, np.ones(FELT_STEPS), mode="valid")  # sums ending at each mark
    return window_sums[j - j0 - FELT_STEPS + 1] / FELT_STEPS


def heating_curve(t_eff: np.ndarray) -> np.ndarray:
    """Target supply temperature for a building-felt outdoor temperature (°C)."""
    return np.clip(20.0 + 0.75 * (20.0 - t_eff), 22.0, 55.0)


def ground_temp(t: np.ndarray) -> np.ndarray:
    """Brine temperature with the compressor at rest: warmest mid-September, coldest mid-March."""
    return 4.0 + 3.5 * np.cos(2.0 * np.pi * (np.asarray(t, dtype=np.float64) / 86400.0 - 258.0) / YEAR_DAYS)


def cop(supply_temp: np.ndarray, brine_in_temp: np.ndarray) -> np.ndarray:
    """COP from the temperature lift: CARNOT_EFFICIENCY × Carnot between condenser and evaporator."""
    hot = np.asarray(supply_temp, dtype=np.float64) + 273.15 + 3.0
    cold = np.asarray(brine_in_temp, dtype=np.float64) + 273.15 - 5.0
    return np.clip(CARNOT_EFFICIENCY * hot / (hot - cold), COP_MIN, COP_MAX)


def capacity(supply_temp: np.ndarray, brine_in_temp: np.ndarray) -> np.ndarray:
    """Heat the compressor delivers while running (W)."""
    return CAPACITY_W * (1.0 + 0.03 * brine_in_temp) * (1.0 - 0.006 * (supply_temp - 35.0))


@dataclass(frozen=True)
class AlarmEvent:
    start: int      # epoch seconds, on the sample grid, first instant active
    end: int        # first instant no longer active
    code: int


def alarm_events(t0: float, t1: float, seed: int) -> list[AlarmEvent]:
    """Every alarm active at some instant of [t0, t1)."""
    m = np.arange(int(t0 // ALARM_SLOT_SECONDS) - 1, int(t1 // ALARM_SLOT_SECONDS) + 1)
    start, end, happens = _alarm_slots(m, seed)
    return [AlarmEvent(int(s), int(e), ALARM_LOW_BRINE_FLOW)
            for s, e, h in zip(start, end, happens) if h and e > t0 and s < t1]


def _alarm_slots(m: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    steps = ALARM_SLOT_SECONDS // SAMPLE_SECONDS
    start = m * ALARM_SLOT_SECONDS + SAMPLE_SECONDS * (_uniform(m, "alarm_offset", seed) * (steps - 200)).astype(np.int64)
    end = start + SAMPLE_SECONDS * (20 + (_uniform(m, "alarm_length", seed) * 70).astype(np.int64))
    return start, end, _uniform(m, "alarm_happens", seed) < ALARM_PROBABILITY


def _round_to_grid(seconds: np.ndarray) -> np.ndarray:
    return (np.round(seconds / SAMPLE_SECONDS) * SAMPLE_SECONDS).astype(np.int64)


def slot_length(duty: np.ndarray) -> np.ndarray:
    """A block's compressor slot length (s) for a space-heating duty: the controller's cycle C/(d(1 − d)),
    snapped (in ratio) to the lengths that divide a block."""
    d = np.clip(duty, 0.02, 0.98)
    period = CYCLE_C_SECONDS / (d * (1.0 - d))
    pick = np.argmin(np.abs(np.log(period[:, None] / SLOT_CHOICES_S[None, :])), axis=1)
    return SLOT_CHOICES_S[pick]


def _available(curve: np.ndarray, ground: np.ndarray) -> np.ndarray:
    """Heat the compressor can give space heating while running (W): its capacity less the hot-water share."""
    return capacity(curve + 1.0, ground - 0.8 * BRINE_DROP_K) * (1.0 - HW_SHARE)


def _demand(t_eff: np.ndarray) -> np.ndarray:
    return np.maximum(UA_W_PER_K * (INDOOR_SET - t_eff) - GAINS_W, 0.0)


class _Slots:
    """The compressor slots of blocks [b0, b1]: start, length, duty, run and add-heat lengths, levels.
    Slot i belongs to block `block[i]`; `first[b - b0]` is the index of that block's first slot."""

    def __init__(self, b0: int, b1: int, seed: int):
        self.b0 = b0
        blocks = np.arange(b0, b1 + 2)  # one extra block for the last slot's end
        block_start = blocks * BLOCK_SECONDS
        t_block = felt_outdoor(block_start.astype(np.float64), seed)
        duty = _demand(t_block) / _available(heating_curve(t_block), ground_temp(block_start.astype(np.float64)))
        self.block_length = slot_length(duty)                     # per block
        counts = BLOCK_SECONDS // self.block_length
        self.first = np.concatenate(([0], np.cumsum(counts)))[:-1]
        block = np.repeat(blocks, counts)
        j = np.arange(block.size) - np.repeat(self.first, counts)
        key = block * 16 + j                                      # a slot's own key for its hashes
        nominal = block * BLOCK_SECONDS + j * np.repeat(self.block_length, counts)
        start = nominal + SAMPLE_SECONDS * (_uniform(key, "slot_jitter", seed) * SLOT_JITTER_STEPS).astype(np.int64)
        last = block < blocks[-1]                                 # the extra block only ends the one before
        self.start = start[:-1][last[:-1]]
        self.length = np.diff(start)[last[:-1]]
        key = key[:-1][last[:-1]]
        self.block = block[:-1][last[:-1]]
        t = self.start.astype(np.float64)
        self.t_eff = felt_outdoor(t, seed)
        self.curve = heating_curve(self.t_eff)
        self.ground = ground_temp(t)
        demand = _demand(self.t_eff)
        available = _available(self.curve, self.ground)
        duty = demand / available * (0.94 + 0.12 * _uniform(key, "slot_duty", seed))
        run = duty * self.length
        short = run < MIN_RUN_SECONDS
        dither = (key * 0.6180339887498949 + seed * 0.7548776662466927) % 1.0  # evenly spread in [0, 1)
        run = np.where(short, np.where(dither < run / MIN_RUN_SECONDS, MIN_RUN_SECONDS, 0.0), run)
        # The compressor rests at least MIN_OFF_SECONDS a slot (restart delay); what that leaves
        # undone is the deficit the add-heat covers.
        self.run = np.minimum(_round_to_grid(run), self.length - MIN_OFF_SECONDS)
        deficit = np.maximum(demand - available * (1.0 - MIN_OFF_SECONDS / self.length), 0.0)
        self.aux_power = np.minimum(np.ceil(deficit / AUX_STEP_W) * AUX_STEP_W, AUX_MAX_W)
        aux_share = np.where(self.aux_power > 0, np.minimum(deficit / np.maximum(self.aux_power, 1.0), 1.0), 0.0)
        self.aux_run = _round_to_grid(aux_share * self.length)
        # The degree-minutes at which each slot's run starts (0: the slot does not run).
        steps = self.aux_power / AUX_STEP_W
        deeper = np.where(steps > 0, DM_START_ADD_HEAT_DIFF + DM_ADD_HEAT_STEP_DIFF * np.maximum(steps - 1, 0), 0.0)
        self.dm_start = np.where(self.run > 0, DM_START_COMPRESSOR - deeper, 0.0)
        self.s_hi = self.curve + 2.5
        self.s_rest = np.maximum(self.curve - 4.0, 21.0)
        end_level = self.s_hi - (self.s_hi - self.s_rest) * np.exp(-self.run / 240.0)
        # The off-phase of a slot decays from the last run that ended: its own or the previous slot's.
        ran = self.run > 0
        prev = np.maximum(np.arange(self.start.size) - 1, 0)
        self.off_from = np.where(ran, self.start + self.run, self.start[prev] + self.run[prev])
        self.off_level = np.where(ran, end_level, end_level[prev])
        self.off_level[0] = np.where(ran[0], end_level[0], self.s_rest[0])
        self.demand = demand
        warm = 0.15 * np.maximum(self.t_eff - 14.0, 0.0)  # sunny, warm days heat the house a little
        self.indoor = INDOOR_SET + 0.6 + warm + 0.3 * _value_noise(t, 2 * 86400.0, "indoor", seed)
        # Degree-minutes, resting (line 2i) and running (line 2i + 1) in slot i, as a + b·tau (tau: seconds
        # into the slot): running rises from dm_start to 0 at the stop; resting falls from 0 at the stop
        # to the next slot's dm_start at its start.
        following = np.minimum(np.arange(self.start.size) + 1, self.start.size - 1)
        run_f = self.run.astype(np.float64)
        rise = -self.dm_start / np.maximum(run_f, 1.0)
        fall = self.dm_start[following] / np.maximum((self.start[following] - self.start).astype(np.float64) - run_f, 1.0)
        self.dm_lines = (np.column_stack((-fall * run_f, self.dm_start)).ravel(), np.column_stack((fall, rise)).ravel())
        # Float copies for the per-sample hot path (exact: whole seconds).
        self.start_f = self.start.astype(np.float64)
        self.run_f = self.run.astype(np.float64)
        self.aux_run_f = self.aux_run.astype(np.float64)
        self.off_from_f = self.off_from.astype(np.float64)
        self.block_length_f = self.block_length.astype(np.float64)

    def index(self, tf: np.ndarray) -> np.ndarray:
        """The slot holding each instant (whole seconds as float)."""
        b = _floor_div(tf, BLOCK_SECONDS) - self.b0
        j = np.floor((tf - (b + self.b0) * float(BLOCK_SECONDS)) / self.block_length_f[b]).astype(np.int64)
        guess = self.first[b] + j
        return guess - (tf < self.start_f[guess])


class _HotWater:
    """Per hot-water slot m in [m0, m1): charge start, end and tank temperatures at both ends."""

    def __init__(self, m0: int, m1: int, seed: int):
        self.m0 = m0
        m = np.arange(m0, m1)
        self.start = m * HW_SLOT_SECONDS + SAMPLE_SECONDS * (
            120 + (_uniform(m, "hw_offset", seed) * 360).astype(np.int64))    # 60–240 min into the slot
        winter = 0.5 + 0.5 * _season(self.start.astype(np.float64))
        minutes = 30.0 + 10.0 * winter + 10.0 * (_uniform(m, "hw_length", seed) - 0.5)
        self.end = self.start + _round_to_grid(np.clip(minutes, 25.0, 45.0) * 60.0)
        self.low = 44.0 + 2.5 * _uniform(m, "hw_low", seed)
        self.high = 51.5 + 1.0 * _uniform(m, "hw_high", seed)
        self.start_f = self.start.astype(np.float64)
        self.end_f = self.end.astype(np.float64)


def _exp(x: np.ndarray) -> np.ndarray:
    """exp in float32: its SIMD path is ~10× faster than float64's and exact enough for decays."""
    return np.exp(x.astype(np.float32)).astype(np.float64)  # back to float64: mixed-type ops are slow


def _floor_div(tf: np.ndarray, step: int) -> np.ndarray:
    """floor(t / step) for integer-valued float seconds: float division is exact at multiples of step
    and, unlike int64 //, vectorised."""
    return np.floor(tf / step).astype(np.int64)


@lru_cache(maxsize=8)
def _sensor_table(seed: int) -> np.ndarray:
    """65,536 hashed values in [-1, 1]; a sample's sensor noise is looked up by its grid index."""
    return _uniform(np.arange(1 << 16), "sensor", seed) * 2.0 - 1.0


@lru_cache(maxsize=8)
def _sensor_table_twice(seed: int) -> np.ndarray:
    return np.concatenate((_sensor_table(seed), _sensor_table(seed)))


class _Model:
    """Lazily computed quantities at the instants t; each metric pulls only what it needs.

    Per-sample work is the hot path of a 365-day window (a million samples), so it avoids int64
    division, float64 exp and binary searches: slot-level arrays are gathered by index instead.
    """

    def __init__(self, t: np.ndarray, seed: int):
        self.seed = seed
        # Whole seconds, held as exact float64: the simulator's resolution is one second.
        self.tf = np.floor(t) if np.issubdtype(t.dtype, np.floating) else t.astype(np.float64)
        lo, hi = int(self.tf.min()), int(self.tf.max())
        self.slots = _Slots(lo // BLOCK_SECONDS - 1, hi // BLOCK_SECONDS + 1, seed)
        self.hw = _HotWater(lo // HW_SLOT_SECONDS - 1, hi // HW_SLOT_SECONDS + 2, seed)

    # --- smooth quantities and noise --------------------------------------------------------------
    @cached_property
    def _knots(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Smooth quantities are evaluated on absolute KNOT_SECONDS knots and interpolated linearly:
        exact at the knots, far below sensor resolution in between, and cheap for a year of samples.
        Returns (knot times, knot index per sample, position between the knots)."""
        j = _floor_div(self.tf, KNOT_SECONDS)
        j0 = int(j.min())
        times = np.arange(j0, int(j.max()) + 2, dtype=np.float64) * KNOT_SECONDS
        idx = j - j0
        return times, idx, (self.tf - times[idx]) * (1.0 / KNOT_SECONDS)

    def _smooth(self, f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        times, idx, frac = self._knots
        v = f(times)
        a = v[idx]
        return a + (v[idx + 1] - a) * frac

    @cached_property
    def _noise_at(self) -> np.ndarray | int:
        """Where each sample's sensor noise is in the table: an array of positions, or for a run of
        consecutive grid samples (the demo's chunks) the first one's position, the rest following it."""
        g = _floor_div(self.tf, SAMPLE_SECONDS)
        if g.size > 1 << 16 or g[-1] - g[0] != g.size - 1 or (g.size > 1 and not (np.diff(g) == 1).all()):
            return g & 0xFFFF
        return int(g[0]) & 0xFFFF

    def _sensor(self, field: int, amplitude: float) -> np.ndarray:
        """Sensor noise in ±amplitude, constant within a 30 s sample; fields are independent."""
        at = self._noise_at
        offset = (field * 0x5BD1) & 0xFFFF
        if isinstance(at, int):   # consecutive: a slice of the table, repeated once to cover a wrap
            start = (at + offset) & 0xFFFF
            return _sensor_table_twice(self.seed)[start:start + self.tf.size] * amplitude
        return _sensor_table(self.seed)[(at + offset) & 0xFFFF] * amplitude

    # --- slots ------------------------------------------------------------------------------------
    @cached_property
    def k(self) -> np.ndarray:
        """Index into self.slots of the slot holding each instant."""
        return self.slots.index(self.tf)

    @cached_property
    def tau(self) -> np.ndarray:
        """Seconds since the start of the instant's compressor slot."""
        return self.tf - self.slots.start_f[self.k]

    @cached_property
    def sh_on(self) -> np.ndarray:
        return self.tau < self.slots.run_f[self.k]

    @cached_property
    def m(self) -> np.ndarray:
        return _floor_div(self.tf, HW_SLOT_SECONDS) - self.hw.m0

    @cached_property
    def _charge_start(self) -> np.ndarray:
        return self.hw.start_f[self.m]

    @cached_property
    def hw_on_raw(self) -> np.ndarray:
        return (self.tf >= self._charge_start) & (self.tf < self.hw.end_f[self.m])

    @cached_property
    def alarm(self) -> np.ndarray:
        events = alarm_events(self.tf.min(), self.tf.max() + 1, self.seed)
        active = np.zeros(self.tf.shape, dtype=bool)
        for ev in events:  # a few a year: one short comparison pass each
            active |= (self.tf >= ev.start) & (self.tf < ev.end)
        return active

    @cached_property
    def hw_on(self) -> np.ndarray:
        return self.hw_on_raw & ~self.alarm

    @cached_property
    def compressor(self) -> np.ndarray:
        return (self.sh_on | self.hw_on_raw) & ~self.alarm

    @cached_property
    def aux_on(self) -> np.ndarray:
        return self.tau < self.slots.aux_run_f[self.k]

    # --- temperatures -----------------------------------------------------------------------------
    @cached_property
    def outdoor(self) -> np.ndarray:
        return self._smooth(lambda t: outdoor_smooth(t, self.seed))

    @cached_property
    def hot_water(self) -> np.ndarray:
        """Tank top: linear rise during a charge, linear fall between charges (no sensor noise)."""
        hw = self.hw
        times = np.column_stack((hw.start_f, hw.end_f)).ravel()
        values = np.column_stack((hw.low, hw.high)).ravel()
        return np.interp(self.tf, times, values)

    @cached_property
    def _last_charge(self) -> np.ndarray:
        """Index of the newest charge that ended at or before each instant."""
        return self.m - 1 + (self.tf >= self.hw.end_f[self.m])

    @cached_property
    def _since_charge(self) -> np.ndarray:
        """Seconds since the last hot-water charge ended (0 during one)."""
        return np.where(self.hw_on_raw, 0.0, self.tf - self.hw.end_f[self._last_charge])

    @cached_property
    def _since_sh_stop(self) -> np.ndarray:
        """Seconds since the last space-heating run stopped (negative while one runs)."""
        return self.tf - self.slots.off_from_f[self.k]

    @cached_property
    def space_supply(self) -> np.ndarray:
        """Supply temperature from space-heating cycles alone: the sawtooth."""
        s, k, on = self.slots, self.k, self.sh_on
        e = _exp(np.where(on, self.tau * (-1.0 / 240.0), self._since_sh_stop * (-1.0 / 720.0)))
        # On: from s_rest up towards s_hi; off: from the level at switch-off down towards s_rest.
        toward = np.where(on, s.s_hi[k], s.s_rest[k])
        away = np.where(on, s.s_rest[k], s.off_level[k])
        return toward + (away - toward) * e

    @cached_property
    def supply(self) -> np.ndarray:
        """Space-heating sawtooth, overridden by hot-water charges and their after-glow."""
        base = self.space_supply
        on = self.hw_on
        # During a charge: from base towards tank + 5 K (τ 2 min); after: decay back (τ 400 s).
        target = np.where(on, self.hot_water, self.hw.high[self._last_charge]) + 5.0
        e = _exp(np.where(on, (self.tf - self._charge_start) * (-1.0 / 120.0), self._since_charge * (-1.0 / 400.0)))
        return np.where(on, target + (base - target) * e, base + np.maximum(target - base, 0.0) * e)

    @cached_property
    def since_compressor_start(self) -> np.ndarray:
        return np.where(self.sh_on, self.tau, np.where(self.hw_on, self.tf - self._charge_start, 0.0))

    @cached_property
    def _since_stop(self) -> np.ndarray:
        """Seconds since the compressor last stopped (for the instants it is off)."""
        since_sh = self._since_sh_stop
        return np.maximum(np.minimum(np.where(since_sh < 0, 1e6, since_sh), self._since_charge), 0.0)

    @cached_property
    def brine_in(self) -> np.ndarray:
        ground = self.slots.ground[self.k]
        running = self.compressor
        e = _exp(np.where(running, self.since_compressor_start * (-1.0 / 900.0),
                          np.minimum(self._since_stop, 1e5) * (-1.0 / 1800.0)))
        pull = np.where(running, 1.0 - e, 0.5 * e)
        return ground - BRINE_DROP_K * pull

    @cached_property
    def cop(self) -> np.ndarray:
        return cop(self.supply, self.brine_in)

    @cached_property
    def _capacity(self) -> np.ndarray:
        return capacity(self.supply, self.brine_in)

    @cached_property
    def compressor_heat(self) -> np.ndarray:
        return np.where(self.compressor, self._capacity, 0.0)

    @cached_property
    def condenser_heat(self) -> np.ndarray:
        """Heat the heat carrier takes from the condenser: the compressor's while it runs, then the warmth
        left in the condenser, decaying after a stop (no compressor power behind it)."""
        rundown = self._capacity * _exp(np.minimum(self._since_stop, 1e5) * (-1.0 / RUNDOWN_SECONDS))
        return np.where(self.compressor, self.compressor_heat, np.where(self.alarm, 0.0, rundown))

    @cached_property
    def radiator_forward(self) -> np.ndarray:
        """The condenser outlet while it heats the radiators; during a hot-water charge the valve sends it
        to the tank, and the radiator circuit keeps its space-heating course."""
        return np.where(self.hw_on, self.space_supply, self.supply)

    @cached_property
    def compressor_power(self) -> np.ndarray:
        return self.compressor_heat / self.cop

    @cached_property
    def aux_power(self) -> np.ndarray:
        return np.where(self.aux_on, self.slots.aux_power[self.k], 0.0)

    @cached_property
    def degree_minutes_value(self) -> np.ndarray:
        """Running: linear from the slot's start value up to 0 at the stop; resting: linear from 0 down to
        the next slot's start value at its start (see the module docstring).  Both are a + b·tau on the
        slot's own line (_Slots.dm_lines): one gather per coefficient per sample."""
        at, slope = self.slots.dm_lines
        line = 2 * self.k + self.sh_on
        return at[line] + slope[line] * self.tau

    # --- metrics ----------------------------------------------------------------------------------
    def degree_minutes(self) -> np.ndarray:
        return np.round(self.degree_minutes_value) + 0.0   # shown in whole DM, like the controller

    def outdoor_temp(self) -> np.ndarray:
        return _sensor_round(self.outdoor + self._sensor(0, 0.15))

    def indoor_temp(self) -> np.ndarray:
        return _sensor_round(self.slots.indoor[self.k] + self._sensor(1, 0.05))

    def supply_temp(self) -> np.ndarray:
        return _sensor_round(self.radiator_forward + self._sensor(2, 0.05))

    def return_temp(self) -> np.ndarray:
        # While the compressor heats the house the radiators give off its heat; otherwise they keep
        # emitting what the house needs from the stored heat.
        demand = self.slots.demand[self.k]
        forward = self.radiator_forward
        heating = self.compressor & ~self.hw_on
        emitted = np.where(heating, self.compressor_heat + self.aux_power,
                           np.minimum(demand, 0.5 * FLOW_W_PER_K * np.maximum(forward - 21.0, 0.0)))
        return _sensor_round(forward - emitted * (1.0 / FLOW_W_PER_K) - 0.1 + self._sensor(3, 0.05))

    def heat_carrier_supply_temp(self) -> np.ndarray:
        return _sensor_round(self.supply + self._sensor(7, 0.05))

    def heat_carrier_return_temp(self) -> np.ndarray:
        return _sensor_round(self.supply - self.condenser_heat * (1.0 / HEAT_CARRIER_W_PER_K) + self._sensor(8, 0.05))

    def hot_water_temp(self) -> np.ndarray:
        return _sensor_round(self.hot_water + self._sensor(4, 0.05))

    def brine_in_temp(self) -> np.ndarray:
        return _sensor_round(self.brine_in + self._sensor(5, 0.05))

    def brine_out_temp(self) -> np.ndarray:
        running = self.compressor
        evaporator = self.compressor_heat - self.compressor_power
        e = _exp(np.where(running, self.since_compressor_start * (-1.0 / 60.0),
                          np.minimum(self._since_stop, 1e5) * (-1.0 / 300.0)))
        # Running: the full ΔT builds up within a minute or two; resting: the last 0.3 K fades.
        drop = np.where(running, evaporator * (1.0 / BRINE_W_PER_K) * (1.0 - 0.6 * e), 0.3 * e)
        return _sensor_round(self.brine_in - drop + self._sensor(6, 0.05))

    def compressor_on(self) -> np.ndarray:
        return self.compressor.astype(np.float64)

    def aux_heater_on(self) -> np.ndarray:
        return self.aux_on.astype(np.float64)

    def aux_heater_power(self) -> np.ndarray:
        return self.aux_power

    def switch_valve(self) -> np.ndarray:
        return self.hw_on.astype(np.float64)

    def brine_pump_on(self) -> np.ndarray:
        return self.compressor.astype(np.float64)

    def heating_pump_on(self) -> np.ndarray:
        return ((self.slots.demand[self.k] > 0.0) & ~self.hw_on).astype(np.float64)

    def power_electric(self) -> np.ndarray:
        return self.compressor_power + self.aux_power + np.where(self.compressor, 0.0, IDLE_W)

    def heat_output(self) -> np.ndarray:
        return self.condenser_heat + self.aux_power

    def alarm_active(self) -> np.ndarray:
        return self.alarm.astype(np.float64)

    def alarm_code(self) -> np.ndarray:
        return np.where(self.alarm, float(ALARM_LOW_BRINE_FLOW), 0.0)


def _sensor_round(x: np.ndarray) -> np.ndarray:
    """Sensors report 0.1 °C steps; + 0.0 turns -0.0 into 0.0."""
    return np.round(x, 1) + 0.0


def sample(epoch_seconds: np.ndarray, seed: int, metrics: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Every metric in `metrics` (default: all of METRICS) at the instants `epoch_seconds`.

    A pure function: the value at an instant depends on that instant (to the second) and the seed
    only, never on the other instants asked for.  `epoch_seconds` is flattened to one dimension.
    """
    t = np.asarray(epoch_seconds).reshape(-1)
    if t.dtype.kind not in "iuf":
        raise ValueError(f"epoch_seconds must be numbers (seconds since 1970 UTC), not {t.dtype}")
    if t.dtype.kind == "f" and not np.isfinite(t).all():
        raise ValueError("epoch_seconds must be finite: found NaN or infinity")
    names = METRICS if metrics is None else tuple(metrics)
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"the simulator has no metric {', '.join(unknown)}; it has: {', '.join(METRICS)}")
    if t.size == 0:
        return {n: np.empty(0, dtype=np.float64) for n in names}
    model = _Model(t, int(seed))
    return {n: getattr(model, n)() for n in names}


# --- lifetime counters ----------------------------------------------------------------------------
_SUMMED = ("compressor_on", "switch_valve", "aux_heater_on", "power_electric", "heat_output")
REGISTER_SECONDS = 300               # the controller's counters add up at these ticks (module docstring)


def _sums(a: int, b: int, seed: int) -> np.ndarray:
    """Over the register ticks a ≤ g < b (multiples of REGISTER_SECONDS): seconds the compressor ran, of
    them on hot water, seconds of add-heat, compressor starts (off at the tick before, on at g), and
    electricity and heat in W·s, each tick counting for REGISTER_SECONDS."""
    if b <= a:
        return np.zeros(6)
    g = np.arange(a - REGISTER_SECONDS, b, REGISTER_SECONDS, dtype=np.int64)   # one before: a start at a counts
    x = sample(g, seed, _SUMMED)
    on, tick = x["compressor_on"], REGISTER_SECONDS
    return np.array([on[1:].sum() * tick, x["switch_valve"][1:].sum() * tick, x["aux_heater_on"][1:].sum() * tick,
                     float(np.count_nonzero(on[1:] > on[:-1])),
                     x["power_electric"][1:].sum() * tick, x["heat_output"][1:].sum() * tick])


COUNTER_SPAN_S = 64 * 86400          # the cached spans of counters(): ~18,000 ticks, one sample() call each


@lru_cache(maxsize=1024)
def _span_sums(span: int, seed: int) -> tuple[float, ...]:
    start = INSTALLED_S + span * COUNTER_SPAN_S
    return tuple(_sums(start, start + COUNTER_SPAN_S, seed))


def counters(at_s: int, seed: int) -> dict[str, float]:
    """The lifetime counters (COUNTERS) at the instant `at_s` (epoch seconds): sums over the register
    ticks INSTALLED_S ≤ g < at_s, in hours, starts and kWh; all 0 before the installation."""
    at = max(int(at_s), INSTALLED_S)
    spans = (at - INSTALLED_S) // COUNTER_SPAN_S
    total = np.zeros(6)
    for span in range(spans):
        total += _span_sums(span, int(seed))
    end_of_spans = INSTALLED_S + spans * COUNTER_SPAN_S
    total += _sums(end_of_spans, -(-at // REGISTER_SECONDS) * REGISTER_SECONDS, int(seed))
    on_s, hot_water_s, aux_s, starts, electric_ws, heat_ws = total
    return {"compressor_hours_total": on_s / 3600.0, "compressor_hours_hot_water_total": hot_water_s / 3600.0,
            "aux_heater_hours_total": aux_s / 3600.0, "compressor_starts_total": starts,
            "energy_electric": electric_ws / 3.6e6, "energy_heat": heat_ws / 3.6e6}
