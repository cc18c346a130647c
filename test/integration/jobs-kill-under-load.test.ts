// Crash safety under load (issue 11): holdfast is SIGKILLed while many small jobs are being
// submitted and run. Every job it answered 202 for is still there after a restart on the same
// SQLite file, and every job (also ones it stored but never got to answer) finishes exactly once:
// one job.completed event, its image readable. A job runs its upstream call again only when the
// crash came between the upstream's answer and the job's completion (the result was in memory
// only): a second succeeded attempt only in a job the restart resumed, and the upstream completed
// no more calls than the succeeded attempts plus the ones the crash cut short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { readSse, getJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };
const TOTAL = 200;
const KILL_AFTER = 120;
const CLIENTS = 20;

interface JobView {
  id: string;
  status: string;
  attempts: Array<{ outcome: string | null }>;
}

async function listAll(url: string): Promise<JobView[]> {
  const jobs: JobView[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await getJson(`${url}/v1/images/jobs?limit=100${after ? `&after=${after}` : ''}`, auth);
    assert.equal(page.status, 200);
    const data = page.json.data as JobView[];
    jobs.push(...data);
    if (page.json.has_more !== true) return jobs;
    after = String(page.json.last_id);
  }
}

test('SIGKILL while 200 small jobs are submitted and running: no 202ed job is lost, none finishes twice', { timeout: 180_000 }, async (t) => {
  // 1024x1024 low is 22 s x 0.2 simulated, 44 ms real at scale 0.01: many jobs are in flight at once.
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(0.2) });
  const configPath = fixture.writeConfig(jobsConfig());
  const first = await spawnHoldfast(t, configPath, jobsEnv);
  const dispatcher = new Agent({ connections: CLIENTS });
  t.after(() => dispatcher.destroy());

  const accepted: string[] = [];
  let sent = 0;
  let killed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  const submitter = async (): Promise<void> => {
    while (sent < TOTAL && !killed) {
      sent += 1;
      const body = JSON.stringify({ model: 'gpt-image-1', prompt: `a small lighthouse #${sent}`, size: '1024x1024', quality: 'low' });
      const res = await request(`${first.url}/v1/images/generations`, {
        method: 'POST', dispatcher, body, headers: { ...auth, 'content-type': 'application/json', prefer: 'respond-async' },
      }).catch(() => undefined); // requests cut by the kill were never accepted
      if (!res) continue;
      const json = await res.body.json().catch(() => undefined) as { id?: string } | undefined;
      if (res.statusCode !== 202 || !json?.id) continue;
      accepted.push(json.id);
      if (accepted.length >= KILL_AFTER && !killed) killed = first.kill('SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, submitter));
  assert.ok(killed, `killed after ${KILL_AFTER} accepted jobs (${accepted.length} accepted of ${sent} sent)`);
  assert.equal((await killed).signal, 'SIGKILL');
  const inFlightAtKill = fixture.sim.stats().deployments['gpt-image-1'].in_flight;

  const second = await spawnHoldfast(t, configPath, jobsEnv);
  // Every job (the 202ed ones and any stored but not answered) ends; nothing stays queued or running.
  const all = await eventually(async () => {
    const jobs = await listAll(second.url);
    return jobs.every((j) => j.status === 'succeeded') ? jobs : undefined;
  }, 'every job to succeed after the restart', 90_000);
  const ids = new Set(all.map((j) => j.id));
  for (const id of accepted) assert.ok(ids.has(id), `accepted job ${id} is still there`);
  assert.equal(new Set(accepted).size, accepted.length, 'no id answered twice');
  assert.ok(all.length <= sent, `${all.length} jobs stored for ${sent} requests`);

  let cutAttempts = 0;
  let resumed = 0;
  let succeededAttempts = 0;
  for (const job of all) {
    const full = await getJson(`${second.url}/v1/images/jobs/${job.id}`, auth);
    const attempts = full.json.attempts as Array<{ outcome: string | null }>;
    const succeeded = attempts.filter((a) => a.outcome === 'succeeded').length;
    assert.equal(attempts.at(-1)?.outcome, 'succeeded', `${job.id}: ${JSON.stringify(attempts)}`);
    succeededAttempts += succeeded;
    cutAttempts += attempts.filter((a) => a.outcome !== 'succeeded').length;
    const log = await readSse(`${second.url}/v1/images/jobs/${job.id}/events`, { method: 'GET', headers: auth });
    const types = log.frames.map((f) => f.event);
    assert.equal(types.filter((e) => e === 'job.completed').length, 1, `${job.id}: ${types.join(',')}`);
    assert.equal(types.at(-1), 'job.completed');
    const wasResumed = types.filter((e) => e === 'job.queued').length > 1;
    if (wasResumed) resumed += 1;
    assert.ok(succeeded === 1 || (wasResumed && succeeded === 2), `${job.id}: ${succeeded} succeeded attempts, resumed: ${wasResumed}`);
    const seqs = log.frames.map((f) => Number(f.id));
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `${job.id}: event ids ${seqs.join(',')}`);
    const image = await request(`${second.url}/v1/images/jobs/${job.id}/images/0`, { headers: auth });
    assert.equal(image.statusCode, 200, `${job.id}: image`);
    assert.ok((await image.body.arrayBuffer()).byteLength > 100);
  }
  assert.ok(resumed > 0, 'the kill left jobs unfinished, resumed by the restart');
  // A call repeated only where the crash lost a delivered result: at most one per call in flight.
  assert.ok(succeededAttempts - all.length <= Math.max(resumed, 0), `${succeededAttempts} succeeded attempts for ${all.length} jobs`);
  // Upstream: one completed call per succeeded attempt, plus at most the calls the crash cut short
  // (their answer may have been delivered to a process that was gone).
  const completed = fixture.sim.stats().deployments['gpt-image-1'].attempts_by_outcome.completed;
  assert.ok(completed >= all.length, `${completed} upstream completions for ${all.length} jobs`);
  assert.ok(completed <= succeededAttempts + Math.max(cutAttempts, inFlightAtKill), `${completed} upstream completions for ${succeededAttempts} succeeded and ${cutAttempts} cut attempts`);
  await second.kill('SIGTERM');
});
