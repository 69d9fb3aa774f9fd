/**
 * Focused fault tests, power: cuts inside a handler, right after the exactly-once intent record,
 * inside a flash write, at a request, at any HAL call, and while the device sleeps. After each,
 * the next wake is a power-on that syncs its clock, does NOT run the interrupted handler again
 * for the same desired change, says it was interrupted, and leaves the cloud and the device
 * agreeing. The last tests show a device bug found by the chaos run (see the comments there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultDevice, good, slept, startFaultCloud, struck } from './support.js';
import type { FaultCloud, FaultDevice } from './support.js';
import type { WakeObservation } from '../../cli/chaos/history.js';

let fc: FaultCloud;
beforeAll(async () => {
  fc = await startFaultCloud();
});
afterAll(async () => {
  await fc?.cloud.close();
});

/** Runs of `signal` `value` over the device's whole history. */
function signalRuns(d: FaultDevice, value: number): WakeObservation['executions'][number][] {
  return d.history.wakes.flatMap((w) => w.executions).filter((e) => e.key === 'signal' && e.value === value);
}

function cut(w: WakeObservation): void {
  expect(w.end).toEqual({ kind: 'power-cut' });
  expect(w.summary).toBeUndefined();
  expect(w.records.state).not.toBe('corrupt');
  expect(w.records.intent).not.toBe('corrupt');
}

describe('faults: power', () => {
  it('power-cut inside a handler (after its first blink): the next wake reports it interrupted and does not blink again', async () => {
    const d = await faultDevice(fc, [{ kind: 'power-cut', wake: 2, at: 'handler', nth: 1 }]);
    good(await d.wake());
    d.setDesired({ signal: 3 });
    const w = await d.wake();
    expect(struck(w)).toEqual(['power-cut']);
    cut(w);
    expect(w.executions).toEqual([expect.objectContaining({ key: 'signal', value: 3, blinks: 1, completed: false })]);
    expect(w.records.intent).toBe('ok');
    const next = await d.wake();
    expect(next.reason).toBe('power-on');
    const s = slept(next);
    expect(s.time.source).toBe('sntp');
    expect(s.outcomes).toEqual([{ key: 'signal', action: 'interrupted', text: 'signal interrupted (power loss)' }]);
    expect(s.status).toBe('error: signal interrupted (power loss)');
    expect(next.executions).toEqual([]);
    expect(next.records.intent).toBe('missing');
    // Counted as applied: the cloud hears signal 3 with the interruption, and nothing runs again.
    expect(d.reported()).toMatchObject({ signal: 3, status: 'error: signal interrupted (power loss)' });
    good(await d.wake());
    expect(signalRuns(d, 3)).toHaveLength(1);
    expect(d.violations()).toEqual([]);
  });

  it('power-cut right after the intent record was written: the handler never started, and is not started again', async () => {
    const d = await faultDevice(fc, [{ kind: 'power-cut', wake: 2, at: 'intent' }]);
    good(await d.wake());
    d.setDesired({ signal: 2 });
    const w = await d.wake();
    cut(w);
    expect(w.executions).toEqual([expect.objectContaining({ key: 'signal', value: 2, blinks: 0, completed: false })]);
    const s = slept(await d.wake());
    expect(s.status).toBe('error: signal interrupted (power loss)');
    expect(signalRuns(d, 2)).toHaveLength(1);
    expect(d.violations()).toEqual([]);
  });

  it('power-cut inside the intent record write (torn): no half record on flash; the change never started, so it runs once next wake', async () => {
    const d = await faultDevice(fc, [{ kind: 'power-cut', wake: 2, at: 'write', nth: 1 }]);
    good(await d.wake());
    d.setDesired({ signal: 1 });
    const w = await d.wake();
    cut(w);
    expect(w.cutAt).toBe('storage.write dormouse.intent (torn)');
    expect(w.records.state).toBe('ok');
    expect(w.records.intent).toBe('missing');
    expect(w.executions).toEqual([]);
    const s = slept(await d.wake());
    expect(s.error).toBeUndefined();
    expect(s.outcomes.map((o) => [o.key, o.action])).toEqual([['signal', 'applied']]);
    expect(signalRuns(d, 1)).toHaveLength(1);
    expect(d.violations()).toEqual([]);
  });

  it('power-cut after the report was accepted but before the device heard: the cloud has it, the device does not repeat the handler', async () => {
    const d = await faultDevice(fc, [{ kind: 'power-cut', wake: 2, at: 'http', request: 'POST', variant: 'answer-lost' }]);
    good(await d.wake());
    d.setDesired({ signal: 2 });
    const w = await d.wake();
    cut(w);
    expect(w.posts.map((p) => p.status)).toEqual([200]);
    expect(d.reported()).toMatchObject({ signal: 2, status: 'done: signal: blinked 2 times' });
    const s = slept(await d.wake());
    expect(s.error).toBeUndefined();
    expect(signalRuns(d, 2)).toHaveLength(1);
    expect(d.violations()).toEqual([]);
  });

  it.each(['any', 'net', 'sntp'] as const)('power-cut at %s: the next wake powers on and does its job', async (at) => {
    const d = await faultDevice(fc, [{ kind: 'power-cut', wake: 1, at }]);
    const w = await d.wake();
    expect(struck(w)).toEqual(['power-cut']);
    cut(w);
    const next = await d.wake();
    expect(next.reason).toBe('power-on');
    const s = slept(next);
    expect(s.error).toBeUndefined();
    expect(d.reported()).toMatchObject({ signal: 0, sleep: 30 });
    expect(d.violations()).toEqual([]);
  });

  it('power-cut-asleep: the device powers on without RTC memory or clock, syncs, and repeats nothing', async () => {
    const d = await faultDevice(fc, [{ kind: 'power-cut-asleep', wake: 3 }]);
    good(await d.wake());
    d.setDesired({ signal: 1 });
    good(await d.wake());
    const w = await d.wake();
    expect(struck(w)).toEqual(['power-cut-asleep']);
    expect(w.reason).toBe('power-on');
    const s = good(w);
    expect(s.wake).toBe(1);
    expect(s.time.source).toBe('sntp');
    expect(w.executions).toEqual([]);
    expect(signalRuns(d, 1)).toHaveLength(1);
    expect(d.violations()).toEqual([]);
  });

  // Found by `dormouse chaos --seed 2 --wakes 400 --devices 4` (device 4, wakes 143..145): the
  // interruption was kept only in memory once the intent record was gone, so a second power cut
  // before the report lost it. It is now written with the state before the intent record goes.
  it('a second power cut before the report does not lose the "interrupted" report', async () => {
    const d = await faultDevice(fc, [
      { kind: 'power-cut', wake: 2, at: 'intent' },
      { kind: 'power-cut', wake: 3, at: 'http', request: 'POST', variant: 'before-send' },
    ]);
    good(await d.wake());
    d.setDesired({ signal: 2 });
    cut(await d.wake());
    cut(await d.wake());
    const s = slept(await d.wake());
    expect(s.status).toContain('signal interrupted (power loss)');
  });
});
