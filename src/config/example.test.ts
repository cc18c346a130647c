import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { DeploymentSchema } from './deployment-schema.js';
import { EXAMPLE_ENV_NAMES, renderExampleConfig } from './example.js';
import { ConfigError, parseConfig, rateLimitOf } from './load.js';
import { ConfigSchema } from './schema.js';

const ENV = Object.fromEntries(EXAMPLE_ENV_NAMES.map((name) => [name, `value-of-${name}`]));

test('the example config loads once its env variables are set, warning only that its endpoints are placeholders', () => {
  const { config, warnings } = parseConfig(renderExampleConfig(), ENV, 'holdfast.yaml');
  assert.deepEqual(warnings.map((w) => w.path), ['deployments.sweden.base_url', 'deployments.westeurope.base_url']);
  for (const w of warnings) assert.match(w.message, /is a placeholder \(the example that holdfast init writes\): put your resource's endpoint here/);
  assert.deepEqual(config.models['gpt-image-2']?.deployments, ['sweden', 'westeurope']);
  const sweden = config.deployments.sweden;
  assert.ok(sweden);
  assert.equal(sweden.deployment, 'gpt-image-2-1');
  assert.equal(sweden.region, 'swedencentral');
  assert.equal(sweden.idle_timeout_ms, 60000);
  assert.deepEqual(rateLimitOf(sweden), { requests: 10, windowMs: 60000 });
  assert.equal(config.deployments.westeurope?.api_key.reveal(), 'value-of-AZURE_WE_KEY');
});

test('the commented openai deployment is valid once uncommented', () => {
  const text = renderExampleConfig({ openaiEnabled: true });
  const { config } = parseConfig(text, { ...ENV, OPENAI_API_KEY: 'sk-x' }, 'holdfast.yaml');
  assert.equal(config.deployments.openai?.base_url, 'https://api.openai.com/v1');
  assert.equal(config.deployments.openai?.idle_timeout_ms, null);
  assert.ok(!renderExampleConfig().includes('\n  openai:'), 'the openai block is commented out by default');
});

test('the example shows every section and every deployment key', () => {
  const doc = parseDocument(renderExampleConfig()).toJS() as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc).sort(), Object.keys(ConfigSchema.properties).sort());
  const sweden = (doc.deployments as Record<string, Record<string, unknown>>).sweden ?? {};
  // rate_limit is written as its rpm shorthand; the two are mutually exclusive.
  const expected = Object.keys(DeploymentSchema.properties).filter((k) => k !== 'rate_limit').sort();
  assert.deepEqual(Object.keys(sweden).sort(), expected);
});

test('without its env variables the example is refused, naming each one', () => {
  assert.throws(() => parseConfig(renderExampleConfig(), {}, 'holdfast.yaml'), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    for (const name of EXAMPLE_ENV_NAMES) assert.match(error.message, new RegExp(`environment variable ${name} is not set`));
    return true;
  });
});
