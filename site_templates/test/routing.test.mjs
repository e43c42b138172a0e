import test from 'node:test';
import assert from 'node:assert/strict';
import { isSnapshotDate, pushView, readView, sameView, viewUrl } from '../src/routing.js';

const settings = { ranges: ['1h', '24h', '7d'], defaultRange: '24h', defaultSnapshot: null };
const report = { ranges: ['24h', '7d'], defaultRange: '24h', defaultSnapshot: '2025-01-15' };

test('readView takes the range from ?range=', () => {
  assert.deepEqual(readView(settings, '?range=7d'), { range: '7d', snapshot: null });
});

test('readView falls back to the default range for a range the page does not offer', () => {
  assert.equal(readView(settings, '?range=2h').range, '24h');
});

test('readView falls back to the default range without ?range=', () => {
  assert.equal(readView(settings, '').range, '24h');
});

test('readView takes the archived day from ?snapshot=', () => {
  assert.equal(readView(settings, '?snapshot=2026-01-14').snapshot, '2026-01-14');
});

test('readView ignores a snapshot that is not a YYYY-MM-DD date', () => {
  assert.equal(readView(settings, '?snapshot=yesterday').snapshot, null);
});

test('readView opens a report on its own day', () => {
  assert.equal(readView(report, '').snapshot, '2025-01-15');
});

test('viewUrl leaves the default range out of the URL', () => {
  assert.equal(viewUrl({ range: '24h', snapshot: null }, settings, 'http://host/?range=7d'), '/');
});

test('viewUrl writes another range into the URL', () => {
  assert.equal(viewUrl({ range: '7d', snapshot: null }, settings, 'http://host/'), '/?range=7d');
});

test('viewUrl writes the archived day into the URL', () => {
  assert.equal(viewUrl({ range: '24h', snapshot: '2026-01-14' }, settings, 'http://host/'), '/?snapshot=2026-01-14');
});

test('viewUrl drops the snapshot when going back to live', () => {
  assert.equal(viewUrl({ range: '24h', snapshot: null }, settings, 'http://host/?snapshot=2026-01-14'), '/');
});

test('viewUrl leaves out the day a report opens on', () => {
  assert.equal(viewUrl({ range: '7d', snapshot: '2025-01-15' }, report, 'file:///tmp/report.html'), '/tmp/report.html?range=7d');
});

test('viewUrl keeps other parameters and the fragment', () => {
  assert.equal(viewUrl({ range: '7d', snapshot: null }, settings, 'http://host/dash/?poll=2#x'), '/dash/?poll=2&range=7d#x');
});

test('isSnapshotDate accepts only YYYY-MM-DD', () => {
  assert.equal(isSnapshotDate('2026-01-14'), true);
  assert.equal(isSnapshotDate('2026-1-14'), false);
  assert.equal(isSnapshotDate(null), false);
});

test('sameView compares range and day', () => {
  assert.equal(sameView({ range: '7d', snapshot: null }, { range: '7d', snapshot: null }), true);
  assert.equal(sameView({ range: '7d', snapshot: null }, { range: '24h', snapshot: null }), false);
  assert.equal(sameView({ range: '7d', snapshot: null }, { range: '7d', snapshot: '2026-01-14' }), false);
});

test('pushView warns instead of throwing when the browser refuses pushState', (t) => {
  const warnings = [];
  t.mock.method(console, 'warn', (...args) => warnings.push(args));
  globalThis.history = { pushState() { throw new Error('SecurityError'); } };
  globalThis.location = { href: 'file:///tmp/report.html' };
  try {
    assert.doesNotThrow(() => pushView({ range: '7d', snapshot: null }, settings));
  } finally {
    delete globalThis.history;
    delete globalThis.location;
  }
  assert.equal(warnings.length, 1);
});

test('pushView adds a history entry with the view URL', () => {
  const pushed = [];
  globalThis.history = { pushState: (...args) => pushed.push(args) };
  globalThis.location = { href: 'http://host/?poll=2' };
  try {
    pushView({ range: '7d', snapshot: null }, settings);
  } finally {
    delete globalThis.history;
    delete globalThis.location;
  }
  assert.deepEqual(pushed, [[null, '', '/?poll=2&range=7d']]);
});
