// The vocabulary of one upstream call's failure: its kinds and the ids worth quoting to support.
// The upstream layer owns it (classify.ts builds it); routing, the store and the engine read it.

/** Why one upstream call failed (design.md, "Error classification"). */
export type UpstreamFailureKind =
  | 'connect' | 'idle_timeout' | 'rate_limited' | 'server_error' | 'stream_error'
  | 'bad_request' | 'auth' | 'not_found' | 'content_policy';

/** Upstream request ids worth quoting to support (x-request-id, apim-request-id, x-ms-region). */
export type UpstreamIds = Record<string, string>;
