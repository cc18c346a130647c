// Three replicas on one Redis as a user sees them (issue 10): one global budget, every view of a job
// on every replica, one upstream call per Idempotency-Key, shared circuits, and jobs that survive a
// replica's kill -9. Real child processes, real Redis (unique prefix, deleted after), simulator at
// time scale 1 with short latencies (latency_factor 0.05: ~1 s for 1024x1024 low), so that its
// rate-limit window and its x-ratelimit-* / retry-after headers are in the replicas' real time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { getJson, postJson, readSse } from '../helpers/sse.js';
import { eventually, openSse } from '../helpers/process.js';
import { clusterEnv, startCluster } from '../helpers/cluster.js';

const auth = { authorization: `Bearer ${clusterEnv.CLIENT_KEY}` };
const async = { ...auth, prefer: 'respond-async' };
const SMALL = { model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'low' };

// `sim` has a 3-per-2 s quota upstream and the same budget in holdfast; `flaky` (Azure form) is used for the circuit.
const scenario = `
name: cluster
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 0.05, rate_limit: { requests: 3, window_ms: 2000 } }
  - { name: flaky, form: azure, model: gpt-image-1, latency_factor: 0.02 }
  - { name: slowq, form: azure, model: gpt-image-1, latency_factor: 0.05 }
`;

async function del(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(url, { method: 'DELETE', headers: auth });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

function eventIds(frames: { id?: string }[]): number[] {
  return frames.map((f) => Number(f.id));
}

test('three replicas on one Redis act as one gateway', { timeout: 600_000 }, async (t) => {
  const cluster = await startCluster(t, {
    replicas: 3, scenarioYaml: scenario, timeScale: 1, leaseMs: 1500,
    deployment: ', rate_limit: { requests: 3, window_ms: 2000 }',
    models: '  flaky: { deployments: [flaky] }\n  queued: { deployments: [slowq], queue: { max_depth: 2, max_wait_ms: 120000 } }',
    deployments: [
      '  flaky: { provider: azure, base_url: "{{SIM}}", deployment: flaky, api_key: env:UPSTREAM_KEY, model: gpt-image-1 }',
      '  slowq: { provider: azure, base_url: "{{SIM}}", deployment: slowq, api_key: env:UPSTREAM_KEY, model: gpt-image-1, rate_limit: { requests: 1, window_ms: 60000 } }',
    ].join('\n'),
    extra: 'circuit: { window_ms: 60000, min_requests: 3, failure_rate: 0.5, cooldown_ms: 3600000 }',
  });
  const [a, b, c] = cluster.replicas;
  const sim = cluster.fixture.sim;
  const stats = () => sim.stats().deployments['gpt-image-1'];

  await t.test('a 3-per-2 s budget under concurrent load over the replicas causes no upstream 429', async () => {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      postJson(`${cluster.replicas[i % 3].url}/v1/images/generations`, { ...SMALL, prompt: `budget ${i}` }, auth)));
    assert.deepEqual(results.map((r) => r.status), Array(12).fill(200), JSON.stringify(results.find((r) => r.status !== 200)?.json));
    assert.equal(sim.stats().rate_limited_total, 0, 'the upstream never saw more than 3 requests in any 2 s');
    assert.equal(stats().requests, 12);
    // 12 starts at 3 per 2 s (plus margin) need at least three full windows.
    assert.ok(Date.now() - started >= 6_000, `took ${Date.now() - started} ms`);
  });

  await t.test('a job made on one replica is read, followed live and resumed on the others', async () => {
    const body = { ...SMALL, prompt: 'a red kite', stream: true, partial_images: 2 };
    const stream = await openSse(`${a.url}/v1/images/generations`, { headers: auth, body });
    assert.equal(stream.status, 200);
    const jobId = String(stream.headers['holdfast-job-id']);
    // B follows the job running on A: partials arrive live, with heartbeats, ending at job.completed.
    const live = await readSse(`${b.url}/v1/images/jobs/${jobId}/events`, { method: 'GET', headers: auth });
    assert.equal(live.status, 200);
    const types = live.frames.map((f) => f.event);
    assert.equal(types.filter((e) => e === 'image.partial').length, 2, types.join(','));
    assert.equal(types.at(-1), 'job.completed');
    assert.deepEqual(eventIds(live.frames), live.frames.map((_, i) => i + 1));
    assert.ok(live.comments > 0, 'heartbeats while following on another replica');
    await stream.frames;

    // C: Last-Event-ID, the OpenAI stream resumed after frame 1, the record and the image.
    const resumed = await readSse(`${c.url}/v1/images/jobs/${jobId}/events`, { method: 'GET', headers: { ...auth, 'last-event-id': '2' } });
    assert.deepEqual(resumed.frames.map((f) => f.data), live.frames.slice(2).map((f) => f.data));
    const rest = await readSse(`${c.url}/v1/images/jobs/${jobId}/events?after=1`, { method: 'GET', headers: auth });
    assert.deepEqual(rest.frames.map((f) => f.event), ['image_generation.partial_image', 'image_generation.completed']);
    const job = await getJson(`${c.url}/v1/images/jobs/${jobId}`, auth);
    assert.equal(job.json.status, 'succeeded');
    const image = await request(`${c.url}/v1/images/jobs/${jobId}/images/0`, { headers: auth });
    assert.equal(image.statusCode, 200);
    assert.ok((await image.body.arrayBuffer()).byteLength > 1000);
  });

  await t.test('DELETE on one replica aborts the upstream call running on another', async () => {
    const made = await postJson(`${a.url}/v1/images/generations`, { ...SMALL, prompt: 'a slow glacier', quality: 'high' }, async);
    assert.equal(made.status, 202);
    const jobId = String(made.json.id);
    const before = stats().attempts_by_outcome.client_aborted;
    await eventually(() => (stats().in_flight === 1 ? true : undefined), 'the upstream call');
    const cancelled = await del(`${b.url}/v1/images/jobs/${jobId}`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.json.status, 'cancelled');
    await eventually(() => (stats().in_flight === 0 ? true : undefined), 'the upstream call to end');
    assert.equal(stats().attempts_by_outcome.client_aborted, before + 1);
    assert.equal((await getJson(`${c.url}/v1/images/jobs/${jobId}`, auth)).json.status, 'cancelled');
  });

  await t.test('one Idempotency-Key sent to two replicas at once makes one job and one upstream call', async () => {
    const before = stats().requests;
    const headers = { ...async, 'idempotency-key': 'same-key-two-replicas' };
    const [x, y] = await Promise.all([
      postJson(`${a.url}/v1/images/generations`, { ...SMALL, prompt: 'one call' }, headers),
      postJson(`${b.url}/v1/images/generations`, { ...SMALL, prompt: 'one call' }, headers),
    ]);
    assert.deepEqual([x.status, y.status], [202, 202]);
    assert.equal(x.json.id, y.json.id);
    await eventually(async () => ((await getJson(`${c.url}/v1/images/jobs/${String(x.json.id)}`, auth)).json.status === 'succeeded' ? true : undefined), 'the job', 60_000);
    assert.equal(stats().requests, before + 1);
  });

  await t.test('a circuit opened by failures on one replica is open on another', async () => {
    const res = await request(`${sim.url}/_sim/deployments/flaky/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: { http_500: 1 } }),
    });
    assert.equal(res.statusCode, 200);
    const circuitOn = async (url: string): Promise<string | undefined> => {
      const rows = (await getJson(`${url}/v1/holdfast/deployments`, auth)).json.data as { deployment: string; size_class: string; circuit: string }[];
      return rows.find((r) => r.deployment === 'flaky' && r.size_class === 'small')?.circuit;
    };
    assert.equal(await circuitOn(c.url), 'closed');
    // Only A sends to flaky: three failed attempts (one job, three tries) open the circuit there.
    const failed = await postJson(`${a.url}/v1/images/generations`, { ...SMALL, model: 'flaky', prompt: 'fails' }, auth);
    assert.equal(failed.status, 502);
    assert.equal(await circuitOn(a.url), 'open');
    await eventually(async () => ((await circuitOn(c.url)) === 'open' ? true : undefined), 'the circuit on C', 5_000);
    assert.equal(await circuitOn(b.url), 'open');
    const calls = sim.stats().deployments.flaky.requests;
    // B does not even try: every deployment of the route is open until after the cool-down.
    const refused = await postJson(`${b.url}/v1/images/generations`, { ...SMALL, model: 'flaky', prompt: 'refused' }, auth);
    assert.equal(refused.status, 503, JSON.stringify(refused.json));
    assert.equal(sim.stats().deployments.flaky.requests, calls);
  });

  await t.test("a model's queue bound counts the requests waiting on every replica", async () => {
    // One start per minute for `queued`: A's first job takes it, the next two wait in A's queue.
    const made = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await postJson(`${a.url}/v1/images/generations`, { ...SMALL, model: 'queued', prompt: `queued ${i}` }, async);
      assert.equal(r.status, 202);
      made.push(String(r.json.id));
    }
    // Depths are shared every lease_ms / 3 (500 ms here): give A's two waiting requests a few ticks to show.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // B cannot start one either (the cluster budget is spent) and A's queue is at max_depth 2: 429 queue_full.
    const full = await postJson(`${b.url}/v1/images/generations`, { ...SMALL, model: 'queued', prompt: 'no room' }, auth);
    assert.equal(full.status, 429, JSON.stringify(full.json));
    assert.equal((full.json.error as Record<string, unknown>).code, 'queue_full');
    for (const id of made) assert.equal((await del(`${c.url}/v1/images/jobs/${id}`)).status, 200);
  });

  await t.test('kill -9 of a replica running several jobs: each finishes exactly once on the others, within the lease bound', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const made = await postJson(`${a.url}/v1/images/generations`, { ...SMALL, prompt: `survives ${i}`, quality: 'medium' }, async);
      assert.equal(made.status, 202);
      ids.push(String(made.json.id));
    }
    await eventually(() => (stats().in_flight >= 1 ? true : undefined), 'an upstream call from A');
    const completedBefore = stats().attempts_by_outcome.completed;
    await a.kill('SIGKILL');
    const killedAt = Date.now();
    for (const id of ids) {
      const log = await readSse(`${b.url}/v1/images/jobs/${id}/events`, { method: 'GET', headers: auth });
      const seq = eventIds(log.frames);
      assert.deepEqual(seq, seq.map((_, i) => i + 1), `monotonic event log of ${id}: ${seq.join(',')}`);
      const types = log.frames.map((f) => f.event);
      assert.equal(types.filter((e) => e === 'job.completed').length, 1, types.join(','));
      assert.equal(types.at(-1), 'job.completed');
      const retaken = log.frames.filter((f) => f.event === 'job.queued').at(-1);
      const takenAt = Number((retaken?.json as { at?: number } | undefined)?.at ?? 0);
      assert.ok(types.filter((e) => e === 'job.queued').length >= 2, `taken over: ${types.join(',')}`);
      // lease 1.5 s + one scan (0.5 s) + spawn-free slack for a loaded machine.
      assert.ok(takenAt > 0, "the takeover's job.queued carries its time");
      assert.ok(takenAt - killedAt < 4_000, `taken over ${takenAt - killedAt} ms after the kill`);
      // The record follows the event log by one store write (the event is appended first, so a
      // crash between the two leaves the log complete); another replica sees it within that write.
      const status = await eventually(async () => {
        const job = (await getJson(`${c.url}/v1/images/jobs/${id}`, auth)).json;
        return job.status === 'running' ? undefined : job.status;
      }, `job ${id}'s record on C`, 2_000);
      assert.equal(status, 'succeeded');
    }
    // Nothing ran twice at once and nothing completed twice: one completion upstream per job.
    assert.equal(stats().attempts_by_outcome.completed - completedBefore, 3);
    t.diagnostic(`all three finished ${Date.now() - killedAt} ms after the kill`);
  });
});
