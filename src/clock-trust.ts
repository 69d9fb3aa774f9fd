/**
 * When the device may sign with its RTC instead of asking SNTP, and how it learns its own drift.
 *
 * The clock keeps an *anchor*: the device time when it was last set or verified, with a bound on
 * its error then. The error now is estimated as that bound plus drift rate × time since. The
 * drift rate is learned from successive syncs (how far the clock had wandered, per unit of
 * elapsed time); until then a conservative default for an ESP32 RTC slow clock is assumed.
 * Pure functions: the cycle stores the result in RTC memory.
 */
import type { ClockRecord } from './store.js';
import type { WakeOptions } from './wake-options.js';

/** The numbers clock trust reads. */
export type ClockTrustOptions = Pick<
  WakeOptions,
  'clockMarginMs' | 'defaultDriftPpm' | 'driftSafetyFactor' | 'minDriftPpm' | 'driftLearnMinMs' | 'dateToleranceMs'
>;

/** Error bound assumed for an anchor this device did not record (the clock was set elsewhere). */
export const UNKNOWN_SET_ERROR_MS = 1000;
/** Error of a clock set from an HTTP `Date` header: 1 s resolution plus the request's latency. */
export const DATE_SET_ERROR_MS = 1500;

/** The drift rate (ppm) the estimate uses: the learned one with its safety factor, or the default. */
export function effectiveDriftPpm(rec: ClockRecord | undefined, o: ClockTrustOptions): number {
  if (!rec || rec.samples < 1) return o.defaultDriftPpm;
  const learned = rec.driftPpm * o.driftSafetyFactor;
  return learned < o.minDriftPpm ? o.minDriftPpm : learned;
}

/** True when `rec` describes the clock as it runs now (not an anchor from before the last set). */
export function anchorValid(rec: ClockRecord | undefined, trustedSince: number | undefined): rec is ClockRecord {
  return !!rec && trustedSince !== undefined && rec.anchorAt >= trustedSince - UNKNOWN_SET_ERROR_MS;
}

/**
 * Estimated error of the clock now (ms), or `undefined` when it cannot be trusted at all
 * (never set, or set before a power loss: `trustedSince` undefined).
 */
export function estimateClockError(rec: ClockRecord | undefined, now: number, trustedSince: number | undefined, o: ClockTrustOptions): number | undefined {
  if (trustedSince === undefined) return undefined;
  const valid = anchorValid(rec, trustedSince);
  const anchorAt = valid ? rec.anchorAt : trustedSince;
  const err0 = valid ? rec.anchorErrMs : UNKNOWN_SET_ERROR_MS;
  const elapsed = Math.abs(now - anchorAt);
  return err0 + (elapsed * effectiveDriftPpm(rec, o)) / 1e6;
}

/** True when the RTC can be used for signing without a sync. */
export function clockTrusted(rec: ClockRecord | undefined, now: number, trustedSince: number | undefined, o: ClockTrustOptions): boolean {
  const err = estimateClockError(rec, now, trustedSince, o);
  return err !== undefined && err < o.clockMarginMs;
}

/**
 * The clock record after the clock was found off by `offsetMs` (true − device) at device time
 * `now` and set right, with `errMs` the error of that measurement. Learns the drift rate when the
 * previous anchor is valid and far enough in the past; grows fast, shrinks slowly.
 */
export function afterSync(
  rec: ClockRecord | undefined,
  now: number,
  offsetMs: number,
  errMs: number,
  trustedSince: number | undefined,
  o: ClockTrustOptions,
): ClockRecord {
  let driftPpm = rec ? rec.driftPpm : 0;
  let samples = rec ? rec.samples : 0;
  if (anchorValid(rec, trustedSince)) {
    const elapsed = now - rec.anchorAt;
    if (elapsed >= o.driftLearnMinMs) {
      const observed = Math.round((Math.abs(offsetMs) * 1e6) / elapsed);
      if (samples < 1) driftPpm = observed;
      else {
        const mean = Math.round((driftPpm + observed) / 2);
        driftPpm = observed > mean ? observed : mean;
      }
      samples = samples + 1;
    }
  }
  return { anchorAt: now + offsetMs, anchorErrMs: errMs, driftPpm, samples };
}

/** The clock record after an HTTP `Date` header showed the clock within tolerance (`diffMs` off). */
export function afterVerify(rec: ClockRecord | undefined, now: number, diffMs: number): ClockRecord {
  return {
    anchorAt: now,
    anchorErrMs: Math.abs(diffMs) + UNKNOWN_SET_ERROR_MS,
    driftPpm: rec ? rec.driftPpm : 0,
    samples: rec ? rec.samples : 0,
  };
}

/**
 * What an HTTP `Date` (epoch ms, truncated to the second) says about the clock read as `now` when
 * the response arrived: the offset (true − device) to apply, or 0 when within tolerance.
 */
export function dateOffset(dateMs: number, now: number, o: Pick<ClockTrustOptions, 'dateToleranceMs'>): { readonly offsetMs: number; readonly diffMs: number } {
  const diffMs = dateMs + 500 - now;
  return { offsetMs: Math.abs(diffMs) > o.dateToleranceMs ? diffMs : 0, diffMs };
}
