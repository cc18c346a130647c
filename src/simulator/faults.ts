// Fault draws: one seeded draw per admitted request picks at most one fault from the deployment's
// profile for the request's size class, in a fixed order so the same seed gives the same run.
import type { Random } from '../time/random.js';
import { faultRatesFor, type FaultProfile } from './scenario-types.js';

export type FaultKind = 'http_503' | 'http_500' | 'stream_error' | 'reset' | 'edit_error';

export interface DrawnFault {
  kind: FaultKind;
  afterPartial: number;
}

export function drawFault(
  profile: FaultProfile,
  request: { pixels: number; isEdit: boolean },
  random: Random,
): DrawnFault | undefined {
  const rates = faultRatesFor(profile, request.pixels);
  // Always consume one draw, so fault-free profiles keep the sequence aligned.
  const roll = random.next();
  if (!rates) return undefined;
  const table: Array<[FaultKind, number]> = [
    ['http_503', rates.http503],
    ['http_500', rates.http500],
    ['stream_error', rates.streamError],
    ['reset', rates.reset],
    ['edit_error', request.isEdit ? rates.editError : 0],
  ];
  let edge = 0;
  for (const [kind, p] of table) {
    edge += p;
    if (roll < edge) return { kind, afterPartial: rates.afterPartial };
  }
  return undefined;
}
