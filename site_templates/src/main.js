// The page: reads its settings, draws the selected range from the static files, and keeps it current
// from the live connection (websocket, or polling when that is impossible). Only files whose hash
// changed are fetched; switching ranges fetches nothing but that range's static file. As an offline
// report (embedded.js) it shows only its one day, from its own embedded files, with no live connection.
import { dictionary, fill } from './i18n.js';
import { createFormat } from './format.js';
import { readSettings, readView, viewUrl } from './settings.js';
import { applyTheme, chooseTheme, currentTheme, onSystemThemeChange } from './theme.js';
import { epoch, fetchArchiveIndex, fetchLiveFile, fetchManifest, fetchRangeFile, snapshotManifest } from './data.js';
import { LiveConnection, socketUrl } from './connection.js';
import { ChartBoard, CHART_KEYS } from './charts.js';
import { KpiCards } from './kpis.js';
import { LiveStrip, renderEvents } from './livestrip.js';
import { bannersFor, renderBanners } from './banners.js';
import { download, downloadText, rangeCsv } from './csv.js';

applyTheme(currentTheme());  // before anything is drawn, so there is no flash of the wrong scheme

const RANGE_SECONDS = { '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800, '30d': 2592000, '365d': 31536000 };
const CLOCK_MS = 15000;  // how often ages in banners are refreshed without new data

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

class Dashboard {
  constructor(settings) {
    this.settings = settings;
    this.t = dictionary(settings.lang);
    this.fmt = createFormat(settings.lang, settings.timeZone);
    this.view = readView(settings);
    this.manifest = null;
    this.cache = new Map();          // range → {hash, data}: the newest file fetched per range
    this.shown = { range: null, hash: null };
    this.live = null;
    this.liveHash = null;
    this.loadToken = 0;
    this.liveToken = 0;
    this.errors = new Map();         // what failed → banner text
    this.archiveIndex = null;
    this.connection = null;
    this.el = {
      main: document.getElementById('dashboard'),
      controls: document.getElementById('controls'),
      badge: document.getElementById('connection'),
      banners: document.getElementById('banners'),
      updated: document.getElementById('updated'),
      events: document.getElementById('events'),
    };
    const common = { t: this.t, fmt: this.fmt };
    this.kpis = new KpiCards(document.getElementById('kpis'), common);
    this.liveStrip = new LiveStrip(document.getElementById('live'), common);
    this.board = new ChartBoard(document.getElementById('charts'), {
      ...common, lang: settings.lang, theme: currentTheme(), onExport: (key) => this.exportPng(key),
    });
    this.buildControls();
  }

  start() {
    window.addEventListener('popstate', () => this.setView(readView(this.settings), { push: false }));
    onSystemThemeChange((theme) => this.themeChanged(theme));
    setInterval(() => this.updateBanners(), CLOCK_MS);
    this.enterView();
  }

  // ---- header controls -------------------------------------------------------------------------

  buildControls() {
    const { t, settings } = this;
    const group = element('div', 'segmented');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', t.range);
    this.rangeButtons = new Map();
    for (const key of settings.ranges) {
      const button = element('button', 'segment', t.ranges[key] || key);
      button.type = 'button';
      button.dataset.range = key;
      button.addEventListener('click', () => this.setView({ ...this.view, range: key }, { push: true }));
      group.append(button);
      this.rangeButtons.set(key, button);
    }

    this.archiveSelect = element('select', 'archive-select');
    this.archiveSelect.setAttribute('aria-label', t.archive);
    this.archiveSelect.dataset.archive = '';
    this.fillArchiveSelect();
    this.archiveSelect.addEventListener('change', () => {
      const snapshot = this.archiveSelect.value || null;
      this.setView({ ...this.view, snapshot }, { push: true });
    });

    this.csvButton = element('button', 'small-button', 'CSV');
    this.csvButton.type = 'button';
    this.csvButton.dataset.downloadCsv = '';
    this.csvButton.title = t.downloadCsv;
    this.csvButton.setAttribute('aria-label', t.downloadCsv);
    this.csvButton.addEventListener('click', () => this.downloadCsv());

    this.themeButton = element('button', 'small-button theme-button');
    this.themeButton.type = 'button';
    this.themeButton.dataset.themeToggle = '';
    this.themeButton.addEventListener('click', () => {
      const next = currentTheme() === 'dark' ? 'light' : 'dark';
      chooseTheme(next);
      this.themeChanged(next);
    });
    this.themeChanged(currentTheme());

    // A report holds one day: the archive picker would offer nothing else.
    const picker = settings.report ? [] : [this.archiveSelect];
    this.el.controls.prepend(group, ...picker, this.csvButton, this.themeButton);
    this.markRange();
  }

  markRange() {
    for (const [key, button] of this.rangeButtons) {
      const available = !this.manifest || Boolean(this.manifest.ranges?.[key]);
      button.setAttribute('aria-pressed', String(key === this.view.range));
      button.classList.toggle('unavailable', !available);
    }
  }

  themeChanged(theme) {
    const dark = theme === 'dark';
    this.themeButton.textContent = dark ? '☀' : '☾';
    this.themeButton.title = dark ? this.t.themeToLight : this.t.themeToDark;
    this.themeButton.setAttribute('aria-label', this.themeButton.title);
    this.themeButton.setAttribute('aria-pressed', String(dark));
    this.board?.setTheme(theme);
  }

  fillArchiveSelect() {
    const { t } = this;
    const options = this.settings.report ? [] : [new Option(t.archiveLive, '')];
    for (const snapshot of [...(this.archiveIndex?.snapshots || [])].sort((a, b) => (a.date < b.date ? 1 : -1))) {
      options.push(new Option(this.fmt.date(`${snapshot.date}T12:00:00Z`), snapshot.date));
    }
    if (this.view.snapshot && !options.some((o) => o.value === this.view.snapshot)) {
      options.push(new Option(this.view.snapshot, this.view.snapshot));
    }
    this.archiveSelect.replaceChildren(...options);
    this.archiveSelect.value = this.view.snapshot || '';
    this.archiveSelect.title = options.length > 1 ? t.archive : t.archiveNone;
  }

  async loadArchiveIndex() {
    this.archiveIndex = this.archiveIndex || { snapshots: [] };  // one request at a time
    const path = this.manifest?.archive || 'archive/index.json';
    try {
      this.archiveIndex = await fetchArchiveIndex(path);
    } catch {
      this.archiveIndex = { snapshots: [] };  // no archive yet: the picker offers only "Live"
    }
    this.fillArchiveSelect();
    return this.archiveIndex;
  }

  // ---- views: live or an archived day, and the range -------------------------------------------

  setView(view, { push }) {
    const previous = this.view;
    if (push) {
      if (view.range === previous.range && view.snapshot === previous.snapshot) return;
      try {
        history.pushState(null, '', viewUrl(view, this.settings));
      } catch (error) {
        // Some browsers refuse pushState on file:// URLs: the view still changes, the URL does not.
        console.warn('could not write the view into the URL:', error);
      }
    }
    this.view = view;
    this.markRange();
    if (view.snapshot !== previous.snapshot) this.enterView();
    else this.showRange();
  }

  async enterView() {
    const { view } = this;
    this.errors.clear();
    this.manifest = null;
    this.shown = { range: null, hash: null };
    this.cache.clear();
    this.board.showLoading();
    this.fillArchiveSelect();
    if (this.settings.report && !view.snapshot) {
      // A report whose data block is unreadable: nothing to connect to, say what is wrong.
      this.liveStrip.hide(true);
      this.setBadge('report');
      this.errors.set('snapshot', fill(this.t.fetchFailed, { what: 'embedded-data', error: 'not in this report' }));
      this.board.showAllEmpty();
      this.kpis.render(null);
      this.updateBanners();
      return;
    }
    if (view.snapshot) {
      this.connection?.stop();
      this.liveStrip.hide(true);
      this.setBadge(this.settings.report ? 'report' : 'snapshot');
      const index = this.archiveIndex?.snapshots?.length ? this.archiveIndex : await this.loadArchiveIndex();
      if (this.view !== view) return;
      const manifest = snapshotManifest(index, view.snapshot);
      if (!manifest) {
        this.errors.set('snapshot', fill(this.t.snapshotMissing, { date: view.snapshot }));
        this.board.showAllEmpty();
        this.kpis.render(null);
        this.updateBanners();
        return;
      }
      this.applyManifest(manifest, 'snapshot');
      return;
    }
    this.liveStrip.hide(false);
    this.startConnection();
    try {
      const manifest = await fetchManifest();
      if (this.view === view) this.applyManifest(manifest, 'fetch');
    } catch (error) {
      this.errors.set('manifest', fill(this.t.fetchFailed, { what: 'manifest.json', error: error.reason || error.message }));
      this.updateBanners();
    }
  }

  startConnection() {
    if (!this.connection) {
      this.connection = new LiveConnection({
        url: socketUrl(this.settings.wsPath),
        pollMs: this.settings.pollMs,
        fetchManifest,
        onManifest: (manifest, source) => this.applyManifest(manifest, source),
        onState: (state) => this.setBadge(state),
      });
    }
    this.connection.start();
  }

  setBadge(state) {
    const { badge } = this.el;
    badge.dataset.connection = state;
    const texts = {
      connected: this.t.connected,
      disconnected: this.t.disconnected,
      polling: fill(this.t.polling, { s: Math.round(this.settings.pollMs / 1000) }),
      snapshot: fill(this.t.snapshotBadge, { date: this.view.snapshot }),
      report: fill(this.t.reportBadge, { date: this.view.snapshot || '' }).trim(),
    };
    badge.textContent = texts[state] || state;
  }

  /** A manifest arrived (first fetch, hello, update, poll): fetch what changed and redraw it. */
  applyManifest(next, source) {
    if (!next || typeof next.ranges !== 'object' || next.ranges === null) return;
    const isSnapshot = source === 'snapshot';
    if (Boolean(this.view.snapshot) !== isSnapshot) return;  // a live message while browsing the archive
    const current = this.manifest;
    if (current && !isSnapshot) {
      const before = epoch(current.generated_at);
      const after = epoch(next.generated_at);
      if (before !== null && after !== null && after < before) return;  // an older manifest arrived late
    }
    this.errors.delete('manifest');
    this.manifest = next;
    this.markRange();
    this.updateBanners();
    this.showRange();
    if (!isSnapshot) this.refreshLive();
    // The archive picker's list: small, fetched once alongside the first range.
    if (!this.archiveIndex && !isSnapshot) this.loadArchiveIndex();
  }

  async showRange() {
    const range = this.view.range;
    const manifest = this.manifest;
    if (!manifest) return;
    const entry = manifest.ranges[range];
    this.updateBanners();
    if (!entry || typeof entry.path !== 'string') {
      this.loadToken += 1;
      this.shown = { range, hash: null };
      if (manifest.snapshot) this.errors.set('range', fill(this.t.rangeMissing, { range }));
      this.board.showAllEmpty();
      this.kpis.render(null);
      renderEvents(this.el.events, [], this);
      this.finishDraw(range, null, null);
      return;
    }
    if (this.shown.range === range && this.shown.hash === entry.hash) return;
    const token = ++this.loadToken;
    let data = this.cache.get(range)?.hash === entry.hash ? this.cache.get(range).data : null;
    if (!data) {
      this.el.main.setAttribute('aria-busy', 'true');
      try {
        data = await fetchRangeFile(entry.path);
      } catch (error) {
        if (token !== this.loadToken) return;
        this.errors.set('range', fill(this.t.fetchFailed, { what: entry.path, error: error.reason || error.message }));
        this.el.main.setAttribute('aria-busy', 'false');
        this.updateBanners();
        return;
      }
      if (token !== this.loadToken) return;  // another range or a newer file was asked for meanwhile
      this.cache.set(range, { hash: entry.hash, data });
    }
    this.errors.delete('range');
    this.draw(range, entry.hash, data);
  }

  draw(range, hash, data) {
    const from = epoch(data.from);
    const to = epoch(data.to);
    const spanMs = from !== null && to !== null && to > from ? to - from : (RANGE_SECONDS[range] || 86400) * 1000;
    this.kpis.render(data.kpis || null, spanMs / 1000);
    for (const key of CHART_KEYS) {
      this.board.draw(key, data.charts?.[key] ?? { _empty: true }, { range, hash, spanMs });
    }
    renderEvents(this.el.events, data.alarms?.events, this);
    if (!this.live && data.alarms?.active) this.liveStrip.renderAlarms(data.alarms.active);
    this.shown = { range, hash };
    this.finishDraw(range, hash, data);
  }

  finishDraw(range, hash) {
    const { main, updated } = this.el;
    main.dataset.range = range;
    main.dataset.hash = hash || '';
    main.setAttribute('aria-busy', 'false');
    const manifest = this.manifest;
    updated.textContent = manifest?.snapshot
      ? `${this.t.archive}: ${this.fmt.date(`${manifest.snapshot}T12:00:00Z`)}`
      : manifest?.generated_at ? fill(this.t.updated, { time: this.fmt.dateTime(manifest.generated_at) }) : '';
    this.updateBanners();
  }

  async refreshLive() {
    const entry = this.manifest?.live;
    if (!entry || typeof entry.path !== 'string' || entry.hash === this.liveHash) return;
    const token = ++this.liveToken;
    try {
      const live = await fetchLiveFile(entry.path);
      if (token !== this.liveToken) return;
      this.live = live;
      this.liveHash = entry.hash;
      this.errors.delete('live');
      this.liveStrip.render(live);
    } catch (error) {
      if (token !== this.liveToken) return;
      this.errors.set('live', fill(this.t.fetchFailed, { what: entry.path, error: error.reason || error.message }));
    }
    this.updateBanners();
  }

  updateBanners() {
    renderBanners(this.el.banners, bannersFor({
      manifest: this.manifest, range: this.view.range, live: this.live, errors: this.errors,
      settings: this.settings, t: this.t, fmt: this.fmt,
    }));
  }

  // ---- exports ---------------------------------------------------------------------------------

  fileStem() {
    const day = this.view.snapshot || this.fmt.isoLocal(Date.now()).slice(0, 10);
    return `heatpump-${this.view.range}-${day}`;
  }

  exportPng(key) {
    const url = this.board.pngDataUrl(key);
    if (url) download(`${this.fileStem()}-${key}.png`, url);
  }

  downloadCsv() {
    const data = this.cache.get(this.shown.range)?.data;
    if (!data) return;
    downloadText(`${this.fileStem()}.csv`, rangeCsv(data.charts, this.fmt), 'text/csv;charset=utf-8');
  }
}

function boot() {
  const dashboard = new Dashboard(readSettings());
  // A small handle for tests and for poking at the charts from the console.
  window.heatpumpDashboard = {
    chart: (key) => dashboard.board.chart(key),
    get manifest() { return dashboard.manifest; },
    get view() { return { ...dashboard.view }; },
    get connectionState() { return dashboard.connection?.state ?? null; },
    get report() { return dashboard.settings.report; },
  };
  dashboard.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
