// The page: reads its settings, draws the selected range from the static files, and keeps it current
// from the live connection (websocket, or polling when that is impossible). Only files whose hash
// changed are fetched; switching ranges fetches nothing but that range's static file. As an offline
// report (embedded.js) it shows only its one day, from its own embedded files, with no live connection.
import { dictionary, fill } from './i18n.js';
import { createFormat } from './format.js';
import { readSettings } from './settings.js';
import { onViewPopped, pushView, readView, sameView } from './routing.js';
import { applyTheme, currentTheme, onSystemThemeChange } from './theme.js';
import {
  fetchArchiveIndex, fetchLiveFile, fetchManifest, fetchRangeFile, isOlderManifest, rangeSpanMs, snapshotManifest,
} from './data.js';
import { LiveConnection, socketUrl } from './connection.js';
import { latestWins } from './latest.js';
import { mergeKeys } from './keys.js';
import { Controls } from './controls.js';
import { ChartBoard } from './charts.js';
import { KpiCards } from './kpis.js';
import { LiveStrip, renderEvents } from './livestrip.js';
import { Schematic } from './schematic.js';
import { LifetimePanel } from './lifetime.js';
import { bannersFor, renderBanners } from './banners.js';
import { showBadge } from './badge.js';
import { exportCsv, exportPng, fileStem } from './export.js';
import { chartProblems, createDataPanel, markKpis, qualityRows, renderDataPanel } from './quality.js';

applyTheme(currentTheme());  // before anything is drawn, so there is no flash of the wrong scheme

const CLOCK_MS = 15000;  // how often ages in banners are refreshed without new data

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
    this.rangeLoads = latestWins();  // the range file asked for last is the one drawn
    this.liveLoads = latestWins();
    this.errors = new Map();         // what failed → banner text
    this.archiveIndex = null;
    this.connection = null;
    this.el = {
      main: document.getElementById('dashboard'),
      badge: document.getElementById('connection'),
      banners: document.getElementById('banners'),
      updated: document.getElementById('updated'),
      events: document.getElementById('events'),
    };
    const common = { t: this.t, fmt: this.fmt };
    this.kpis = new KpiCards(document.getElementById('kpis'), common);
    // The figures in index.html are the default range's: not the ones to show for another range or a day.
    if (this.kpis.prerendered && (this.kpis.prerendered !== this.view.range || this.view.snapshot)) this.kpis.setLoading();
    this.liveStrip = new LiveStrip(document.getElementById('live'), common);
    this.schematic = new Schematic(document.getElementById('schematic'), common);
    this.lifetime = new LifetimePanel(document.getElementById('lifetime'), common);
    this.board = new ChartBoard(document.getElementById('charts'), {
      ...common, lang: settings.lang, theme: currentTheme(),
      onExport: (key) => exportPng(this.board, key, fileStem(this.view, this.fmt)),
      onQuality: () => { this.el.dataPanel.open = true; this.el.dataPanel.scrollIntoView({ block: 'start' }); },
    });
    this.el.dataPanel = createDataPanel(this.el.events, this.t);
    this.controls = new Controls(document.getElementById('controls'), {
      ...common,
      ranges: settings.ranges,
      report: settings.report,
      onRange: (range) => this.setView({ ...this.view, range }, { push: true }),
      onSnapshot: (snapshot) => this.setView({ ...this.view, snapshot }, { push: true }),
      onCsv: () => exportCsv(this.cache.get(this.shown.range)?.data, fileStem(this.view, this.fmt), this.fmt),
      onTheme: (theme) => this.themeChanged(theme),
    });
    this.fillArchiveSelect();
    this.markRange();
  }

  start() {
    onViewPopped(this.settings, (view) => this.setView(view, { push: false }));
    onSystemThemeChange((theme) => this.themeChanged(theme));
    setInterval(() => this.updateBanners(), CLOCK_MS);
    this.enterView();
  }

  markRange() {
    this.controls.markRange(this.view.range, this.manifest);
  }

  themeChanged(theme) {
    this.controls.showTheme(theme);
    this.board.setTheme(theme);
  }

  fillArchiveSelect() {
    this.controls.fillArchive(this.archiveIndex?.snapshots, this.view.snapshot);
  }

  async loadArchiveIndex() {
    this.archiveIndex = this.archiveIndex || { snapshots: [] };  // one request at a time
    this.archiveIndex = await fetchArchiveIndex(this.manifest?.archive || 'archive/index.json');
    this.fillArchiveSelect();
    return this.archiveIndex;
  }

  // ---- the view: live or an archived day, and the range --------------------------------------------

  setView(view, { push }) {
    const previous = this.view;
    if (push) {
      if (sameView(view, previous)) return;
      pushView(view, this.settings);
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
      this.schematic.hide(true);
      this.lifetime.hide(true);
      this.setBadge('report');
      this.errors.set('snapshot', this.fetchFailed('embedded-data', { reason: 'not in this report' }));
      this.showNothing();
      return;
    }
    if (view.snapshot) {
      this.connection?.stop();
      this.liveStrip.hide(true);
      this.schematic.hide(true);
      this.lifetime.hide(true);
      this.setBadge(this.settings.report ? 'report' : 'snapshot');
      const index = this.archiveIndex?.snapshots?.length ? this.archiveIndex : await this.loadArchiveIndex();
      if (this.view !== view) return;
      const manifest = snapshotManifest(index, view.snapshot);
      if (!manifest) {
        this.errors.set('snapshot', fill(this.t.snapshotMissing, { date: view.snapshot }));
        this.showNothing();
        return;
      }
      this.applyManifest(manifest, 'snapshot');
      return;
    }
    this.liveStrip.hide(false);
    this.schematic.hide(false);
    this.lifetime.hide(false);
    this.startConnection();
    try {
      const manifest = await fetchManifest();
      if (this.view === view) this.applyManifest(manifest, 'fetch');
    } catch (error) {
      this.errors.set('manifest', this.fetchFailed('manifest.json', error));
      this.updateBanners();
    }
  }

  /** The banner text for a file that could not be fetched. */
  fetchFailed(what, error) {
    return fill(this.t.fetchFailed, { what, error: error.reason || error.message });
  }

  /** Nothing to show: empty charts and KPIs, and the banners that say why. */
  showNothing() {
    this.board.showAllEmpty();
    this.kpis.render(null);
    this.updateBanners();
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
    showBadge(this.el.badge, state, { t: this.t, pollMs: this.settings.pollMs, snapshot: this.view.snapshot });
  }

  /** A manifest arrived (first fetch, hello, update, poll): fetch what changed and redraw it. */
  applyManifest(next, source) {
    if (!next || typeof next.ranges !== 'object' || next.ranges === null) return;
    const isSnapshot = source === 'snapshot';
    if (Boolean(this.view.snapshot) !== isSnapshot) return;  // a live message while browsing the archive
    if (this.manifest && !isSnapshot && isOlderManifest(next, this.manifest)) return;  // arrived late
    this.errors.delete('manifest');
    this.manifest = next;
    // The ranges are the manifest's: one it has that the page did not know gets a button too.
    this.settings.ranges = mergeKeys(this.settings.ranges, next.ranges);
    this.controls.setRanges(this.settings.ranges);
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
      this.rangeLoads.cancel();
      this.shown = { range, hash: null };
      if (manifest.snapshot) this.errors.set('range', fill(this.t.rangeMissing, { range }));
      this.showNothing();
      renderEvents(this.el.events, [], this);
      this.showMetricQuality(null, []);
      this.finishDraw(range, null, null);
      return;
    }
    if (this.shown.range === range && this.shown.hash === entry.hash) return;
    let data = this.cache.get(range)?.hash === entry.hash ? this.cache.get(range).data : null;
    if (data) {
      this.rangeLoads.cancel();  // whatever is still on its way was asked for before this
    } else {
      this.el.main.setAttribute('aria-busy', 'true');
      const load = await this.rangeLoads.run(() => fetchRangeFile(entry.path));
      if (!load.current) return;  // another range or a newer file was asked for meanwhile
      if (!load.ok) {
        this.errors.set('range', this.fetchFailed(entry.path, load.error));
        this.el.main.setAttribute('aria-busy', 'false');
        this.updateBanners();
        return;
      }
      data = load.value;
      this.cache.set(range, { hash: entry.hash, data });
    }
    this.errors.delete('range');
    this.draw(range, entry.hash, data);
  }

  draw(range, hash, data) {
    const spanMs = rangeSpanMs(data, range);
    this.kpis.render(data.kpis || null, spanMs / 1000);
    // Every card is drawn; a chart the page has no card for gets one. A chart the file leaves out has no
    // meaning on this range (daily bars on 1 h): its card is hidden until a range has it.
    const charts = data.charts && typeof data.charts === 'object' ? data.charts : null;
    for (const key of mergeKeys(this.board.keys(), charts)) {
      if (charts && !(key in charts)) this.board.hide(key);
      else this.board.draw(key, charts?.[key] ?? { _empty: true }, { range, hash, spanMs });
    }
    renderEvents(this.el.events, data.alarms?.events, this);
    this.showMetricQuality(charts, qualityRows(data.metric_quality));
    this.shownQuality = Array.isArray(data.data_quality) ? data.data_quality : [];
    if (!this.live && data.alarms?.active) this.liveStrip.renderAlarms(data.alarms.active);
    this.shown = { range, hash };
    this.finishDraw(range, hash, data);
  }

  /** The badges on the charts drawn from a flagged metric, and the Data panel's table. */
  showMetricQuality(charts, rows) {
    const problems = chartProblems(charts, rows, this.t, this.fmt);
    for (const key of this.board.keys()) this.board.setQuality(key, problems[key] || []);
    markKpis(document.getElementById('kpis'), problems, this.t);  // nobody trusts a wrong COP figure either
    renderDataPanel(this.el.dataPanel, rows, this.t, this.fmt);
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
    const load = await this.liveLoads.run(() => fetchLiveFile(entry.path));
    if (!load.current) return;
    if (load.ok) {
      this.live = load.value;
      this.liveHash = entry.hash;
      this.errors.delete('live');
      this.liveStrip.render(load.value);
      this.schematic.render(load.value);
      this.lifetime.render(load.value);
    } else {
      this.errors.set('live', this.fetchFailed(entry.path, load.error));
    }
    this.updateBanners();
  }

  updateBanners() {
    renderBanners(this.el.banners, bannersFor({
      manifest: this.manifest, range: this.view.range, live: this.live, errors: this.errors,
      settings: this.settings, t: this.t, fmt: this.fmt, quality: this.shownQuality || [],
    }));
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
