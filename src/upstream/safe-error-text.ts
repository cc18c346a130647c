// Upstream error text is untrusted: an OpenAI-style 401 quotes part of holdfast's own key, and an
// upstream or proxy that echoes request headers would quote all of it. Messages that reach a client
// or a log go through here: the deployment's secrets and anything shaped like a credential are cut.
const CREDENTIAL_SHAPES = [
  /\b(?:sk|pk|rk|key|api[-_]?key)[-_][A-Za-z0-9_*.-]{4,}/gi, // sk-proj-abc…xyz, sk-***1234
  /\bBearer\s+\S+/gi,
  /\b[A-Za-z0-9+/_-]{32,}={0,2}/g, // long tokens: Azure keys are 32 hex, JWTs and base64 keys longer
];
const MAX_MESSAGE_CHARS = 500;

export function safeUpstreamText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
    // A quoted fragment of the key (first or last 4+ characters) is still a fragment of it.
    for (const fragment of [secret.slice(0, 8), secret.slice(-8)]) if (fragment.length >= 6) out = out.split(fragment).join('[redacted]');
  }
  for (const shape of CREDENTIAL_SHAPES) out = out.replace(shape, '[redacted]');
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS)}…` : out;
}

/** The upstream's error body with a safe message; only OpenAI's fields, each a short string. */
export function safeErrorBody(body: Record<string, unknown> | undefined, secrets: readonly string[]): Record<string, unknown> | undefined {
  const error = body?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  const field = (v: unknown): string | null => (typeof v === 'string' ? safeUpstreamText(v, secrets).slice(0, 100) : null);
  const safe: Record<string, unknown> = {
    message: typeof e.message === 'string' ? safeUpstreamText(e.message, secrets) : 'The upstream refused the request.',
    type: field(e.type) ?? 'invalid_request_error',
    param: field(e.param),
    code: field(e.code),
  };
  // Azure's content filter names its reason in innererror.code; clients branch on it.
  for (const name of ['innererror', 'inner_error']) {
    const inner = e[name];
    if (typeof inner === 'object' && inner !== null && typeof (inner as Record<string, unknown>).code === 'string') {
      safe[name] = { code: field((inner as Record<string, unknown>).code) };
    }
  }
  return { error: safe };
}
