// Tracing overhead (issue 16): the same small non-streaming calls through holdfast with traces off
// and on (sample ratio 1, OTLP/HTTP export to a sink on loopback), alternated so that machine load
// hits both alike. holdfast runs in this process in front of the simulator at a near-zero latency
// factor; everything is on 127.0.0.1 and bounded in time. Prints numbers, asserts nothing.
//   npx tsx bench/tracing-overhead.ts [--seconds 5] [--rounds 2] [--connections 20]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { createHoldfast } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';
import { startSimulator, parseScenarioYaml } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom, cryptoIds } from '../src/time/random.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) || fallback : fallback;
};
const seconds = arg('--seconds', 5);
const rounds = arg('--rounds', 2);
const connections = arg('--connections', 20);
const BODY = JSON.stringify({ model: 'gpt-image-2', prompt: 'a small red square', size: '1024x640', quality: 'low', output_format: 'jpeg', output_compression: 5 });

async function main(): Promise<void> {
  let spans = 0;
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      spans += (body.match(/"spanId"/g) ?? []).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/traces`;
  const scenario = parseScenarioYaml('name: bench\ndeployments:\n  - { name: d, form: openai, model: gpt-image-2, latency_factor: 0.000001 }\n', 'bench.yaml');
  const sim = await startSimulator({ scenario, clock: new SystemClock(), random: createSeededRandom(1), seed: 1 });
  const configFor = (traces: boolean): string => `
listen: { host: 127.0.0.1, port: 0 }
auth: { keys: [sk-bench] }
store: { kind: memory }
blobs: { path: "${process.env.TMPDIR ?? '/tmp'}/holdfast-bench-tracing" }
log: { level: silent }
${traces ? `telemetry: { traces: { exporter: otlp, endpoint: "${sinkUrl}", sample_ratio: 1 } }` : ''}
models: { gpt-image-2: { deployments: [d] } }
deployments: { d: { provider: openai, base_url: "${sim.url}/v1", api_key: sk-sim, model: gpt-image-2, rpm: 1000000 } }
`;
  const rows: string[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const traces of [false, true]) {
      const { config } = parseConfig(configFor(traces), {}, 'bench.yaml');
      const holdfast = await createHoldfast({ clock: new SystemClock(), random: createSeededRandom(2), ids: cryptoIds, log: pino({ level: 'silent' }) }, config);
      const url = await holdfast.start();
      const r = await autocannon({
        url: `${url}/v1/images/generations`, method: 'POST', body: BODY,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, connections, duration: seconds,
      });
      await holdfast.close();
      rows.push(`| ${round} | ${traces ? 'on (ratio 1)' : 'off'} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors + r.non2xx} |`);
    }
  }
  console.log(`small JSON calls, ${connections} connections, ${seconds} s per run, traces exported to a loopback sink (${spans} spans received)`);
  console.log('| round | tracing | req/s | p50 ms | p99 ms | errors |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  await sim.close();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
}

await main();
