/**
 * Focused fault tests, network time: a device that powers on with its clock two hours off must
 * sync. When SNTP times out or answers junk, the status says `ETIME` and the wake still succeeds:
 * the cloud's 403 carries its `Date`, the device sets its clock from it and retries once. When
 * SNTP lies (a well-formed reply three hours off), the same 403 path corrects the lie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultDevice, good, slept, startFaultCloud, struck } from './support.js';
import type { FaultCloud } from './support.js';

const TWO_HOURS = 2 * 3600 * 1000;

let fc: FaultCloud;
beforeAll(async () => {
  fc = await startFaultCloud();
});
afterAll(async () => {
  await fc?.cloud.close();
});

describe('faults: SNTP', () => {
  it('sntp-timeout: no reply to any attempt: ETIME in the status, the clock set from the 403 Date, the wake succeeds', async () => {
    const d = await faultDevice(fc, [{ kind: 'sntp-timeout', wake: 1 }], { clockOffsetMs: TWO_HOURS });
    const w = await d.wake();
    expect(w.reason).toBe('power-on');
    expect(struck(w)).toEqual(['sntp-timeout']);
    const s = slept(w);
    expect(s.status).toMatch(/^error: ETIME: no SNTP reply .* after 2 attempts/);
    expect(s.error).toBeUndefined();
    expect(s.time.source).toBe('http-date');
    expect(Math.abs(s.time.offsetMs + TWO_HOURS)).toBeLessThan(5000);
    expect(s.report.sent).toBe(true);
    expect(d.reported()['status']).toBe(s.status);
    const next = good(await d.wake());
    expect(next.time.source).toBe('rtc');
    expect(d.violations()).toEqual([]);
  });

  it.each(['garbage', 'short', 'kiss', 'wrong-origin'])('sntp-bogus %s: the reply is refused (ETIME); the 403 Date sets the clock instead', async (variant) => {
    const d = await faultDevice(fc, [{ kind: 'sntp-bogus', wake: 1, variant }], { clockOffsetMs: -TWO_HOURS });
    const w = await d.wake();
    expect(struck(w)).toEqual(['sntp-bogus']);
    expect(w.fired[0]?.detail).toBe(variant);
    const s = slept(w);
    expect(s.status).toMatch(/^error: ETIME: /);
    expect(s.error).toBeUndefined();
    expect(s.time.source).toBe('http-date');
    expect(s.report.sent).toBe(true);
    good(await d.wake());
    expect(d.violations()).toEqual([]);
  });

  it('sntp-bogus lie: SNTP sets the clock three hours off; the cloud refuses the signature, its Date fixes the clock, the retry succeeds', async () => {
    const d = await faultDevice(fc, [{ kind: 'sntp-bogus', wake: 1, variant: 'lie' }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['sntp-bogus']);
    const s = slept(w);
    expect(s.error, s.status).toBeUndefined();
    expect(s.time.source).toBe('http-date');
    // +3 h from the lie, then −3 h from the Date: the clock ends where it was.
    expect(Math.abs(s.time.offsetMs)).toBeLessThan(5000);
    expect(s.report.sent).toBe(true);
    const next = good(await d.wake());
    expect(next.time.source).toBe('rtc');
    expect(d.violations()).toEqual([]);
  });
});
