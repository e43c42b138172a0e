// The banners under the header: fetch failures, a stale manifest (with its age and the source's
// error), old data ("Latest data … ago"), errors the generator reports, and what the source left out
// of the shown range and the live file (data quality).
import { fill, problemText } from './i18n.js';
import { epoch } from './data.js';
import { element } from './dom.js';

/** The banners that apply now, as [{kind, level, text}]; pure, so the clock can re-run it. */
export function bannersFor({ manifest, range, live, errors, settings, t, fmt, quality = [], now = Date.now() }) {
  const out = [];
  for (const text of errors.values()) out.push({ kind: 'error', level: 'error', text });
  if (!manifest || manifest.snapshot) return out;

  const entry = manifest.ranges?.[range];
  const error = problemText(entry?.error || manifest.error, t);
  if (manifest.stale || entry?.stale) {
    const generated = epoch(entry?.generated_at) ?? epoch(manifest.generated_at);
    const age = generated === null ? '?' : fmt.age((now - generated) / 1000);
    const parts = [fill(t.staleBanner, { age })];
    if (error) parts.push(fill(t.staleError, { error }));
    out.push({ kind: 'stale', level: 'warn', text: parts.join(' ') });
  } else if (error) {
    out.push({ kind: 'generator', level: 'warn', text: fill(t.generatorError, { error }) });
  }

  const latest = Math.max(epoch(manifest.latest_data_at) ?? -Infinity, epoch(live?.latest_data_at) ?? -Infinity);
  const known = Number.isFinite(latest);
  if (manifest.data_old || (known && now - latest > settings.staleAfterS * 1000)) {
    out.push({ kind: 'old', level: 'warn', text: known ? fill(t.oldData, { age: fmt.age((now - latest) / 1000) }) : t.noDataYet });
  }
  const left = [...quality, ...(live?.data_quality || [])].map((problem) => problemText(problem, t, fmt));
  if (left.length) out.push({ kind: 'quality', level: 'info', text: [...new Set(left)].join(' ') });
  return out;
}

/** Redraws the banner area only when its content changed (keeps screen readers quiet otherwise). */
export function renderBanners(container, banners) {
  const signature = JSON.stringify(banners);
  if (container.dataset.signature === signature) return;
  container.dataset.signature = signature;
  container.replaceChildren(...banners.map((banner) => {
    const el = element('p', `banner banner-${banner.level}`, banner.text);
    el.dataset.banner = banner.kind;
    return el;
  }));
}
