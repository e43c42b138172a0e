// The offline report (`heatpump-dashboard export`): one HTML file carrying its own data in
// <script type="application/json" id="embedded-data">{"snapshot": day, "files": {path: document}}</script>.
// When that element exists every fetch resolves from `files`, and the page opens on `snapshot`.

let cached;  // undefined: not read yet; null: a normal page

/** {snapshot, files} of the report this page is, or null for the served page. */
export function embeddedReport(doc = document) {
  if (cached !== undefined) return cached;
  const element = doc.getElementById('embedded-data');
  cached = null;
  if (!element) return cached;
  try {
    const data = JSON.parse(element.textContent);  // the exporter escapes only with JSON escapes
    if (data && typeof data.files === 'object' && data.files !== null) {
      cached = { snapshot: typeof data.snapshot === 'string' ? data.snapshot : null, files: data.files };
    }
  } catch (error) {
    console.error('embedded-data is not valid JSON:', error);
    cached = { snapshot: null, files: {} };  // still a report: fetch nothing, show the error banners
  }
  return cached;
}

/** The embedded document at `path` (relative to the page), or undefined when the report lacks it. */
export function embeddedFile(report, path) {
  const key = String(path).replace(/^(\.\/)+/, '').split(/[?#]/)[0];
  return Object.prototype.hasOwnProperty.call(report.files, key) ? structuredClone(report.files[key]) : undefined;
}

/** The ranges the report holds for its day, in the page's usual order. */
export function embeddedRanges(report, order) {
  const index = report.files['archive/index.json'];
  const entry = (index?.snapshots || []).find((s) => s.date === report.snapshot);
  const present = Object.keys(entry?.ranges || {});
  return order.filter((key) => present.includes(key));
}
