// The chart cards: one ECharts instance per generated option, redrawn in place on updates so the
// viewer keeps the zoom window and legend selection and the page neither flickers nor jumps.
import { init } from './echarts.js';
import { applyViewState, localizeOption, optionTitle, viewState } from './chart-options.js';
import { element } from './dom.js';
import { CHART_KEYS } from './keys.js';

export class ChartBoard {
  constructor(container, { t, fmt, lang, theme, onExport, onQuality = () => {} }) {
    Object.assign(this, { container, t, fmt, theme, onExport, onQuality });
    this.locale = lang === 'sv' ? 'SV' : 'EN';
    this.cards = new Map();
    this.resizer = new ResizeObserver((entries) => {
      for (const entry of entries) {
        // A zero-sized box (hidden, mid-layout) has nothing to draw into; ECharts' sankey even throws.
        const { width, height } = entry.contentRect;
        if (width > 0 && height > 0) this.cards.get(entry.target.dataset.chartCanvas)?.chart?.resize();
      }
    });
    // Charts below the fold are set up when they scroll into view, or when the page is idle after the
    // ones in view (a wall tablet gets them all): the first chart a phone shows need not wait for seven.
    this.setups = 0;
    this.seen = new Set();
    this.idleQueued = false;
    this.viewer = typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const key = entry.target.dataset.chart;
          this.seen.add(key);
          this.viewer.unobserve(entry.target);
          this.setUpPending(key);
        }
      }, { rootMargin: '200px 0px' })
      : null;
    for (const key of CHART_KEYS) this.addCard(key);
  }

  /** The chart keys that have a card, in the page's order. */
  keys() {
    return [...this.cards.keys()];
  }

  /** A card for `key`, added at the end (a chart the data brings that the page does not know yet). */
  addCard(key) {
    const { t, container, onExport } = this;
    const label = t.charts[key] || key;
    const card = element('article', 'card chart-card');
    card.dataset.chart = key;
    card.dataset.state = 'loading';
    // The generated option draws its own title and subtitle; the heading is for screen readers.
    const head = element('header', 'chart-head');
    const title = element('h2', 'visually-hidden', label);
    const exportButton = element('button', 'small-button export-button', 'PNG');
    exportButton.type = 'button';
    exportButton.dataset.export = key;
    exportButton.title = `${t.exportPng}: ${label}`;
    exportButton.setAttribute('aria-label', exportButton.title);
    exportButton.disabled = true;
    exportButton.addEventListener('click', () => onExport(key));
    head.append(title, exportButton);
    const body = element('div', 'chart-body');
    const canvas = element('div', 'chart-canvas');
    canvas.dataset.chartCanvas = key;
    const placeholder = element('div', 'chart-placeholder', t.loading);
    body.append(canvas, placeholder);
    card.append(head, body);
    container.append(card);
    const slot = { card, title, canvas, placeholder, exportButton, chart: null, range: null, pending: null };
    this.cards.set(key, slot);
    this.viewer?.observe(card);
    return slot;
  }

  /** Draws (or redraws) one chart; `range` decides whether the zoom window carries over. */
  draw(key, option, { range, hash, spanMs }) {
    const slot = this.cards.get(key) || this.addCard(key);
    slot.title.textContent = optionTitle(option) || this.t.charts[key] || key;
    slot.card.dataset.hash = hash;
    if (!option || typeof option !== 'object' || option._empty) {
      this.showPlaceholder(key, this.t.noData, 'empty');
      slot.range = range;
      return;
    }
    if (!slot.chart && this.viewer && !this.seen.has(key)) {
      slot.pending = { option, range, spanMs };  // set up when it comes into view, or when idle
      slot.range = range;
      this.queueIdle();
      return;
    }
    slot.pending = null;
    const prepared = localizeOption(option, this.fmt, spanMs);
    const sameRange = slot.chart !== null && slot.range === range;
    if (slot.chart) applyViewState(prepared, viewState(slot.chart), { keepZoom: sameRange });
    if (!slot.chart) {
      slot.card.dataset.setup = String(++this.setups);  // the order charts were set up in
      slot.chart = init(slot.canvas, this.echartsTheme(), { renderer: 'canvas', locale: this.locale });
      slot.chart.on('finished', () => { slot.card.dataset.drawn = '1'; });
      this.resizer.observe(slot.canvas);
    }
    // Same range: merge so the view stays put; series and datasets are replaced so none linger.
    // Another range: start afresh, its axes and zoom have nothing to do with the old ones.
    if (sameRange) slot.chart.setOption(prepared, { replaceMerge: ['series', 'dataset'] });
    else slot.chart.setOption(prepared, { notMerge: true });
    slot.range = range;
    slot.card.dataset.state = 'drawn';
    slot.exportButton.disabled = false;
  }

  /** The data-quality badge of a chart: shown with what is wrong (`problems`, sentences) in its tooltip,
   * or removed when nothing is; a click opens the Data panel. */
  setQuality(key, problems) {
    const slot = this.cards.get(key);
    if (!slot) return;
    slot.card.querySelector(':scope > .quality-badge')?.remove();
    delete slot.card.dataset.quality;
    if (!problems?.length) return;
    const badge = element('button', 'small-button quality-badge', this.t.qualityBadge);
    badge.type = 'button';
    badge.title = problems.join('\n');
    badge.setAttribute('aria-label', problems.join('. '));
    badge.addEventListener('click', () => this.onQuality(key));
    slot.card.append(badge);  // top left, clear of the centred title and the PNG button
    slot.card.dataset.quality = 'problem';
  }

  /** Draws the chart waiting for `key`'s card to come into view, if one is. */
  setUpPending(key) {
    const slot = this.cards.get(key);
    if (!slot?.pending) return;
    const { option, range, spanMs } = slot.pending;
    this.seen.add(key);
    this.draw(key, option, { range, hash: slot.card.dataset.hash, spanMs });
  }

  /** When the page is idle, the next waiting chart in page order; one per idle period keeps input quick. */
  queueIdle() {
    if (this.idleQueued) return;
    this.idleQueued = true;
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));  // Safari has no idle callback
    idle(() => {
      this.idleQueued = false;
      const next = [...this.cards.entries()].find(([, slot]) => slot.pending);
      if (!next) return;
      this.setUpPending(next[0]);
      if ([...this.cards.values()].some((slot) => slot.pending)) this.queueIdle();
    }, { timeout: 2000 });
  }

  showPlaceholder(key, text, state) {
    const slot = this.cards.get(key);
    slot.pending = null;
    slot.placeholder.textContent = text;
    slot.card.dataset.state = state;
    delete slot.card.dataset.drawn;
    slot.exportButton.disabled = true;
    if (slot.chart) {
      this.resizer.unobserve(slot.canvas);
      slot.chart.dispose();
      slot.chart = null;
    }
  }

  /** The card of a chart this range does not have: out of the layout, its chart let go. */
  hide(key) {
    const slot = this.cards.get(key);
    if (!slot) return;
    this.showPlaceholder(key, '', 'absent');
    slot.range = null;
  }

  /** Loading placeholders on every chart that has nothing drawn yet. */
  showLoading() {
    for (const [key, slot] of this.cards) {
      if (!slot.chart && slot.card.dataset.state !== 'absent') this.showPlaceholder(key, this.t.loading, 'loading');
    }
  }

  showAllEmpty() {
    for (const key of this.cards.keys()) this.showPlaceholder(key, this.t.noData, 'empty');
  }

  echartsTheme() {
    return this.theme === 'dark' ? 'dark' : 'default';
  }

  setTheme(theme) {
    this.theme = theme;
    for (const slot of this.cards.values()) slot.chart?.setTheme(this.echartsTheme());
  }

  chart(key) {
    return this.cards.get(key)?.chart || null;
  }

  /** A PNG of the chart as drawn, on the card's own background colour. */
  pngDataUrl(key) {
    const slot = this.cards.get(key);
    if (!slot?.chart) return null;
    const background = getComputedStyle(slot.card).backgroundColor;
    return slot.chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: background });
  }
}
