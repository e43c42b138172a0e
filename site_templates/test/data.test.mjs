import test from 'node:test';
import assert from 'node:assert/strict';
import { epoch, fetchLiveFile, fetchRangeFile, isOlderManifest, rangeSpanMs, snapshotManifest } from '../src/data.js';

const index = { snapshots: [{ date: '2026-01-14', ranges: { '24h': 'archive/2026-01-14/24h.json' } }] };

test('epoch reads an ISO time as milliseconds', () => {
  assert.equal(epoch('2026-01-15T12:00:00Z'), Date.UTC(2026, 0, 15, 12));
});

test('epoch is null for a missing or invalid time', () => {
  assert.equal(epoch(null), null);
  assert.equal(epoch('soon'), null);
});

test('snapshotManifest makes a manifest of an archived day', () => {
  const manifest = snapshotManifest(index, '2026-01-14');
  assert.equal(manifest.snapshot, '2026-01-14');
  assert.deepEqual(manifest.ranges['24h'], {
    path: 'archive/2026-01-14/24h.json', hash: 'archive/2026-01-14/24h.json', generated_at: null, stale: false, error: null,
  });
  assert.equal(manifest.live, null);
});

test('snapshotManifest is null for a day the archive lacks', () => {
  assert.equal(snapshotManifest(index, '2026-01-13'), null);
});

test('isOlderManifest is true for a manifest generated before the shown one', () => {
  assert.equal(isOlderManifest({ generated_at: '2026-01-15T11:00:00Z' }, { generated_at: '2026-01-15T12:00:00Z' }), true);
});

test('isOlderManifest is false for a newer or undated manifest', () => {
  assert.equal(isOlderManifest({ generated_at: '2026-01-15T13:00:00Z' }, { generated_at: '2026-01-15T12:00:00Z' }), false);
  assert.equal(isOlderManifest({ generated_at: null }, { generated_at: '2026-01-15T12:00:00Z' }), false);
});

test('rangeSpanMs is the span from the file from and to', () => {
  assert.equal(rangeSpanMs({ from: '2026-01-15T11:00:00Z', to: '2026-01-15T12:00:00Z' }, '24h'), 3600e3);
});

test('rangeSpanMs falls back to the length the range key names', () => {
  assert.equal(rangeSpanMs({}, '7d'), 7 * 86400e3);
});

test('rangeSpanMs falls back to a day for a key that names no length', () => {
  assert.equal(rangeSpanMs({ from: '2026-01-15T12:00:00Z', to: '2026-01-15T12:00:00Z' }, 'all'), 86400e3);
});

test('a content-hashed file asked for again while on its way is downloaded once', async () => {
  const asked = [];
  globalThis.document = { getElementById: () => null };  // a live page: no embedded report
  globalThis.fetch = async (path) => {
    asked.push(path);
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { ok: true, json: async () => ({ path }) };
  };
  try {
    const [first, again] = await Promise.all([fetchRangeFile('data/24h.aaa.json'), fetchRangeFile('data/24h.aaa.json')]);
    assert.deepEqual(first, { path: 'data/24h.aaa.json' });
    assert.equal(again, first);
    assert.deepEqual(asked, ['data/24h.aaa.json']);
    await fetchLiveFile('data/live.bbb.json');
    await fetchRangeFile('data/24h.aaa.json');  // settled: a later request asks again (the cache answers it)
    assert.deepEqual(asked, ['data/24h.aaa.json', 'data/live.bbb.json', 'data/24h.aaa.json']);
  } finally {
    delete globalThis.fetch;
    delete globalThis.document;
  }
});
