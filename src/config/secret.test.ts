import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { isSecret, Secret } from './secret.js';

test('a Secret prints as [redacted] in every form and only reveal() gives the value', () => {
  const s = new Secret('sk-very-secret', 'env:KEY');
  assert.equal(String(s), '[redacted]');
  assert.equal(`${s}`, '[redacted]');
  assert.equal(JSON.stringify({ s }), '{"s":"[redacted]"}');
  assert.equal(inspect(s), '[redacted]');
  assert.ok(!inspect({ nested: { s } }, { depth: 10, showHidden: true }).includes('sk-very-secret'));
  assert.equal(s.reveal(), 'sk-very-secret');
  assert.equal(s.source, 'env:KEY');
});

test('matches() compares a presented key with the secret', () => {
  const s = new Secret('client-key-1', 'literal');
  assert.equal(s.matches('client-key-1'), true);
  assert.equal(s.matches('client-key-2'), false);
  assert.equal(s.matches(''), false);
});

test('isSecret tells Secrets from strings', () => {
  assert.equal(isSecret(new Secret('x', 'literal')), true);
  assert.equal(isSecret('[redacted]'), false);
  assert.equal(isSecret(undefined), false);
});
