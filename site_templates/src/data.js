// Fetching the generated files. Paths in the manifest are relative to the page. Content-hashed files
// never change, so the browser cache may keep them; manifest.json and the archive index must be
// revalidated every time. An offline report answers every path from its embedded files instead.
import { embeddedFile, embeddedReport } from './embedded.js';
import { rangeSeconds } from './keys.js';

export class FetchError extends Error {
  constructor(path, reason) {
    super(`${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

const TIMEOUT_MS = 20000;

async function fetchJson(path, { revalidate = false } = {}) {
  const report = embeddedReport();
  if (report) {
    const document = embeddedFile(report, path);
    if (document === undefined) throw new FetchError(path, 'not in this report');
    return document;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, { cache: revalidate ? 'no-cache' : 'default', signal: controller.signal });
  } catch (error) {
    throw new FetchError(path, error.name === 'AbortError' ? 'timed out' : 'network error');
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw new FetchError(path, `HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new FetchError(path, 'not valid JSON');
  }
}

/** manifest.json, checked just enough that the page can rely on its shape. */
export async function fetchManifest() {
  const manifest = await fetchJson('manifest.json', { revalidate: true });
  if (!manifest || typeof manifest !== 'object' || typeof manifest.ranges !== 'object' || manifest.ranges === null) {
    throw new FetchError('manifest.json', 'has no "ranges" object');
  }
  return manifest;
}

// Content-hashed files on their way, by path: the websocket's hello often names the file the page's own
// manifest fetch already asked for, and a second request for an unchanged file would download it twice.
const inFlight = new Map();

/** A content-hashed file; a request for a path already on its way joins that request. */
export function fetchHashed(path) {
  if (!inFlight.has(path)) {
    const request = fetchJson(path).finally(() => inFlight.delete(path));
    inFlight.set(path, request);
  }
  return inFlight.get(path);
}

export function fetchRangeFile(path) {
  return fetchHashed(path);
}

export function fetchLiveFile(path) {
  return fetchHashed(path);
}

/** The archive index; an empty one when it cannot be had (no archive yet: the picker offers only "Live"). */
export async function fetchArchiveIndex(path) {
  try {
    return await fetchJson(path, { revalidate: true });
  } catch {
    return { snapshots: [] };
  }
}

/** A manifest-shaped view of one archived day, so the rest of the page needs no special case. */
export function snapshotManifest(index, date) {
  const entry = (index.snapshots || []).find((s) => s.date === date);
  if (!entry) return null;
  const ranges = {};
  for (const [key, path] of Object.entries(entry.ranges || {})) {
    ranges[key] = { path, hash: path, generated_at: null, stale: false, error: null };
  }
  return { format: 1, snapshot: date, generated_at: null, latest_data_at: null, data_old: false,
    stale: false, error: null, ranges, live: null };
}

/** Milliseconds since the epoch of an ISO time, or null. */
export function epoch(iso) {
  const value = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(value) ? null : value;
}

/** Whether `next` was generated before `current`: a manifest that arrived late, to be ignored. */
export function isOlderManifest(next, current) {
  const before = epoch(current?.generated_at);
  const after = epoch(next?.generated_at);
  return before !== null && after !== null && after < before;
}

/** The span of a range file in ms: its from–to, else the length its key names, else a day. */
export function rangeSpanMs(data, range) {
  const from = epoch(data?.from);
  const to = epoch(data?.to);
  return from !== null && to !== null && to > from ? to - from : (rangeSeconds(range) || 86400) * 1000;
}
