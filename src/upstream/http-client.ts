// The undici dispatcher for upstream calls. undici's own timers run on real time, invisible to our
// clock, and its 300 s defaults would cut a silent 4-minute generation: they are off here, and the
// idle limits are enforced in send.ts with the injected clock (style guide §8).
import { Agent, type Dispatcher } from 'undici';

export function createUpstreamDispatcher(options: { connections?: number } = {}): Dispatcher {
  return new Agent({
    headersTimeout: 0,
    bodyTimeout: 0,
    connectTimeout: 10_000,
    keepAliveTimeout: 30_000,
    connections: options.connections ?? 64,
  });
}
