// `holdfast probe` on a cluster (issue 10): its requests wait for the same cluster budget as the
// replicas' (so probing while the gateway serves makes no upstream 429), and its report carries the
// shared table every replica serves (a circuit opened on a replica is open in the probe's report).
// Real child processes (two replicas and the probe), real Redis (unique prefix, deleted after),
// simulator at time scale 1 with a 3-per-2 s quota upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'undici';
import { getJson, postJson } from '../helpers/sse.js';
import { eventually } from '../helpers/process.js';
import { clusterEnv, startCluster } from '../helpers/cluster.js';

const auth = { authorization: `Bearer ${clusterEnv.CLIENT_KEY}` };
const SMALL = { model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'low' };
const scenario = `
name: cluster-probe
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 0.05, rate_limit: { requests: 3, window_ms: 2000 } }
  - { name: flaky, form: azure, model: gpt-image-1, latency_factor: 0.02 }
`;

interface ProbeRun { code: number | null; stdout: string; stderr: string }

function probe(configPath: string, env: Record<string, string>): Promise<ProbeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'probe', '--config', configPath,
      '--size', '1024x1024', '--quality', 'low', '--count', '3', '--concurrency', '3', '--timeout-ms', '60000', '--json'], {
      cwd: new URL('../../', import.meta.url), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

test('holdfast probe on a cluster waits for the cluster budget and reports the shared table', { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster(t, {
    replicas: 2, scenarioYaml: scenario, timeScale: 1, leaseMs: 1500,
    deployment: ', rate_limit: { requests: 3, window_ms: 2000 }',
    models: '  flaky: { deployments: [flaky] }',
    deployments: '  flaky: { provider: azure, base_url: "{{SIM}}", deployment: flaky, api_key: env:UPSTREAM_KEY, model: gpt-image-1 }',
    extra: 'circuit: { window_ms: 60000, min_requests: 3, failure_rate: 0.5, cooldown_ms: 3600000 }',
  });
  const [a, b] = cluster.replicas;
  const sim = cluster.fixture.sim;

  // A opens flaky's circuit (one job, three failed tries); B sees it through the outcome stream.
  const fault = await request(`${sim.url}/_sim/deployments/flaky/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: { http_500: 1 } }),
  });
  assert.equal(fault.statusCode, 200);
  await fault.body.dump();
  assert.equal((await postJson(`${a.url}/v1/images/generations`, { ...SMALL, model: 'flaky', prompt: 'fails' }, auth)).status, 502);
  const circuitOn = async (url: string): Promise<string | undefined> => {
    const rows = (await getJson(`${url}/v1/holdfast/deployments`, auth)).json.data as { deployment: string; size_class: string; circuit: string }[];
    return rows.find((r) => r.deployment === 'flaky' && r.size_class === 'small')?.circuit;
  };
  await eventually(async () => ((await circuitOn(b.url)) === 'open' ? true : undefined), 'the circuit on B', 5_000);

  // The gateway's traffic and the probe at once: 4 + 3 starts on a 3-per-2 s quota.
  const [served, run] = await Promise.all([
    Promise.all(Array.from({ length: 4 }, (_, i) => postJson(`${cluster.replicas[i % 2].url}/v1/images/generations`, { ...SMALL, prompt: `served ${i}` }, auth))),
    probe(cluster.configPath, cluster.env),
  ]);
  assert.deepEqual(served.map((r) => r.status), [200, 200, 200, 200]);
  // flaky still fails every request (the probe goes around circuits: it measures deployments).
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { deployments: { deployment: string; successes: number; status_429: number; cluster?: { circuit: string; budget_remaining: number | null } }[] };
  const rows = new Map(report.deployments.map((r) => [r.deployment, r]));
  assert.equal(rows.get('sim')?.successes, 3);
  assert.equal(sim.stats().rate_limited_total, 0, 'the probe took its starts from the cluster budget: the upstream never saw more than 3 in 2 s');
  assert.equal(sim.stats().deployments['gpt-image-1'].requests, 7);

  // The shared table: the circuit the replicas serve, the cluster's budget (none configured for flaky).
  assert.equal(rows.get('flaky')?.cluster?.circuit, 'open');
  assert.equal(rows.get('flaky')?.cluster?.budget_remaining, null);
  assert.equal(await circuitOn(a.url), 'open');
  const simView = rows.get('sim')?.cluster;
  assert.equal(simView?.circuit, 'closed');
  assert.ok(typeof simView?.budget_remaining === 'number' && simView.budget_remaining >= 0 && simView.budget_remaining <= 3, JSON.stringify(simView));
});
