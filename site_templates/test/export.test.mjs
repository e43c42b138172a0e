import test from 'node:test';
import assert from 'node:assert/strict';
import { fileStem } from '../src/export.js';
import { createFormat } from '../src/format.js';

const fmt = createFormat('sv', 'Europe/Stockholm');

test('fileStem names the range and the archived day', () => {
  assert.equal(fileStem({ range: '7d', snapshot: '2026-01-14' }, fmt), 'heatpump-7d-2026-01-14');
});

test('fileStem of the live view names today in the site zone', () => {
  const now = Date.parse('2026-01-15T23:30:00Z');  // already the 16th in Stockholm
  assert.equal(fileStem({ range: '24h', snapshot: null }, fmt, now), 'heatpump-24h-2026-01-16');
});
