// A TCP proxy between a client and holdfast that cuts the first job-events connection right after
// relaying the whole frame of a given event, so a test can watch the client resume. It records
// every events request head. (holdfast writes one frame per HTTP chunk, so a frame's closing blank line is contiguous.)
import type { TestContext } from 'node:test';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';

export interface DropProxy {
  url: string;
  /** The request heads of every `GET …/events` seen, in order. */
  eventsRequests: string[];
  dropped: boolean;
}

export async function startDropProxy(t: TestContext, targetUrl: string, dropAfter: string): Promise<DropProxy> {
  const target = new URL(targetUrl);
  const state: DropProxy = { url: '', eventsRequests: [], dropped: false };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let followingEvents = false;
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1');
      if (/^GET \S+\/events/m.test(head)) {
        followingEvents = true;
        state.eventsRequests.push(head.split('\r\n\r\n')[0]);
      }
      upstream.write(chunk);
    });
    let armedAt = -1;
    let cut = false;
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      const text = chunk.toString('latin1');
      if (followingEvents && !state.dropped && armedAt < 0 && text.includes(dropAfter)) armedAt = text.indexOf(dropAfter);
      const frameEnd = armedAt >= 0 && !state.dropped ? text.indexOf('\n\n', armedAt) : -1;
      if (frameEnd < 0) {
        client.write(chunk);
        if (armedAt >= 0) armedAt = 0;
        return;
      }
      state.dropped = true;
      cut = true;
      client.end(chunk.subarray(0, frameEnd + 2), () => { client.destroy(); upstream.destroy(); });
    });
    const close = (): void => { client.destroy(); upstream.destroy(); };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
  state.url = `http://127.0.0.1:${address.port}`;
  t.after(async () => {
    for (const s of sockets) s.destroy();
    server.close();
    await once(server, 'close');
  });
  return state;
}
