// The live schematic: one hand-drawn SVG of the installation (ground loop, heat pump, switching valve,
// hot-water tank, radiators). index.html carries the drawing with its labels and the figures of the
// live file it was written with (site_templates/index.html.j2, generator/prerender.py); this module
// keeps it current. An update only rewrites text nodes and the data-* state attributes on the <svg>: the
// states are drawn by CSS (app.css, "live schematic"), so nothing is redrawn and nothing flickers.
import { power } from './livestrip.js';

/** The temperatures the drawing shows, each at its sensor. */
export const SCHEMATIC_TEMPS = [
  'outdoor_temp', 'indoor_temp', 'brine_in_temp', 'brine_out_temp', 'supply_temp', 'return_temp',
  'heat_carrier_supply_temp', 'heat_carrier_return_temp', 'hot_water_temp',
];

/** The <svg>'s state attributes: data-<attribute> takes schematicState()'s <key>. */
const ATTRIBUTES = [['compressor', 'compressor'], ['valve', 'valve'], ['aux', 'aux'],
  ['brine-pump', 'brinePump'], ['heating-pump', 'heatingPump']];

/** 'on', 'off' or 'unknown' for a 0/1 signal of the live file (its status, else its values). */
function signal(live, key) {
  const status = live?.status || {};
  const raw = key in status ? status[key] : live?.values?.[key];
  if (typeof raw !== 'number') return 'unknown';
  return raw ? 'on' : 'off';
}

function numberOrNull(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * What the drawing shows for a live file (null: nothing yet): the states as the <svg>'s data-*
 * attributes take them (a pump the brand does not report is 'unknown', never 'off'), the text of every [data-text] node ('–' where the value is missing, never 0),
 * whether the heat-carrier pair is drawn, and the state in words for screen readers.
 */
export function schematicState(live, { t, fmt }) {
  const values = live?.values || {};
  const compressor = signal(live, 'compressor_on');
  const valveSignal = signal(live, 'switch_valve');
  const valve = valveSignal === 'unknown' ? 'unknown' : valveSignal === 'on' ? 'hot_water' : 'heating';
  let aux = signal(live, 'aux_heater_on');
  const auxPower = numberOrNull(values.aux_heater_power);
  if (aux === 'unknown' && auxPower !== null) aux = auxPower > 0 ? 'on' : 'off';  // a brand with power only
  const brinePump = signal(live, 'brine_pump_on');
  const heatingPump = signal(live, 'heating_pump_on');

  const texts = {};
  for (const key of SCHEMATIC_TEMPS) {
    const value = numberOrNull(values[key]);
    texts[key] = value === null ? '–' : `${fmt.number(value, 1)} °C`;
  }
  const electric = numberOrNull(values.power_electric);
  texts.power_electric = electric === null ? '–' : power(electric, fmt);
  const onOff = { on: t.on, off: t.off, unknown: '–' };
  texts.compressor = onOff[compressor];
  texts.aux = onOff[aux];
  texts.brine_pump = onOff[brinePump];
  texts.heating_pump = onOff[heatingPump];
  texts.aux_heater_power = aux === 'on' && auxPower !== null ? power(auxPower, fmt) : '';
  texts.valve = { heating: t.valveHeating, hot_water: t.valveHotWater, unknown: '–' }[valve];

  const heatCarrier = numberOrNull(values.heat_carrier_supply_temp) !== null
    || numberOrNull(values.heat_carrier_return_temp) !== null;
  return { compressor, valve, aux, brinePump, heatingPump, heatCarrier, texts, desc: describe(texts, values, t) };
}

/** The state in words: "Compressor: On. Switch valve: Heating. Add-heat: Off. Brine pump: On. Heating
 * pump: On. Outdoor −3.0 °C, …". */
function describe(texts, values, t) {
  const word = (text) => (text === '–' ? t.schematic.unknown : text);
  const aux = texts.aux_heater_power ? `${word(texts.aux)} (${texts.aux_heater_power})` : word(texts.aux);
  const parts = [`${t.compressor}: ${word(texts.compressor)}.`, `${t.valve}: ${word(texts.valve)}.`,
    `${t.auxHeater}: ${aux}.`, `${t.metrics.brine_pump_on}: ${word(texts.brine_pump)}.`,
    `${t.metrics.heating_pump_on}: ${word(texts.heating_pump)}.`];
  const figures = [...SCHEMATIC_TEMPS, 'power_electric']
    .filter((key) => numberOrNull(values[key]) !== null)
    .map((key) => `${t.live[key] || key} ${texts[key]}`);
  if (figures.length) parts.push(`${figures.join(', ')}.`);
  return parts.join(' ');
}

export class Schematic {
  /** `container`: the #schematic card of index.html; without it (an older page) nothing is drawn. */
  constructor(container, { t, fmt }) {
    Object.assign(this, { container, t, fmt });
    this.svg = container?.querySelector('svg') || null;
  }

  hide(hidden) {
    if (this.container) this.container.hidden = hidden;
  }

  render(live) {
    const { svg } = this;
    if (!svg) return;
    const state = schematicState(live, this);
    for (const [attribute, key] of ATTRIBUTES) {
      if (svg.getAttribute(`data-${attribute}`) !== state[key]) svg.setAttribute(`data-${attribute}`, state[key]);
    }
    for (const node of svg.querySelectorAll('[data-text]')) {
      const text = state.texts[node.getAttribute('data-text')] ?? '–';
      if (node.textContent !== text) node.textContent = text;  // in place: the node stays
    }
    svg.querySelector('[data-group="heat_carrier"]')?.toggleAttribute('hidden', !state.heatCarrier);
    const desc = svg.querySelector('desc');
    if (desc && desc.textContent !== state.desc) desc.textContent = state.desc;
  }
}
