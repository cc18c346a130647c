// Resolves `env:NAME` strings anywhere in the parsed file to the variable's value, remembering which
// paths came from the environment so that load.ts can wrap them as Secrets and never echo them.
import type { TSchema } from '@sinclair/typebox';
import type { ConfigIssue } from './config-error.js';
import { isPlainObject, joinPath } from './key-path.js';
import { childSchema, coerceEnvValue } from './schema-walk.js';

const ENV_PREFIX = 'env:';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvResolution {
  value: unknown;
  /** Display path -> `env:NAME`, for every string that came from the environment. */
  sources: Map<string, string>;
  issues: ConfigIssue[];
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `schema` guides the conversion of env values to numbers and booleans where those are expected. */
export function resolveEnvRefs(root: unknown, env: Env, schema: TSchema): EnvResolution {
  const sources = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const visit = (node: unknown, path: string, nodeSchema: TSchema | undefined): unknown => {
    if (typeof node === 'string') return resolveString(node, path, nodeSchema);
    if (Array.isArray(node)) return node.map((item, i) => visit(item, joinPath(path, i), childSchema(nodeSchema, i)));
    if (isPlainObject(node)) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v, joinPath(path, k), childSchema(nodeSchema, k))]));
    }
    return node;
  };
  const resolveString = (text: string, path: string, nodeSchema: TSchema | undefined): unknown => {
    if (!text.startsWith(ENV_PREFIX)) return text;
    const name = text.slice(ENV_PREFIX.length);
    const where = path === '' ? '(root)' : path;
    if (!ENV_NAME.test(name)) {
      issues.push({ path: where, message: `'${text}' is not a valid env:NAME reference (NAME: letters, digits and _)` });
      return text;
    }
    const value = env[name];
    if (value === undefined || value === '') {
      issues.push({ path: where, message: `environment variable ${name} is ${value === undefined ? 'not set' : 'empty'}` });
      return text;
    }
    sources.set(path, text);
    return coerceEnvValue(nodeSchema, value);
  };
  return { value: visit(root, '', schema), sources, issues };
}
