import test from 'node:test';
import assert from 'node:assert/strict';
import { LANGUAGES, dictionary, fill } from '../src/i18n.js';
import { CHART_KEYS } from '../src/keys.js';

test('fill replaces a placeholder with its value', () => {
  assert.equal(fill('Updated {time}', { time: '12:00' }), 'Updated 12:00');
});

test('fill replaces every occurrence of a placeholder', () => {
  assert.equal(fill('{a} and {a}', { a: 'x' }), 'x and x');
});

test('fill writes numbers as text', () => {
  assert.equal(fill('every {s} s', { s: 30 }), 'every 30 s');
});

test('fill keeps a placeholder it has no value for', () => {
  assert.equal(fill('{what}: {error}', { what: 'manifest.json' }), 'manifest.json: {error}');
});

test('fill keeps an empty-string value rather than the placeholder', () => {
  assert.equal(fill('Report {date}', { date: '' }), 'Report ');
});

test('dictionary falls back to Swedish for an unknown language', () => {
  assert.equal(dictionary('de'), dictionary('sv'));
});

test('the page speaks Swedish and English', () => {
  assert.deepEqual(LANGUAGES, ['sv', 'en']);
});

function shape(value) {
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]).sort());
  }
  return typeof value;
}

test('every language has the same texts', () => {
  assert.deepEqual(shape(dictionary('en')), shape(dictionary('sv')));
});

test('every language labels every fallback chart key', () => {
  for (const lang of LANGUAGES) {
    for (const key of CHART_KEYS) assert.equal(typeof dictionary(lang).charts[key], 'string', `${lang} ${key}`);
  }
});
