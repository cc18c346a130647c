// Small typed readers for scenario validation: each records `path: reason` and returns a fallback,
// so one pass reports every error in the file (style guide §6).

export class Checker {
  readonly errors: string[] = [];

  fail(path: string, reason: string): void {
    this.errors.push(`${path}: ${reason}`);
  }

  record(value: unknown, path: string): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.fail(path, 'must be a mapping');
    return undefined;
  }

  onlyKeys(obj: Record<string, unknown>, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(join(path, key), `unknown key (allowed: ${allowed.join(', ')})`);
    }
  }

  string(obj: Record<string, unknown>, key: string, path: string, fallback?: string): string {
    const value = obj[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string' && value.length > 0) return value;
    this.fail(join(path, key), value === undefined ? 'is required' : 'must be a non-empty string');
    return fallback ?? '';
  }

  optionalString(obj: Record<string, unknown>, key: string, path: string): string | undefined {
    if (obj[key] === undefined) return undefined;
    return this.string(obj, key, path);
  }

  oneOf<T extends string>(obj: Record<string, unknown>, key: string, path: string, allowed: readonly T[]): T {
    const value = obj[key];
    const found = allowed.find((a) => a === value);
    if (found !== undefined) return found;
    this.fail(join(path, key), value === undefined ? `is required (one of ${allowed.join(', ')})` : `must be one of ${allowed.join(', ')}`);
    return allowed[0];
  }

  positiveInt(obj: Record<string, unknown>, key: string, path: string, fallback?: number): number {
    const value = obj[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    this.fail(join(path, key), 'must be a positive integer');
    return fallback ?? 1;
  }

  nonNegativeInt(obj: Record<string, unknown>, key: string, path: string, fallback: number): number {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    this.fail(join(path, key), 'must be an integer >= 0');
    return fallback;
  }

  /** A positive integer, `null` (explicitly off) or the fallback when absent. */
  optionalMs(obj: Record<string, unknown>, key: string, path: string, fallback: number | null): number | null {
    if (obj[key] === undefined) return fallback;
    if (obj[key] === null) return null;
    return this.positiveInt(obj, key, path);
  }

  positiveNumber(obj: Record<string, unknown>, key: string, path: string, fallback: number): number {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
    this.fail(join(path, key), 'must be a number > 0');
    return fallback;
  }

  probability(obj: Record<string, unknown>, key: string, path: string): number {
    const value = obj[key];
    if (value === undefined) return 0;
    if (typeof value === 'number' && value >= 0 && value <= 1) return value;
    this.fail(join(path, key), 'must be a probability between 0 and 1');
    return 0;
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}
