// The view in the URL: ?range=7d and ?snapshot=YYYY-MM-DD (an archived day), read on load and on the
// back button, written when the viewer picks another range or day. Other parameters (?poll=) are kept.

const SNAPSHOT_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is an archive date as the URL carries it (YYYY-MM-DD). */
export function isSnapshotDate(text) {
  return typeof text === 'string' && SNAPSHOT_DATE.test(text);
}

/** The view the URL asks for, with the settings' defaults for what it leaves out or gets wrong. */
export function readView(settings, search = location.search) {
  const params = new URLSearchParams(search);
  const range = params.get('range');
  const snapshot = params.get('snapshot');
  return {
    range: settings.ranges.includes(range) ? range : settings.defaultRange,
    snapshot: isSnapshotDate(snapshot) ? snapshot : settings.defaultSnapshot ?? null,
  };
}

/** The URL of `view`: defaults are left out, other parameters (such as ?poll=) kept. */
export function viewUrl(view, settings, href = location.href) {
  const url = new URL(href);
  if (view.range === settings.defaultRange) url.searchParams.delete('range');
  else url.searchParams.set('range', view.range);
  if (view.snapshot && view.snapshot !== settings.defaultSnapshot) url.searchParams.set('snapshot', view.snapshot);
  else url.searchParams.delete('snapshot');
  return url.pathname + url.search + url.hash;
}

export function sameView(a, b) {
  return a.range === b.range && a.snapshot === b.snapshot;
}

/** Writes `view` into the address bar as a new history entry. */
export function pushView(view, settings) {
  try {
    history.pushState(null, '', viewUrl(view, settings));
  } catch (error) {
    // Some browsers refuse pushState on file:// URLs: the view still changes, the URL does not.
    console.warn('could not write the view into the URL:', error);
  }
}

/** Calls back with the URL's view whenever the back or forward button changes it. */
export function onViewPopped(settings, callback) {
  window.addEventListener('popstate', () => callback(readView(settings)));
}
