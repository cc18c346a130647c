// In-process wake-ups for subscribers when a job's log grows. The log itself is the truth;
// a notification only says "read again" (a Redis implementation would use pub/sub).
export class JobNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(jobId: string): void {
    const set = this.waiters.get(jobId);
    if (!set) return;
    this.waiters.delete(jobId);
    for (const wake of set) wake();
  }

  /** Resolves on the next notify for jobId, or when the signal aborts. */
  wait(jobId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(jobId) ?? new Set<() => void>();
      const wake = (): void => {
        set.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      set.add(wake);
      this.waiters.set(jobId, set);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  wakeAll(): void {
    for (const id of [...this.waiters.keys()]) this.notify(id);
  }
}
