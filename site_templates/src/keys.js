// Range and chart keys. They come from the data the page loads: the manifest's `ranges` and a range
// file's `charts`. These two lists are the only fallback, in the page's order, for what is laid out
// before any data has arrived (the range buttons of a page without data-ranges, the chart cards).
export const RANGE_KEYS = ['1h', '6h', '24h', '7d', '30d', '365d', 'all'];
export const CHART_KEYS = ['sankey', 'cop', 'daily', 'runtime', 'cycling', 'temperature', 'performance', 'power', 'valve', 'signature', 'monthly'];

/**
 * `known` in its order, then the keys of `object` it lacks in the object's order: what the page already
 * shows keeps its place (the generator writes its JSON with sorted keys) and whatever the data adds comes last.
 */
export function mergeKeys(known, object) {
  const keys = [...known];
  if (object && typeof object === 'object' && !Array.isArray(object)) {
    for (const key of Object.keys(object)) if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

const UNIT_SECONDS = { h: 3600, d: 86400 };

/**
 * The length a range key names, in seconds ('24h' → 86400, '7d' → 604800), or null when it names none
 * ('all': the whole history, whose span only its file's from–to says).
 */
export function rangeSeconds(key) {
  const match = /^(\d+)([hd])$/.exec(String(key));
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]] : null;
}

/** The range button's text: '24h' → '24 h'; 'all' in the page's language (t.rangeAll: "Allt", "All"). */
export function rangeLabel(key, t) {
  if (key === 'all' && typeof t?.rangeAll === 'string') return t.rangeAll;
  return String(key).replace(/^(\d+)([a-z]+)$/i, '$1 $2');
}
