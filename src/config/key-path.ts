// Display paths for config keys: `deployments.sweden.headers.x-key`, `auth.keys[0]`.
// TypeBox reports JSON pointers; pointerToPath turns them into the same display form.
import { isRecord } from '../wire/openai-images.js';

export type PathSegment = string | number;

export function joinPath(parent: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${parent}[${segment}]`;
  return parent === '' ? segment : `${parent}.${segment}`;
}

export function formatPath(segments: readonly PathSegment[]): string {
  const path = segments.reduce<string>((acc, s) => joinPath(acc, s), '');
  return path === '' ? '(root)' : path;
}

/** Converts `/models/a/deployments/1` into `models.a.deployments[1]`, using `root` to tell arrays from maps. */
export function pointerToPath(pointer: string, root: unknown): string {
  const segments: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const isIndex = Array.isArray(node) && /^\d+$/.test(key);
    segments.push(isIndex ? Number(key) : key);
    node = isPlainObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return formatPath(segments);
}

/** A JSON object (not null, not an array): wire's isRecord, under the name config/ uses. */
export const isPlainObject = isRecord;

function parentPath(path: string): string | undefined {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? undefined : path.slice(0, cut);
}

/** Sorts issues into the order their keys appear in the file (a missing key sorts after its parent). */
export function sortByDocumentOrder<T extends { path: string }>(issues: readonly T[], root: unknown): T[] {
  const rank = new Map<string, number>();
  const visit = (node: unknown, path: string): void => {
    rank.set(path, rank.size);
    if (Array.isArray(node)) node.forEach((item: unknown, i) => visit(item, joinPath(path, i)));
    else if (isPlainObject(node)) for (const [k, v] of Object.entries(node)) visit(v, joinPath(path, k));
  };
  visit(root, '');
  const rankOf = (path: string): number => {
    for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
      const r = rank.get(p);
      if (r !== undefined) return r + (p === path ? 0 : 0.5);
    }
    return -1;
  };
  return issues
    .map((issue, i) => ({ issue, i, r: rankOf(issue.path) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.issue);
}
