// Limits on client connections that no route can enforce: a body that stalls (idle timeout), a
// request whose body never finishes (total timeout) and too many sockets from one address.
// Client sockets live in real time, like undici's connect timeout and Node's keep-alive timeout:
// these timers are deliberately Node's, not the injected clock, so a time-scaled test or bench
// (simulated minutes in real seconds) cannot make a fast client look slow. This file is the one
// place in src/http that reads real time; the lint exceptions below say so line by line.
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../errors.js';

export interface ClientLimits {
  bodyIdleTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnectionsPerAddress: number;
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Answers 408 in the OpenAI error shape, then closes the socket: the rest of the body is not wanted. */
function timeOut(request: FastifyRequest, reply: FastifyReply, message: string): void {
  const socket = request.raw.socket;
  request.log.warn({ reason: message }, 'request body timed out');
  if (reply.raw.headersSent) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody('request_timeout', [message]));
  reply.raw.writeHead(408, {
    'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close', 'x-request-id': request.id,
  });
  reply.raw.end(body, () => socket.destroy());
}

function watchBody(request: FastifyRequest, reply: FastifyReply, limits: ClientLimits): void {
  const socket = request.raw.socket;
  const startedAt = Date.now(); // eslint-disable-line no-restricted-properties -- real time: client sockets (header)
  let lastBytes = socket.bytesRead;
  let lastProgressAt = startedAt;
  const tick = Math.max(10, Math.min(1000, Math.floor(Math.min(limits.bodyIdleTimeoutMs, limits.requestTimeoutMs) / 4)));
  // eslint-disable-next-line no-restricted-globals -- real time: client sockets (header)
  const interval = setInterval(() => {
    const now = Date.now(); // eslint-disable-line no-restricted-properties -- real time: client sockets (header)
    if (socket.bytesRead !== lastBytes) {
      lastBytes = socket.bytesRead;
      lastProgressAt = now;
    }
    if (now - lastProgressAt >= limits.bodyIdleTimeoutMs) {
      stop();
      timeOut(request, reply, `The request body sent no data for ${limits.bodyIdleTimeoutMs} ms (limits.body_idle_timeout_ms).`);
    } else if (now - startedAt >= limits.requestTimeoutMs) {
      stop();
      timeOut(request, reply, `The request body did not arrive within ${limits.requestTimeoutMs} ms (limits.request_timeout_ms).`);
    }
  }, tick);
  interval.unref();
  const stop = (): void => clearInterval(interval);
  request.raw.once('end', stop);
  request.raw.once('close', stop);
  reply.raw.once('finish', stop);
  reply.raw.once('close', stop);
}

function limitConnections(app: FastifyInstance, maxPerAddress: number): void {
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

export function applyClientLimits(app: FastifyInstance, limits: ClientLimits): void {
  limitConnections(app, limits.maxConnectionsPerAddress);
  app.addHook('onRequest', async (request, reply) => {
    if (hasBody(request) && !request.raw.complete) watchBody(request, reply, limits);
  });
}
