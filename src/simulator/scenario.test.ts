import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadScenario, parseScenarioYaml, ScenarioError } from './scenario.js';
import { SEED_SCENARIO_YAML } from './seed-scenario.js';

test('the built-in seed equals scenarios/seed.yaml and describes the report', async () => {
  assert.equal(readFileSync(new URL('../../scenarios/seed.yaml', import.meta.url), 'utf8'), SEED_SCENARIO_YAML);
  const seed = await loadScenario('seed');
  assert.deepEqual(seed.deployments.map((d) => [d.name, d.form, d.idleTimeoutMs]), [
    ['gpt-image-2-1', 'azure', 60_000], ['gpt-image-2-westeurope', 'azure', 60_000], ['gpt-image-2', 'openai', null],
  ]);
  assert.equal(seed.deployments[0].regionName, 'Sweden Central');
  assert.equal(seed.deployments[0].responseTimeoutMs, 300_000);
  assert.deepEqual(seed.deployments[2].contentPolicy, { pattern: 'forbidden|gore', flags: 'i' });
  assert.ok(Object.isFrozen(seed.deployments[0]));
});

test('a bad scenario lists every error with its path', () => {
  const bad = `
name: broken
deployments:
  - { name: a, form: azure, model: gpt-image-2, region: x }
  - name: b
    form: gcp
    rate_limit: { requests: 0 }
    faults: { large: { stream_error: 0.8, reset: 0.5 } }
    content_policy: { pattern: "(" }
  - { name: a, form: openai, model: gpt-image-2, latency_factor: -1, colour: red }
`;
  assert.throws(() => parseScenarioYaml(bad, 'bad.yaml'), (error: unknown) => {
    assert.ok(error instanceof ScenarioError);
    assert.deepEqual(error.problems, [
      'deployments[1].form: must be one of azure, openai',
      'deployments[1].model: is required',
      'deployments[1].rate_limit.requests: must be a positive integer',
      'deployments[1].faults.large: fault probabilities add up to 1.3, more than 1',
      "deployments[1].content_policy.pattern: not a valid regular expression: Invalid regular expression: /(/: Unterminated group",
      'deployments[2].colour: unknown key (allowed: name, form, model, region, region_name, key, latency_factor, idle_timeout_ms, stream_idle_timeout_ms, response_timeout_ms, rate_limit, faults, content_policy)',
      'deployments[2].latency_factor: must be a number > 0',
      "deployments[2].name: duplicate deployment name 'a'",
    ]);
    assert.match(error.message, /^invalid scenario bad\.yaml:\n {2}deployments\[1\]\.form/);
    return true;
  });
  assert.throws(() => parseScenarioYaml('deployments: [', 'x'), /not valid YAML/);
  assert.throws(() => parseScenarioYaml('name: x', 'x'), /deployments: must be a non-empty list/);
});
