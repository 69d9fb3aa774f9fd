import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimDevice } from '../../../hal/sim/runner.js';
import type { WakeRecord } from '../../../hal/sim/runner.js';
import { fakeApp } from './fake-app.js';
import { tempDeviceDir } from './support.js';

interface FakeSummary {
  leakedFromEarlierWake: boolean;
  env: Record<string, string>;
  rtcCount: number;
  reason: string;
}

function device(mode: string, extra: Partial<ConstructorParameters<typeof SimDevice>[0]> = {}): SimDevice {
  const dir = tempDeviceDir();
  writeFileSync(join(dir, 'mode'), mode);
  return new SimDevice({ dir, app: fakeApp(), speed: 1000, ...extra });
}

const summary = (r: WakeRecord): FakeSummary => r.summary as FakeSummary;

describe('sim runner: a fresh context per wake, real sleeps', () => {
  it('every wake runs in a fresh context: a global set by one wake is gone in the next, only RTC memory carries over', async () => {
    const d = device('sleep');
    const records: WakeRecord[] = [];
    await d.run({ wakes: 3, onWake: (r) => records.push(r) });
    expect(records.map((r) => summary(r).leakedFromEarlierWake)).toEqual([false, false, false]);
    expect(records.map((r) => summary(r).rtcCount)).toEqual([1, 2, 3]);
    expect(records.map((r) => r.reason)).toEqual(['power-on', 'timer', 'timer']);
  });

  it('the firmware context has no Node or engine globals: only the HAL reaches the machine', async () => {
    const r = await device('sleep').wake();
    expect(summary(r).env).toEqual({ process: 'undefined', require: 'undefined', setTimeout: 'undefined', console: 'undefined' });
  });

  it('the real sleep is the requested sleep divided by speed', async () => {
    const dir = tempDeviceDir();
    writeFileSync(join(dir, 'sleep'), '20');
    const d = new SimDevice({ dir, app: fakeApp(), speed: 200 });
    const starts: number[] = [];
    await d.run({ wakes: 3, onWake: (r) => starts.push(r.startedAt) });
    const gaps = [starts[1]! - starts[0]!, starts[2]! - starts[1]!];
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(95);
      expect(g).toBeLessThan(600);
    }
  });

  it('a power cut mid-wake abandons it; the next wake is a power-on with RTC memory lost and flash kept', async () => {
    const d = device('write-then-wait');
    const cut = d.wake();
    setTimeout(() => d.powerCut(), 20);
    const r = await cut;
    expect(r.end).toEqual({ kind: 'power-cut' });
    expect(r.error).toBeUndefined();
    writeFileSync(join(d.dir, 'mode'), 'sleep');
    const next = await d.wake();
    expect(next.reason).toBe('power-on');
    expect(summary(next).rtcCount).toBe(1);
  });

  it('a power cut during the sleep ends the sleep: the device powers on at once', async () => {
    const dir = tempDeviceDir();
    writeFileSync(join(dir, 'sleep'), '600');
    const d = new SimDevice({ dir, app: fakeApp(), speed: 1 });
    const reasons: string[] = [];
    const t0 = Date.now();
    const running = d.run({ wakes: 2, onWake: (r) => {
      reasons.push(r.reason);
      if (reasons.length === 1) setTimeout(() => d.powerCut(), 30);
    } });
    await running;
    expect(reasons).toEqual(['power-on', 'power-on']);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a firmware that throws is a crash: recorded, the next wake is a reset without RTC memory', async () => {
    const d = device('throw');
    const r = await d.wake();
    expect(r.end.kind).toBe('crash');
    expect(r.error).toMatch(/boom/);
    writeFileSync(join(d.dir, 'mode'), 'sleep');
    const next = await d.wake();
    expect(next.reason).toBe('reset');
    expect(summary(next).rtcCount).toBe(1);
  });

  it('a firmware that returns without deep sleep is a crash too', async () => {
    const r = await device('no-sleep').wake();
    expect(r.end.kind).toBe('crash');
    expect(r.error).toMatch(/without deep sleep/);
  });

  it('a wake that hangs is ended by the watchdog it started; one without a watchdog by the backstop', async () => {
    const w = await device('watchdog').wake();
    expect(w.end.kind).toBe('watchdog');
    const b = await device('hang', { backstopMs: 100 }).wake();
    expect(b.end.kind).toBe('crash');
  });

  it('aborting a run mid-wake lets the wake finish within the grace time, then cuts the power', async () => {
    const d = device('wait');
    const ac = new AbortController();
    const records: WakeRecord[] = [];
    const running = d.run({ signal: ac.signal, abortGraceMs: 50, onWake: (r) => records.push(r) });
    setTimeout(() => ac.abort(), 20);
    expect(await running).toBe(1);
    expect(records[0]?.end).toEqual({ kind: 'power-cut' });
  });
});
