import test from 'node:test';
import assert from 'node:assert/strict';
import { CHART_KEYS, RANGE_KEYS, mergeKeys, rangeLabel, rangeSeconds } from '../src/keys.js';

test('the fallback ranges run from the shortest to the longest', () => {
  assert.deepEqual(RANGE_KEYS, ['1h', '6h', '24h', '7d', '30d', '365d', 'all']);
});

// That they are the generator's charts in its order is checked from Python (tests/test_charts.py).
test('the fallback chart keys are distinct, starting with the energy flow', () => {
  assert.equal(new Set(CHART_KEYS).size, CHART_KEYS.length);
  assert.equal(CHART_KEYS[0], 'sankey');
});

test('mergeKeys keeps the known order when the data has the same keys sorted', () => {
  const sorted = { '1h': {}, '24h': {}, '30d': {}, '365d': {}, '6h': {}, '7d': {}, all: {} };
  assert.deepEqual(mergeKeys(RANGE_KEYS, sorted), RANGE_KEYS);
});

test('mergeKeys appends keys only the data has, in the data order', () => {
  assert.deepEqual(mergeKeys(['a', 'b'], { z: 1, b: 2, y: 3 }), ['a', 'b', 'z', 'y']);
});

test('mergeKeys keeps known keys the data lacks', () => {
  assert.deepEqual(mergeKeys(['24h', '7d', '30d'], { '7d': {} }), ['24h', '7d', '30d']);
});

test('mergeKeys ignores data that is not an object', () => {
  assert.deepEqual(mergeKeys(['a'], null), ['a']);
  assert.deepEqual(mergeKeys(['a'], undefined), ['a']);
  assert.deepEqual(mergeKeys(['a'], ['x']), ['a']);
});

test('mergeKeys does not change the known list', () => {
  const known = ['a'];
  mergeKeys(known, { b: 1 });
  assert.deepEqual(known, ['a']);
});

test('rangeSeconds reads hours and days from the key', () => {
  assert.deepEqual(RANGE_KEYS.map(rangeSeconds), [3600, 21600, 86400, 604800, 2592000, 31536000, null]);
});

test('rangeSeconds is null for a key that names no length', () => {
  assert.equal(rangeSeconds('all'), null);
  assert.equal(rangeSeconds('5m'), null);
  assert.equal(rangeSeconds(undefined), null);
});

test('rangeLabel puts a space between the number and the unit', () => {
  assert.deepEqual(RANGE_KEYS.map(rangeLabel), ['1 h', '6 h', '24 h', '7 d', '30 d', '365 d', 'all']);
});

test('rangeLabel leaves a key without a number as it is', () => {
  assert.equal(rangeLabel('all'), 'all');
});
