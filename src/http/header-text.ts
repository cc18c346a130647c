// One way to read a request header: its trimmed text, or undefined when absent, repeated or blank.
import type { FastifyRequest } from 'fastify';

export function headerText(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
