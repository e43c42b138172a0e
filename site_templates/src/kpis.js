// The KPI cards on top. Every shown value carries data-kpi="<key of the range file's kpis>".
import { element } from './dom.js';
import PAGE from '../page.json' with { type: 'json' };

// One card: its main figure and the smaller figures under it, each tied to a kpis key (page.json).
const CARDS = PAGE.kpiCards;

// The SPF sub-figures of the year and season cards: key suffix → template (page.json).
const SPF_PARTS = { _without_aux: 'spfWithoutAux', _space: 'spfSpace', _hot_water: 'spfHotWater' };

function spfPart(key) {
  if (!/^spf_(year|season)_/.test(key)) return null;
  const suffix = Object.keys(SPF_PARTS).find((end) => key.endsWith(end));
  return suffix ? SPF_PARTS[suffix] : null;
}

function money(value, currency, fmt) {
  if (typeof value !== 'number') return '–';
  try {
    return new Intl.NumberFormat(fmt.locale, { style: 'currency', currency: currency || 'SEK', maximumFractionDigits: value >= 1000 ? 0 : 2 }).format(value);
  } catch {
    return `${fmt.number(value, 2)} ${currency || ''}`.trim();
  }
}

/** Text for one KPI value: the main figure, or a labelled sub-figure. */
function kpiText(key, kpis, t, fmt) {
  const v = kpis[key];
  const missing = v === null || v === undefined;
  const part = spfPart(key);
  if (part) return missing ? '' : t[part].replace('{spf}', fmt.number(v, 2));
  switch (key) {
    case 'spf_year': case 'spf_season': return fmt.number(v, 2);
    case 'season_from': return missing ? '' : t.seasonFrom.replace('{date}', fmt.date(v));
    case 'cop': return fmt.number(v, 2);
    case 'cop_method': {
      if (missing) return '';
      const basis = t.copBasis[kpis.cop_basis];
      return basis ? basis.replace('{factor}', fmt.number(kpis.flow_factor_kw_per_k ?? 0, 2)) : t.copMethod[v] || v;
    }
    case 'cop_plausible': return v === false ? t.implausible.replace('{carnot}', fmt.number(kpis.carnot_spf, 2)) : '';
    case 'carnot_share_pct': return missing ? '–' : `${fmt.number(v, 0)} %`;
    case 'carnot_cop': return missing ? '' : t.carnotCop.replace('{cop}', fmt.number(v, 1));
    case 'energy_electric_kwh_per_day': return missing ? '' : t.perDay.replace('{kwh}', fmt.number(v, 1));
    case 'energy_electric_kwh': return missing ? '–' : `${fmt.number(v, v >= 100 ? 0 : 1)} kWh`;
    case 'energy_heat_kwh': return missing ? '' : `${t.heat} ${fmt.number(v, v >= 100 ? 0 : 1)} kWh`;
    case 'compressor_runtime_pct': return missing ? '–' : `${fmt.number(v, 0)} %`;
    case 'aux_heater_runtime_pct': return missing ? '' : `${t.auxShort} ${fmt.number(v, 0)} %`;
    case 'hot_water_share_pct': return missing ? '' : `${t.hotWaterShare} ${fmt.number(v, 0)} %`;
    case 'compressor_starts_per_day': return fmt.number(v, 1);
    case 'compressor_starts': return missing ? '' : t.startsTotal.replace('{n}', fmt.number(v, 0));
    case 'short_cycling': {
      if (missing) return '';
      const parts = [];
      if (typeof kpis.short_run_share_pct === 'number') {
        parts.push(t.shortShare.replace('{share}', fmt.number(kpis.short_run_share_pct, 0))
          .replace('{minutes}', fmt.number(kpis.short_run_minutes ?? 0, 0)));
      }
      if (typeof kpis.starts_per_hour === 'number') parts.push(t.startsPerHour.replace('{rate}', fmt.number(kpis.starts_per_hour, 1)));
      return parts.length ? `${t.shortCycling[String(v)]}: ${parts.join(', ')}` : t.shortCycling[String(v)];
    }
    case 'avg_cycle_minutes': return missing ? '–' : `${fmt.number(v, 0)} ${t.minutes}`;
    case 'outdoor_temp': return missing ? '–' : `${fmt.number(v, 1)} °C`;
    case 'indoor_temp': return missing ? '' : `${t.indoor} ${fmt.number(v, 1)} °C`;
    case 'hot_water_temp': return missing ? '' : `${t.hotWater} ${fmt.number(v, 1)} °C`;
    case 'heat_loss_w_per_k': return missing || typeof kpis.balance_temp_c !== 'number' ? ''
      : t.heatLoss.replace('{ua}', fmt.number(v, 0)).replace('{balance}', fmt.number(kpis.balance_temp_c, 1));
    case 'cost': return money(v, kpis.currency, fmt);
    case 'tariff': return missing ? '' : t.tariff[v] || v;
    case 'cost_per_day': return missing ? '' : t.costPerDay.replace('{cost}', money(v, kpis.currency, fmt));
    case 'cost_per_heat_kwh': return missing ? '' : t.costPerHeat.replace('{cost}', money(v, kpis.currency, fmt));
    case 'cost_saving': return money(v, kpis.currency, fmt);
    case 'cost_direct_electric': return missing ? '' : t.directElectric.replace('{cost}', money(v, kpis.currency, fmt));
    default: return missing ? '–' : fmt.auto(v);
  }
}

export class KpiCards {
  constructor(container, { t, fmt }) {
    Object.assign(this, { t, fmt });
    this.values = new Map();
    this.cards = new Map();  // card element → its main key: a card whose figure the range lacks is hidden
    // index.html carries the cards, with the default range's figures (generator/prerender.py): take them
    // over as they are, so nothing flashes; a page without them builds its own.
    this.prerendered = container.dataset.range || null;
    if (container.querySelector('[data-kpi-card]')) {
      for (const card of container.querySelectorAll('[data-kpi-card]')) {
        const spec = CARDS.find((c) => c.card === card.dataset.kpiCard);
        if (spec) this.cards.set(card, spec.main);
      }
      for (const el of container.querySelectorAll('[data-kpi]')) {
        if (el.dataset.kpi !== 'coverage_pct') this.values.set(el.dataset.kpi, el);
      }
      this.coverage = container.querySelector('[data-kpi="coverage_pct"]');
      return;
    }
    for (const spec of CARDS) {
      const card = element('article', 'card kpi-card');
      card.dataset.kpiCard = spec.card;
      const label = element('h2', 'kpi-label', t.kpi[spec.card]);
      const main = element('p', 'kpi-value', '');
      main.dataset.kpi = spec.main;
      const subs = element('p', 'kpi-sub');
      card.append(label, main, subs);
      this.cards.set(card, spec.main);
      this.values.set(spec.main, main);
      for (const key of spec.subs) {
        const sub = element('span', 'kpi-part', '');
        sub.dataset.kpi = key;
        subs.append(sub);
        this.values.set(key, sub);
      }
      container.append(card);
    }
    // Said only when the range holds less data than its length (a new install, a collector that was down).
    this.coverage = element('p', 'kpi-coverage', '');
    this.coverage.dataset.kpi = 'coverage_pct';
    container.append(this.coverage);
    this.setLoading();
  }

  setLoading() {
    for (const el of this.values.values()) {
      el.dataset.state = 'loading';
      el.textContent = '';
    }
  }

  render(kpis, rangeSeconds) {
    // A figure a range does not have at all (the season's SPF on 24 h) hides its card; null is "unknown".
    for (const [card, main] of this.cards) card.hidden = Boolean(kpis) && !(main in kpis);
    for (const [key, el] of this.values) {
      el.textContent = kpiText(key, kpis || {}, this.t, this.fmt);
      el.dataset.state = kpis && kpis[key] !== null && kpis[key] !== undefined ? 'ready' : 'missing';
    }
    if (kpis && typeof kpis.coverage_pct === 'number' && kpis.coverage_pct < 99.5 && rangeSeconds) {
      this.coverage.textContent = this.t.coverage
        .replace('{covered}', this.fmt.age((kpis.covered_hours || 0) * 3600))
        .replace('{range}', this.fmt.age(rangeSeconds));
      this.coverage.hidden = false;
    } else {
      this.coverage.textContent = '';
      this.coverage.hidden = true;
    }
    const plausible = this.values.get('cop_plausible');
    if (plausible) plausible.dataset.warning = kpis && kpis.cop_plausible === false ? 'true' : 'false';
    const cycling = this.values.get('short_cycling');
    if (cycling) cycling.dataset.warning = kpis && kpis.short_cycling === true ? 'true' : 'false';
  }
}
