// pino logger with redaction: keys and auth headers never reach a log line.
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["api-key"]', 'headers.authorization', 'headers["api-key"]',
  // Libraries log request headers under their own names (@fastify/multipart: busboyOptions.headers).
  '*.headers.authorization', '*.headers["api-key"]', '*.headers["x-api-key"]', '*.headers.cookie',
  '*.apiKey', '*.api_key', 'apiKey', 'api_key', '*.secret', 'secret', '*.keys',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { service: 'holdfast' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  }, options.destination);
}

export type { Logger };
