// A bare pass-through HTTP proxy, the reference of issue 11's targets: every request is sent on to
// one upstream with undici and the answer piped back, no parsing, no state, no checks. Benches run
// it beside holdfast in the same process as their client, so a ratio to it holds on a noisy machine.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

export interface BareProxy {
  url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

/** Listens on 127.0.0.1 (a free port) and forwards everything to `upstream` (an origin, e.g. http://127.0.0.1:1234). */
export async function startBareProxy(upstream: string, options: { connections?: number } = {}): Promise<BareProxy> {
  const pool = new Pool(upstream, { connections: options.connections ?? 256, pipelining: 1 });
  const server: Server = createServer((req, res) => {
    pool.request({ path: req.url ?? '/', method: (req.method ?? 'GET') as 'GET', headers: forwardable(req.headers), body: req })
      .then(async (answer) => {
        res.writeHead(answer.statusCode, forwardable(answer.headers));
        await pipeline(answer.body, res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}
