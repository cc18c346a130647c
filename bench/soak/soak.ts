// Soak bench (issue 12): simulated hours of traffic through holdfast against the simulator with its
// faults on, plus a deliberately misbehaving upstream in the same model route. Prints RSS, heap and
// open file descriptors over time, then checks: every accepted job ended, RSS flat after warm-up,
// no fd growth. Everything is on 127.0.0.1 in this process (the simulator and the clients too, so
// the RSS is an upper bound for holdfast's own), on one ScaledClock.
//   npx tsx bench/soak/soak.ts [--hours 3] [--jobs 600] [--time-scale 0.01] [--seed 1]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { pino } from 'pino';
import { createHoldfast } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { startSimulator, parseScenarioYaml } from '../../src/simulator/index.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import { createSeededRandom, cryptoIds } from '../../src/time/random.js';
import { startMisbehavingUpstream } from './misbehaving-upstream.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name}: expected a positive number`);
  return value;
}

const scenario = `
name: soak
deployments:
  - name: gpt-image-2
    form: openai
    model: gpt-image-2
    region: global
    faults: { all: { stream_error: 0.1, reset: 0.05, http_500: 0.05, http_503: 0.05, after_partial: 0 } }
`;

interface Sample { simMin: number; submitted: number; ended: number; rssMb: number; heapMb: number; fds: number }

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

async function main(): Promise<void> {
  const hours = flag('hours', 3);
  const jobs = flag('jobs', 600);
  const scale = flag('time-scale', 0.01);
  const seed = flag('seed', 1);
  const clock = new ScaledClock(scale);
  const sim = await startSimulator({ scenario: parseScenarioYaml(scenario, 'soak.yaml'), clock, random: createSeededRandom(seed), seed });
  const bad = await startMisbehavingUpstream();
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-soak-'));
  const { config } = parseConfig(`
listen: { host: 127.0.0.1, port: 0 }
auth: { keys: [env:CLIENT_KEY] }
store: { kind: sqlite, path: "${dataDir}/holdfast.db" }
blobs: { path: "${dataDir}/images" }
retry: { max_attempts: 4, base_delay_ms: 1000, max_delay_ms: 30000 }
jobs: { retention_ms: 1800000, purge_interval_ms: 60000, default_deadline_ms: 900000 }
upstream: { max_image_bytes: 4194304, max_idle_bytes: 16384, max_partial_events: 8, max_retry_after_ms: 60000 }
metrics: { enabled: true }
models:
  soak: { deployments: [sim, bad] }
deployments:
  sim: { provider: openai, base_url: "${sim.url}/v1", api_key: env:KEY, model: gpt-image-2 }
  bad: { provider: openai, base_url: "${bad.url}/v1", api_key: env:KEY, model: gpt-image-2, idle_timeout_ms: 60000 }
`, { CLIENT_KEY: 'soak-client', KEY: 'sk-soak-upstream-key-0123456789' }, 'soak.yaml');
  const holdfast = await createHoldfast({ clock, random: createSeededRandom(seed + 1), ids: cryptoIds, log: pino({ level: 'silent' }) }, config);
  const url = await holdfast.start();
  const headers = { authorization: 'Bearer soak-client', 'content-type': 'application/json', prefer: 'respond-async' };
  const totalSimMs = hours * 3_600_000;
  const intervalSimMs = totalSimMs / jobs;
  const ids: string[] = [];
  const ended = new Set<string>();
  const outcomes: Record<string, number> = {};
  let refused = 0;
  const samples: Sample[] = [];
  const startSim = clock.now();
  const sample = (): void => {
    const m = process.memoryUsage();
    samples.push({ simMin: Math.round((clock.now() - startSim) / 60_000), submitted: ids.length, ended: ended.size, rssMb: Math.round(m.rss / 1048576), heapMb: Math.round(m.heapUsed / 1048576), fds: openFds() });
  };
  const poll = async (): Promise<void> => {
    for (const id of ids) {
      if (ended.has(id)) continue;
      const res = await request(`${url}/v1/images/jobs/${id}`, { headers });
      const job = await res.body.json() as { status?: string };
      // Purge deletes finished jobs only: a 404 for a job this bench created means it ended and aged out.
      if (res.statusCode === 404) job.status = 'purged after ending';
      if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled' || job.status === 'purged after ending') {
        ended.add(id);
        outcomes[job.status] = (outcomes[job.status] ?? 0) + 1;
      }
    }
  };
  const sizes = ['1024x1024', '1024x1536', '1536x1024'];
  for (let i = 0; i < jobs; i += 1) {
    const body = { model: 'soak', prompt: `soak ${i}`, size: sizes[i % sizes.length], quality: i % 5 === 0 ? 'medium' : 'low', stream: i % 3 === 0, partial_images: i % 4 === 0 ? 1 : undefined };
    const res = await request(`${url}/v1/images/generations`, { method: 'POST', headers, body: JSON.stringify(body) });
    const answer = await res.body.json() as { id?: string };
    if (res.statusCode === 202 && answer.id) ids.push(answer.id);
    else refused += 1;
    if (i % 20 === 0) {
      await poll();
      sample();
    }
    await clock.sleep(intervalSimMs);
  }
  const drainUntil = clock.now() + 30 * 60_000;
  while (ended.size < ids.length && clock.now() < drainUntil) {
    await clock.sleep(60_000);
    await poll();
    sample();
  }
  await poll();
  sample();
  const open = ids.filter((id) => !ended.has(id)).slice(0, 5);
  for (const id of open) {
    const res = await request(`${url}/v1/images/jobs/${id}`, { headers });
    const job = await res.body.json() as { status?: string; attempts?: unknown[]; created_at?: number };
    console.log(`still open: ${id} ${job.status} attempts=${JSON.stringify(job.attempts)}`);
  }
  global.gc?.();
  report(samples, { jobs, accepted: ids.length, refused, ended: ended.size, outcomes, hours, scale, badRequests: bad.requests, simRequests: sim.stats().deployments['gpt-image-2']?.requests ?? 0 });
  await holdfast.close();
  await sim.close();
  await bad.close();
  rmSync(dataDir, { recursive: true, force: true });
}

function report(samples: Sample[], r: { jobs: number; accepted: number; refused: number; ended: number; outcomes: Record<string, number>; hours: number; scale: number; badRequests: number; simRequests: number }): void {
  console.log(`soak: ${r.hours} simulated h at time scale ${r.scale}; ${r.jobs} requests, ${r.accepted} accepted, ${r.refused} refused`);
  console.log(`upstream requests: simulator ${r.simRequests}, misbehaving ${r.badRequests}`);
  console.log('\n| sim min | submitted | ended | RSS MB | heap MB | fds |\n| --- | --- | --- | --- | --- | --- |');
  const step = Math.max(1, Math.floor(samples.length / 25));
  for (const [i, s] of samples.entries()) {
    if (i % step === 0 || i === samples.length - 1) console.log(`| ${s.simMin} | ${s.submitted} | ${s.ended} | ${s.rssMb} | ${s.heapMb} | ${s.fds} |`);
  }
  const warm = samples.slice(Math.floor(samples.length * 0.25));
  const rss = warm.map((s) => s.rssMb);
  const fds = warm.map((s) => s.fds);
  const first = warm.slice(0, Math.max(1, Math.floor(warm.length / 3)));
  const last = warm.slice(-Math.max(1, Math.floor(warm.length / 3)));
  const mean = (xs: Sample[], k: 'rssMb' | 'fds'): number => xs.reduce((a, s) => a + s[k], 0) / xs.length;
  const rssGrowth = mean(last, 'rssMb') - mean(first, 'rssMb');
  const fdGrowth = mean(last, 'fds') - mean(first, 'fds');
  console.log(`\nRSS after warm-up: min ${Math.min(...rss)} MB, max ${Math.max(...rss)} MB; mean of the last third minus the first: ${rssGrowth.toFixed(1)} MB`);
  console.log(`fds after warm-up: min ${Math.min(...fds)}, max ${Math.max(...fds)}; growth ${fdGrowth.toFixed(1)}`);
  console.log(`outcomes: ${JSON.stringify(r.outcomes)}`);
  const allEnded = r.ended === r.accepted;
  const rssFlat = rssGrowth < 64;
  const fdFlat = fdGrowth < 8;
  console.log(`\nall accepted jobs ended: ${allEnded ? 'yes' : `NO (${r.accepted - r.ended} still open)`}`);
  console.log(`RSS flat after warm-up (< 64 MB drift): ${rssFlat ? 'yes' : 'NO'}`);
  console.log(`no fd growth (< 8): ${fdFlat ? 'yes' : 'NO'}`);
  if (!allEnded || !rssFlat || !fdFlat) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
