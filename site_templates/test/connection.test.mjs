import test from 'node:test';
import assert from 'node:assert/strict';
import { LiveConnection, backoffDelay, goingAwayDelay, socketUrl } from '../src/connection.js';

test('backoffDelay doubles from one second', () => {
  const middle = () => 0.5;
  assert.deepEqual([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, middle)), [1000, 2000, 4000, 8000]);
});

test('backoffDelay jitters between half and one and a half times the step', () => {
  assert.equal(backoffDelay(1, () => 0), 1000);
  assert.equal(backoffDelay(1, () => 0.999999), 3000);
});

test('backoffDelay never waits more than thirty seconds', () => {
  assert.equal(backoffDelay(50, () => 0.999999), 30000);
});

test('goingAwayDelay waits half a second to three seconds', () => {
  assert.equal(goingAwayDelay(() => 0), 500);
  assert.equal(goingAwayDelay(() => 1), 3000);
});

test('socketUrl uses ws: on an http page', () => {
  assert.equal(socketUrl('/ws', { href: 'http://host:8050/dash/', protocol: 'http:' }), 'ws://host:8050/ws');
});

test('socketUrl uses wss: on an https page', () => {
  assert.equal(socketUrl('ws', { href: 'https://host/dash/', protocol: 'https:' }), 'wss://host/dash/ws');
});

function connection() {
  const seen = [];
  const live = new LiveConnection({ url: 'ws://x/ws', pollMs: 1000, fetchManifest: null,
    onManifest: (manifest, source) => seen.push([manifest, source]), onState: () => {} });
  return { live, seen };
}

test('a hello or update message passes its manifest on with its type', () => {
  const { live, seen } = connection();
  live.receive('{"type":"hello","manifest":{"ranges":{}}}');
  live.receive('{"type":"update","manifest":{"ranges":{"1h":{}}}}');
  assert.deepEqual(seen, [[{ ranges: {} }, 'hello'], [{ ranges: { '1h': {} } }, 'update']]);
});

test('a hello message resets the reconnect backoff', () => {
  const { live } = connection();
  live.attempt = 5;
  live.receive('{"type":"hello","manifest":{}}');
  assert.equal(live.attempt, 0);
});

test('a message that is not JSON is ignored with a warning', (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  const { live, seen } = connection();
  live.receive('not json');
  assert.deepEqual(seen, []);
  assert.equal(warn.mock.callCount(), 1);
});

test('a message of another type or without a manifest is ignored', () => {
  const { live, seen } = connection();
  live.receive('{"type":"ping"}');
  live.receive('{"type":"update"}');
  assert.deepEqual(seen, []);
});
