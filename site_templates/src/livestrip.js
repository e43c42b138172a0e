// The live strip: the latest values, compressor / switch valve / add-heat status and active alarms,
// from the small live file that is refreshed more often than the ranges.
import { element } from './dom.js';
import PAGE from '../page.json' with { type: 'json' };

const VALUES = PAGE.liveValues;   // [key, unit, decimals], in the strip's order

/** A power in W, or in kW from 1000 W on (the schematic writes it the same way). */
export function power(value, fmt) {
  return Math.abs(value) >= 1000 ? `${fmt.number(value / 1000, 2)} kW` : `${fmt.number(value, 0)} W`;
}

export class LiveStrip {
  constructor(container, { t, fmt }) {
    Object.assign(this, { container, t, fmt });
    if (container.querySelector('.live-values')) {  // index.html carries the strip (generator/prerender.py)
      this.time = container.querySelector('.live-time');
      this.statuses = container.querySelector('.statuses');
      this.values = container.querySelector('.live-values');
      this.alarms = container.querySelector('.alarm-list');
      if (!this.values.children.length) this.setLoading();
      return;
    }
    const head = element('header', 'card-head');
    head.append(element('h2', 'card-title', t.liveTitle));
    this.time = element('time', 'muted live-time');
    head.append(this.time);
    this.statuses = element('div', 'statuses');
    this.values = element('dl', 'live-values');
    this.alarms = element('ul', 'alarm-list');
    container.replaceChildren(head, this.statuses, this.values, this.alarms);
    this.setLoading();
  }

  setLoading() {
    this.values.replaceChildren(element('div', 'skeleton-line'));
    this.statuses.replaceChildren();
    this.alarms.replaceChildren();
  }

  hide(hidden) {
    this.container.hidden = hidden;
  }

  render(live) {
    const { t, fmt } = this;
    const values = live?.values || {};
    const status = live?.status || {};
    this.time.textContent = live?.latest_data_at ? fmt.timeSeconds(live.latest_data_at) : '';
    this.time.dateTime = live?.latest_data_at || '';

    const pills = [
      ['compressor_on', t.compressor, status.compressor_on ? t.on : t.off, status.compressor_on],
      ['switch_valve', t.valve, status.switch_valve ? t.valveHotWater : t.valveHeating, status.switch_valve],
      ['aux_heater_on', t.auxHeater, status.aux_heater_on ? t.on : t.off, status.aux_heater_on],
    ].filter(([key]) => key in status).map(([key, label, text, on]) => {
      const pill = element('span', 'pill');
      pill.dataset.status = key;
      pill.dataset.on = on ? '1' : '0';
      pill.append(element('span', 'dot'), element('span', 'pill-label', `${label}: `), element('strong', '', text));
      return pill;
    });
    this.statuses.replaceChildren(...pills);

    const items = [];
    for (const [key, unit, digits] of VALUES) {
      const value = values[key];
      if (typeof value !== 'number') continue;
      const item = element('div', 'live-item');
      const dd = element('dd', '', unit === 'W' ? power(value, fmt) : `${fmt.number(value, digits)} ${unit}`);
      dd.dataset.live = key;
      item.append(element('dt', '', t.live[key] || key), dd);
      items.push(item);
    }
    this.values.replaceChildren(...items);
    this.renderAlarms(live?.alarms || []);
  }

  renderAlarms(alarms) {
    const { t, fmt } = this;
    if (!alarms.length) {
      const ok = element('li', 'alarm-none', t.noAlarms);
      this.alarms.replaceChildren(ok);
      return;
    }
    this.alarms.replaceChildren(...alarms.map((alarm) => {
      const li = element('li', 'alarm');
      li.dataset.alarm = String(alarm.code);
      li.append(element('strong', '', `${t.alarms} ${alarm.code ?? ''}: `), document.createTextNode(alarm.text || ''));
      if (alarm.since) li.append(element('span', 'muted', ` (${t.alarmSince.replace('{time}', fmt.dateTime(alarm.since))})`));
      return li;
    }));
  }
}

/** The alarm events of the shown range, under the charts; hidden when there are none. */
export function renderEvents(container, events, { t, fmt }) {
  if (!events || !events.length) {
    container.hidden = true;
    container.replaceChildren();
    return;
  }
  const list = element('ul', 'alarm-list');
  for (const event of events) {
    const li = element('li', 'alarm');
    const when = `${fmt.dateTime(event.start)} – ${event.end ? fmt.dateTime(event.end) : '…'}`;
    li.append(element('span', 'muted', `${when} `), element('strong', '', `${event.code ?? ''} `), document.createTextNode(event.text || ''));
    list.append(li);
  }
  const head = element('header', 'card-head');
  head.append(element('h2', 'card-title', t.alarmEvents));
  container.replaceChildren(head, list);
  container.hidden = false;
}
