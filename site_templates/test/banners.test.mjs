import test from 'node:test';
import assert from 'node:assert/strict';
import { bannersFor } from '../src/banners.js';
import { dictionary } from '../src/i18n.js';

const t = dictionary('en');
const fmt = { age: (seconds) => `${seconds}s`, dateTime: (iso) => `<${iso}>` };
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

test('data_old without any data says there is no data yet, not an unknown age', () => {
  const manifest = { ...fresh(), data_old: true, latest_data_at: null };
  assert.equal(banners(manifest)[0].text, 'No data yet');
});

test('a problem is worded from its code and params in the page language', () => {
  const problem = { code: 'no_data', params: { measurement: 'heatpump' }, text: 'no data yet in measurement …' };
  const manifest = { ...fresh(), stale: true, error: problem };
  assert.equal(banners(manifest)[0].text,
    'Data is stale (generated 60s ago). Error: No data yet in measurement heatpump; check that the collector writes there.');
  const sv = bannersFor({ manifest, range: '24h', live: null, errors: new Map(), settings: { staleAfterS: 600 },
    t: dictionary('sv'), fmt, now: NOW });
  assert.equal(sv[0].text,
    'Data är inaktuell (genererad för 60s sedan). Fel: Ingen data ännu i mätserien heatpump; kontrollera att insamlaren skriver dit.');
});

test('a problem whose code the page does not know shows its English text', () => {
  const manifest = { ...fresh(), error: { code: 'source_failed', params: {}, text: 'something odd' } };
  assert.equal(banners(manifest)[0].text, 'The generator reports an error: something odd');
});

test('an archived day shows only errors', () => {
  const manifest = { ...fresh(), snapshot: '2026-01-14', stale: true, data_old: true };
  assert.deepEqual(banners(manifest), []);
});

test('what the source left out of the shown range and the live file is one quiet note', () => {
  const text = { code: 'text_values', params: { series: 'outdoor_temp', count: 1, first: '2026-01-01T00:00:00Z' }, text: 'x' };
  const future = { code: 'future_samples', params: { series: 'outdoor_temp', count: 2 }, text: 'y' };
  const out = banners(fresh(), { quality: [text], live: { latest_data_at: '2026-01-15T11:59:30Z', data_quality: [future] } });
  assert.deepEqual(out, [{ kind: 'quality', level: 'info', text:
    'Series outdoor_temp holds 1 text values (first <2026-01-01T00:00:00Z>); they are left out. '
    + 'Series outdoor_temp has 2 samples stamped in the future; they are left out.' }]);
});
