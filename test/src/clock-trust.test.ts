import { describe, expect, test } from 'vitest';
import {
  afterSync, afterVerify, anchorValid, clockTrusted, dateOffset, effectiveDriftPpm, estimateClockError, UNKNOWN_SET_ERROR_MS,
} from '../../src/clock-trust.js';
import type { ClockRecord } from '../../src/store.js';
import { DEFAULTS } from '../../src/wake-options.js';

const o = DEFAULTS;
const T = 1_700_000_000_000;

describe('clock trust', () => {
  test('a clock never set (or set before a power loss) is not trusted', () => {
    expect(estimateClockError(undefined, T, undefined, o)).toBeUndefined();
    expect(clockTrusted(undefined, T, undefined, o)).toBe(false);
  });

  test('without a learned rate the default ESP32 drift (5 %) is assumed', () => {
    expect(effectiveDriftPpm(undefined, o)).toBe(50000);
    // set 10 minutes ago, unknown source: 1 s + 5 % of 600 s = 31 s
    expect(estimateClockError(undefined, T + 600_000, T, o)).toBe(UNKNOWN_SET_ERROR_MS + 30_000);
    expect(clockTrusted(undefined, T + 600_000, T, o)).toBe(true);
    expect(clockTrusted(undefined, T + 1_200_000, T, o)).toBe(false); // 61 s > 60 s margin
  });

  test('a learned rate (times the safety factor, never below the floor) replaces the default', () => {
    const rec: ClockRecord = { anchorAt: T, anchorErrMs: 50, driftPpm: 1000, samples: 2 };
    expect(effectiveDriftPpm(rec, o)).toBe(2000);
    expect(estimateClockError(rec, T + 3_600_000, T, o)).toBe(50 + 7200);
    expect(clockTrusted(rec, T + 3_600_000 * 8, T, o)).toBe(true);
    expect(effectiveDriftPpm({ ...rec, driftPpm: 1 }, o)).toBe(o.minDriftPpm);
  });

  test('an anchor older than the last set of the clock is not used', () => {
    const rec: ClockRecord = { anchorAt: T, anchorErrMs: 50, driftPpm: 1000, samples: 2 };
    expect(anchorValid(rec, T + 60_000)).toBe(false);
    expect(estimateClockError(rec, T + 120_000, T + 60_000, o)).toBe(UNKNOWN_SET_ERROR_MS + 60_000 * 0.002);
  });

  test('drift is learned from two syncs far enough apart: fast up, slow down', () => {
    let rec = afterSync(undefined, T, 5000, 20, undefined, o);
    expect(rec).toEqual({ anchorAt: T + 5000, anchorErrMs: 20, driftPpm: 0, samples: 0 });
    // 600 s later the clock is 6 s fast: 10000 ppm
    rec = afterSync(rec, T + 5000 + 600_000, -6000, 20, T + 5000, o);
    expect(rec.driftPpm).toBe(10000);
    expect(rec.samples).toBe(1);
    // a bigger drift is taken at once
    rec = afterSync(rec, rec.anchorAt + 600_000, -12000, 20, rec.anchorAt, o);
    expect(rec.driftPpm).toBe(20000);
    // a smaller one only halves the way down
    rec = afterSync(rec, rec.anchorAt + 600_000, 0, 20, rec.anchorAt, o);
    expect(rec.driftPpm).toBe(10000);
  });

  test('syncs too close together teach nothing', () => {
    const rec = afterSync({ anchorAt: T, anchorErrMs: 10, driftPpm: 0, samples: 0 }, T + 10_000, 3000, 20, T, o);
    expect(rec.samples).toBe(0);
  });

  test('a verified clock restarts the estimate from the observed difference', () => {
    const rec = afterVerify({ anchorAt: T, anchorErrMs: 10, driftPpm: 500, samples: 3 }, T + 99_000, -1500);
    expect(rec).toEqual({ anchorAt: T + 99_000, anchorErrMs: 2500, driftPpm: 500, samples: 3 });
  });

  test('HTTP Date: off by more than 2 s is corrected, within is not (1 s resolution)', () => {
    expect(dateOffset(T, T + 500, o).offsetMs).toBe(0);
    expect(dateOffset(T, T - 1400, o).offsetMs).toBe(0);
    expect(dateOffset(T, T - 3000, o).offsetMs).toBe(3500);
    expect(dateOffset(T, T + 10_000, o).offsetMs).toBe(-9500);
  });
});
