import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSeededRandom } from '../time/random.js';
import { drawFault } from './faults.js';
import { loadScenario } from './scenario.js';

test('the seed profile fails about a third of 2048x2048 generations and none at 1024x1024', async () => {
  const seed = await loadScenario('seed');
  const profile = seed.deployments[0].faults;
  const random = createSeededRandom(1);
  let large = 0;
  let small = 0;
  for (let i = 0; i < 3000; i++) {
    if (drawFault(profile, { pixels: 2048 * 2048, isEdit: false }, random)?.kind === 'stream_error') large += 1;
    if (drawFault(profile, { pixels: 1024 * 1024, isEdit: false }, random)) small += 1;
  }
  assert.ok(large > 900 && large < 1080, String(large));
  assert.equal(small, 0);
});

test('edit errors only strike edits, and 1536x1536 is medium', () => {
  const random = createSeededRandom(1);
  const profile = { all: { streamError: 0, reset: 0, http500: 0, http503: 0, editError: 1, afterPartial: 0 } };
  assert.equal(drawFault(profile, { pixels: 1024 * 1024, isEdit: false }, random), undefined);
  assert.equal(drawFault(profile, { pixels: 1024 * 1024, isEdit: true }, random)?.kind, 'edit_error');
  const medium = { medium: { streamError: 0, reset: 0, http500: 1, http503: 0, editError: 0, afterPartial: 0 } };
  assert.equal(drawFault(medium, { pixels: 1536 * 1536, isEdit: false }, random)?.kind, 'http_500');
  assert.equal(drawFault(medium, { pixels: 1536 * 1552, isEdit: false }, random), undefined);
});
