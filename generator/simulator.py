"""The built-in simulated heat pump: a pure function of absolute time and a seed.

A Swedish 7.5 kW fixed-speed ground-source heat pump on a radiator circuit, heating a house of
~9 kW design heat loss and its hot-water tank.  `sample(t, seed)` gives every canonical metric it has
at the instants `t` (epoch seconds, any resolution); the demo source calls it on the 30 s grid.

No state is carried between samples.  Everything that looks like history (compressor cycles,
hot-water cycles, the sawtooth of the supply line) is structure laid on *fixed slots aligned to the
epoch*, so any instant can find its slot and the slot's attributes without looking back:

* Hash noise.  `_uniform(k, stream, seed)` is a splitmix64 hash of an integer key: the same key,
  stream and seed always give the same number in [0, 1).  Smooth weather is value noise (hashed
  knots every 8 h, 3 d and 11 d, smoothstep between them); sensor noise is one hash per 30 s sample.
* Climate.  Outdoor = seasonal cosine (mean 6.5 °C, coldest around 20 January at -4 °C, warmest
  around 21 July at +17 °C) + daily cosine (peak 14:00 UTC ≈ 15:00 solar time in Sweden, amplitude
  1 K in winter, 4 K in summer) + weather (±~7 K in winter, less in summer).  The building sees the
  mean of the last 10 hours (`T_eff`).
* Space heating.  Demand = UA·(20.5 − T_eff) − gains (zero above ~17 °C).  Time is cut into
  72-minute compressor slots whose starts are jittered by up to 8 minutes.  At its start a slot takes
  its duty from demand ÷ capacity (capacity less a share kept for hot water) and runs the compressor
  from the slot start for duty × slot length: the off-time shrinks as demand grows, like a hysteresis
  controller.  Duties ≥ 0.97 run the whole slot (consecutive full slots merge into one long run);
  runs shorter than 12 minutes are not made: a slot then runs 12 minutes or not at all, chosen by a
  golden-ratio ordered dither so the time-average duty is kept.
* Hot water.  5-hour hot-water slots; each starts a charge 30–90 minutes in (so cycles come every
  4–6 h) lasting 20–40 minutes (longer in winter: colder mains water).  During a charge the switching
  valve is 1 and the compressor runs; the tank top rises linearly to ~52 °C and falls linearly to
  ~44–46 °C until the next charge.
* Add-heat.  When demand exceeds the compressor's share the deficit is covered by a 3/6/9 kW
  electric heater step running for a fraction of the slot: only on cold days (T_eff ≲ -10 °C).
* Temperatures.  Supply rises towards curve + 2.5 K while running (τ 4 min) and falls towards
  curve − 4 K while off (τ 12 min); during a hot-water charge it follows tank + 5 K and decays back
  afterwards.  Return = supply − heat ÷ 2700 W/K (the project's default flow factor, so a ΔT-based
  heat estimate agrees with the heat meter); while off the radiators keep emitting so return stays a
  little below supply.  Brine in follows the ground (highest in September, falling through the winter
  to its lowest in March) and is pulled down ~1.2 K by a long run; brine out = brine in − evaporator
  heat ÷ 2000 W/K while running.
* Power.  COP = 0.5 × Carnot COP between (supply + 3 K) and (brine in − 5 K), clipped to 2–6.
  Heat capacity = 7.5 kW × (1 + 0.03·brine_in) × (1 − 0.006·(supply − 35)); compressor power =
  capacity ÷ COP.  power_electric = compressor + add-heat; heat_output (a heat meter after the
  add-heat) = compressor power × COP + add-heat power.  Pumps are counted in the compressor power.
* Alarms.  40-day alarm slots; about one in three holds a 10–45 minute low-brine-flow alarm
  (code `ALARM_LOW_BRINE_FLOW`) that blocks the compressor while active.

Every slot boundary and every on/off edge falls on the 30 s grid, so a sampled state switches exactly
at a grid point.  All arrays returned are float64.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

import numpy as np

SAMPLE_SECONDS = 30

# --- time structure ------------------------------------------------------------------------------
SLOT_SECONDS = 72 * 60            # compressor slot (20 a day)
SLOT_JITTER_STEPS = 16            # slot start jitter, in samples (0–7.5 min)
MIN_RUN_SECONDS = 12 * 60         # no shorter space-heating runs
FULL_DUTY = 0.97                  # from here on a slot runs throughout
HW_SLOT_SECONDS = 5 * 3600        # one hot-water charge per slot
KNOT_SECONDS = 600               # knots of the smooth quantities (outdoor, indoor drift)
ALARM_SLOT_SECONDS = 40 * 86400
ALARM_PROBABILITY = 0.35
ALARM_LOW_BRINE_FLOW = 20         # code reported while the (rare) low-brine-flow alarm is active
YEAR_DAYS = 365.2425

# --- the house and the machine -------------------------------------------------------------------
UA_W_PER_K = 230.0
GAINS_W = 800.0
INDOOR_SET = 20.5
HW_SHARE = 0.10                   # share of compressor time kept for hot water
CAPACITY_W = 7500.0
CARNOT_EFFICIENCY = 0.5
COP_MIN, COP_MAX = 2.0, 6.0
FLOW_W_PER_K = 2700.0             # heating circuit: W per K of supply − return
BRINE_W_PER_K = 2000.0            # collector: W per K of brine in − out
BRINE_DROP_K = 1.2
AUX_STEP_W = 3000.0
AUX_MAX_W = 9000.0

_MASK64 = (1 << 64) - 1
_STREAMS = {name: i + 1 for i, name in enumerate((
    "weather_8h", "weather_3d", "weather_11d", "slot_jitter", "slot_duty", "hw_offset", "hw_length",
    "hw_low", "hw_high", "alarm_happens", "alarm_offset", "alarm_length", "indoor", "sensor"))}

METRICS: tuple[str, ...] = (
    "outdoor_temp", "indoor_temp", "supply_temp", "return_temp", "hot_water_temp", "brine_in_temp",
    "brine_out_temp", "compressor_on", "aux_heater_on", "aux_heater_power", "switch_valve",
    "power_electric", "heat_output", "alarm_active", "alarm_code",
)


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
    daily = (2.5 - 1.5 * c) * np.cos(2.0 * np.pi * (t / 86400.0 - 14.0 / 24.0))
    weather = (4.5 * _value_noise(t, 3 * 86400.0, "weather_3d", seed)
               + 3.0 * _value_noise(t, 11 * 86400.0, "weather_11d", seed)
               + 1.0 * _value_noise(t, 8 * 3600.0, "weather_8h", seed))
    return 6.5 - 10.5 * c + daily + weather * (1.0 + 0.45 * c)


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


class _Slots:
    """Per compressor slot k in [k0, k1): start, length, duty, run and add-heat lengths, levels."""

    def __init__(self, k0: int, k1: int, seed: int):
        self.k0 = k0
        k = np.arange(k0, k1 + 1)  # one extra for the next slot's start
        start = k * SLOT_SECONDS + SAMPLE_SECONDS * (
            _uniform(k, "slot_jitter", seed) * SLOT_JITTER_STEPS).astype(np.int64)
        self.start = start[:-1]
        self.length = np.diff(start)
        k = k[:-1]
        t = self.start.astype(np.float64)
        # The building feels the mean outdoor temperature of the last 10 hours.
        self.t_eff = np.mean([outdoor_smooth(t - h * 7200.0, seed) for h in range(6)], axis=0)
        self.curve = heating_curve(self.t_eff)
        self.ground = ground_temp(t)
        demand = np.maximum(UA_W_PER_K * (INDOOR_SET - self.t_eff) - GAINS_W, 0.0)
        available = capacity(self.curve + 1.0, self.ground - 0.8 * BRINE_DROP_K) * (1.0 - HW_SHARE)
        duty = demand / available * (0.94 + 0.12 * _uniform(k, "slot_duty", seed))
        run = duty * self.length
        short = run < MIN_RUN_SECONDS
        dither = np.modf(k * 0.6180339887498949 + seed * 0.7548776662466927)[0] % 1.0
        run = np.where(short, np.where(dither < run / MIN_RUN_SECONDS, MIN_RUN_SECONDS, 0.0), run)
        run = np.where(duty >= FULL_DUTY, self.length, np.minimum(_round_to_grid(run), self.length))
        self.run = run.astype(np.int64)
        self.full = self.run >= self.length
        deficit = np.maximum(demand - available, 0.0)
        self.aux_power = np.minimum(np.ceil(deficit / AUX_STEP_W) * AUX_STEP_W, AUX_MAX_W)
        aux_share = np.where(self.aux_power > 0, np.minimum(deficit / np.maximum(self.aux_power, 1.0), 1.0), 0.0)
        self.aux_run = _round_to_grid(aux_share * self.length)
        self.s_hi = self.curve + 2.5
        self.s_rest = np.maximum(self.curve - 4.0, 21.0)
        # A run that follows a full slot has been going for at least one slot already.
        prev_full = np.concatenate(([False], self.full[:-1]))
        self.run_offset = np.where(prev_full, SLOT_SECONDS, 0).astype(np.int64)
        end_level = self.s_hi - (self.s_hi - self.s_rest) * np.exp(-(self.run + self.run_offset) / 240.0)
        # The off-phase of a slot decays from the last run that ended: its own or the previous slot's.
        ran = self.run > 0
        prev = np.maximum(np.arange(k.size) - 1, 0)
        self.off_from = np.where(ran, self.start + self.run, self.start[prev] + self.run[prev])
        self.off_level = np.where(ran, end_level, end_level[prev])
        self.off_level[0] = np.where(ran[0], end_level[0], self.s_rest[0])


class _HotWater:
    """Per hot-water slot m in [m0, m1): charge start, end and tank temperatures at both ends."""

    def __init__(self, m0: int, m1: int, seed: int):
        self.m0 = m0
        m = np.arange(m0, m1)
        self.start = m * HW_SLOT_SECONDS + SAMPLE_SECONDS * (
            60 + (_uniform(m, "hw_offset", seed) * 120).astype(np.int64))
        winter = 0.5 + 0.5 * _season(self.start.astype(np.float64))
        minutes = 22.0 + 10.0 * winter + 8.0 * (_uniform(m, "hw_length", seed) - 0.5)
        self.end = self.start + _round_to_grid(np.clip(minutes, 20.0, 40.0) * 60.0)
        self.low = 44.0 + 2.5 * _uniform(m, "hw_low", seed)
        self.high = 51.5 + 1.0 * _uniform(m, "hw_high", seed)


class _Model:
    """Lazily computed quantities at the instants t; each metric pulls only what it needs."""

    def __init__(self, t: np.ndarray, seed: int):
        self.seed = seed
        if np.issubdtype(t.dtype, np.integer):
            self.ti = t.astype(np.int64, copy=False)
        else:
            self.ti = np.floor(t).astype(np.int64)
        self.tf = t.astype(np.float64)
        lo, hi = int(self.ti.min()), int(self.ti.max())
        self.slots = _Slots(lo // SLOT_SECONDS - 2, hi // SLOT_SECONDS + 2, seed)
        self.hw = _HotWater(lo // HW_SLOT_SECONDS - 1, hi // HW_SLOT_SECONDS + 2, seed)
        # Smooth quantities are evaluated on absolute 10-minute knots and interpolated: exact at the
        # knots, far below sensor resolution in between, and cheap for a year of 30 s samples.
        self.knots = np.arange(lo // KNOT_SECONDS, hi // KNOT_SECONDS + 2, dtype=np.int64) * KNOT_SECONDS

    def _smooth(self, f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return np.interp(self.tf, self.knots.astype(np.float64), f(self.knots.astype(np.float64)))

    # --- noise ---------------------------------------------------------------------------------
    @cached_property
    def _sensor_bits(self) -> np.ndarray:
        return _hash(self.ti // SAMPLE_SECONDS, "sensor", self.seed)

    def _sensor(self, field: int, amplitude: float) -> np.ndarray:
        """Sensor noise in ±amplitude, constant within a 30 s sample; 4 independent fields."""
        bits = (self._sensor_bits >> np.uint64(16 * field)) & np.uint64(0xFFFF)
        return (bits.astype(np.float64) * (2.0 / 65535.0) - 1.0) * amplitude

    # --- slots ---------------------------------------------------------------------------------
    @cached_property
    def k(self) -> np.ndarray:
        """Index into self.slots of the slot holding each instant."""
        s = self.slots
        guess = self.ti // SLOT_SECONDS - s.k0
        return guess - (self.ti < s.start[guess])

    @cached_property
    def tau(self) -> np.ndarray:
        return self.ti - self.slots.start[self.k]

    @cached_property
    def sh_on(self) -> np.ndarray:
        return self.tau < self.slots.run[self.k]

    @cached_property
    def m(self) -> np.ndarray:
        return self.ti // HW_SLOT_SECONDS - self.hw.m0

    @cached_property
    def hw_on_raw(self) -> np.ndarray:
        return (self.ti >= self.hw.start[self.m]) & (self.ti < self.hw.end[self.m])

    @cached_property
    def alarm(self) -> np.ndarray:
        events = alarm_events(int(self.ti.min()), int(self.ti.max()) + 1, self.seed)
        if not events:
            return np.zeros(self.ti.shape, dtype=bool)
        starts = np.array([e.start for e in events], dtype=np.int64)
        ends = np.array([e.end for e in events], dtype=np.int64)
        i = np.searchsorted(starts, self.ti, side="right") - 1
        return (i >= 0) & (self.ti < ends[np.maximum(i, 0)])

    @cached_property
    def hw_on(self) -> np.ndarray:
        return self.hw_on_raw & ~self.alarm

    @cached_property
    def compressor(self) -> np.ndarray:
        return (self.sh_on | self.hw_on_raw) & ~self.alarm

    @cached_property
    def aux_on(self) -> np.ndarray:
        return self.tau < self.slots.aux_run[self.k]

    # --- temperatures --------------------------------------------------------------------------
    @cached_property
    def outdoor(self) -> np.ndarray:
        return self._smooth(lambda t: outdoor_smooth(t, self.seed))

    @cached_property
    def hot_water(self) -> np.ndarray:
        """Tank top: linear rise during a charge, linear fall between charges (no sensor noise)."""
        hw = self.hw
        times = np.column_stack((hw.start, hw.end)).ravel().astype(np.float64)
        values = np.column_stack((hw.low, hw.high)).ravel()
        return np.interp(self.tf, times, values)

    @cached_property
    def _last_charge(self) -> np.ndarray:
        """Index of the newest charge that ended at or before each instant."""
        return np.searchsorted(self.hw.end, self.ti, side="right") - 1

    @cached_property
    def _since_charge(self) -> np.ndarray:
        return np.where(self.hw_on_raw, 0.0, (self.ti - self.hw.end[self._last_charge]).astype(np.float64))

    @cached_property
    def run_time(self) -> np.ndarray:
        """Seconds the space-heating run of this slot has lasted (counting a full slot before)."""
        return (self.tau + self.slots.run_offset[self.k]).astype(np.float64)

    @cached_property
    def space_supply(self) -> np.ndarray:
        """Supply temperature from space-heating cycles alone: the sawtooth."""
        s, k = self.slots, self.k
        on = self.sh_on
        since_off = self.ti - s.off_from[k]
        e = np.exp(np.where(on, -self.run_time / 240.0, -np.maximum(since_off, 0) / 720.0))
        hi, rest = s.s_hi[k], s.s_rest[k]
        return np.where(on, hi - (hi - rest) * e, rest + (s.off_level[k] - rest) * e)

    @cached_property
    def supply(self) -> np.ndarray:
        """Space-heating sawtooth, overridden by hot-water charges and their after-glow."""
        base = self.space_supply
        hw_temp = self.hot_water
        charge_level = hw_temp + 5.0
        tau_hw = self.ti - self.hw.start[self.m]
        during = base + (charge_level - base) * (1.0 - np.exp(-np.maximum(tau_hw, 0) / 120.0))
        glow = base + np.maximum(self.hw.high[self._last_charge] + 5.0 - base, 0.0) * np.exp(-self._since_charge / 400.0)
        return np.where(self.hw_on, during, glow)

    @cached_property
    def since_compressor_start(self) -> np.ndarray:
        tau_hw = (self.ti - self.hw.start[self.m]).astype(np.float64)
        return np.where(self.sh_on, self.run_time, 0.0) + np.where(self.hw_on & ~self.sh_on, tau_hw, 0.0)

    @cached_property
    def brine_in(self) -> np.ndarray:
        ground = self.slots.ground[self.k]
        running = self.compressor
        pull = np.where(running, 1.0 - np.exp(-self.since_compressor_start / 900.0),
                        0.5 * np.exp(-np.minimum(self._since_stop, 1e6) / 1800.0))
        return ground - BRINE_DROP_K * pull

    @cached_property
    def _since_stop(self) -> np.ndarray:
        s, k = self.slots, self.k
        since_sh = (self.ti - s.off_from[k]).astype(np.float64)
        return np.maximum(np.minimum(np.where(since_sh < 0, 1e6, since_sh), self._since_charge), 0.0)

    @cached_property
    def cop(self) -> np.ndarray:
        return cop(self.supply, self.brine_in)

    @cached_property
    def compressor_heat(self) -> np.ndarray:
        return np.where(self.compressor, capacity(self.supply, self.brine_in), 0.0)

    @cached_property
    def compressor_power(self) -> np.ndarray:
        return self.compressor_heat / self.cop

    @cached_property
    def aux_power(self) -> np.ndarray:
        return np.where(self.aux_on, self.slots.aux_power[self.k], 0.0)

    # --- metrics -------------------------------------------------------------------------------
    def outdoor_temp(self) -> np.ndarray:
        return np.round(self.outdoor + self._sensor(0, 0.15), 1)

    def indoor_temp(self) -> np.ndarray:
        t_eff = self.slots.t_eff[self.k]
        warm = 0.15 * np.maximum(t_eff - 14.0, 0.0)
        slow = 0.3 * self._smooth(lambda t: _value_noise(t, 2 * 86400.0, "indoor", self.seed))
        return np.round(INDOOR_SET + 0.6 + warm + slow + self._sensor(1, 0.05), 1)

    def supply_temp(self) -> np.ndarray:
        return np.round(self.supply + self._sensor(2, 0.05), 1)

    def return_temp(self) -> np.ndarray:
        # While off, the radiators keep emitting what the house needs from the stored heat.
        demand = np.maximum(UA_W_PER_K * (INDOOR_SET - self.slots.t_eff[self.k]) - GAINS_W, 0.0)
        emitted = np.where(self.compressor, self.compressor_heat + self.aux_power,
                           np.minimum(demand, 0.5 * FLOW_W_PER_K * np.maximum(self.supply - 21.0, 0.0)))
        return np.round(self.supply - emitted / FLOW_W_PER_K - 0.1 + self._sensor(3, 0.05), 1)

    def hot_water_temp(self) -> np.ndarray:
        return np.round(self.hot_water + self._sensor(3, 0.05), 1)

    def brine_in_temp(self) -> np.ndarray:
        return np.round(self.brine_in + self._sensor(1, 0.05), 1)

    def brine_out_temp(self) -> np.ndarray:
        evaporator = self.compressor_heat - self.compressor_power
        ramp = 0.4 + 0.6 * (1.0 - np.exp(-self.since_compressor_start / 60.0))
        running = evaporator / BRINE_W_PER_K * ramp
        resting = 0.3 * np.exp(-np.minimum(self._since_stop, 1e6) / 300.0)
        return np.round(self.brine_in - np.where(self.compressor, running, resting) + self._sensor(2, 0.05), 1)

    def compressor_on(self) -> np.ndarray:
        return self.compressor.astype(np.float64)

    def aux_heater_on(self) -> np.ndarray:
        return self.aux_on.astype(np.float64)

    def aux_heater_power(self) -> np.ndarray:
        return self.aux_power

    def switch_valve(self) -> np.ndarray:
        return self.hw_on.astype(np.float64)

    def power_electric(self) -> np.ndarray:
        return self.compressor_power + self.aux_power

    def heat_output(self) -> np.ndarray:
        return self.compressor_heat + self.aux_power

    def alarm_active(self) -> np.ndarray:
        return self.alarm.astype(np.float64)

    def alarm_code(self) -> np.ndarray:
        return np.where(self.alarm, float(ALARM_LOW_BRINE_FLOW), 0.0)


def sample(epoch_seconds: np.ndarray, seed: int, metrics: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Every metric in `metrics` (default: all of METRICS) at the instants `epoch_seconds`.

    A pure function: the value at an instant depends on that instant and the seed only.
    """
    t = np.asarray(epoch_seconds)
    if t.ndim != 1:
        t = t.reshape(-1)
    names = METRICS if metrics is None else tuple(metrics)
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"the simulator has no metric {', '.join(unknown)}; it has: {', '.join(METRICS)}")
    if t.size == 0:
        return {n: np.empty(0, dtype=np.float64) for n in names}
    model = _Model(t, int(seed))
    return {n: getattr(model, n)() for n in names}
