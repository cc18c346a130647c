import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestKey, editDistance } from './closest-key.js';

test('typos (a swap, a missing or extra letter, a dash for an underscore) find their key; unrelated names do not', () => {
  assert.equal(editDistance('rmp', 'rpm'), 1);
  const keys = ['provider', 'base_url', 'idle_timeout_ms', 'response_timeout_ms', 'rpm', 'rate_limit', 'region'];
  assert.equal(closestKey('rmp', keys), 'rpm');
  assert.equal(closestKey('idle_timout_ms', keys), 'idle_timeout_ms');
  assert.equal(closestKey('idle-timeout-ms', keys), 'idle_timeout_ms');
  assert.equal(closestKey('idle_timeout', keys), 'idle_timeout_ms');
  assert.equal(closestKey('baseurl', keys), 'base_url');
  assert.equal(closestKey('colour', keys), undefined);
  assert.equal(closestKey('x', keys), undefined);
  assert.equal(closestKey('anything', []), undefined);
});
