import test from 'node:test';
import assert from 'node:assert/strict';
import { averageRunMinutes } from '../src/lifetime.js';
import { dictionary } from '../src/i18n.js';

test('the average run is the compressor hours over its starts, in minutes', () => {
  assert.equal(averageRunMinutes({ compressor_hours_total: 5000, compressor_starts_total: 3000 }), 100);
});

test('without starts or hours there is no average run', () => {
  assert.equal(averageRunMinutes({ compressor_hours_total: 5000 }), null);
  assert.equal(averageRunMinutes({ compressor_starts_total: 12 }), null);
  assert.equal(averageRunMinutes({ compressor_hours_total: 0, compressor_starts_total: 0 }), null);
});

test('the lifetime panel has every word in Swedish and English', () => {
  const sv = dictionary('sv').lifetime;
  const en = dictionary('en').lifetime;
  assert.deepEqual(Object.keys(sv).sort(), Object.keys(en).sort());
  assert.equal(sv.title, 'Livstid');
  assert.equal(en.title, 'Lifetime');
});
