import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigReference } from './reference.js';
import { ConfigSchema } from './schema.js';

const DOC = new URL('../../docs/configuration.md', import.meta.url);

test('docs/configuration.md is what scripts/gen-config-doc.ts generates from the schema now', () => {
  const committed = readFileSync(DOC, 'utf8');
  assert.ok(
    committed === renderConfigReference(),
    'docs/configuration.md is stale: run `npx tsx scripts/gen-config-doc.ts` and commit the result',
  );
});

test('the reference has a section per top-level key and a row per leaf key', () => {
  const doc = renderConfigReference();
  for (const section of Object.keys(ConfigSchema.properties)) assert.match(doc, new RegExp(`^## ${section}$`, 'm'));
  assert.match(doc, /^\| `deployments\.<name>\.idle_timeout_ms` \| integer ≥ 1 or null \| azure: `60000`; openai: `null` \|/m);
  assert.match(doc, /^\| `listen\.port` \| integer ≥ 0, ≤ 65535 \| `8080` \|/m);
  assert.match(doc, /^\| `deployments\.<name>\.api_key` \| string \(secret\) \| \*\*required\*\* \|/m);
});
