// The soak bench's bad upstream: an OpenAI-form server that cycles through the ways an untrusted
// upstream misbehaves (oversized bodies, endless comments and partials, trickling errors, bad
// images, redirects, year-long retry-after), with a good answer now and then.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface MisbehavingUpstream {
  url: string;
  readonly requests: number;
  close(): Promise<void>;
}

type Behaviour = (res: ServerResponse, png: string) => void;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function forever(res: ServerResponse, everyMs: number, write: () => void): void {
  const timer = setInterval(() => { if (res.destroyed) clearInterval(timer); else write(); }, everyMs);
  res.on('close', () => clearInterval(timer));
}

const behaviours: Behaviour[] = [
  (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"data":[{"b64_json":"'); forever(res, 1, () => res.write('A'.repeat(256 * 1024))); },
  (res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); forever(res, 2, () => res.write(': tick\n\n'.repeat(100))); },
  (res) => { res.writeHead(500, { 'content-type': 'application/json' }); forever(res, 20, () => res.write(' ')); },
  (res) => json(res, 200, { data: [{ b64_json: '%%% not base64 %%%' }] }),
  (res) => json(res, 200, { data: [{ b64_json: Buffer.from('not an image').toString('base64') }] }),
  (res) => { res.writeHead(302, { location: 'http://127.0.0.1:1/' }); res.end(); },
  (res) => json(res, 429, { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }, { 'retry-after': '31536000' }),
  (res, png) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); forever(res, 2, () => res.write(`event: image_generation.partial_image\ndata: ${JSON.stringify({ type: 'image_generation.partial_image', b64_json: png })}\n\n`)); },
  (res) => json(res, 401, { error: { message: 'Incorrect API key provided: sk-soak-***6789', type: 'invalid_request_error', code: 'invalid_api_key' } }),
  (res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write('data: '); forever(res, 1, () => res.write('x'.repeat(512 * 1024))); },
];

export async function startMisbehavingUpstream(): Promise<MisbehavingUpstream> {
  const png = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).png().toBuffer()).toString('base64');
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const behaviour = behaviours[count % behaviours.length];
      count += 1;
      behaviour(res, png);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() { return count; },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
