import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bodyOf, createError, errorBody, errorCatalogue, GatewayError } from './errors.js';

test('docs/errors.md has exactly one row per catalogue code, with its status', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])] as const);
  const documented = new Map(rows);
  assert.equal(documented.size, rows.length, 'no code documented twice');
  assert.deepEqual([...documented.keys()].sort(), Object.keys(errorCatalogue).sort());
  for (const [code, spec] of Object.entries(errorCatalogue)) assert.equal(documented.get(code), spec.status, code);
});

test('a GatewayError carries its catalogue status and type', () => {
  const error = new GatewayError('invalid_value', 'bad size', { param: 'size' });
  assert.equal(error.status, 400);
  assert.equal(error.type, 'invalid_request_error');
  assert.equal(error.param, 'size');
});

test('createError fills the message from the catalogue template', () => {
  const error = createError('job_not_found', ['job_1'], { param: 'id' });
  assert.equal(error.message, "No job 'job_1'.");
  assert.equal(error.status, 404);
  assert.equal(error.type, 'not_found_error');
  assert.deepEqual(bodyOf(error), { error: { message: "No job 'job_1'.", type: 'not_found_error', param: 'id', code: 'job_not_found' } });
  assert.deepEqual(errorBody('deadline_exceeded', []), { error: { message: 'The job missed its deadline.', type: 'server_error', param: null, code: 'deadline_exceeded' } });
});
