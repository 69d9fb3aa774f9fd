/**
 * Focused fault tests, the device's own clock and its handlers: a clock that jumps while the
 * device sleeps (still believing it is right), and a handler that drags on past the wake budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultDevice, good, slept, startFaultCloud, struck, WAKE, WAKE_LIMIT_MS } from './support.js';
import type { FaultCloud } from './support.js';

let fc: FaultCloud;
beforeAll(async () => {
  fc = await startFaultCloud();
});
afterAll(async () => {
  await fc?.cloud.close();
});

describe('faults: clock and handlers', () => {
  it.each([30, -30])('clock-jump %i min while asleep: the wake notices (SNTP or the 403 Date), fixes the clock and succeeds', async (minutes) => {
    const d = await faultDevice(fc, [{ kind: 'clock-jump', wake: 2, jumpMs: minutes * 60_000 }]);
    good(await d.wake());
    const w = await d.wake();
    expect(struck(w)).toEqual(['clock-jump']);
    const s = good(w);
    expect(['sntp', 'http-date']).toContain(s.time.source);
    expect(Math.abs(s.time.offsetMs + minutes * 60_000)).toBeLessThan(5000);
    const next = good(await d.wake());
    expect(next.time.source).toBe('rtc');
    expect(d.violations()).toEqual([]);
  });

  it('slow-handler: the signal handler drags past the budget: EBUDGET, reported interrupted (time budget), not run again', async () => {
    const d = await faultDevice(fc, [{ kind: 'slow-handler', wake: 2, delayMs: 10_000 }]);
    good(await d.wake());
    d.setDesired({ signal: 3 });
    const w = await d.wake();
    expect(struck(w)).toEqual(['slow-handler']);
    const s = slept(w);
    expect(s.error).toBe('EBUDGET');
    expect(s.status).toContain('signal interrupted (time budget)');
    expect(s.status).toContain('EBUDGET: wake ran past its 3 s budget during the handlers');
    expect(w.cycleMs).toBeGreaterThanOrEqual(WAKE.budgetMs - 50);
    expect(w.cycleMs).toBeLessThan(WAKE_LIMIT_MS);
    expect(w.executions).toEqual([expect.objectContaining({ key: 'signal', value: 3, blinks: 1, completed: true })]);
    const next = await d.wake();
    good(next);
    expect(next.executions).toEqual([]);
    expect(d.reported()['signal']).toBe(3);
    expect(d.violations()).toEqual([]);
  });
});
