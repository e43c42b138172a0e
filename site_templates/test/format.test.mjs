import test from 'node:test';
import assert from 'node:assert/strict';
import { createFormat } from '../src/format.js';

const sv = createFormat('sv', 'Europe/Stockholm');
const en = createFormat('en', 'Europe/Stockholm');
const NBSP = '\u00a0';

test('Swedish numbers use a decimal comma', () => {
  assert.equal(sv.number(3.14159, 2), '3,14');
});

test('English numbers use a decimal point', () => {
  assert.equal(en.number(3.14159, 2), '3.14');
});

test('number shows one decimal unless told otherwise', () => {
  assert.equal(en.number(2), '2.0');
});

test('number shows a dash for a missing or non-finite value', () => {
  assert.equal(sv.number(null), '–');
  assert.equal(sv.number(undefined), '–');
  assert.equal(sv.number(Number.NaN), '–');
  assert.equal(sv.number(Infinity), '–');
});

test('an unknown language formats like Swedish', () => {
  assert.equal(createFormat('de', 'UTC').number(1.5, 1), '1,5');
});

test('auto shows two decimals below ten', () => {
  assert.equal(en.auto(1.836), '1.84');
});

test('auto shows one decimal from ten to a hundred', () => {
  assert.equal(en.auto(20.94), '20.9');
});

test('auto shows no decimals from a hundred, with a thousands separator', () => {
  assert.equal(sv.auto(1234.4), `1${NBSP}234`);
});

test('auto drops trailing zeros', () => {
  assert.equal(en.auto(2), '2');
});

test('auto shows a dash for a missing value', () => {
  assert.equal(en.auto(null), '–');
});

test('time is the clock time in the site zone', () => {
  assert.equal(sv.time('2026-01-15T11:05:00Z'), '12:05');
});

test('timeSeconds includes the seconds', () => {
  assert.equal(sv.timeSeconds('2026-01-15T11:05:07Z'), '12:05:07');
});

test('time shows a dash for an invalid time', () => {
  assert.equal(sv.time('not a time'), '–');
  assert.equal(sv.time(null), '–');
});

test('isoLocal writes a sortable time in the site zone', () => {
  assert.equal(sv.isoLocal('2026-07-01T22:30:00Z'), '2026-07-02 00:30:00');
});

test('isoLocal is the same whatever the page language', () => {
  assert.equal(en.isoLocal(Date.UTC(2026, 0, 15, 11, 0, 7)), '2026-01-15 12:00:07');
});

test('axisTime shows clock times within a day', () => {
  assert.equal(sv.axisTime('2026-01-15T11:00:00Z', 86400e3), '12:00');
});

test('axisTime shows the day at local midnight within a day', () => {
  assert.equal(en.axisTime('2026-01-14T23:00:00Z', 86400e3), '15 Jan');
});

test('axisTime shows the weekday at local midnight within a week', () => {
  assert.equal(en.axisTime('2026-01-14T23:00:00Z', 7 * 86400e3), 'Thu 15');
});

test('axisTime shows the day for a month', () => {
  assert.equal(en.axisTime('2026-01-15T11:00:00Z', 30 * 86400e3), '15 Jan');
});

test('axisTime shows the month on its first day for a year', () => {
  assert.equal(en.axisTime('2026-02-28T23:00:00Z', 365 * 86400e3), 'Mar');
});

test('axisTime shows the year on the first of January for a year', () => {
  assert.equal(en.axisTime('2025-12-31T23:00:00Z', 365 * 86400e3), '2026');
});

test('axisTime is empty for an invalid time', () => {
  assert.equal(en.axisTime(undefined, 86400e3), '');
});

test('tooltipTime shows day and clock time for short spans', () => {
  assert.equal(en.tooltipTime('2026-01-15T11:05:00Z', 7 * 86400e3), '15 Jan, 12:05');
});

test('tooltipTime shows the full date for long spans', () => {
  assert.equal(en.tooltipTime('2026-01-15T11:05:00Z', 365 * 86400e3), '15 Jan 2026');
});

test('age says seconds below a minute and a half', () => {
  assert.equal(en.age(45), '45 seconds');
});

test('age says minutes below an hour and a half', () => {
  assert.equal(sv.age(12 * 60), '12 minuter');
});

test('age says hours below a day and a half', () => {
  assert.equal(en.age(3 * 3600), '3 hours');
});

test('age says days from a day and a half', () => {
  assert.equal(en.age(2 * 86400), '2 days');
});

test('age treats a negative duration as none', () => {
  assert.equal(en.age(-5), '0 seconds');
});
