// `holdfast generate` while the gateway restarts, as an operator would do it: a real gateway process
// stopped and started again on the same port, a real generate process following the job. The
// simulator runs at time scale 0.01 (1024x1024 high at latency 2: about 1.2 s of real time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { eventually, freePort, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { HeldClock } from '../helpers/held-clock.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import { startCli } from '../helpers/cli.js';

function generateArgs(port: number, out: string): string[] {
  return ['generate', 'a lighthouse in a storm', '--size', '1024x1024', '--quality', 'high', '--model', 'gpt-image-1',
    '--key', jobsEnv.CLIENT_KEY, '--gateway', `http://127.0.0.1:${port}`, '--out', out];
}

test('generate keeps following its job while the gateway is down for longer than six reconnects, and writes the image after the restart', async (t) => {
  // The simulator's clock is held until the first gateway has exited: the first call cannot end
  // before the shutdown cuts it, however slow the machine.
  const simClock = new HeldClock(new ScaledClock(0.01));
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2), clock: simClock });
  const configPath = fixture.writeConfig(jobsConfig());
  const port = await freePort();
  const first = await spawnHoldfast(t, configPath, jobsEnv, { port });
  const out = join(fixture.dataDir, 'restart.png');
  const generate = startCli(t, generateArgs(port, out), { timeoutMs: 90_000 });
  await eventually(() => (fixture.sim.stats().deployments['gpt-image-1'].in_flight === 1 ? true : undefined), 'the upstream call', 30_000).catch((error: unknown) => { throw new Error(`${String(error)}\n${generate.output()}`); });

  assert.equal((await first.kill('SIGTERM')).code, 0);
  simClock.release();
  // The old client gave up after six failed reconnections (about 7 s); stay down for longer.
  await generate.waitFor(/gateway unreachable, retrying in/, { count: 7, timeoutMs: 30_000 });
  await spawnHoldfast(t, configPath, jobsEnv, { port });

  const { code } = await generate.exited;
  const output = generate.output();
  assert.equal(code, 0, output);
  assert.match(output, /\] gateway unreachable, retrying in [\d.]+ s \(cannot reach .*ECONNREFUSED.*; giving up in \d+:\d\d\)/);
  assert.match(output, /queued again \(the gateway restarted and resumed the job\)/);
  assert.match(output, /attempt 2 on deployment sim/);
  assert.match(output, /completed in [\d.]+ s: wrote .*restart\.png/);
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [1024, 1024, 'png']);
  assert.equal(fixture.sim.stats().requests_total, 2, 'one attempt cut by the shutdown, one after the restart');
});
