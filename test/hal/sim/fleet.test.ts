import { describe, expect, it } from 'vitest';
import { runFleet } from '../../../hal/sim/fleet.js';
import { failureCode, FleetStats, quantile } from '../../../hal/sim/fleet-stats.js';
import type { WakeRecord } from '../../../hal/sim/runner.js';
import { fakeApp } from './fake-app.js';
import { tempDeviceDir } from './support.js';

describe('sim fleet', () => {
  it('fleet: runs exactly the requested number of wakes in total, spread over distinct devices', async () => {
    const app = fakeApp();
    const devices = Array.from({ length: 7 }, (_, i) => ({ dir: tempDeviceDir(), thing: `t-${i}`, app, speed: 500, machineWrites: 'on-stop' as const, durable: false }));
    const per = new Map<number, number>();
    const n = await runFleet({ devices, wakes: 30, staggerMs: 2, onWake: (i) => per.set(i, (per.get(i) ?? 0) + 1) });
    expect(n).toBe(30);
    expect([...per.values()].reduce((a, b) => a + b, 0)).toBe(30);
    expect(per.size).toBe(7);
  });

  it('fleet: first wakes are staggered by staggerMs', async () => {
    const app = fakeApp();
    const devices = Array.from({ length: 4 }, () => ({ dir: tempDeviceDir(), app, speed: 1 }));
    const starts: number[] = [];
    await runFleet({ devices, wakes: 4, staggerMs: 60, onWake: (_i, r) => starts.push(r.startedAt) });
    starts.sort((a, b) => a - b);
    expect(starts[3]! - starts[0]!).toBeGreaterThanOrEqual(170);
  });

  it('fleet: an abort stops every device', async () => {
    const app = fakeApp();
    const devices = Array.from({ length: 20 }, () => ({ dir: tempDeviceDir(), app, speed: 100 }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const n = await runFleet({ devices, staggerMs: 1, signal: ac.signal });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(n).toBeGreaterThanOrEqual(20);
  });

  it('stats: failure codes come from how the wake ended or the code the firmware reported', () => {
    const base = { cycleMs: 1, summary: { error: undefined } };
    expect(failureCode({ ...base, end: { kind: 'sleep', seconds: 5 } })).toBeUndefined();
    expect(failureCode({ ...base, end: { kind: 'sleep', seconds: 5 }, summary: { error: 'ECONN' } })).toBe('ECONN');
    expect(failureCode({ ...base, end: { kind: 'power-cut' } })).toBe('EPOWER');
    expect(failureCode({ ...base, end: { kind: 'watchdog', afterMs: 1 } })).toBe('EWATCHDOG');
    expect(failureCode({ ...base, end: { kind: 'crash', message: 'x' } })).toBe('ECRASH');
  });

  it('stats: p50/p99 by nearest rank, wakes per second over the window, failures counted by code', () => {
    let now = 0;
    const s = new FleetStats(() => now, 1000);
    const rec = (cycleMs: number, error?: string): Pick<WakeRecord, 'end' | 'summary' | 'cycleMs'> => ({ cycleMs, end: { kind: 'sleep', seconds: 5 }, summary: { error } });
    for (let i = 1; i <= 100; i++) {
      now = i * 10;
      s.add(rec(i, i % 25 === 0 ? 'ETIMEOUT' : undefined));
    }
    const snap = s.snapshot();
    expect(snap.wakes).toBe(100);
    expect(snap.p50Ms).toBe(50);
    expect(snap.p99Ms).toBe(99);
    expect(snap.maxMs).toBe(100);
    expect(snap.failures).toEqual({ ETIMEOUT: 4 });
    expect(snap.wakesPerSecond).toBeCloseTo(100, 0);
    expect(quantile([], 0.5)).toBe(0);
  });
});
