// The "Lifetime" panel: what the heat pump's own counters say since it was installed (compressor hours
// and starts, the average run they give, add-heat hours, the electricity and heat meters), from the live
// file's latest values. Hidden when the brand has none of these counters, and while an archived day shows.
import { element } from './dom.js';

// [live value key, label key, how it is written]; the average run is computed from the first two.
const ITEMS = [
  ['compressor_hours_total', 'compressorHours', 'hours'],
  ['compressor_starts_total', 'starts', 'count'],
  ['average_run', 'averageRun', 'minutes'],
  ['aux_heater_hours_total', 'auxHours', 'hours'],
  ['energy_electric', 'electricity', 'kwh'],
  ['energy_heat', 'heat', 'kwh'],
];

/** Minutes per start: the compressor's hours ÷ its starts, where both counters exist. */
export function averageRunMinutes(values) {
  const hours = values.compressor_hours_total;
  const starts = values.compressor_starts_total;
  return typeof hours === 'number' && typeof starts === 'number' && starts > 0 ? (hours * 60) / starts : null;
}

export class LifetimePanel {
  constructor(container, { t, fmt }) {
    Object.assign(this, { container, t: t.lifetime, minutes: t.minutes, fmt });
    this.byView = false;   // hidden because an archived day shows
    this.empty = true;     // hidden because the live file has none of the counters
    const head = element('header', 'card-head');
    head.append(element('h2', 'card-title', this.t.title));
    this.list = element('dl', 'live-values lifetime-values');
    container.replaceChildren(head, this.list);
    this.update();
  }

  hide(hidden) {
    this.byView = hidden;
    this.update();
  }

  update() {
    this.container.hidden = this.byView || this.empty;
  }

  text(kind, value) {
    const { fmt, t } = this;
    if (kind === 'hours') return `${fmt.number(value, 0)} ${t.hours}`;
    if (kind === 'minutes') return `${fmt.number(value, 0)} ${this.minutes}`;
    if (kind === 'kwh') return `${fmt.number(value, 0)} kWh`;
    return fmt.number(value, 0);
  }

  render(live) {
    const values = { ...(live?.values || {}) };
    values.average_run = averageRunMinutes(values);
    const items = [];
    for (const [key, label, kind] of ITEMS) {
      const value = values[key];
      if (typeof value !== 'number') continue;
      const item = element('div', 'live-item');
      const dd = element('dd', '', this.text(kind, value));
      dd.dataset.lifetime = key;
      item.append(element('dt', '', this.t[label]), dd);
      const part = key === 'compressor_hours_total' ? values.compressor_hours_hot_water_total
        : key === 'aux_heater_hours_total' ? values.aux_heater_hours_hot_water_total : null;
      if (typeof part === 'number') {
        const sub = element('dd', 'lifetime-part muted', this.t.hotWaterPart.replace('{hours}', this.text('hours', part)));
        sub.dataset.lifetime = key.replace('_total', '_hot_water_total');
        item.append(sub);
      }
      items.push(item);
    }
    this.list.replaceChildren(...items);
    this.empty = items.length === 0;
    this.update();
  }
}
