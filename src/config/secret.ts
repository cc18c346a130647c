// Secret: a credential read from the config file or the environment. It prints as `[redacted]`
// everywhere (String, JSON, util.inspect, template literals); only reveal() hands the value out.
import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;
  /** Where the value came from, e.g. `env:AZURE_SWEDEN_KEY` or `literal`; never the value. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  /** Constant-time comparison, for client keys presented on each request. */
  matches(candidate: string): boolean {
    // Hashing first gives equal lengths, so timingSafeEqual never throws and length does not leak.
    const a = createHash('sha256').update(this.#value).digest();
    const b = createHash('sha256').update(candidate).digest();
    return timingSafeEqual(a, b);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

export const REDACTED_TEXT = REDACTED;
