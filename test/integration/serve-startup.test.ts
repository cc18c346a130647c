// `holdfast serve` as an operator starts it: a short human summary on a terminal (and with
// --summary always), JSON logs only when stdout is not a terminal, a busy port as one line that says
// what to do, and --version on the command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { runCli, startCli } from '../helpers/cli.js';

const repoRoot = join(import.meta.dirname, '..', '..');

test('the start-up summary names the address, store, models and deployments, health and metrics; not printed into a pipe by default', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario() });
  const configPath = fixture.writeConfig(jobsConfig());
  const quiet = await spawnHoldfast(t, configPath, jobsEnv);
  assert.doesNotMatch(quiet.logTail(), /listening on http/, 'stdout is a pipe: JSON logs only');
  await quiet.kill('SIGTERM');

  const serve = startCli(t, ['serve', '--config', configPath, '--port', '0', '--summary', 'always'], { env: jobsEnv, timeoutMs: 90_000 });
  await serve.waitFor(/Ctrl-C stops taking requests/, { timeoutMs: 60_000 });
  const summary = serve.stdout().split('\n').filter((l) => !l.startsWith('{'));
  const url = /^holdfast \d+\.\d+\.\d+ listening on (http:\/\/127\.0\.0\.1:\d+) {3}\(config .*holdfast\.yaml\)$/.exec(summary[0] ?? '')?.[1];
  assert.ok(url, summary.join('\n'));
  assert.match(summary[1], new RegExp(`^  store:  sqlite ${fixture.dataDir}/holdfast\\.db \\(jobs survive restarts\\); images in ${fixture.dataDir}/images$`));
  assert.equal(summary[2], '  auth:   1 client key(s)');
  assert.equal(summary[3], '  model gpt-image-1 -> sim (openai)');
  assert.ok(summary.includes(`  health: ${url}/v1/holdfast/deployments   metrics: ${url}/metrics`), summary.join('\n'));
  assert.ok(!serve.output().includes(jobsEnv.CLIENT_KEY) && !serve.output().includes(jobsEnv.UPSTREAM_KEY));
});

test('on a terminal (a pty from script(1)) the summary comes by itself', { skip: process.platform !== 'linux' }, async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario() });
  const configPath = fixture.writeConfig(jobsConfig());
  const command = [process.execPath, '--import', 'tsx', join(repoRoot, 'src/main.ts'), 'serve', '--config', configPath, '--port', '0'].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...jobsEnv }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      await exited;
    }
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => { text += c.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no summary within 60 s:\n${text}`)), 60_000);
    child.stdout.on('data', () => {
      if (/Ctrl-C stops taking requests/.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  assert.match(text, /holdfast \d+\.\d+\.\d+ listening on http:\/\/127\.0\.0\.1:\d+/);
  assert.match(text, /model gpt-image-1 -> sim \(openai\)/);
});

test('a busy port is one line that says what to do, exit 1; --version answers on the command', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario() });
  const configPath = fixture.writeConfig(jobsConfig());
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const { port } = blocker.address() as AddressInfo;
  const run = await runCli(t, ['serve', '--config', configPath, '--port', String(port)], { env: jobsEnv, timeoutMs: 90_000 });
  assert.equal(run.code, 1, run.output);
  const errors = run.output.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
  assert.deepEqual(errors, [
    `holdfast serve: cannot listen on 127.0.0.1:${port}: the address is already in use (another holdfast, or another program). Stop it, or choose another port with --port N (or listen.port in the config).`,
  ]);
  assert.doesNotMatch(run.output, /EADDRINUSE|\n\s+at /);

  const version = await runCli(t, ['serve', '--version'], { timeoutMs: 60_000 });
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^holdfast \d+\.\d+\.\d+\n$/);
});
