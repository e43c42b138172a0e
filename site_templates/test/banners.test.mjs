import test from 'node:test';
import assert from 'node:assert/strict';
import { bannersFor } from '../src/banners.js';
import { dictionary } from '../src/i18n.js';

const t = dictionary('en');
const fmt = { age: (seconds) => `${seconds}s` };
const NOW = Date.parse('2026-01-15T12:00:00Z');
const fresh = () => ({
  generated_at: '2026-01-15T11:59:00Z', latest_data_at: '2026-01-15T11:59:30Z', stale: false, error: null,
  data_old: false, ranges: { '24h': { stale: false, error: null, generated_at: '2026-01-15T11:59:00Z' } },
});
const banners = (manifest, extra = {}) => bannersFor({
  manifest, range: '24h', live: null, errors: new Map(), settings: { staleAfterS: 600 }, t, fmt, now: NOW, ...extra,
});

test('a fresh manifest shows no banner', () => {
  assert.deepEqual(banners(fresh()), []);
});

test('every fetch error is an error banner', () => {
  const errors = new Map([['range', 'Could not fetch x: HTTP 404']]);
  assert.deepEqual(banners(null, { errors }), [{ kind: 'error', level: 'error', text: 'Could not fetch x: HTTP 404' }]);
});

test('a stale manifest says its age and the source error', () => {
  const manifest = { ...fresh(), stale: true, error: 'connection refused' };
  const [banner] = banners(manifest);
  assert.deepEqual(banner, { kind: 'stale', level: 'warn', text: 'Data is stale (generated 60s ago). Error: connection refused' });
});

test('a stale range is dated by its own generation time', () => {
  const manifest = fresh();
  manifest.ranges['24h'] = { stale: true, generated_at: '2026-01-15T11:00:00Z' };
  assert.equal(banners(manifest)[0].text, 'Data is stale (generated 3600s ago).');
});

test('a generator error without stale data is a warning of its own', () => {
  const manifest = { ...fresh(), error: 'boom' };
  assert.deepEqual(banners(manifest), [{ kind: 'generator', level: 'warn', text: 'The generator reports an error: boom' }]);
});

test('data older than stale_after_s says how old it is', () => {
  const manifest = { ...fresh(), latest_data_at: '2026-01-15T11:00:00Z' };
  assert.deepEqual(banners(manifest), [{ kind: 'old', level: 'warn', text: 'Latest data 3600s ago' }]);
});

test('newer live data keeps the old-data banner away', () => {
  const manifest = { ...fresh(), latest_data_at: '2026-01-15T11:00:00Z' };
  assert.deepEqual(banners(manifest, { live: { latest_data_at: '2026-01-15T11:59:50Z' } }), []);
});

test('data_old without a known time says the age is unknown', () => {
  const manifest = { ...fresh(), data_old: true, latest_data_at: null };
  assert.equal(banners(manifest)[0].text, 'Latest data ? ago');
});

test('an archived day shows only errors', () => {
  const manifest = { ...fresh(), snapshot: '2026-01-14', stale: true, data_old: true };
  assert.deepEqual(banners(manifest), []);
});
