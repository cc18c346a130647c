// The relay on a ManualClock over a real socket: the keepalive bytes a client actually receives,
// counted and placed exactly (`: keepalive\n`, never followed by a blank line, only between frames).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relayEvents, SSE_HEADERS } from './sse-relay.js';
import { ManualClock } from '../time/manual-clock.js';
import type { JobEvent } from '../engine/job.js';

/** An async iterable of events the test pushes one at a time. */
function channel(): { events: AsyncIterable<JobEvent>; push(e: JobEvent): void; end(): void } {
  const queue: Array<JobEvent | null> = [];
  let wake: (() => void) | undefined;
  return {
    push: (e) => { queue.push(e); wake?.(); },
    end: () => { queue.push(null); wake?.(); },
    events: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length === 0) await new Promise<void>((r) => { wake = r; });
          const next = queue.shift();
          if (next === null || next === undefined) return;
          yield next;
        }
      },
    },
  };
}

const turns = async (n = 20): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('the relay writes exactly one `: keepalive\\n` per quiet interval, re-armed by every frame', async (t) => {
  const clock = new ManualClock();
  const source = channel();
  let heartbeats = 0;
  let relayed: Promise<{ framesWritten: number; clientGone: boolean }> | undefined;
  const server = createServer((_req, res) => {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    relayed = relayEvents(clock, res, source.events, {
      heartbeatIntervalMs: 15_000,
      toFrames: (e) => (e.type === 'job.queued' ? [] : [`event: x\ndata: {"seq":${e.seq}}\n\n`]),
      onHeartbeat: () => { heartbeats += 1; },
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }))
  const received: Buffer[] = [];
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' }, resolve);
    req.on('error', reject);
    req.end();
  });
  res.on('data', (chunk: Buffer) => received.push(chunk));
  const ended = new Promise<void>((r) => res.on('end', () => r()));
  const text = (): string => Buffer.concat(received).toString('utf8');
  const wait = async (until: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !until(); i++) await turns(1);
  };

  await turns();
  assert.equal(text(), '', 'nothing before the first interval');
  await clock.advanceBy(14_999);
  await turns();
  assert.equal(text(), '', 'nothing before 15 s');
  await clock.advanceBy(1);
  await wait(() => text().length > 0);
  assert.equal(text(), ': keepalive\n');
  await clock.advanceBy(45_000, { stepMs: 1000 });
  await wait(() => text().length >= 4 * 12);
  assert.equal(text(), ': keepalive\n'.repeat(4));
  assert.equal(heartbeats, 4);

  source.push({ type: 'job.queued', seq: 1, at: 0 });
  source.push({ type: 'attempt.started', attempt: 1, deploymentId: 'a', mode: 'stream', seq: 2, at: 0 });
  await wait(() => text().endsWith('\n\n'));
  // The frame re-arms the timer: 14.9 s later nothing, at 15 s one keepalive.
  await clock.advanceBy(14_900, { stepMs: 100 });
  await turns();
  assert.equal(text(), `${': keepalive\n'.repeat(4)}event: x\ndata: {"seq":2}\n\n`);
  await clock.advanceBy(100);
  await wait(() => text().endsWith(': keepalive\n'));
  source.push({ type: 'attempt.started', attempt: 2, deploymentId: 'b', mode: 'stream', seq: 3, at: 0 });
  source.end();
  await ended;
  const result = await relayed;
  assert.deepEqual(result, { framesWritten: 2, clientGone: false });
  const all = text();
  assert.equal(all, `${': keepalive\n'.repeat(4)}event: x\ndata: {"seq":2}\n\n: keepalive\nevent: x\ndata: {"seq":3}\n\n`);
  assert.equal(all.split(': keepalive\n').length - 1, heartbeats, 'every counted heartbeat was written');
  assert.doesNotMatch(all, /: keepalive\n\n/, 'no blank line after a keepalive (openai-go < 3.43)');
  assert.equal(clock.pendingCount, 0, 'no timer left behind');
});

test('no keepalive is written or counted once the client is gone', async (t) => {
  const clock = new ManualClock();
  const source = channel();
  let heartbeats = 0;
  let relayed: Promise<{ framesWritten: number; clientGone: boolean }> | undefined;
  let serverClosed: Promise<void> | undefined;
  const server = createServer((_req, res) => {
    serverClosed = new Promise<void>((r) => res.on('close', () => r()));
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    relayed = relayEvents(clock, res, source.events, { heartbeatIntervalMs: 1000, toFrames: () => [], onHeartbeat: () => { heartbeats += 1; } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }))
  const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' });
  const res = await new Promise<IncomingMessage>((resolve) => { req.on('response', resolve); req.end(); });
  res.destroy();
  await serverClosed;
  await clock.advanceBy(5000, { stepMs: 1000 });
  assert.equal(heartbeats, 0);
  source.end();
  assert.equal((await relayed)?.clientGone, true);
});

test('a frame written in pieces is never split by a keepalive, however long its pieces take', async (t) => {
  const clock = new ManualClock();
  const source = channel();
  let release: (() => void) | undefined;
  let relayed: Promise<{ framesWritten: number; clientGone: boolean }> | undefined;
  const server = createServer((_req, res) => {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    relayed = relayEvents(clock, res, source.events, {
      heartbeatIntervalMs: 1000,
      toFrames: () => [{
        async* pieces() {
          yield 'event: big\ndata: {"b64_json":"AAAA';
          await new Promise<void>((r) => { release = r; });
          yield 'BBBB"}\n\n';
        },
      }],
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const received: Buffer[] = [];
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' }, resolve);
    req.on('error', reject);
    req.end();
  });
  res.on('data', (chunk: Buffer) => received.push(chunk));
  const ended = new Promise<void>((r) => res.on('end', () => r()));
  const text = (): string => Buffer.concat(received).toString('utf8');
  source.push({ type: 'job.queued', seq: 1, at: 0 });
  for (let i = 0; i < 500 && !release; i++) await turns(1);
  await clock.advanceBy(5000, { stepMs: 500 });
  await turns();
  assert.equal(text(), 'event: big\ndata: {"b64_json":"AAAA', 'no keepalive inside the frame');
  release?.();
  for (let i = 0; i < 500 && !text().endsWith('\n\n'); i++) await turns(1);
  await clock.advanceBy(1000);
  for (let i = 0; i < 500 && !text().endsWith(': keepalive\n'); i++) await turns(1);
  source.end();
  await ended;
  assert.deepEqual(await relayed, { framesWritten: 1, clientGone: false });
  assert.equal(text(), 'event: big\ndata: {"b64_json":"AAAABBBB"}\n\n: keepalive\n', 'the timer is re-armed after the frame');
  assert.equal(clock.pendingCount, 0);
});
