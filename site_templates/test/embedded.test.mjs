import test from 'node:test';
import assert from 'node:assert/strict';
import { embeddedFile, embeddedRanges } from '../src/embedded.js';

const report = {
  snapshot: '2025-01-15',
  files: {
    'archive/2025-01-15/24h.json': { range: '24h' },
    'archive/index.json': { snapshots: [{ date: '2025-01-15', ranges: { '7d': 'a', '24h': 'b' } }] },
  },
};

test('embeddedFile finds a file by its path relative to the page', () => {
  assert.deepEqual(embeddedFile(report, './archive/2025-01-15/24h.json?x=1'), { range: '24h' });
});

test('embeddedFile returns a copy the page may change', () => {
  embeddedFile(report, 'archive/2025-01-15/24h.json').range = 'changed';
  assert.equal(report.files['archive/2025-01-15/24h.json'].range, '24h');
});

test('embeddedFile is undefined for a file the report lacks', () => {
  assert.equal(embeddedFile(report, 'manifest.json'), undefined);
});

test('embeddedRanges lists the ranges of the report day in the page order', () => {
  assert.deepEqual(embeddedRanges(report, ['1h', '24h', '7d', '30d']), ['24h', '7d']);
});
