// Shared health and circuits: every replica appends each attempt's outcome to one Redis Stream and
// folds every other replica's outcomes into its own table, so a deployment failing on one replica
// opens the circuit on all of them, and the health table is built from the same records everywhere.
// A replica that starts replays the retained stream first.
import type { Redis } from 'ioredis';
import type { Clock } from '../time/clock.js';
import type { AttemptReport, SizeClass } from '../routing/router.js';

export interface Outcome {
  deploymentId: string;
  sizeClass: SizeClass;
  probe: boolean;
  expectedMs: number;
  report: AttemptReport;
  /** Epoch ms when the attempt ended. */
  at: number;
}

export interface OutcomeFeed {
  publish(outcome: Outcome): Promise<void>;
  /** Applies the retained outcomes of other replicas; resolves with the id of the last one read. */
  replay(apply: (outcome: Outcome) => void): Promise<string>;
  /** Replays the retained outcomes of other replicas, then follows new ones until close(). */
  follow(apply: (outcome: Outcome) => void): Promise<void>;
  close(): void;
}

const RETAINED = 10_000;

export function createOutcomeFeed(deps: { clock: Clock; redis: Redis; reader: Redis; prefix: string; replicaId: string; onError(error: unknown): void }): OutcomeFeed {
  const { redis, reader, replicaId } = deps;
  const key = `${deps.prefix}outcomes`;
  let closed = false;

  const decode = (fields: string[], apply: (outcome: Outcome) => void): void => {
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i], fields[i + 1]);
    if (map.get('r') === replicaId) return;
    try {
      apply(JSON.parse(map.get('o') ?? '') as Outcome);
    } catch (error) {
      deps.onError(error);
    }
  };

  const replay = async (apply: (outcome: Outcome) => void): Promise<string> => {
    let last = '0-0';
    for (const [id, fields] of await redis.xrange(key, '-', '+')) {
      decode(fields, apply);
      last = id;
    }
    return last;
  };

  return {
    async publish(outcome) {
      await redis.xadd(key, 'MAXLEN', '~', RETAINED, '*', 'r', replicaId, 'o', JSON.stringify(outcome));
    },
    replay,
    async follow(apply) {
      let last = await replay(apply);
      void (async () => {
        while (!closed) {
          try {
            const batch = await reader.xread('COUNT', 500, 'BLOCK', 2_000, 'STREAMS', key, last);
            for (const [, entries] of batch ?? []) {
              for (const [id, fields] of entries) {
                decode(fields, apply);
                last = id;
              }
            }
          } catch (error) {
            if (closed) return;
            deps.onError(error);
            await deps.clock.sleep(500);
          }
        }
      })();
    },
    close() {
      closed = true;
    },
  };
}
