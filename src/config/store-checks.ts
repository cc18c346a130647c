// Cross-key rules of the store and blob sections: each kind's required keys, and a reminder that
// replicas on one Redis must share their blobs. Reads the defaulted data defensively (cross-checks.ts).
import { isPlainObject } from './key-path.js';

type Report = (path: string, message: string) => void;

export function checkStores(root: Record<string, unknown>, error: Report, warn: Report): void {
  const store = isPlainObject(root.store) ? root.store : {};
  const blobs = isPlainObject(root.blobs) ? root.blobs : {};
  if (store.kind === 'redis' && (store.url === null || store.url === undefined)) {
    error('store.url', 'is required for store.kind redis (usually env:REDIS_URL)');
  }
  if (blobs.kind === 'azure') {
    if (blobs.connection_string === null || blobs.connection_string === undefined) {
      error('blobs.connection_string', 'is required for blobs.kind azure (usually env:NAME)');
    }
    if (blobs.container === null || blobs.container === undefined) error('blobs.container', 'is required for blobs.kind azure');
  }
  if (store.kind === 'redis' && blobs.kind !== 'azure') {
    warn('blobs.path', 'with store.kind redis, every replica must see this same folder (a shared mount), or use blobs.kind azure');
  }
}
