"""Chart labels in Swedish (the default) and English, and numbers written the way each language reads them.

One table per language with the same keys; a test checks the tables agree, so a label is never missing
in one language only.
"""
from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("sv", "en")

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "no_data": "ingen data",
        # chart titles
        "sankey.title": "Energiflöde",
        "sankey.subtitle": "SPF {spf} · {free} % gratis energi från marken",
        "cop.title": "COP över tid",
        "runtime.title": "Drifttid",
        "temperature.title": "Temperaturer",
        "performance.title": "Systemprestanda",
        "power.title": "Effekt",
        "valve.title": "Växelventil",
        "daily.title": "El och värme per dygn",
        # sankey nodes
        "node.ground": "Markenergi",
        "node.compressor": "El till kompressor",
        "node.aux": "Tillsatsvärme",
        "node.heat_pump": "Värmepump",
        "node.space": "Uppvärmning",
        "node.hot_water": "Varmvatten",
        "node.heat": "Värme",
        # COP
        "cop.series": "COP",
        "cop.carnot": "Carnot-COP",
        "cop.average": "SPF {spf}",
        "cop.method.measured": "Värme från värmemängdsmätare",
        "cop.method.delta_t.heat_carrier": "Värme beräknad: värmebärar-ΔT (kondensorn) × {factor} kW/K",
        "cop.method.delta_t.radiator": "Värme beräknad: radiator-ΔT × {factor} kW/K (ser inte varmvatten)",
        "cop.implausible": "osannolikt: över Carnot-gränsen {carnot}",
        "cop.method.carnot": "Värme uppskattad: Carnot-COP × verkningsgrad",
        # runtime
        "runtime.compressor": "Kompressor",
        "runtime.compressor_space": "Kompressor, uppvärmning",
        "runtime.compressor_hot_water": "Kompressor, varmvatten",
        "runtime.aux": "Endast tillsatsvärme",
        "runtime.idle": "Vila",
        # temperatures
        "outdoor_temp": "Ute",
        "indoor_temp": "Inne",
        "supply_temp": "Framledning",
        "return_temp": "Retur",
        "hot_water_temp": "Varmvatten",
        "brine_in_temp": "Köldbärare in",
        "brine_out_temp": "Köldbärare ut",
        "heat_carrier_supply_temp": "Värmebärare fram",
        "heat_carrier_return_temp": "Värmebärare retur",
        "degree_minutes": "Gradminuter",
        "axis.degree_minutes": "GM",
        # performance
        "brine_dt": "Köldbärare ΔT",
        "radiator_dt": "Radiator ΔT",
        "heat_carrier_dt": "Värmebärare ΔT",
        "compressor_on": "Kompressor i drift",
        "compressor_freq": "Kompressorvarvtal",
        # power
        "compressor_power": "Kompressor",
        "aux_power": "Tillsatsvärme",
        "heat_power.measured": "Värmeeffekt",
        "heat_power.estimated": "Värmeeffekt (beräknad)",
        "electric_kwh": "El, ackumulerad",
        "heat_kwh": "Värme, ackumulerad",
        # valve
        "valve.hot_water": "Ventil mot varmvatten",
        "valve.axis": "Varmvatten (% av tiden)",
        # cycling
        "cycling.title": "Cykler",
        "cycling.runs": "Körningar",
        "cycling.pauses": "Pauser",
        "cycling.count": "Antal",
        "cycling.starts_per_hour": "Starter/h",
        "cycling.short_share": "{share} % < {minutes} min",
        "cycling.mean_rate": "{rate} starter/h",
        "cycling.short": "Korta cykler",
        "cycling.not_short": "Inga korta cykler",
        # days
        "daily.electric": "El",
        "daily.heat.measured": "Värme",
        "daily.heat.estimated": "Värme (beräknad)",
        "daily.cop": "Dygnets COP",
        "daily.partial": "Ljusare stapel: data saknas en del av dygnet",
        # monthly bars
        "monthly.title": "Per månad",
        "monthly.electric": "El",
        "monthly.heat": "Värme",
        "monthly.electric_last_year": "El året innan",
        "monthly.heat_last_year": "Värme året innan",
        "monthly.cop": "COP",
        "monthly.partial": "ljusare stapel: ofullständig månad",
        # axes
        "axis.percent_time": "% av tiden",
        # heat signature
        "signature.title": "Värmesignatur",
        "signature.fit": "{season}: {ua} W/K · balans {balance} °C · R² {r2}",
        "signature.no_fit": "{season}: för få eldningsdagar för en linje",
        "signature.axis.space": "Uppvärmning, kWh/dygn",
        "signature.axis.total": "Värme, kWh/dygn",
        "signature.point": "{date} · {outdoor} °C",
    },
    "en": {
        "no_data": "no data",
        "sankey.title": "Energy flow",
        "sankey.subtitle": "SPF {spf} · {free} % free energy from the ground",
        "cop.title": "COP over time",
        "runtime.title": "Runtime",
        "temperature.title": "Temperatures",
        "performance.title": "Performance",
        "power.title": "Power",
        "valve.title": "Switching valve",
        "daily.title": "Electricity and heat per day",
        "node.ground": "Ground energy",
        "node.compressor": "Compressor electricity",
        "node.aux": "Add-heat",
        "node.heat_pump": "Heat pump",
        "node.space": "Space heating",
        "node.hot_water": "Hot water",
        "node.heat": "Heat",
        "cop.series": "COP",
        "cop.carnot": "Carnot COP",
        "cop.average": "SPF {spf}",
        "cop.method.measured": "Heat from the heat meter",
        "cop.method.delta_t.heat_carrier": "Heat calculated: heat-carrier ΔT (condenser) × {factor} kW/K",
        "cop.method.delta_t.radiator": "Heat calculated: radiator ΔT × {factor} kW/K (misses hot water)",
        "cop.implausible": "implausible: above the Carnot bound {carnot}",
        "cop.method.carnot": "Heat estimated: Carnot COP × efficiency",
        "runtime.compressor": "Compressor",
        "runtime.compressor_space": "Compressor, space heating",
        "runtime.compressor_hot_water": "Compressor, hot water",
        "runtime.aux": "Add-heat alone",
        "runtime.idle": "Idle",
        "outdoor_temp": "Outdoor",
        "indoor_temp": "Indoor",
        "supply_temp": "Supply",
        "return_temp": "Return",
        "hot_water_temp": "Hot water",
        "brine_in_temp": "Brine in",
        "brine_out_temp": "Brine out",
        "heat_carrier_supply_temp": "Heat carrier out",
        "heat_carrier_return_temp": "Heat carrier in",
        "degree_minutes": "Degree minutes",
        "axis.degree_minutes": "DM",
        "brine_dt": "Brine ΔT",
        "radiator_dt": "Radiator ΔT",
        "heat_carrier_dt": "Heat carrier ΔT",
        "compressor_on": "Compressor running",
        "compressor_freq": "Compressor speed",
        "compressor_power": "Compressor",
        "aux_power": "Add-heat",
        "heat_power.measured": "Heat output",
        "heat_power.estimated": "Heat output (calculated)",
        "electric_kwh": "Electricity, cumulative",
        "heat_kwh": "Heat, cumulative",
        "valve.hot_water": "Valve to hot water",
        "valve.axis": "Hot water (% of time)",
        "cycling.title": "Cycling",
        "cycling.runs": "Runs",
        "cycling.pauses": "Pauses",
        "cycling.count": "Count",
        "cycling.starts_per_hour": "Starts/h",
        "cycling.short_share": "{share} % < {minutes} min",
        "cycling.mean_rate": "{rate} starts/h",
        "cycling.short": "Short cycling",
        "cycling.not_short": "No short cycling",
        "daily.electric": "Electricity",
        "daily.heat.measured": "Heat",
        "daily.heat.estimated": "Heat (calculated)",
        "daily.cop": "Day's COP",
        "daily.partial": "Paler bar: part of the day has no data",
        # monthly bars
        "monthly.title": "By month",
        "monthly.electric": "Electricity",
        "monthly.heat": "Heat",
        "monthly.electric_last_year": "Electricity a year before",
        "monthly.heat_last_year": "Heat a year before",
        "monthly.cop": "COP",
        "monthly.partial": "lighter bar: partial month",
        "axis.percent_time": "% of time",
        # heat signature
        "signature.title": "Heat signature",
        "signature.fit": "{season}: {ua} W/K · balance {balance} °C · R² {r2}",
        "signature.no_fit": "{season}: too few heating days for a line",
        "signature.axis.space": "Space heating, kWh/day",
        "signature.axis.total": "Heat, kWh/day",
        "signature.point": "{date} · {outdoor} °C",
    },
}


def check_language(language: str) -> str:
    if language not in LABELS:
        raise ValueError(f"site.language: {language!r} has no chart labels; use one of: {', '.join(LANGUAGES)}")
    return language


def label(language: str, key: str, **values: str) -> str:
    """The label `key` in `language`, with {placeholders} filled from `values`."""
    text = LABELS[check_language(language)][key]
    return text.format(**values) if values else text


def number(value: float, decimals: int, language: str) -> str:
    """A number as people of `language` write it: 3,45 in Swedish, 3.45 in English."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if check_language(language) == "sv" else text
