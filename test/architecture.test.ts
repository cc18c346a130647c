// The import rules of the style guide (§2), read from the import lines of every source file:
// the folders show the architecture, and this test keeps them honest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const SRC = 'src';

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.contract.ts')) out.push(path);
  }
  return out;
}

/** Every module a file imports: `{ local: 'engine/job.ts' }` for holdfast's own, `{ pkg: 'fastify' }` otherwise. */
function importsOf(file: string): Array<{ local?: string; pkg?: string; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8');
  const found: Array<{ local?: string; pkg?: string; typeOnly: boolean }> = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5];
    const typeOnly = Boolean(m[2]);
    if (spec.startsWith('.')) {
      const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
      found.push({ local: relative(SRC, target), typeOnly });
    } else {
      found.push({ pkg: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0], typeOnly });
    }
  }
  return found;
}

const files = sourceFiles(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));
const area = (path: string): string => (path.includes('/') ? path.split('/')[0] : path.replace(/\.ts$/, ''));

function violations(from: (area: string, file: string) => boolean, allowed: (imp: { local?: string; pkg?: string; typeOnly: boolean }) => boolean): string[] {
  const bad: string[] = [];
  for (const { file, imports } of files) {
    if (!from(area(file), file)) continue;
    for (const imp of imports) if (!allowed(imp)) bad.push(`${file} imports ${imp.local ?? imp.pkg}`);
  }
  return bad;
}

test('the rule reader sees imports (sanity: the engine imports its job model)', () => {
  const engine = files.find((f) => f.file === 'engine/engine.ts');
  assert.ok(engine?.imports.some((i) => i.local === 'engine/job.ts'));
});

test('wire/, time/ and errors.ts import nothing else from holdfast', () => {
  const own = new Set(['wire', 'time', 'errors']);
  for (const { file, imports } of files) {
    const a = area(file);
    if (!own.has(a)) continue;
    for (const imp of imports) if (imp.local) assert.equal(area(imp.local), a, `${file} imports ${imp.local}`);
  }
});

test('engine/ uses only wire, time, errors and the interfaces of store, upstream and routing', () => {
  const interfaces = new Set(['store/job-store.ts', 'store/blob-store.ts', 'upstream/adapter.ts', 'routing/router.ts']);
  const forbiddenPkgs = new Set(['fastify', 'undici', 'better-sqlite3', 'ioredis', 'bullmq', 'pino', 'prom-client', '@fastify/multipart']);
  const bad = violations((a) => a === 'engine', (imp) => {
    if (imp.pkg) return !forbiddenPkgs.has(imp.pkg);
    const a = area(imp.local ?? '');
    return ['engine', 'wire', 'time', 'errors'].includes(a) || interfaces.has(imp.local ?? '');
  });
  assert.deepEqual(bad, []);
});

test('simulator/, sdk/ and web/ never import the engine (the simulator stays an independent oracle)', () => {
  const bad = violations((a) => a === 'simulator' || a === 'sdk' || a === 'web', (imp) => {
    if (!imp.local) return true;
    return ['wire', 'time', 'simulator', 'sdk', 'web'].includes(area(imp.local)) && area(imp.local) !== 'engine';
  });
  assert.deepEqual(bad, []);
});

test('the gateway never imports the simulator; only app.ts, main.ts and cli/ pick implementations', () => {
  const picks = (imp: { local?: string }): boolean => imp.local !== undefined && (/\/(sqlite|memory|disk|redis)\//.test(imp.local) || imp.local === 'routing/scored-router.ts');
  const bad: string[] = [];
  for (const { file, imports } of files) {
    const a = area(file);
    for (const imp of imports) {
      if (imp.local && area(imp.local) === 'simulator' && !['simulator', 'cli'].includes(a) && !file.startsWith('demo/')) bad.push(`${file} imports ${imp.local}`);
      // cluster/ is the Redis implementation of replica behaviour (leases, shared budget): it builds on store/redis.
      if (picks(imp) && !['app', 'main', 'cli', 'store', 'routing', 'cluster', 'demo', 'probe'].includes(a)) bad.push(`${file} picks ${imp.local}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('only main.ts and cli/ read process.env or call process.exit', () => {
  const bad = files
    .filter(({ file }) => !file.startsWith('cli/') && file !== 'main.ts')
    .filter(({ file }) => /process\.(env|exit|argv)\b/.test(readFileSync(join(SRC, file), 'utf8').replace(/\/\/.*$/gm, '')))
    .map(({ file }) => file);
  assert.deepEqual(bad, []);
});
