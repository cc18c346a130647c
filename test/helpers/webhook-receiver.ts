// A webhook receiver on 127.0.0.1: records every request (headers, raw body, when, the status it
// answered) and answers the given statuses in order, 200 after them; 'hang' never answers (the
// sender's try stays in flight). Closed after the test.
import type { TestContext } from 'node:test';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number | 'hang';
  /** Date.now() when the request ended. */
  at: number;
}

export async function startReceiver(t: TestContext, statuses: Array<number | 'hang'>): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = statuses[received.length] ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered, at: Date.now() });
      if (answered !== 'hang') res.writeHead(answered).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}
