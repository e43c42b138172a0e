"""A simulated heat pump observed second by second, and the collectors that write it into InfluxDB the way
real installs do, so that known-answer tests can compare the dashboard with the process itself.

The process is the simulator sampled every second, shifted by a few seconds so that no compressor cycle
lines up with any bucket grid.  Its truth (energies, runtime, starts, hot-water share) is computed here
by summing the seconds, never with the dashboard's own method.

Each collector writes one brand layout with the sampling shape real collectors have: Husdata gateways
publish on change, ThermIQ over MQTT too; Modbus and Home Assistant collectors poll every 30–60 s; a
hand-written collector polls irregularly and was once down for two hours.  Brand facts come from the
team's brand reference (tests/fixtures/reference/brands.md) and, for NIBE, the nibe package's register
files (tests/test_nibe_registers.py checks the provider against the same): units, scales, enumerations
and bits are encoded here from those sources, not from providers/*.yaml.

Over 300 lines because each of the six collectors is written out in full, as its real counterpart writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from generator.sources import simulator

SHIFT_S = 7               # the process runs 7 s behind the simulator's grid: its edges fall on no bucket edge
STATE_CHANGE_S = 20       # NIBE's "starting" and "stopping" compressor states last this long


@dataclass
class Process:
    """Every second of [start, end): the simulator's metrics and the truth derived from them."""

    start: int                      # epoch seconds
    end: int
    values: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def simulate(cls, start: pd.Timestamp, end: pd.Timestamp, seed: int = 1) -> "Process":
        a, b = int(start.timestamp()), int(end.timestamp())
        t = np.arange(a, b, dtype=np.int64)
        return cls(a, b, simulator.sample(t - SHIFT_S, seed))

    @property
    def t(self) -> np.ndarray:
        return np.arange(self.start, self.end, dtype=np.int64)

    def at(self, times: np.ndarray) -> dict[str, np.ndarray]:
        """The process's values at whole-second instants inside it."""
        i = np.asarray(times, dtype=np.int64) - self.start
        return {k: v[i] for k, v in self.values.items()}

    # --- derived quantities a collector reports --------------------------------------------------------
    @property
    def idle(self) -> np.ndarray:
        return np.where(self.values["compressor_on"] > 0, 0.0, simulator.IDLE_W)

    @property
    def compressor_power(self) -> np.ndarray:
        """The compressor's input (with the brine pump), without add-heat and without the idle pumps."""
        v = self.values
        return v["power_electric"] - v["aux_heater_power"] - self.idle

    @property
    def condenser_heat(self) -> np.ndarray:
        v = self.values
        return v["heat_output"] - v["aux_heater_power"]

    def cumulative_kwh(self, watts: np.ndarray) -> np.ndarray:
        """A meter's reading each second: the energy since the start, kWh (a meter integrates)."""
        return np.cumsum(watts) / 3.6e6

    @property
    def starts_counter(self) -> np.ndarray:
        on = self.values["compressor_on"]
        return np.cumsum(np.r_[0.0, (np.diff(on) > 0).astype(float)])


@dataclass(frozen=True)
class Truth:
    """What really happened in the covered seconds of a window."""

    seconds: int
    electric_kwh: float
    heat_kwh: float
    compressor_pct: float
    aux_pct: float
    hot_water_share_pct: float
    starts: int
    outdoor_mean: float

    @property
    def cop(self) -> float:
        return self.heat_kwh / self.electric_kwh

    @property
    def days(self) -> float:
        return self.seconds / 86400.0


def truth(process: Process, covered: np.ndarray, electric: np.ndarray) -> Truth:
    """The truth over the seconds where `covered` is True; `electric` is what the brand's meters see (W)."""
    v = process.values
    on = v["compressor_on"] > 0
    starts = int(((np.diff(v["compressor_on"]) > 0) & covered[1:] & covered[:-1]).sum())
    running = (on & covered).sum()
    return Truth(
        seconds=int(covered.sum()),
        electric_kwh=float(electric[covered].sum() / 3.6e6),
        heat_kwh=float(v["heat_output"][covered].sum() / 3.6e6),
        compressor_pct=float(on[covered].mean() * 100),
        aux_pct=float((v["aux_heater_power"] > 0)[covered].mean() * 100),
        hot_water_share_pct=float(((v["switch_valve"] > 0) & on & covered).sum() / max(running, 1) * 100),
        starts=starts,
        outdoor_mean=float(v["outdoor_temp"][covered].mean()),
    )


# --- sampling shapes -------------------------------------------------------------------------------------
def polled(process: Process, every_s: int, jitter_s: int = 0, seed: int = 0,
           down: tuple[int, int] | None = None) -> np.ndarray:
    """Poll instants: every `every_s` seconds (± jitter), none while the collector is `down` (epoch s)."""
    rng = np.random.default_rng(seed)
    if jitter_s:
        steps = rng.integers(every_s - jitter_s, every_s + jitter_s + 1, size=(process.end - process.start) // 2)
        times = process.start + np.concatenate(([0], np.cumsum(steps)))
    else:
        times = np.arange(process.start, process.end, every_s)
    times = times[times < process.end]
    if down is not None:
        times = times[(times < down[0]) | (times >= down[1])]
    return times


def on_change(times: np.ndarray, values: np.ndarray, resolution: float) -> tuple[np.ndarray, np.ndarray]:
    """What a publish-on-change collector writes of a series read at `times`: each reading whose rounded
    value differs from the last one written."""
    rounded = np.round(values / resolution) * resolution
    keep = np.r_[True, rounded[1:] != rounded[:-1]]
    return times[keep], rounded[keep]


@dataclass(frozen=True)
class Layout:
    """How one collector names and encodes the process: name -> (encode(process values) -> raw values,
    resolution of what it writes)."""

    provider: str
    tag: str
    series: dict[str, tuple[Callable[[Process, np.ndarray], np.ndarray], float]]
    change_only: bool
    every_s: int = 30
    jitter_s: int = 0
    down: tuple[int, int] | None = None
    extra_tags: Callable[[str], str] = lambda raw: ""


def lines(process: Process, layout: Layout) -> list[str]:
    """Line protocol for the whole process, measurement heatpump, field value, seconds precision."""
    reads = polled(process, 5 if layout.change_only else layout.every_s, layout.jitter_s, seed=len(layout.series),
                   down=layout.down)
    out: list[str] = []
    for raw, (encode, resolution) in layout.series.items():
        values = encode(process, reads)
        times = reads
        if layout.change_only:
            times, values = on_change(reads, values, resolution)
        else:
            values = np.round(values / resolution) * resolution
        key = raw.replace(" ", "\\ ").replace(",", "\\,").replace("=", "\\=")
        extra = layout.extra_tags(raw)
        out += [f"heatpump,{layout.tag}={key}{extra} value={v:.10g} {t}" for t, v in zip(times, values)]
    return out


def metric(name: str, scale: float = 1.0) -> Callable[[Process, np.ndarray], np.ndarray]:
    return lambda p, t: p.at(t)[name] * scale


def derived(fn: Callable[[Process], np.ndarray], scale: float = 1.0) -> Callable[[Process, np.ndarray], np.ndarray]:
    return lambda p, t: fn(p)[np.asarray(t) - p.start] * scale


# --- encodings from the brand reference ------------------------------------------------------------------
def ivt_alarm_code(p: Process) -> np.ndarray:
    """BA91 keeps the last alarm (Husdata numbering, 1-based) even after it clears (brands.md)."""
    code = p.values["alarm_code"]
    seen = np.where(code > 0, code, np.nan)
    return pd.Series(seen).ffill().fillna(0.0).to_numpy()


def thermiq_r10(p: Process) -> np.ndarray:
    """ThermIQ r10 status bits (thermiq_regs.py): 0x01 brine pump, 0x02 compressor, 0x04 supply pump,
    0x08 hot-water production, 0x10 aux 2, 0x80 aux 1."""
    v = p.values
    on = v["compressor_on"] > 0
    aux = v["aux_heater_power"]
    return (0x04 + on * 0x01 + on * 0x02 + (v["switch_valve"] > 0) * 0x08
            + (aux >= 6000) * 0x10 + ((aux == 3000) | (aux >= 9000)) * 0x80).astype(float)


def thermiq_r0d(p: Process) -> np.ndarray:
    """ThermIQ r0d: 0x01 the 3 kW step, 0x02 the 6 kW step."""
    aux = p.values["aux_heater_power"]
    return (((aux == 3000) | (aux >= 9000)) * 0x01 + (aux >= 6000) * 0x02).astype(float)


def nibe_compressor_state(p: Process) -> np.ndarray:
    """nibe f1155_f1255 43427: 20 Stopped, 40 Starting, 60 Running, 100 Stopping."""
    on = p.values["compressor_on"] > 0
    since_start = _seconds_since(np.r_[False, np.diff(on.astype(int)) > 0])
    since_stop = _seconds_since(np.r_[False, np.diff(on.astype(int)) < 0])
    state = np.where(on, np.where(since_start < STATE_CHANGE_S, 40, 60), np.where(since_stop < STATE_CHANGE_S, 100, 20))
    return state.astype(float)


def nibe_priority(p: Process) -> np.ndarray:
    """nibe 43086 / 31029: 10 Off, 20 Hot Water, 30 Heat."""
    v = p.values
    return np.where(v["switch_valve"] > 0, 20.0, np.where(v["compressor_on"] > 0, 30.0, 10.0))


def _seconds_since(events: np.ndarray) -> np.ndarray:
    idx = np.where(events, np.arange(events.size), -10**9)
    return np.arange(events.size) - np.maximum.accumulate(idx)


def split_meter(p: Process, heat: np.ndarray, hot_water: bool) -> np.ndarray:
    valve = p.values["switch_valve"] > 0
    return p.cumulative_kwh(np.where(valve == hot_water, heat, 0.0))


def layouts(process: Process) -> dict[str, Layout]:
    v = metric
    husdata = {
        "radiator_return": (v("return_temp"), 0.1), "radiator_forward": (v("supply_temp"), 0.1),
        "heat_carrier_return": (v("heat_carrier_return_temp"), 0.1),
        "heat_carrier_forward": (v("heat_carrier_supply_temp"), 0.1),
        "brine_in_evaporator": (v("brine_in_temp"), 0.1), "brine_out_condenser": (v("brine_out_temp"), 0.1),
        "outdoor_temp": (v("outdoor_temp"), 0.1), "indoor_temp": (v("indoor_temp"), 0.1),
        "hot_water_top": (v("hot_water_temp"), 0.1), "compressor_status": (v("compressor_on"), 1),
        "switch_valve_status": (v("switch_valve"), 1),
        "additional_heat_percent": (v("aux_heater_power", 100 / 9000), 1),   # % of the 3 + 6 kW steps
        "power_consumption": (v("power_electric"), 1),                       # W
        "energy_accumulated": (derived(lambda p: p.cumulative_kwh(p.values["power_electric"])), 0.1),
        "compressor_starts": (derived(lambda p: p.starts_counter), 1),
        "alarm_status": (v("alarm_active"), 1), "alarm_code": (derived(ivt_alarm_code), 1),
    }
    ids = {"radiator_return": "0001", "radiator_forward": "0002", "heat_carrier_return": "0003",
           "heat_carrier_forward": "0004", "brine_in_evaporator": "0005", "brine_out_condenser": "0006",
           "outdoor_temp": "0007", "indoor_temp": "0008", "hot_water_top": "0009", "compressor_status": "1A01",
           "switch_valve_status": "1A07", "additional_heat_percent": "3104", "power_consumption": "CFAA",
           "energy_accumulated": "5FAB", "compressor_starts": "BC61", "alarm_status": "1A20", "alarm_code": "BA91"}
    nibe_f = {
        "bt1-outdoor-temperature-40004": (v("outdoor_temp"), 0.1), "bt50-room-temp-s1-40033": (v("indoor_temp"), 0.1),
        "bt2-supply-temp-s1-40008": (v("supply_temp"), 0.1),
        "eb100-ep14-bt3-return-temp-40012": (v("heat_carrier_return_temp"), 0.1),
        "eb100-ep14-bt12-condensor-out-40017": (v("heat_carrier_supply_temp"), 0.1),
        "bt7-hw-top-40013": (v("hot_water_temp"), 0.1),
        "eb100-ep14-bt10-brine-in-temp-40015": (v("brine_in_temp"), 0.1),
        "eb100-ep14-bt11-brine-out-temp-40016": (v("brine_out_temp"), 0.1),
        "compressor-state-ep14-43427": (derived(nibe_compressor_state), 1), "prio-43086": (derived(nibe_priority), 1),
        "compr-in-power-43141": (derived(lambda p: p.compressor_power, 1 / 1000), 0.01),    # kW, factor 100
        "int-el-add-power-43084": (v("aux_heater_power", 1 / 1000), 0.01),                  # kW, factor 100
        "heat-meter-heat-cpr-and-add-ep14-44300": (derived(lambda p: split_meter(p, p.values["heat_output"], False)), 0.1),
        "heat-meter-hw-cpr-and-add-ep14-44298": (derived(lambda p: split_meter(p, p.values["heat_output"], True)), 0.1),
        "heat-meter-heat-cpr-ep14-44308": (derived(lambda p: split_meter(p, p.condenser_heat, False)), 0.1),
        "heat-meter-hw-cpr-ep14-44306": (derived(lambda p: split_meter(p, p.condenser_heat, True)), 0.1),
        "compressor-starts-eb100-ep14-43416": (derived(lambda p: p.starts_counter), 1),
        "alarm-45001": (v("alarm_code"), 1),
    }
    nibe_s = {
        "current-outdoor-temperature-bt1-30002": (v("outdoor_temp"), 0.1),
        "supply-line-bt2-30006": (v("supply_temp"), 0.1), "return-line-bt3-30008": (v("heat_carrier_return_temp"), 0.1),
        "condenser-bt12-30013": (v("heat_carrier_supply_temp"), 0.1), "hot-water-top-bt7-30009": (v("hot_water_temp"), 0.1),
        "brine-in-bt10-30011": (v("brine_in_temp"), 0.1), "brine-out-bt11-30012": (v("brine_out_temp"), 0.1),
        "compressor-status-31101": (v("compressor_on"), 1), "priority-31029": (derived(nibe_priority), 1),
        "compressor-power-input-31049": (derived(lambda p: p.compressor_power), 1),          # W
        "power-internal-additional-heat-31028": (v("aux_heater_power", 1 / 1000), 0.01),    # kW
        "heating-including-int-add-heat-31578": (derived(lambda p: split_meter(p, p.values["heat_output"], False)), 0.1),
        "hot-water-including-int-add-heat-31576": (derived(lambda p: split_meter(p, p.values["heat_output"], True)), 0.1),
        "heating-compressor-only-31586": (derived(lambda p: split_meter(p, p.condenser_heat, False)), 0.1),
        "hot-water-compressor-only-31584": (derived(lambda p: split_meter(p, p.condenser_heat, True)), 0.1),
        "compressor-number-of-starts-eb100-ep14-31535": (derived(lambda p: p.starts_counter), 1),
        "alarm-number-31976": (v("alarm_code"), 1),
    }
    thermiq = {
        "r00": (v("outdoor_temp"), 0.1), "r01": (v("indoor_temp"), 0.1), "r05": (v("supply_temp"), 0.1),
        "r06": (v("return_temp"), 0.1), "r07": (v("hot_water_temp"), 0.1), "r08": (v("brine_out_temp"), 0.1),
        "r09": (v("brine_in_temp"), 0.1), "r10": (derived(thermiq_r10), 1), "r0d": (derived(thermiq_r0d), 1),
        "r11": (v("alarm_active", 0x40), 1), "r13": (v("alarm_active", 0x08), 1), "r14": (lambda p, t: 0.0 * t, 1),
    }
    generic = {m: (v(m), 0.1 if m.endswith("_temp") else 1) for m in simulator.METRICS}
    down = (process.start + 2 * 86400 + 3 * 3600, process.start + 2 * 86400 + 5 * 3600)
    three_days_down = (process.start + 18 * 3600, process.start + 3 * 86400 + 18 * 3600)
    return {
        "husdata-names-on-change": Layout("ivt", "name", husdata, change_only=True),
        # The energy meter's increase over the three days reaches the database with its first sample after
        # them; the heat estimate covers only the time heard.  Both sides of the COP must cover the same.
        "husdata-on-change-three-days-down": Layout("ivt", "name", husdata, change_only=True,
                                                   down=three_days_down),
        "husdata-ids-polled-30s": Layout("ivt", "register_id", {ids[k]: s for k, s in husdata.items()}, change_only=False,
                                         every_s=30, extra_tags=lambda raw: ""),
        "thermiq-on-change": Layout("thermia", "name", thermiq, change_only=True),
        "nibe-f-polled-30-60s": Layout("nibe", "name", nibe_f, change_only=False, every_s=45, jitter_s=15),
        "nibe-s-polled-60s": Layout("nibe", "name", nibe_s, change_only=False, every_s=60),
        "generic-irregular-with-a-gap": Layout("generic", "name", generic, change_only=False, every_s=30, jitter_s=23,
                                               down=down),
    }
