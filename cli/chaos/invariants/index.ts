/**
 * The invariants of `dormouse chaos`, one file per family, and the replay of a whole history
 * through them (the live run checks each wake as it ends; tests replay synthetic histories).
 */
import type { ChaosHistory, Violation } from '../history.js';
import { backoffInvariant } from './backoff.js';
import type { InvariantChecker } from './checker.js';
import { convergenceInvariant } from './convergence.js';
import { exactlyOnceInvariant } from './exactly-once.js';
import { persistenceInvariant } from './persistence.js';
import { reportsInvariant } from './reports.js';
import { sleepInvariant } from './sleep.js';
import { statusInvariant } from './status.js';

export type { InvariantChecker } from './checker.js';
export { violation } from './checker.js';
export { backoffInvariant, backoffRange, baseSleep, FAILED_WAKE_CODES, outageSpread } from './backoff.js';
export { CONVERGENCE_BOUND, convergenceInvariant, convergenceWakes, differences, expectedState } from './convergence.js';
export type { Expected } from './convergence.js';
export { changeId, changeOf, exactlyOnceInvariant } from './exactly-once.js';
export { flippedRecord, persistenceInvariant, RECORD_WORDS } from './persistence.js';
export { reportsInvariant } from './reports.js';
export { sleepInvariant } from './sleep.js';
export { statusInvariant } from './status.js';

/** Every checker, in report order. */
export const CHECKERS: readonly InvariantChecker[] = [
  sleepInvariant, exactlyOnceInvariant, convergenceInvariant, persistenceInvariant, reportsInvariant, backoffInvariant, statusInvariant,
];

/** Run every checker over a complete history: each wake in order, then the end of the run. */
export function checkHistory(h: ChaosHistory, checkers: readonly InvariantChecker[] = CHECKERS): Violation[] {
  const out: Violation[] = [];
  for (const d of h.devices) {
    for (let i = 0; i < d.wakes.length; i++) for (const c of checkers) out.push(...c.afterWake(h, d, i));
  }
  for (const c of checkers) out.push(...c.atEnd(h));
  return out;
}
