import test from 'node:test';
import assert from 'node:assert/strict';
import { rangeCsv } from '../src/csv.js';

const fmt = { timeZone: 'Europe/Stockholm', isoLocal: (ms) => `local(${ms})` };
const T1 = '2026-01-15T11:00:00Z';
const T2 = '2026-01-15T11:02:00Z';
const ms = (iso) => Date.parse(iso);

const lines = (text) => text.split('\r\n').slice(0, -1);

test('rangeCsv starts with the UTC and local time columns, then the dimensions', () => {
  const charts = { temperature: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'outdoor_temp'], source: [[T1, 1]] } } };
  assert.equal(lines(rangeCsv(charts, fmt))[0], 'time_utc,time_Europe/Stockholm,outdoor_temp');
});

test('rangeCsv writes one row per time in UTC and the site zone', () => {
  const charts = { temperature: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'outdoor_temp'], source: [[T1, -3.5]] } } };
  assert.equal(lines(rangeCsv(charts, fmt))[1], `2026-01-15T11:00:00.000Z,local(${ms(T1)}),-3.5`);
});

test('rangeCsv ends every line with CRLF', () => {
  const charts = { temperature: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'a'], source: [[T1, 1]] } } };
  assert.match(rangeCsv(charts, fmt), /^[^\n]*\r\n[^\n]*\r\n$/);
});

test('rangeCsv sorts the rows by time', () => {
  const charts = { temperature: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'a'], source: [[T2, 2], [T1, 1]] } } };
  assert.deepEqual(lines(rangeCsv(charts, fmt)).slice(1).map((line) => line.split(',')[2]), ['1', '2']);
});

test('rangeCsv takes a metric drawn in two charts once, from the first', () => {
  const charts = {
    temperature: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'supply_temp'], source: [[T1, 35]] } },
    valve: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'supply_temp', 'valve'], source: [[T1, 99, 1]] } },
  };
  const [header, row] = lines(rangeCsv(charts, fmt));
  assert.equal(header, 'time_utc,time_Europe/Stockholm,supply_temp,valve');
  assert.ok(row.endsWith(',35,1'));
});

test('rangeCsv joins charts on time and leaves missing values empty', () => {
  const charts = {
    a: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'a'], source: [[T1, 1]] } },
    b: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'b'], source: [[T2, 2]] } },
  };
  const rows = lines(rangeCsv(charts, fmt)).slice(1).map((line) => line.split(',').slice(2));
  assert.deepEqual(rows, [['1', ''], ['', '2']]);
});

test('rangeCsv skips charts that are not time series, and empty ones', () => {
  const charts = {
    sankey: { series: [{ type: 'sankey', data: [{ name: 'x' }] }] },
    empty: { _empty: true, xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'gone'], source: [[T1, 1]] } },
  };
  assert.equal(rangeCsv(charts, fmt), 'time_utc,time_Europe/Stockholm\r\n');
});

test('rangeCsv reads a dataset whose first row is the header', () => {
  const charts = { a: { xAxis: { type: 'time' }, dataset: { source: [['time', 'cop'], [T1, 3.2]] } } };
  assert.deepEqual(lines(rangeCsv(charts, fmt)).map((line) => line.split(',').slice(2)), [['cop'], ['3.2']]);
});

test('rangeCsv reads a dataset of objects', () => {
  const charts = { a: { xAxis: { type: 'time' }, dataset: { source: [{ t: T1, power: 1200 }] } } };
  assert.deepEqual(lines(rangeCsv(charts, fmt)).map((line) => line.split(',').slice(2)), [['power'], ['1200']]);
});

test('rangeCsv uses series points when a chart has no dataset', () => {
  const charts = { a: { xAxis: { type: 'time' }, series: [{ name: 'COP', data: [[T1, 3], { value: [T2, 4] }] }] } };
  assert.deepEqual(lines(rangeCsv(charts, fmt)).map((line) => line.split(',').slice(2)), [['COP'], ['3'], ['4']]);
});

test('rangeCsv quotes cells with commas and quotes', () => {
  const charts = { a: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'note, "x"'], sourceHeader: false, source: [[T1, 'a,b']] } } };
  const [header, row] = lines(rangeCsv(charts, fmt));
  assert.ok(header.endsWith(',"note, ""x"""'));
  assert.ok(row.endsWith(',"a,b"'));
});

test('rangeCsv writes a null value as an empty cell', () => {
  const charts = { a: { xAxis: { type: 'time' }, dataset: { dimensions: ['time', 'a'], source: [[T1, null]] } } };
  assert.ok(lines(rangeCsv(charts, fmt))[1].endsWith(','));
});

test('rangeCsv of no charts is only the header', () => {
  assert.equal(rangeCsv(undefined, fmt), 'time_utc,time_Europe/Stockholm\r\n');
});
