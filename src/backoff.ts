/**
 * How long to sleep after failed wakes: exponentially longer from the desired `sleep` up to the
 * maximum, shortened by a random jitter so a fleet that failed together (an outage) does not
 * wake in step. The first good wake resets the attempt count.
 */
import type { ErrorCode } from './errors.js';

/**
 * Codes that make a wake count as failed for the backoff: the wake could not complete its
 * exchange with the cloud (no network, cloud unreachable or failing, refused credentials, no
 * usable time, the budget ran out) or could not even start (bad config). Not counted: invalid
 * desired values (`EINVALID`), a thing's handler failing (`EHANDLER`), a handler interrupted in an
 * earlier wake (`EINTERRUPTED`), a reset corrupt record (`ECORRUPT`), flash that could not be
 * written (`ESTORAGE`, `EFULL`): sleeping longer changes nothing about those, and the wake itself
 * did its job with the cloud.
 */
export const BACKOFF_CODES: readonly ErrorCode[] = [
  'ENET', 'EDNS', 'ECONN', 'ETLS', 'ETIMEOUT', 'EHTTP', 'EUDP', 'EMEM', 'ETIME', 'EAUTH', 'ECLOUD', 'EBADDOC', 'EBUDGET', 'ECONFIG', 'EINTERNAL',
];

/** True when a wake stopped by `code` counts as failed for the backoff. */
export function countsAsFailure(code: ErrorCode): boolean {
  return BACKOFF_CODES.indexOf(code) >= 0;
}

/** Inputs of {@link backoffSleep}. */
export interface BackoffInput {
  /** The sleep a good wake would take (desired `sleep`), seconds. */
  readonly baseSeconds: number;
  /** Consecutive failed wakes, this one included (1 after the first failure). */
  readonly attempt: number;
  /** Upper bound, seconds. */
  readonly maxSeconds: number;
  /** Largest fraction the jitter removes (0.25: sleep lands in [75 %, 100 %] of the step). */
  readonly jitter: number;
  /** A uniform random number in [0, 1). */
  readonly random: number;
}

/**
 * Seconds to sleep after `attempt` consecutive failed wakes: `min(max, base × 2^attempt)`, minus
 * up to `jitter` of it at random, never below `base`. `attempt` 0 returns `base`.
 */
export function backoffSleep(i: BackoffInput): number {
  const base = i.baseSeconds;
  if (i.attempt <= 0) return base;
  let step = base;
  for (let n = 0; n < i.attempt && step < i.maxSeconds; n++) step = step * 2;
  if (step > i.maxSeconds) step = i.maxSeconds;
  let s = Math.round(step * (1 - i.jitter * i.random));
  if (s < base) s = base;
  if (s > i.maxSeconds) s = i.maxSeconds;
  return s;
}

/** A uniform number in [0, 1) from two random bytes. */
export function unitRandom(bytes: Uint8Array): number {
  const hi = bytes.length > 0 ? (bytes[0] as number) : 0;
  const lo = bytes.length > 1 ? (bytes[1] as number) : 0;
  return (hi * 256 + lo) / 65536;
}
