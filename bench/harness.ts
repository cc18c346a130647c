// What the benches share: holdfast as its own process (bench/bench-gateway.ts; memory read from
// /proc, peak reset between runs), a fake upstream that answers a real 3840x2160 PNG; the reference
// is the bare pass-through proxy of bench/bare-proxy.ts. Everything on 127.0.0.1.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { request } from 'undici';

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export function listen(server: Server): Promise<Listening> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    resolve({
      server, url: `http://127.0.0.1:${port}`,
      close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
    });
  }));
}

export { freePort, startGateway, type BenchGateway as Gateway } from './bench-gateway.js';

/** RSS (VmRSS) or peak RSS since the last resetPeak (VmHWM) of a process, in bytes. */
export function memoryBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Resets VmHWM to the current RSS (Linux: `5` to /proc/PID/clear_refs). */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** A real 3840x2160 PNG of noise (about 25 MB, incompressible), as base64: holdfast checks every image's structure. */
export async function bigPngB64(): Promise<string> {
  const png = await sharp({ create: { width: 3840, height: 2160, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png({ compressionLevel: 1 }).toBuffer();
  return png.toString('base64');
}

async function readAll(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

/** An upstream that answers every request with `n` copies of the image, as JSON or (stream: true) as SSE. */
export async function bigUpstream(b64: string): Promise<Listening> {
  const usage = { total_tokens: 1, input_tokens: 1, output_tokens: 0, input_tokens_details: { text_tokens: 1, image_tokens: 0 } };
  const completed = `event: image_generation.completed\ndata: ${JSON.stringify({ type: 'image_generation.completed', b64_json: b64, created_at: 1, size: '3840x2160', quality: 'high', background: 'opaque', output_format: 'png', usage })}\n\n`;
  const json = new Map<number, string>();
  const jsonOf = (n: number): string => {
    if (!json.has(n)) json.set(n, JSON.stringify({ created: 1, data: Array.from({ length: n }, () => ({ b64_json: b64 })), output_format: 'png', size: '3840x2160', usage }));
    return json.get(n) ?? '';
  };
  return listen(createServer((req, res) => {
    void readAll(req).then((body) => {
      const fields = JSON.parse(body) as { stream?: boolean; n?: number };
      const n = fields.n ?? 1;
      if (fields.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 1; i < n; i += 1) res.write(completed);
        res.end(completed);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(jsonOf(n));
      }
    });
  }));
}

/** POSTs a generation and reads the whole answer; ms and bytes. */
export async function timeGeneration(url: string, fields: Record<string, unknown>, minBytes = 0): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await request(`${url}/v1/images/generations`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body: JSON.stringify(fields),
    headersTimeout: 120_000, bodyTimeout: 120_000,
  });
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  if (res.statusCode !== 200 || bytes < minBytes) throw new Error(`generation answered ${res.statusCode}, ${bytes} bytes`);
  return { ms: performance.now() - started, bytes };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One line of the issue-11 table: a figure, its reference from the same run, and the target. */
export interface BenchRow {
  target: string;
  holdfast: string;
  reference: string;
  ratio: string;
  limit: string;
  met: boolean | undefined;
}

export function printTable(rows: readonly BenchRow[]): void {
  const head: BenchRow = { target: 'target', holdfast: 'holdfast', reference: 'reference (same run)', ratio: 'ratio', limit: 'target', met: undefined };
  const cells = (r: BenchRow): string[] => [r.target, r.holdfast, r.reference, r.ratio, r.limit, r === head ? 'met' : r.met === undefined ? 'n/a' : r.met ? 'yes' : 'NO'];
  const all = [head, ...rows].map(cells);
  const widths = all[0].map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const line = (c: string[]): string => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(all[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of all.slice(1)) console.log(line(c));
}
