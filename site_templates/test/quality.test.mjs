import test from 'node:test';
import assert from 'node:assert/strict';
import { chartProblems, problemsOf, qualityRows } from '../src/quality.js';
import { dictionary } from '../src/i18n.js';
import { createFormat } from '../src/format.js';

const table = {
  columns: ['metric', 'coverage_pct', 'since', 'gaps', 'longest_gap_h', 'stuck_h', 'out_of_range', 'worst',
    'behind_h', 'future', 'flags'],
  rows: [
    ['outdoor_temp', 87.5, null, 1, 3, 0, 0, null, 0, 0, ['gaps']],
    ['power_electric', 100, null, 0, 0, 0, 2, 250000, 0, 0, ['range']],
    ['compressor_on', 100, null, 0, 0, 0, 0, null, 9, 0, []],
  ],
};

test('the table becomes one object per metric, and a file without one gives none', () => {
  const rows = qualityRows(table);
  assert.equal(rows[0].metric, 'outdoor_temp');
  assert.deepEqual(rows[1].flags, ['range']);
  assert.deepEqual(qualityRows(undefined), []);
});

test('each flag is a sentence in the page language', () => {
  const en = dictionary('en');
  const [gaps, range] = qualityRows(table).map((row) => problemsOf(row, en, createFormat('en', 'UTC')));
  assert.deepEqual(gaps, ['Outdoor: gaps in the data (1), longest 3.0 h']);
  assert.match(range[0], /^Electric power: 2 values outside physical bounds/);
});

test('a chart is badged by the flagged metrics it is drawn from only', () => {
  const charts = {
    cop: { _meta: { metrics: ['power_electric', 'compressor_on'] } },
    runtime: { _meta: { metrics: ['compressor_on'] } },
    old: { _meta: {} },
  };
  const found = chartProblems(charts, qualityRows(table), dictionary('sv'), createFormat('sv', 'UTC'));
  assert.equal(found.cop.length, 1);
  assert.deepEqual(found.runtime, []);
  assert.deepEqual(found.old, []);
});
