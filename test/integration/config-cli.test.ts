// `holdfast config check` and `holdfast init`: through their functions, and through a real
// commander program in a child process for the exit codes.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runConfigCheck, type CliOutput } from '../../src/cli/config-check.js';
import { runInit } from '../../src/cli/init.js';
import { EXAMPLE_ENV_NAMES } from '../../src/config/example.js';

const ENV = Object.fromEntries(EXAMPLE_ENV_NAMES.map((name) => [name, `s3cret-${name}`]));
const REPO = new URL('../../', import.meta.url);

const PROGRAM = `
import { Command } from 'commander';
import { registerConfigCheckCommand } from './src/cli/config-check.ts';
import { registerInitCommand } from './src/cli/init.ts';
const program = new Command('holdfast');
registerConfigCheckCommand(program);
registerInitCommand(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });
`;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function capture(): CliOutput & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (s: string) => { io.stdout += s; }, err: (s: string) => { io.stderr += s; } };
  return io;
}

function holdfast(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROGRAM, ...args], {
    cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL',
  });
}

test('init writes an example that config check accepts, and prints it with secrets masked', (t) => {
  const file = join(tempDir(t), 'holdfast.yaml');
  const init = capture();
  assert.equal(runInit({ out: file, force: false }, init), 0);
  assert.match(init.stdout, /wrote .*holdfast\.yaml/);
  const check = capture();
  assert.equal(runConfigCheck(file, ENV, check), 0);
  // Valid, but its endpoints are the example's: config check says so until they are replaced.
  assert.deepEqual(check.stderr.trim().split('\n').map((l) => l.replace(/ is a placeholder.*/, '')), [
    'warning: deployments.sweden.base_url: example-resource.services.ai.azure.com',
    'warning: deployments.westeurope.base_url: example-we.openai.azure.com',
  ]);
  const resolved = parse(check.stdout) as { deployments: Record<string, { api_key: string; idle_timeout_ms: number }> };
  assert.equal(resolved.deployments.sweden?.api_key, '[redacted]');
  assert.equal(resolved.deployments.westeurope?.idle_timeout_ms, 60000);
  for (const value of Object.values(ENV)) assert.ok(!check.stdout.includes(value));
});

test('init refuses to overwrite an existing file unless --force is given', (t) => {
  const file = join(tempDir(t), 'holdfast.yaml');
  writeFileSync(file, 'mine: true\n');
  const refused = capture();
  assert.equal(runInit({ out: file, force: false }, refused), 1);
  assert.match(refused.stderr, /already exists; use --force/);
  assert.equal(readFileSync(file, 'utf8'), 'mine: true\n');
  assert.equal(runInit({ out: file, force: true }, capture()), 0);
  assert.match(readFileSync(file, 'utf8'), /^deployments:$/m);
});

test('config check prints every error on its own line and returns 2', (t) => {
  const file = join(tempDir(t), 'bad.yaml');
  writeFileSync(file, [
    'listen: { hots: 127.0.0.1 }',
    'models: { gpt-image-2: { deployments: [sweden, westeuro] } }',
    'deployments:',
    '  sweden: { provider: azure, base_url: nope, deployment: d, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2 }',
  ].join('\n'));
  const io = capture();
  assert.equal(runConfigCheck(file, ENV, io), 2);
  assert.equal(io.stdout, '');
  const lines = io.stderr.trim().split('\n');
  assert.match(lines[0] ?? '', /bad\.yaml: invalid configuration \(3 errors\)/);
  assert.deepEqual(lines.slice(1), [
    "listen.hots: unknown key (did you mean 'host'?)",
    "models.gpt-image-2.deployments[1]: unknown deployment 'westeuro'",
    'deployments.sweden.base_url: must be an http(s) URL',
  ]);
});

test('config check on a missing file returns 2 and names the file', (t) => {
  const file = join(tempDir(t), 'absent.yaml');
  const io = capture();
  assert.equal(runConfigCheck(file, ENV, io), 2);
  assert.ok(io.stderr.includes(`${file}: no such file`));
});

test('the holdfast program exits 0 for a valid file and 2 for an invalid one', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'holdfast.yaml');
  const init = holdfast(['init', '--out', file], {});
  assert.equal(init.status, 0, init.stderr);

  const ok = holdfast(['config', 'check', file], ENV);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /api_key: "\[redacted\]"/);

  const missingEnv = holdfast(['config', 'check', file], { HOLDFAST_KEY: 'k' });
  assert.equal(missingEnv.status, 2);
  assert.match(missingEnv.stderr, /^deployments\.sweden\.api_key: environment variable AZURE_SWEDEN_KEY is not set$/m);
  assert.match(missingEnv.stderr, /^deployments\.westeurope\.api_key: environment variable AZURE_WE_KEY is not set$/m);
});

test('config check suggests the closest key for a mistyped one, and nothing for a name far from any key', (t) => {
  const file = join(tempDir(t), 'typos.yaml');
  writeFileSync(file, `
listen: { prot: 8080 }
streming: { heartbeat_interval_ms: 1000 }
colour: blue
models:
  gpt-image-2: { deployments: [sweden] }
deployments:
  sweden: { provider: azure, base_url: https://contoso.openai.azure.com, deployment: d, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, idle_timout_ms: 60000, rmp: 10 }
`);
  const run = holdfast(['config', 'check', file], ENV);
  assert.equal(run.status, 2, run.stderr);
  assert.deepEqual(run.stderr.trim().split('\n').slice(1).sort(), [
    'colour: unknown key',
    "deployments.sweden.idle_timout_ms: unknown key (did you mean 'idle_timeout_ms'?)",
    "deployments.sweden.rmp: unknown key (did you mean 'rpm'?)",
    "listen.prot: unknown key (did you mean 'port'?)",
    "streming: unknown key (did you mean 'streaming'?)",
  ]);
});

test('init --sim writes a config for holdfast sim that config check accepts: the seed regions, real-world timeouts, simulation.time_scale', (t) => {
  const file = join(tempDir(t), 'sim.yaml');
  const init = capture();
  assert.equal(runInit({ out: file, force: false, sim: 'http://127.0.0.1:9200', timeScale: '0.01' }, init), 0, init.stderr);
  assert.match(init.stdout, /next: holdfast sim --time-scale 0\.01/);
  const check = capture();
  assert.equal(runConfigCheck(file, {}, check), 0, check.stderr);
  const resolved = parse(check.stdout) as { simulation: { time_scale: number }; deployments: Record<string, { base_url: string; deployment: string; idle_timeout_ms: number }> };
  assert.equal(resolved.simulation.time_scale, 0.01);
  assert.deepEqual(Object.entries(resolved.deployments).map(([id, d]) => [id, d.base_url, d.deployment, d.idle_timeout_ms]), [
    ['sweden', 'http://127.0.0.1:9200', 'gpt-image-2-1', 60000],
    ['westeurope', 'http://127.0.0.1:9200', 'gpt-image-2-westeurope', 60000],
  ]);
  assert.match(check.stderr, /warning: simulation\.time_scale: is 0\.01: holdfast runs on simulated time/);
  const bad = capture();
  assert.equal(runInit({ out: join(tempDir(t), 'x.yaml'), force: false, sim: true, timeScale: '3' }, bad), 2);
});
