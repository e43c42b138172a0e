"""The current figures, written into index.html so a phone on a slow link shows them at the first byte,
before any script: the KPI cards of the default range and the live strip's values.

The page's script then renders the same elements with the same texts (site_templates/src/kpis.js and
livestrip.js), so it takes over without a flash; the cards, the live values and every text come from
site_templates/page.json, which both read.  Numbers are formatted as the browser's Intl.NumberFormat does
for sv-SE and en-GB (the shortest decimal of the double, half away from zero; sv: a no-break space
between thousands and U+2212 for minus); tests/test_prerender.py holds the two to the same text.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

PAGE = Path(__file__).resolve().parent.parent / "site_templates" / "page.json"
SEPARATORS = {"sv": ("\u00a0", ",", "\u2212"), "en": (",", ".", "-")}   # thousands, decimal, minus
# Intl's currency formats in sv-SE and en-GB for the currencies Nordic installs use (no-break spaces as
# Intl writes them; en puts the minus before the symbol, sv before the number); another currency is left
# to the script.
CURRENCIES = {"sv": {"SEK": "{n}\u00a0kr", "NOK": "{n}\u00a0Nkr", "DKK": "{n}\u00a0Dkr", "EUR": "{n}\u00a0€"},
              "en": {"SEK": "{sign}SEK\u00a0{n}", "NOK": "{sign}NOK\u00a0{n}", "DKK": "{sign}DKK\u00a0{n}",
                     "EUR": "{sign}€{n}", "GBP": "{sign}£{n}"}}


# kpis.js's SPF_PARTS: the sub-figures of the year and season cards
SPF_PARTS = {"_without_aux": "spfWithoutAux", "_space": "spfSpace", "_hot_water": "spfHotWater"}


@lru_cache(maxsize=1)
def page() -> dict[str, Any]:
    return json.loads(PAGE.read_text(encoding="utf-8"))


def number(value: Any, digits: int, language: str) -> str:
    """Intl.NumberFormat(locale, {minimumFractionDigits: digits, maximumFractionDigits: digits}); '–' when
    missing, as format.js's number()."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value or abs(value) == float("inf"):
        return "–"
    group, point, minus = SEPARATORS[language]
    # Intl rounds the shortest decimal that reads back as the double (2.675 → 2,68), as repr() writes it
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{abs(exact):,.{digits}f}".replace(",", "\0").replace(".", point).replace("\0", group)
    return (minus if exact.is_signed() else "") + text


def money(value: Any, currency: str, language: str) -> str | None:
    """kpis.js's money(); None for a currency whose format the page alone knows."""
    if not isinstance(value, (int, float)):
        return "–"
    pattern = CURRENCIES[language].get(currency or "SEK")
    if not pattern:
        return None
    digits = 0 if value >= 1000 else 2
    if "{sign}" in pattern:
        return pattern.format(sign="-" if number(value, digits, language).startswith("-") else "",
                              n=number(abs(value), digits, language))
    return pattern.format(n=number(value, digits, language))


def kpi_text(key: str, kpis: Mapping[str, Any], language: str) -> str | None:
    """kpis.js's kpiText() for one key; None where only the script can say it."""
    t = page()["strings"][language]
    v = kpis.get(key)
    missing = v is None
    n = lambda value, digits: number(value, digits, language)  # noqa: E731 — the JS reads the same way
    if key in ("cop", "spf_year", "spf_season"):
        return n(v, 2)
    part = next((template for end, template in SPF_PARTS.items() if key.startswith(("spf_year_", "spf_season_"))
                 and key.endswith(end)), None)
    if part:
        return "" if missing else t[part].replace("{spf}", n(v, 2))
    if key == "season_from":
        return "" if missing else None   # a date in the viewer's words: the script says it
    if key == "cop_method":
        if missing:
            return ""
        basis = t["copBasis"].get(kpis.get("cop_basis") or "")
        return basis.replace("{factor}", n(kpis.get("flow_factor_kw_per_k") or 0, 2)) if basis else t["copMethod"].get(v, v)
    if key == "cop_plausible":
        return t["implausible"].replace("{carnot}", n(kpis.get("carnot_spf"), 2)) if v is False else ""
    if key == "carnot_share_pct":
        return "–" if missing else f"{n(v, 0)} %"
    if key == "carnot_cop":
        return "" if missing else t["carnotCop"].replace("{cop}", n(v, 1))
    if key == "energy_electric_kwh_per_day":
        return "" if missing else t["perDay"].replace("{kwh}", n(v, 1))
    if key in ("energy_electric_kwh", "energy_heat_kwh"):
        text = f"{n(v, 0 if not missing and v >= 100 else 1)} kWh"
        return ("–" if missing else text) if key == "energy_electric_kwh" else ("" if missing else f"{t['heat']} {text}")
    if key == "compressor_runtime_pct":
        return "–" if missing else f"{n(v, 0)} %"
    if key in ("aux_heater_runtime_pct", "hot_water_share_pct"):
        label = t["auxShort"] if key == "aux_heater_runtime_pct" else t["hotWaterShare"]
        return "" if missing else f"{label} {n(v, 0)} %"
    if key == "compressor_starts_per_day":
        return n(v, 1)
    if key == "compressor_starts":
        return "" if missing else t["startsTotal"].replace("{n}", n(v, 0))
    if key == "short_cycling":
        if missing:
            return ""
        parts = []
        if isinstance(kpis.get("short_run_share_pct"), (int, float)):
            parts.append(t["shortShare"].replace("{share}", n(kpis["short_run_share_pct"], 0))
                         .replace("{minutes}", n(kpis.get("short_run_minutes") or 0, 0)))
        if isinstance(kpis.get("starts_per_hour"), (int, float)):
            parts.append(t["startsPerHour"].replace("{rate}", n(kpis["starts_per_hour"], 1)))
        verdict = t["shortCycling"]["true" if v else "false"]
        return f"{verdict}: {', '.join(parts)}" if parts else verdict
    if key == "avg_cycle_minutes":
        return "–" if missing else f"{n(v, 0)} {t['minutes']}"
    if key in ("outdoor_temp", "indoor_temp", "hot_water_temp"):
        label = {"outdoor_temp": "", "indoor_temp": t["indoor"], "hot_water_temp": t["hotWater"]}[key]
        return ("–" if key == "outdoor_temp" else "") if missing else f"{label} {n(v, 1)} °C".lstrip()
    if key == "heat_loss_w_per_k":
        balance = kpis.get("balance_temp_c")
        return "" if missing or balance is None else t["heatLoss"].replace("{ua}", n(v, 0)).replace("{balance}", n(balance, 1))
    if key in ("cost", "cost_saving"):
        return money(v, kpis.get("currency") or "SEK", language)
    if key == "tariff":
        return "" if missing else t["tariff"].get(v, v)
    if key in ("cost_per_day", "cost_per_heat_kwh", "cost_direct_electric"):
        if missing:
            return ""
        amount = money(v, kpis.get("currency") or "SEK", language)
        template = {"cost_per_day": "costPerDay", "cost_per_heat_kwh": "costPerHeat",
                    "cost_direct_electric": "directElectric"}[key]
        return None if amount is None else t[template].replace("{cost}", amount)
    return None


@dataclass(frozen=True)
class Card:
    card: str
    label: str
    main: tuple[str, str | None]                 # (kpi key, text)
    subs: tuple[tuple[str, str | None], ...]
    hidden: bool = False                         # the range has no such figure at all (kpis.js hides it too)


def kpi_cards(kpis: Mapping[str, Any] | None, language: str) -> list[Card]:
    """The cards as kpis.js builds them; texts None (left empty) without figures."""
    strings = page()["strings"][language]
    cards = []
    for spec in page()["kpiCards"]:
        text = (lambda key: kpi_text(key, kpis, language) if kpis is not None else None)
        cards.append(Card(spec["card"], strings["kpi"][spec["card"]], (spec["main"], text(spec["main"])),
                          tuple((key, text(key)) for key in spec["subs"]), kpis is not None and spec["main"] not in kpis))
    return cards


def live_values(live: Mapping[str, Any] | None, language: str) -> list[tuple[str, str, str]]:
    """(key, label, text) of each value the live strip shows, as livestrip.js renders them."""
    if not live:
        return []
    strings = page()["strings"][language]
    values = live.get("values") or {}
    out = []
    for key, unit, digits in page()["liveValues"]:
        value = values.get(key)
        if not isinstance(value, (int, float)):
            continue
        if unit == "W":
            text = f"{number(value / 1000, 2, language)} kW" if abs(value) >= 1000 else f"{number(value, 0, language)} W"
        else:
            text = f"{number(value, digits, language)} {unit}"
        out.append((key, strings["live"].get(key, key), text))
    return out


SCHEMATIC_TEMPS = ("outdoor_temp", "indoor_temp", "brine_in_temp", "brine_out_temp", "supply_temp", "return_temp",
                   "heat_carrier_supply_temp", "heat_carrier_return_temp", "hot_water_temp")


def _power(value: float, language: str) -> str:
    """livestrip.js's power(): W, or kW from 1000 W on."""
    return f"{number(value / 1000, 2, language)} kW" if abs(value) >= 1000 else f"{number(value, 0, language)} W"


def _figure(values: Mapping[str, Any], key: str) -> float | None:
    value = values.get(key)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf")
    return float(value) if ok else None


def _signal(live: Mapping[str, Any], key: str) -> str:
    status = live.get("status") or {}
    raw = status[key] if key in status else (live.get("values") or {}).get(key)
    if not isinstance(raw, (int, float)):
        return "unknown"
    return "on" if raw else "off"


@dataclass(frozen=True)
class SchematicState:
    compressor: str                  # on / off / unknown: the <svg>'s data-* attributes
    valve: str                       # heating / hot_water / unknown
    aux: str
    brine_pump: str                  # on / off / unknown (a brand without the register: unknown, not off)
    heating_pump: str
    heat_carrier: bool               # the heat-carrier pair is drawn
    texts: dict[str, str]            # [data-text] node → its text
    desc: str                        # the state in words


def schematic(live: Mapping[str, Any] | None, language: str) -> SchematicState:
    """schematic.js's schematicState(): the live schematic as the script draws it ('–' without data)."""
    t = page()["strings"][language]
    live = live or {}
    values = live.get("values") or {}
    compressor = _signal(live, "compressor_on")
    valve = {"on": "hot_water", "off": "heating", "unknown": "unknown"}[_signal(live, "switch_valve")]
    aux = _signal(live, "aux_heater_on")
    aux_power = _figure(values, "aux_heater_power")
    if aux == "unknown" and aux_power is not None:
        aux = "on" if aux_power > 0 else "off"
    brine_pump, heating_pump = _signal(live, "brine_pump_on"), _signal(live, "heating_pump_on")
    texts = {}
    for key in SCHEMATIC_TEMPS:
        value = _figure(values, key)
        texts[key] = "–" if value is None else f"{number(value, 1, language)} °C"
    electric = _figure(values, "power_electric")
    texts["power_electric"] = "–" if electric is None else _power(electric, language)
    on_off = {"on": t["on"], "off": t["off"], "unknown": "–"}
    texts["compressor"], texts["aux"] = on_off[compressor], on_off[aux]
    texts["brine_pump"], texts["heating_pump"] = on_off[brine_pump], on_off[heating_pump]
    texts["aux_heater_power"] = _power(aux_power, language) if aux == "on" and aux_power is not None else ""
    texts["valve"] = {"heating": t["valveHeating"], "hot_water": t["valveHotWater"], "unknown": "–"}[valve]
    heat_carrier = any(_figure(values, k) is not None for k in ("heat_carrier_supply_temp", "heat_carrier_return_temp"))

    word = lambda text: t["schematic"]["unknown"] if text == "–" else text  # noqa: E731 — as schematic.js
    aux_words = f"{word(texts['aux'])} ({texts['aux_heater_power']})" if texts["aux_heater_power"] else word(texts["aux"])
    parts = [f"{t['compressor']}: {word(texts['compressor'])}.", f"{t['valve']}: {word(texts['valve'])}.",
             f"{t['auxHeater']}: {aux_words}.", f"{t['metrics']['brine_pump_on']}: {word(texts['brine_pump'])}.",
             f"{t['metrics']['heating_pump_on']}: {word(texts['heating_pump'])}."]
    figures = [f"{t['live'].get(k, k)} {texts[k]}" for k in (*SCHEMATIC_TEMPS, "power_electric")
               if _figure(values, k) is not None]
    if figures:
        parts.append(", ".join(figures) + ".")
    return SchematicState(compressor, valve, aux, brine_pump, heating_pump, heat_carrier, texts, " ".join(parts))
