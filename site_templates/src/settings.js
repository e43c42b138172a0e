// Page settings: rendered by the generator as data-* attributes on <html> (no inline script under the
// CSP), some overridable from the URL for tests and for sharing links.
import { LANGUAGES } from './i18n.js';
import { embeddedRanges, embeddedReport } from './embedded.js';

const RANGE_KEYS = ['1h', '6h', '24h', '7d', '30d', '365d'];
const SNAPSHOT_DATE = /^\d{4}-\d{2}-\d{2}$/;

function positiveNumber(text, fallback) {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Settings from <html data-*> and the URL (?poll=2 shortens the fallback polling interval). An offline
 * report offers only the ranges it carries and opens on its day (`defaultSnapshot`).
 */
export function readSettings(root = document.documentElement, search = location.search, report = embeddedReport()) {
  const data = root.dataset;
  const params = new URLSearchParams(search);
  const lang = LANGUAGES.includes(root.lang) ? root.lang : 'sv';
  let ranges = (data.ranges || RANGE_KEYS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  if (report) {
    const present = embeddedRanges(report, ranges);
    if (present.length) ranges = present;
  }
  const defaultRange = ranges.includes(data.defaultRange) ? data.defaultRange : ranges[0];
  let timeZone = data.timezone || 'Europe/Stockholm';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
  return {
    lang,
    timeZone,
    staleAfterS: positiveNumber(data.staleAfterS, 600),
    ranges,
    defaultRange,
    pollMs: 1000 * positiveNumber(params.get('poll'), positiveNumber(data.pollS, 30)),
    wsPath: data.wsPath || '/ws',
    report: Boolean(report),
    defaultSnapshot: report && SNAPSHOT_DATE.test(report.snapshot || '') ? report.snapshot : null,
  };
}

/** The view the URL asks for: ?range=7d and ?snapshot=YYYY-MM-DD. */
export function readView(settings, search = location.search) {
  const params = new URLSearchParams(search);
  const range = params.get('range');
  const snapshot = params.get('snapshot');
  return {
    range: settings.ranges.includes(range) ? range : settings.defaultRange,
    snapshot: snapshot && SNAPSHOT_DATE.test(snapshot) ? snapshot : settings.defaultSnapshot ?? null,
  };
}

/** Writes the view into the URL, keeping other parameters (such as ?poll=). */
export function viewUrl(view, settings, href = location.href) {
  const url = new URL(href);
  if (view.range === settings.defaultRange) url.searchParams.delete('range');
  else url.searchParams.set('range', view.range);
  if (view.snapshot && view.snapshot !== settings.defaultSnapshot) url.searchParams.set('snapshot', view.snapshot);
  else url.searchParams.delete('snapshot');
  return url.pathname + url.search + url.hash;
}
