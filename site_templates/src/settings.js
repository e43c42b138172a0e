// Page settings: rendered by the generator as data-* attributes on <html> (no inline script under the
// CSP), some overridable from the URL for tests and for sharing links. The view (range, archived day)
// in the URL is routing.js's.
import { LANGUAGES } from './i18n.js';
import { embeddedRanges, embeddedReport } from './embedded.js';
import { RANGE_KEYS } from './keys.js';
import { isSnapshotDate } from './routing.js';

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
    defaultSnapshot: report && isSnapshotDate(report.snapshot) ? report.snapshot : null,
  };
}
