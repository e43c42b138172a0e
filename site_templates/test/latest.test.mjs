import test from 'node:test';
import assert from 'node:assert/strict';
import { latestWins } from '../src/latest.js';

test('a request just started is the newest', () => {
  const loads = latestWins();
  const isNewest = loads.start();
  assert.equal(isNewest(), true);
});

test('a later request makes the earlier one outdated', () => {
  const loads = latestWins();
  const first = loads.start();
  const second = loads.start();
  assert.equal(first(), false);
  assert.equal(second(), true);
});

test('cancel makes the request on its way outdated', () => {
  const loads = latestWins();
  const isNewest = loads.start();
  loads.cancel();
  assert.equal(isNewest(), false);
});

test('two helpers do not outdate each other', () => {
  const ranges = latestWins();
  const live = latestWins();
  const range = ranges.start();
  live.start();
  assert.equal(range(), true);
});

test('run resolves to the value of a task that is still the newest', async () => {
  const loads = latestWins();
  assert.deepEqual(await loads.run(async () => 42), { current: true, ok: true, value: 42 });
});

test('run resolves to the error of a task that threw, without throwing', async () => {
  const loads = latestWins();
  const error = new Error('HTTP 404');
  assert.deepEqual(await loads.run(async () => { throw error; }), { current: true, ok: false, error });
});

test('run marks an answer outdated when a newer run started while it was on its way', async () => {
  const loads = latestWins();
  let answer;
  const slow = loads.run(() => new Promise((resolve) => { answer = resolve; }));
  const fast = await loads.run(async () => 'new');
  answer('old');
  assert.equal((await slow).current, false);
  assert.equal(fast.current, true);
});

test('run marks an answer outdated when cancel came while it was on its way', async () => {
  const loads = latestWins();
  let answer;
  const pending = loads.run(() => new Promise((resolve) => { answer = resolve; }));
  loads.cancel();
  answer('late');
  assert.equal((await pending).current, false);
});
