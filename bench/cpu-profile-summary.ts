// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by area of the code
// (holdfast's store, engine, http, upstream; SQLite; the file system; GC; ...), as % of samples.
//   npx tsx bench/cpu-profile-summary.ts FILE.cpuprofile [--top 25] [--skip-ms 0]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Share of non-idle time, 0..1, by area. */
  areas: Array<{ area: string; share: number }>;
  /** Share of non-idle time by function (self time). */
  functions: Array<{ name: string; share: number }>;
}

/** The area a frame's self time counts toward. Native frames inherit their nearest JS caller's area. */
function areaOf(url: string, name: string): string | undefined {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(program)') return 'v8/program';
  if (url.includes('better-sqlite3')) return 'store: sqlite';
  const src = /\/src\/([a-z-]+)\//.exec(url);
  if (src && !url.includes('node_modules')) return src[1] === 'store' ? 'store: holdfast code' : `holdfast ${src[1]}`;
  if (url.includes('node_modules/fastify') || url.includes('node_modules/@fastify') || url.includes('node_modules/find-my-way') || url.includes('node_modules/light-my-request')) return 'fastify';
  if (url.includes('node_modules/pino') || url.includes('node_modules/sonic-boom')) return 'logging';
  if (url.includes('node_modules/undici') || url.includes('node:internal/deps/undici')) return 'undici (upstream client)';
  if (url.includes('node_modules/sharp')) return 'sharp (image checks)';
  if (url.includes('node_modules/@opentelemetry')) return 'tracing';
  if (url.includes('node_modules/tsx') || url.includes('esbuild')) return 'tsx loader';
  if (url.startsWith('node:internal/fs') || url === 'node:fs' || url.startsWith('node:fs')) return 'file system';
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http') || url === 'node:http' || url.startsWith('node:net') || url.startsWith('node:internal/stream') || url.startsWith('node:stream') || url.startsWith('node:internal/streams')) return 'node http/net/streams';
  if (url.includes('node_modules/')) return `npm ${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? ''}`;
  if (url.startsWith('node:')) return 'node other';
  return undefined;
}

/** skipMs: samples of the first skipMs of the profile (start-up, warm-up) are left out. */
export function summarizeProfile(text: string, top = 25, skipMs = 0): ProfileSummary {
  const profile = JSON.parse(text) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const areaCache = new Map<number, string>();
  const areaOfNode = (id: number): string => {
    const cached = areaCache.get(id);
    if (cached) return cached;
    const chain: number[] = [];
    let area: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      chain.push(cur);
      area = areaCache.get(cur) ?? areaOf(n.callFrame.url, n.callFrame.functionName);
      if (area) break;
    }
    const result = area ?? 'other';
    // A native frame (no url) under fs or sqlite JS is that area's time.
    for (const c of chain) areaCache.set(c, result);
    return result;
  };
  const self = new Map<number, number>();
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i] ?? 0;
    elapsedUs += profile.timeDeltas[i] ?? 0;
    if (elapsedUs < skipMs * 1000) continue;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    busy += us;
    const area = areaOfNode(id);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const file = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/)/, '$1');
    const name = `${n.callFrame.functionName || '(anonymous)'} ${file}${file ? `:${n.callFrame.lineNumber + 1}` : ''} [${area}]`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: busy / 1000,
    areas: sorted(areas).map(([area, us]) => ({ area, share: us / busy })),
    functions: sorted(functions).slice(0, top).map(([name, us]) => ({ name, share: us / busy })),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)} %`;
  return [
    `busy CPU ${s.totalMs.toFixed(0)} ms; by area:`,
    ...s.areas.filter((a) => a.share >= 0.005).map((a) => `  ${pct(a.share)}  ${a.area}`),
    'top functions (self time):',
    ...s.functions.map((f) => `  ${pct(f.share)}  ${f.name}`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpu-profile-summary.ts FILE.cpuprofile [--top N] [--skip-ms MS]');
  const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 25;
  const skipMs = Number(process.argv[process.argv.indexOf('--skip-ms') + 1]) || 0;
  console.log(formatSummary(summarizeProfile(readFileSync(file, 'utf8'), top, skipMs)));
}
