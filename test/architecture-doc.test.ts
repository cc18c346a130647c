// docs/architecture.md names files on the request path; this keeps every named file existing, so
// a move or rename updates the page in the same change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

function namedFiles(doc: string): string[] {
  return [...new Set([...doc.matchAll(/src\/[\w./-]+\.ts/g)].map((m) => m[0]))];
}

const missing = (doc: string): string[] => namedFiles(doc).filter((path) => !existsSync(new URL(`../${path}`, import.meta.url)));

test('every src/ file docs/architecture.md names exists', () => {
  const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');
  assert.ok(namedFiles(doc).length >= 20, 'the page names the files of the request path');
  assert.deepEqual(missing(doc), []);
});

test('a page naming a file that moved away is caught', () => {
  assert.deepEqual(missing('the runner (`src/engine/runner.ts`) calls `src/upstream/send-old.ts`'), ['src/upstream/send-old.ts']);
});
