// RedisStreamTail: live follow of many job streams over ONE dedicated connection per replica.
// A loop runs one blocking XREAD over every stream someone waits on; a waiter whose stream or
// cursor the XREAD in flight does not cover interrupts it with CLIENT UNBLOCK (sent on the
// command connection), and the loop re-issues the read with the new set. Ids are 0-{seq}.
import type { Redis } from 'ioredis';
import type { Clock } from '../../time/clock.js';

export type StreamEntry = [id: string, fields: string[]];

interface Waiter {
  key: string;
  afterSeq: number;
  deliver(entries: StreamEntry[]): void;
}

export interface StreamTailOptions {
  /** Longest single XREAD BLOCK; also bounds a missed interrupt. Default 2000. */
  blockMs?: number;
}

/** Pause after a failed read while the connection looks up, so an error cannot spin the loop. */
const RETRY_PAUSE_MS = 100;

// Entries per XREAD reply: partial images are MBs each, so replies stay bounded.
const COUNT = 32;

export class RedisStreamTail {
  private readonly waiters = new Set<Waiter>();
  private readonly blockMs: number;
  private loop?: Promise<void>;
  /** Cursors of the XREAD in flight (stream key -> seq it reads after). */
  private reading?: Map<string, number>;
  private readerId?: number;
  private wakeIdle?: () => void;
  private wakeReady = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly deps: { reader: Redis; control: Redis; clock: Clock },
    options: StreamTailOptions = {},
  ) {
    this.blockMs = options.blockMs ?? 2000;
    // A reconnected reader has a new client id; wake anyone waiting for the connections.
    const onReady = (): void => {
      if (this.deps.reader.status !== 'ready' || this.deps.control.status !== 'ready') return;
      for (const wake of [...this.wakeReady]) wake();
    };
    deps.reader.on('ready', () => {
      this.readerId = undefined;
      onReady();
    });
    deps.control.on('ready', onReady);
  }

  /** Entries of the stream at `key` after seq `afterSeq`, as soon as there are some; [] on abort. */
  next(key: string, afterSeq: number, signal: AbortSignal): Promise<StreamEntry[]> {
    return new Promise((resolve) => {
      if (signal.aborted || this.closed) {
        resolve([]);
        return;
      }
      const onAbort = (): void => waiter.deliver([]);
      const waiter: Waiter = {
        key, afterSeq,
        deliver: (entries) => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', onAbort);
          resolve(entries);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.loop ??= this.run();
      const cursor = this.reading?.get(key);
      if (cursor === undefined || cursor > afterSeq) this.interrupt();
    });
  }

  /** Resolves once the reader is connected again (or on abort/close); used after a failed read. */
  whenConnected(signal: AbortSignal): Promise<void> {
    if (this.deps.reader.status === 'ready' && this.deps.control.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.wakeReady.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wakeReady.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops the loop and answers every waiter with []. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.deliver([]);
    this.interrupt();
    for (const wake of [...this.wakeReady]) wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.waiters.size === 0) {
        await new Promise<void>((resolve) => { this.wakeIdle = resolve; });
        this.wakeIdle = undefined;
        continue;
      }
      const cursors = new Map<string, number>();
      for (const w of this.waiters) cursors.set(w.key, Math.min(cursors.get(w.key) ?? Number.POSITIVE_INFINITY, w.afterSeq));
      try {
        this.readerId ??= Number(await this.deps.reader.client('ID'));
        this.reading = cursors;
        const reply = await this.deps.reader.xread('COUNT', COUNT, 'BLOCK', this.blockMs, 'STREAMS',
          ...cursors.keys(), ...[...cursors.values()].map((seq) => `0-${seq}`));
        this.reading = undefined;
        this.deliver(reply as unknown);
      } catch {
        this.reading = undefined;
        if (this.closed) continue;
        await this.whenConnected(new AbortController().signal);
        await this.deps.clock.sleep(RETRY_PAUSE_MS);
      }
    }
  }

  private deliver(reply: unknown): void {
    if (!Array.isArray(reply)) return;
    for (const item of reply as Array<[string, StreamEntry[]]>) {
      const [key, entries] = item;
      for (const waiter of [...this.waiters]) {
        if (waiter.key !== key) continue;
        const after = entries.filter(([id]) => Number(id.slice(id.indexOf('-') + 1)) > waiter.afterSeq);
        if (after.length > 0) waiter.deliver(after);
      }
    }
  }

  /** Makes the loop re-read with the current waiters: wakes it when idle, unblocks its XREAD. */
  private interrupt(): void {
    if (this.wakeIdle) {
      this.wakeIdle();
      return;
    }
    const reading = this.reading;
    const id = this.readerId;
    // Not reading yet: the loop computes its cursors from the waiters before it reads.
    if (!reading || id === undefined) return;
    void this.unblock(id, reading, 5);
  }

  private async unblock(id: number, reading: Map<string, number>, triesLeft: number): Promise<void> {
    try {
      const unblocked = Number(await this.deps.control.client('UNBLOCK', id));
      // 0: the XREAD had not reached the server yet; try again while it is still the one in flight.
      if (unblocked === 0 && triesLeft > 0 && this.reading === reading) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.unblock(id, reading, triesLeft - 1);
      }
    } catch {
      // Redis is unreachable: the loop re-reads once it is back, with every waiter.
    }
  }
}
