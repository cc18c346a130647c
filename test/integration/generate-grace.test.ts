// `holdfast generate` when the gateway shuts down with a grace period, as an operator would do it: a real gateway process
// stopped and started again on the same port, a real generate process following the job. The
// simulator runs at time scale 0.01 (1024x1024 high at latency 2: about 1.2 s of real time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { eventually, freePort, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { HeldClock } from '../helpers/held-clock.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import { connect } from 'node:net';
import { startCli } from '../helpers/cli.js';

function generateArgs(port: number, out: string): string[] {
  return ['generate', 'a lighthouse in a storm', '--size', '1024x1024', '--quality', 'high', '--model', 'gpt-image-1',
    '--key', jobsEnv.CLIENT_KEY, '--gateway', `http://127.0.0.1:${port}`, '--out', out];
}

test('a job that finishes during the shutdown grace period is still downloaded once the gateway is back', async (t) => {
  // The simulator's clock is held until the gateway's listener has closed: the job cannot finish
  // before the shutdown starts, however slow the machine; it then finishes inside the grace period.
  const simClock = new HeldClock(new ScaledClock(0.01));
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2), clock: simClock });
  const configPath = fixture.writeConfig(jobsConfig());
  const port = await freePort();
  const first = await spawnHoldfast(t, configPath, jobsEnv, { port, graceMs: 20_000 });
  const out = join(fixture.dataDir, 'grace.png');
  const generate = startCli(t, generateArgs(port, out), { timeoutMs: 90_000 });
  await eventually(() => (fixture.sim.stats().deployments['gpt-image-1'].in_flight === 1 ? true : undefined), 'the upstream call', 30_000).catch((error: unknown) => { throw new Error(`${String(error)}\n${generate.output()}`); });

  // SIGTERM: the listener closes at once, the job in flight finishes within the grace period, then the process exits.
  const exit = first.kill('SIGTERM');
  const refused = (): Promise<true | undefined> => new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(undefined); });
    socket.once('error', () => resolve(true));
  });
  await eventually(refused, 'the listener to close', 30_000);
  simClock.release();
  await generate.waitFor(/downloading image 1 of 1: (gateway unreachable|the gateway answered 503), retrying/, { timeoutMs: 30_000 });
  assert.equal((await exit).code, 0);
  await spawnHoldfast(t, configPath, jobsEnv, { port });

  const { code } = await generate.exited;
  const output = generate.output();
  assert.equal(code, 0, output);
  assert.match(output, /completed in [\d.]+ s: wrote .*grace\.png/);
  assert.doesNotMatch(output, /attempt 2/);
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [1024, 1024, 'png']);
  assert.equal(fixture.sim.stats().requests_total, 1, 'the job finished in the grace period: no second generation');
});
