import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ConfigError, parseConfig, rateLimitOf, toResolvedView } from './load.js';
import { isSecret } from './secret.js';

const ENV = { HOLDFAST_KEY: 'hk-secret-1', AZURE_SWEDEN_KEY: 'sw-secret-2', AZURE_WE_KEY: 'we-secret-3', OPENAI_API_KEY: 'oa-secret-4' };
const SECRET_VALUES = Object.values(ENV);

const MINIMAL = `
models:
  gpt-image-2: { deployments: [sweden] }
deployments:
  sweden: { provider: azure, base_url: https://x.openai.azure.com, deployment: gpt-image-2-1, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2 }
`;

const ISSUE_EXAMPLE = `
listen: { host: 127.0.0.1, port: 8080 }
auth: { keys: [env:HOLDFAST_KEY] }
streaming: { heartbeat_interval_ms: 15000 }
retry: { max_attempts: 4, base_delay_ms: 1000, max_delay_ms: 30000 }
models:
  gpt-image-2: { deployments: [sweden, westeurope] }
deployments:
  sweden: { provider: azure, base_url: https://example-resource.services.ai.azure.com, deployment: gpt-image-2-1, api_version: 2025-04-01-preview, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, idle_timeout_ms: 60000 }
  westeurope: { provider: azure, base_url: https://we.openai.azure.com, deployment: gpt-image-2, api_version: 2025-04-01-preview, api_key: env:AZURE_WE_KEY, model: gpt-image-2 }
  openai: { provider: openai, base_url: https://api.openai.com/v1, api_key: env:OPENAI_API_KEY, model: gpt-image-2 }
`;

function issuesOf(text: string, env: Record<string, string> = ENV): string[] {
  try {
    parseConfig(text, env, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

test('a minimal config gets every default and is deeply frozen', () => {
  const { config } = parseConfig(MINIMAL, ENV, 'test.yaml');
  assert.deepEqual(config.listen, { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(config.store, { kind: 'sqlite', path: './holdfast-data/holdfast.db', url: null, prefix: 'holdfast:' });
  assert.equal(config.jobs.default_deadline_ms, 900000);
  assert.equal(config.webhooks.secret, null);
  assert.equal(config.log.level, 'info');
  assert.deepEqual(config.models['gpt-image-2']?.queue, { max_depth: 100, max_wait_ms: 120000 });
  const sweden = config.deployments.sweden;
  assert.ok(sweden);
  assert.equal(sweden.api_version, '2025-04-01-preview');
  assert.equal(sweden.idle_timeout_ms, 60000);
  assert.equal(sweden.response_timeout_ms, 300000);
  assert.equal(sweden.upstream_mode, 'auto');
  assert.equal(sweden.weight, 1);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.deployments) && Object.isFrozen(sweden.headers));
  assert.throws(() => { (config.listen as { port: number }).port = 1; }, TypeError);
});

test("the issue's example parses, with provider defaults per deployment", () => {
  const { config, warnings } = parseConfig(ISSUE_EXAMPLE, ENV, 'holdfast.yaml');
  assert.deepEqual(Object.keys(config.deployments), ['sweden', 'westeurope', 'openai']);
  assert.equal(config.deployments.openai?.idle_timeout_ms, null);
  assert.equal(config.deployments.openai?.response_timeout_ms, null);
  assert.equal(config.deployments.westeurope?.idle_timeout_ms, 60000);
  assert.equal(config.deployments.sweden?.api_key.reveal(), 'sw-secret-2');
  assert.equal(config.auth.keys[0]?.reveal(), 'hk-secret-1');
  // Its sweden endpoint is the placeholder that `holdfast init` writes.
  assert.deepEqual(warnings.map((w) => w.path), ['deployments.sweden.base_url', 'deployments.openai']);
});

test('secrets never appear in JSON, String, util.inspect or the resolved view', () => {
  const { config } = parseConfig(ISSUE_EXAMPLE, ENV, 'holdfast.yaml');
  const renderings = [
    JSON.stringify(config),
    String(config.deployments.sweden?.api_key),
    inspect(config, { depth: 20, showHidden: true }),
    JSON.stringify(toResolvedView(config)),
  ];
  for (const text of renderings) {
    for (const value of SECRET_VALUES) assert.ok(!text.includes(value), `leaked ${value} in ${text.slice(0, 80)}`);
  }
  const view = toResolvedView(config) as { deployments: { sweden: { api_key: unknown } } };
  assert.equal(view.deployments.sweden.api_key, '[redacted]');
});

test('a missing environment variable is an error at the path that names it', () => {
  const { AZURE_SWEDEN_KEY: _omit, ...env } = ENV;
  assert.deepEqual(issuesOf(MINIMAL, env), ['deployments.sweden.api_key: environment variable AZURE_SWEDEN_KEY is not set']);
});

test('env:NAME works in any value, and header values become Secrets', () => {
  const text = `
models: { gpt-image-2: { deployments: [sweden] } }
deployments:
  sweden:
    provider: azure
    base_url: https://x.openai.azure.com
    deployment: gpt-image-2-1
    api_key: env:AZURE_SWEDEN_KEY
    model: gpt-image-2
    region: env:REGION
    concurrency: env:CONCURRENCY
    headers: { Ocp-Apim-Subscription-Key: env:APIM_KEY, X-Team: images }
`;
  const { config } = parseConfig(text, { ...ENV, APIM_KEY: 'apim-secret', REGION: 'swedencentral', CONCURRENCY: '4' }, 't.yaml');
  const sweden = config.deployments.sweden;
  assert.equal(sweden?.region, 'swedencentral');
  assert.equal(sweden?.concurrency, 4, 'a number-typed key takes its env value as a number');
  assert.ok(isSecret(sweden?.headers['Ocp-Apim-Subscription-Key']));
  assert.equal(sweden?.headers['Ocp-Apim-Subscription-Key']?.reveal(), 'apim-secret');
  assert.equal(sweden?.headers['X-Team']?.reveal(), 'images');
  assert.ok(!JSON.stringify(config).includes('apim-secret'));
});

test('a file with several errors reports every one of them with its path', () => {
  const text = `
listen: { hots: 127.0.0.1, port: 70000 }
store: { kind: postgres }
models:
  gpt-image-2: { deployments: [sweden, westeuro] }
deployments:
  sweden: { provider: azure, base_url: not-a-url, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, rpm: 10, rate_limit: { requests: 5 } }
  other: { provider: gcp, base_url: https://x.example.com, api_key: env:NOPE }
`;
  assert.deepEqual(issuesOf(text), [
    "listen.hots: unknown key (did you mean 'host'?)",
    'listen.port: must be an integer ≥ 0, ≤ 65535',
    "store.kind: must be one of 'sqlite', 'memory', 'redis'",
    "models.gpt-image-2.deployments[1]: unknown deployment 'westeuro'",
    'deployments.sweden.deployment: is required for provider azure',
    'deployments.sweden.base_url: must be an http(s) URL',
    'deployments.sweden.rpm: set either rpm or rate_limit, not both',
    'deployments.other.model: is required',
    "deployments.other.provider: must be one of 'azure', 'openai'",
    'deployments.other.api_key: environment variable NOPE is not set',
  ]);
});

test('the ConfigError message lists every issue, one per line', () => {
  const error = (() => {
    try { parseConfig('listen: { hots: x }\n', ENV, 'f.yaml'); } catch (e) { return e; }
    return undefined;
  })();
  assert.ok(error instanceof ConfigError);
  assert.match(error.message, /^invalid configuration f\.yaml \(3 errors\):/);
  assert.match(error.message, /\n {2}listen\.hots: unknown key/);
  assert.match(error.message, /\n {2}models: is required/);
  assert.match(error.message, /\n {2}deployments: is required/);
});

test('YAML syntax errors carry the line and column', () => {
  assert.deepEqual(issuesOf('listen:\n  host: x\n port: 3\n'), ['test.yaml:3:1: YAML syntax error: All mapping items must start at the same column']);
  assert.match(issuesOf('a: 1\na: 2\n')[0] ?? '', /^test\.yaml:2:1: YAML syntax error: Map keys must be unique/);
});

test('empty models and deployments, and a non-mapping file, are refused', () => {
  assert.deepEqual(issuesOf('models: {}\ndeployments: {}\n'), ['models: must have at least one entry', 'deployments: must have at least one entry']);
  assert.deepEqual(issuesOf('- a\n- b\n'), ['(root): must be a mapping of sections (listen, models, deployments, …)']);
});

test('a section whose keys are all commented out means all defaults', () => {
  const { config } = parseConfig(`listen:\n  # port: 9000\n${MINIMAL}`, ENV, 't.yaml');
  assert.equal(config.listen.port, 8080);
});

test('literal keys and an empty auth.keys are accepted with warnings', () => {
  const text = MINIMAL.replace('env:AZURE_SWEDEN_KEY', 'sk-literal-key');
  const { config, warnings } = parseConfig(text, ENV, 't.yaml');
  assert.equal(config.deployments.sweden?.api_key.source, 'literal');
  assert.deepEqual(warnings.map((w) => w.path).sort(), ['auth.keys', 'deployments.sweden.api_key']);
  assert.ok(!warnings.some((w) => w.message.includes('sk-literal-key')));
});

test('rateLimitOf reads rate_limit or the rpm shorthand', () => {
  const text = `
models: { m: { deployments: [a, b, c] } }
deployments:
  a: { provider: openai, base_url: https://api.openai.com/v1, api_key: k, model: gpt-image-1, rpm: 10 }
  b: { provider: openai, base_url: https://api.openai.com/v1, api_key: k, model: gpt-image-1, rate_limit: { requests: 3 } }
  c: { provider: openai, base_url: https://api.openai.com/v1, api_key: k, model: gpt-image-1 }
`;
  const { config } = parseConfig(text, ENV, 't.yaml');
  assert.deepEqual(rateLimitOf(config.deployments.a!), { requests: 10, windowMs: 60000 });
  assert.deepEqual(rateLimitOf(config.deployments.b!), { requests: 3, windowMs: 60000 });
  assert.equal(rateLimitOf(config.deployments.c!), undefined);
});

test('admin.keys holds secrets, and a key listed as a client key too is refused', () => {
  const { config } = parseConfig(`admin: { keys: [env:AZURE_WE_KEY] }\n${MINIMAL}`, ENV, 't.yaml');
  assert.equal(config.admin.keys.length, 1);
  assert.ok(isSecret(config.admin.keys[0]));
  assert.equal(parseConfig(MINIMAL, ENV, 't.yaml').config.admin.keys.length, 0);
  assert.deepEqual(
    issuesOf(`auth: { keys: [env:HOLDFAST_KEY] }\nadmin: { keys: [env:HOLDFAST_KEY] }\n${MINIMAL}`),
    ['admin.keys[0]: must not also be a client key (auth.keys)'],
  );
});
