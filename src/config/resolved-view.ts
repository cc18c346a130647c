// The configuration as a plain object with every Secret shown as `[redacted]`: for `config check`
// and for logging the effective configuration at start.
import { isPlainObject } from './key-path.js';
import { isSecret, REDACTED_TEXT } from './secret.js';

export type ResolvedView = { [key: string]: ResolvedValue };
export type ResolvedValue = string | number | boolean | null | ResolvedValue[] | ResolvedView;

function toView(value: unknown): ResolvedValue {
  if (isSecret(value)) return REDACTED_TEXT;
  if (Array.isArray(value)) return value.map(toView);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toView(v)]));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  // Anything else cannot come from YAML; show its type rather than risk printing its contents.
  return `[${typeof value}]`;
}

export function toResolvedView(config: object): ResolvedView {
  const view = toView(config);
  return isPlainObject(view) ? (view as ResolvedView) : {};
}
