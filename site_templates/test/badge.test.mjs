import test from 'node:test';
import assert from 'node:assert/strict';
import { badgeText } from '../src/badge.js';
import { dictionary } from '../src/i18n.js';

const sv = { t: dictionary('sv'), pollMs: 30000, snapshot: null };

test('the badge says connected and disconnected in the page language', () => {
  assert.equal(badgeText('connected', sv), 'Ansluten');
  assert.equal(badgeText('disconnected', sv), 'Frånkopplad');
});

test('the polling badge says the interval in whole seconds', () => {
  assert.equal(badgeText('polling', { ...sv, pollMs: 2400 }), 'Uppdaterar var 2 s');
});

test('the snapshot badge names the archived day', () => {
  assert.equal(badgeText('snapshot', { ...sv, snapshot: '2026-01-14' }), 'Arkiv 2026-01-14');
});

test('the report badge names its day', () => {
  assert.equal(badgeText('report', { ...sv, t: dictionary('en'), snapshot: '2025-01-15' }), 'Report 2025-01-15');
});

test('the report badge of a report without a day has no trailing space', () => {
  assert.equal(badgeText('report', sv), 'Rapport');
});

test('an unknown state is shown as it is', () => {
  assert.equal(badgeText('reconnecting', sv), 'reconnecting');
});
