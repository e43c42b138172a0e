import test from 'node:test';
import assert from 'node:assert/strict';
import { readSettings } from '../src/settings.js';
import { RANGE_KEYS } from '../src/keys.js';

const root = (dataset = {}, lang = 'en') => ({ dataset, lang });

test('readSettings takes the ranges and default range from <html data-*>', () => {
  const settings = readSettings(root({ ranges: '24h, 7d', defaultRange: '7d' }), '', null);
  assert.deepEqual(settings.ranges, ['24h', '7d']);
  assert.equal(settings.defaultRange, '7d');
});

test('readSettings falls back to the one list of ranges without data-ranges', () => {
  assert.deepEqual(readSettings(root(), '', null).ranges, RANGE_KEYS);
});

test('readSettings defaults to the first range when the default is not offered', () => {
  assert.equal(readSettings(root({ ranges: '6h,24h', defaultRange: '7d' }), '', null).defaultRange, '6h');
});

test('readSettings falls back to Swedish for a language the page lacks', () => {
  assert.equal(readSettings(root({}, 'de'), '', null).lang, 'sv');
});

test('readSettings lets ?poll= shorten the polling interval', () => {
  assert.equal(readSettings(root({ pollS: '30' }), '?poll=2', null).pollMs, 2000);
  assert.equal(readSettings(root({ pollS: '10' }), '', null).pollMs, 10000);
  assert.equal(readSettings(root({ pollS: '-1' }), '?poll=x', null).pollMs, 30000);
});

test('readSettings keeps a valid time zone and replaces an invalid one', () => {
  assert.equal(readSettings(root({ timezone: 'Europe/Stockholm' }), '', null).timeZone, 'Europe/Stockholm');
  assert.notEqual(readSettings(root({ timezone: 'Mars/Olympus' }), '', null).timeZone, 'Mars/Olympus');
});

test('readSettings of a served page is no report and opens live', () => {
  const settings = readSettings(root(), '', null);
  assert.equal(settings.report, false);
  assert.equal(settings.defaultSnapshot, null);
});

test('readSettings of a report offers only its ranges and opens on its day', () => {
  const report = {
    snapshot: '2025-01-15',
    files: { 'archive/index.json': { snapshots: [{ date: '2025-01-15', ranges: { '7d': 'a', '24h': 'b' } }] } },
  };
  const settings = readSettings(root({ defaultRange: '24h' }), '', report);
  assert.deepEqual(settings.ranges, ['24h', '7d']);
  assert.equal(settings.report, true);
  assert.equal(settings.defaultSnapshot, '2025-01-15');
});
