// Runs the store contract suites on the in-memory implementations.
import { describeJobStore } from '../job-store.contract.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from './memory-store.js';

describeJobStore('memory', async () => ({
  jobs: new MemoryJobStore(),
  events: new MemoryEventLog(),
  idempotency: new MemoryIdempotencyStore(),
  cleanup: async () => {},
}));
