// `holdfast sim` refuses a bad scenario file with exit code 2 and the path and reason of each error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUN_SIM = `
import { Command } from 'commander';
import { registerSimCommand } from './src/cli/sim.ts';
const program = new Command('holdfast');
registerSimCommand(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });
`;

test('a bad scenario file exits with code 2 listing each error with its path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-sim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, `
name: bad
deployments:
  - { name: ok, form: azure, model: gpt-image-2 }
  - { name: b, form: azure, model: gpt-image-2, rate_limit: { requests: 0 }, idle_timeout_ms: -5 }
`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUN_SIM, 'sim', '--scenario', file, '--port', '0'], {
    encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL',
  });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /deployments\[1\]\.idle_timeout_ms: must be a positive integer/);
  assert.match(result.stderr, /deployments\[1\]\.rate_limit\.requests: must be a positive integer/);
});
