// Small TypeBox builders for config keys: every key carries its default and a description with its unit.
// The custom keywords (`secretKind`, `defaultByProvider`, `errorMessage`) are read by load.ts and reference.ts.
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { Secret } from './secret.js';

/** `key`: a credential (a literal is warned about); `value`: may be a credential (header values). */
export type SecretKind = 'key' | 'value';

export type ProviderDefaults = { azure: unknown; openai: unknown };

export interface KeyOptions {
  default?: unknown;
  description: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

export function integer(options: KeyOptions) {
  return Type.Integer({ minimum: 0, ...options });
}

export function positiveInteger(options: KeyOptions) {
  return Type.Integer({ minimum: 1, ...options });
}

export function nullableInteger(options: KeyOptions & { defaultByProvider?: ProviderDefaults }) {
  const { description, defaultByProvider, ...rest } = options;
  return Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description, defaultByProvider, ...rest });
}

export function text(options: KeyOptions & { pattern?: string; errorMessage?: string }) {
  return Type.String({ minLength: 1, ...options });
}

export function nullableText(options: KeyOptions & { defaultByProvider?: ProviderDefaults }) {
  const { description, defaultByProvider, ...rest } = options;
  return Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description, defaultByProvider, ...rest });
}

export function oneOf<const T extends readonly string[]>(values: T, options: KeyOptions) {
  return Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v)), options));
}

/** A string that load.ts wraps into a Secret after validation (the type says Secret). */
export function secret(kind: SecretKind, options: KeyOptions & { pattern?: string; errorMessage?: string }): TUnsafe<Secret> {
  return Type.Unsafe<Secret>(Type.String({ minLength: 1, ...options, secretKind: kind }));
}

/** An object section whose absence means "all defaults"; unknown keys are errors. */
export function section<T extends Record<string, TSchema>>(properties: T, description: string) {
  return Type.Object(properties, { default: {}, additionalProperties: false, description });
}

export const HTTP_URL_PATTERN = '^https?://[^\\s/?#]+[^\\s]*$';
export const HTTP_URL_MESSAGE = 'must be an http(s) URL';
