// holdfast's version, from its package.json (two levels above both src/cli/ and dist/cli/).
import { readFileSync } from 'node:fs';

export function holdfastVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
