// The store and blob sections as an operator writes them: each kind's required keys are reported
// with their path, secrets stay wrapped, and Redis without shared blobs is warned about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ConfigError, parseConfig } from './load.js';

const BASE = `
models:
  m: { deployments: [d] }
deployments:
  d: { provider: openai, base_url: https://api.openai.com/v1, api_key: env:KEY, model: gpt-image-1 }
`;
const ENV = { KEY: 'sk-1', REDIS_URL: 'redis://:pw-secret@10.0.0.5:6379', AZ: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=az-secret;' };

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, ENV, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

test('the defaults are a SQLite store with blobs on disk', () => {
  const { config } = parseConfig(BASE, ENV);
  assert.equal(config.store.kind, 'sqlite');
  assert.equal(config.store.prefix, 'holdfast:');
  assert.deepEqual({ ...config.blobs }, { kind: 'disk', path: './holdfast-data/images', connection_string: null, container: null });
});

test('a Redis store with Azure blobs loads, with the URL and connection string kept secret', () => {
  const { config, warnings } = parseConfig(`${BASE}
store: { kind: redis, url: env:REDIS_URL, prefix: 'gw1:' }
blobs: { kind: azure, connection_string: env:AZ, container: holdfast-images }
`, ENV);
  assert.equal(config.store.url?.reveal(), ENV.REDIS_URL);
  assert.equal(config.blobs.connection_string?.reveal(), ENV.AZ);
  assert.equal(config.blobs.container, 'holdfast-images');
  assert.doesNotMatch(inspect(config, { depth: 10 }) + JSON.stringify(config), /pw-secret|az-secret/);
  assert.deepEqual(warnings.filter((w) => w.path.startsWith('blobs')), []);
});

test('each kind\'s missing keys are reported by path, in one pass', () => {
  assert.deepEqual(issuesOf(`${BASE}
store: { kind: redis }
blobs: { kind: azure }
`), [
    'store.url: is required for store.kind redis (usually env:REDIS_URL)',
    'blobs.connection_string: is required for blobs.kind azure (usually env:NAME)',
    'blobs.container: is required for blobs.kind azure',
  ]);
});

test('an invalid container name and an unknown blob kind are refused', () => {
  const issues = issuesOf(`${BASE}
blobs: { kind: s3, connection_string: env:AZ, container: Holdfast--Images }
`);
  assert.ok(issues.some((i) => i.startsWith('blobs.kind:')), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith('blobs.container: must be an Azure container name: 3-63 lower-case')), issues.join('\n'));
});

test('Redis with blobs on disk warns that every replica must share the folder', () => {
  const { warnings } = parseConfig(`${BASE}
store: { kind: redis, url: env:REDIS_URL }
`, ENV);
  assert.ok(warnings.some((w) => w.path === 'blobs.path' && /every replica must see this same folder/.test(w.message)));
});
