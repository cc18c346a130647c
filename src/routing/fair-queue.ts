// A waiting line that is fair across client keys: FIFO within one key, round-robin between keys,
// so one client's burst cannot starve another. It only orders items; the router decides who is served.

export interface FairQueue<T> {
  readonly size: number;
  push(key: string, item: T): void;
  /** Removes an item wherever it waits (abort, timeout). Returns whether it was there. */
  remove(item: T): boolean;
  /** The head item of every key, starting with the key whose turn it is. */
  heads(): { key: string; item: T }[];
  /** Removes the head of `key` and passes the turn to the key after it. */
  take(key: string): T | undefined;
  /** Removes and returns everything. */
  drain(): T[];
}

export function createFairQueue<T>(): FairQueue<T> {
  const lines = new Map<string, T[]>();
  /** Keys in turn order; `turn` indexes the key to serve next. */
  let order: string[] = [];
  let turn = 0;
  let size = 0;

  const dropKey = (key: string): void => {
    const index = order.indexOf(key);
    lines.delete(key);
    order.splice(index, 1);
    if (index < turn) turn -= 1;
    if (turn >= order.length) turn = 0;
  };

  return {
    get size() {
      return size;
    },
    push(key, item) {
      let line = lines.get(key);
      if (!line) {
        line = [];
        lines.set(key, line);
        // A new key joins just before the current turn: it waits one full round at most.
        order.splice(turn, 0, key);
        turn += 1;
        if (turn >= order.length) turn = 0;
      }
      line.push(item);
      size += 1;
    },
    remove(item) {
      for (const [key, line] of lines) {
        const index = line.indexOf(item);
        if (index < 0) continue;
        line.splice(index, 1);
        size -= 1;
        if (line.length === 0) dropKey(key);
        return true;
      }
      return false;
    },
    heads() {
      const rotated = [...order.slice(turn), ...order.slice(0, turn)];
      return rotated.map((key) => ({ key, item: (lines.get(key) ?? [])[0] }));
    },
    take(key) {
      const line = lines.get(key);
      if (!line || line.length === 0) return undefined;
      const item = line.shift();
      size -= 1;
      const index = order.indexOf(key);
      if (line.length === 0) {
        dropKey(key);
        turn = order.length === 0 ? 0 : index % order.length;
      } else {
        turn = (index + 1) % order.length;
      }
      return item;
    },
    drain() {
      const all = order.flatMap((key) => lines.get(key) ?? []);
      lines.clear();
      order = [];
      turn = 0;
      size = 0;
      return all;
    },
  };
}
